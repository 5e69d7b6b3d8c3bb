"""Settings: defaults from :mod:`exhibit.settings`, then the instance file, then the environment
(``EXHIBIT_*``), then what the caller passes."""

from __future__ import annotations

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


def _instance_secret(instance: Path) -> str:
    """A random key made once per instance folder, so no key ever sits in the repository."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
