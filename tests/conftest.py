"""Fixtures: the demo exhibition app, a scratch exhibition to break, a live server for browsers."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from exhibit import create_app

from .scratch import write_exhibition

ROOT = Path(__file__).resolve().parent.parent
DEMO_PANELS = ROOT / "panels"


@pytest.fixture(scope="session")
def media_cache(tmp_path_factory) -> Path:
    """One derivative cache for the whole run: images are resized once, not per test."""
    return tmp_path_factory.mktemp("media-cache")


def make_app(content_dir: Path, media_cache: Path, **extra):
    config = {"TESTING": True, "CONTENT_DIR": str(content_dir), "MEDIA_CACHE_DIR": str(media_cache),
              "CONTENT_RELOAD_SECONDS": 0, "SECRET_KEY": "test",
              "PUBLIC_BASE_URL": "https://expo.example.org"}
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def demo_app(media_cache):
    """The app serving the demo exhibition in panels/ (read-only: do not change its content)."""
    return make_app(DEMO_PANELS, media_cache)


@pytest.fixture()
def client(demo_app):
    return demo_app.test_client()


@pytest.fixture()
def demo(demo_app):
    """The demo exhibition as loaded by the app."""
    return demo_app.extensions["exhibit.content"].exhibition


@pytest.fixture()
def scratch(tmp_path) -> Path:
    """A small valid exhibition in tmp_path; returns its panels/ folder."""
    return write_exhibition(tmp_path)


@pytest.fixture()
def demo_copy(tmp_path) -> Path:
    """A copy of the demo exhibition (panels/ and media/) to break; returns its panels/ folder."""
    shutil.copytree(DEMO_PANELS, tmp_path / "panels")
    (tmp_path / "media").symlink_to(ROOT / "media")
    return tmp_path / "panels"


@pytest.fixture(scope="session")
def live_server(demo_app):
    """The demo app on a real HTTP port, in a thread, for the browser tests."""
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
