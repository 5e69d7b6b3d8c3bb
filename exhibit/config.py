"""Settings: defaults from :mod:`exhibit.settings`, then the instance file, then the environment
(``EXHIBIT_*``), then what the caller passes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from .settings import DEFAULTS

INSTANCE_CONFIG = "exhibit.cfg"


def load(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` in order of precedence and derive the paths that depend on it."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile(INSTANCE_CONFIG, silent=True)
    app.config.from_prefixed_env("EXHIBIT")
    if overrides:
        app.config.from_mapping(overrides)
    instance = Path(app.instance_path)
    app.config["CONTENT_DIR"] = str(Path(app.config["CONTENT_DIR"]).resolve())
    if not app.config["MEDIA_CACHE_DIR"]:
        app.config["MEDIA_CACHE_DIR"] = str(instance / "media-cache")
    if not app.config["PUBLISHED_MEDIA_DIR"]:
        app.config["PUBLISHED_MEDIA_DIR"] = str(instance / "published-media")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance)


def _read_secret(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it and start again to make a new key")
    return key


def _instance_secret(instance: Path) -> str:
    """A random key made once per instance folder, so no key ever sits in the repository."""
    path = instance / "secret_key"
    if path.exists():
        return _read_secret(path)
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written whole to a private file (0600 from its first byte) and flushed to disk, then linked
    # into place: no reader ever sees a half-written or, after a power cut, empty key, and when
    # two processes start at once one key wins (link refuses an existing name) and both use it.
    partial = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(partial, path)
        except FileExistsError:
            return _read_secret(path)
    finally:
        partial.unlink(missing_ok=True)
    return key
