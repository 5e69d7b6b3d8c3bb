"""Front-end assets (CSS, JS, icons) under a content-hashed URL: ``/static/<version>/css/site.css``.

The version is a hash of every file in ``exhibit/static``: any change gives new URLs, so browsers
may cache assets forever. WhiteNoise serves them, with gzip and Brotli copies made once at start.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from flask import Flask, current_app
from whitenoise.compress import Compressor

STATIC_DIR = Path(__file__).parent / "static"


def static_version(root: Path = STATIC_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def build_static(cache_root: Path, version: str) -> Path:
    """Copy the assets into a versioned folder with pre-compressed siblings (once per version)."""
    target = cache_root / f"static-{version}"
    done = cache_root / f"static-{version}.complete"  # outside the served folder
    if done.exists():
        return target
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(STATIC_DIR, target)
    compressor = Compressor(quiet=True)
    for path in list(target.rglob("*")):
        if path.is_file() and compressor.should_compress(path.name):
            for _ in compressor.compress(str(path)):
                pass
    done.touch()
    return target


def asset_url(path: str) -> str:
    """The cache-forever URL of a file in ``exhibit/static``."""
    return f"/static/{current_app.extensions['exhibit.static_version']}/{path}"


def init_app(app: Flask) -> None:
    version = static_version()
    app.extensions["exhibit.static_version"] = version
    app.extensions["exhibit.static_dir"] = build_static(Path(app.config["MEDIA_CACHE_DIR"]).parent,
                                                        version)
    app.add_template_global(asset_url)
