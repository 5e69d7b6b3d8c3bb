"""Fixtures: the demo exhibition app, a scratch exhibition to break, a live server for browsers."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest

from exhibit import create_app

from .live import serve
from .scratch import write_exhibition

ROOT = Path(__file__).resolve().parent.parent
DEMO_PANELS = ROOT / "panels"


# scrypt at the production cost (N=32768) takes 0.1-0.2 s a hash, and the staff, review and report
# tests make and check thousands of hashes: about a fifth of the suite's time on a 2-core machine.
# As Django advises for its own tests, the tests hash with the same algorithm and the same code paths
# at a low cost (N=1024); tests marked `full_password_cost` keep the production cost and one of them
# checks that real accounts are stored at it.
TEST_PASSWORD_METHOD = "scrypt:1024:8:1"


@pytest.fixture(autouse=True)
def _test_password_cost(request, monkeypatch):
    if request.node.get_closest_marker("full_password_cost"):
        return
    from exhibit.auth import accounts

    monkeypatch.setattr(accounts, "PASSWORD_METHOD", TEST_PASSWORD_METHOD)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", _test_dummy_hash())


@functools.cache
def _test_dummy_hash() -> str:
    """The unknown-account hash at the tests' cost (made once for the run)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash("not a real password at all", TEST_PASSWORD_METHOD)


@pytest.fixture(scope="session")
def media_cache(tmp_path_factory) -> Path:
    """One derivative cache for the whole run: images are resized once, not per test."""
    return tmp_path_factory.mktemp("media-cache")


def make_app(content_dir: Path, media_cache: Path, **extra):
    import uuid

    config = {"TESTING": True, "CONTENT_DIR": str(content_dir), "MEDIA_CACHE_DIR": str(media_cache),
              "CONTENT_RELOAD_SECONDS": 0, "SECRET_KEY": "test",
              "PUBLIC_BASE_URL": "https://expo.example.org",
              "KIOSK_CONFIG": str(Path(__file__).parent / "kiosks.yaml"),
              # Copies of approved media are named by their hash: one store for the run is safe.
              "PUBLISHED_MEDIA_DIR": str(media_cache.parent / "published-media"),
              # Never the repository's instance folder: each app gets its own database file.
              "DATABASE_URL": f"sqlite:///{media_cache.parent / f'db-{uuid.uuid4().hex}.sqlite3'}"}
    config.update(extra)
    return create_app(config)


def publish(app) -> int:
    """Make the app's exhibition public as its files are now: every required organisation approves
    every panel's current version, through the review's real write path (the same function as
    `exhibit review demo`). Call it again after an edit: an edit is a new version."""
    from exhibit.review.demo import approve_all

    with app.app_context():
        return approve_all(app)


@pytest.fixture(scope="session")
def demo_app(media_cache):
    """The app serving the demo exhibition in panels/ (read-only: do not change its content),
    with every panel approved that can be, so all of it is public except the panel with pending
    data (pvc-results: it cannot be approved until FECO and UNIDO supply the data)."""
    app = make_app(DEMO_PANELS, media_cache)
    publish(app)
    return app


@pytest.fixture()
def client(demo_app):
    return demo_app.test_client()


@pytest.fixture()
def demo(demo_app):
    """The demo exhibition as the public sees it: every panel but the one with pending data."""
    from exhibit.publication import public_exhibition

    with demo_app.app_context():
        return public_exhibition(demo_app)


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


# Debian's chromium, never a browser downloaded by a test tool; the flags keep it off the network.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# How long a browser test waits for a state (an element, an event, a function turning true) before
# it fails. A ceiling, not a pace: every wait ends as soon as its state is reached, so on a quiet
# machine it costs nothing; with both cores loaded (stress-ng beside the suite, other suites) a page
# load took longer than Playwright's default 30 s.
STATE_TIMEOUT_MS = 180_000


def _patient(chromium):
    """Make every context and page of `chromium` wait up to STATE_TIMEOUT_MS for states."""
    open_context, open_page = chromium.new_context, chromium.new_page

    def new_context(*args, **kwargs):
        context = open_context(*args, **kwargs)
        context.set_default_timeout(STATE_TIMEOUT_MS)
        context.set_default_navigation_timeout(STATE_TIMEOUT_MS)
        return context

    def new_page(*args, **kwargs):
        page = open_page(*args, **kwargs)
        page.set_default_timeout(STATE_TIMEOUT_MS)
        page.set_default_navigation_timeout(STATE_TIMEOUT_MS)
        return page

    chromium.new_context, chromium.new_page = new_context, new_page
    return chromium


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (tests open their own contexts)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = _patient(playwright.chromium.launch(executable_path=CHROMIUM,
                                                       args=CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture()
def kiosk(browser, live_server):
    """Open the kiosk on a touch screen; yields a function that opens it (one context per call).
    ``worker=False`` blocks the service worker (no offline copy made beside the test);
    ``clock=True`` installs Playwright's clock before the page loads."""
    contexts = []

    def opener(kiosk_id: str = "visitor-test", viewport: dict | None = None, worker: bool = True,
               clock: bool = False):
        context = browser.new_context(viewport=viewport or {"width": 1920, "height": 1080},
                                      has_touch=True,
                                      service_workers="allow" if worker else "block")
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        if clock:
            page.clock.install()
        page.goto(f"{live_server}/kiosk/?kiosk={kiosk_id}")
        page.wait_for_selector("#kiosk-app[data-ready]")
        page.errors = errors
        return page

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def live_server(demo_app):
    """The demo app on a real HTTP port, in a thread, for the browser tests."""
    with serve(demo_app) as url:
        yield url


# -- databases: every storage test runs on SQLite and on a real PostgreSQL server -------------------

def _postgres_base_url() -> str | None:
    import os

    return os.environ.get("EXHIBIT_TEST_POSTGRES_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, or its own schema on the PostgreSQL test server.

    PostgreSQL is skipped only where no server can exist (no EXHIBIT_TEST_POSTGRES_URL outside CI);
    in CI its absence is a failure. `scripts/test` installs and starts the server.
    """
    import os
    import uuid

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'visits.sqlite3'}"
        return
    base = _postgres_base_url()
    if base is None:
        if os.environ.get("CI"):
            pytest.fail("EXHIBIT_TEST_POSTGRES_URL is not set: run the tests with scripts/test")
        pytest.skip("no PostgreSQL server (run the tests with scripts/test to get one)")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture()
def visit_app(scratch, media_cache, database_url, tmp_path):
    """The scratch exhibition with a visit log on each database."""
    app = make_app(scratch, media_cache, DATABASE_URL=database_url)
    app.instance_path = str(tmp_path / "instance")
    yield app
    app.extensions["exhibit.db"].dispose()


@pytest.fixture()
def visit_client(visit_app):
    return visit_app.test_client()


@pytest.fixture(scope="session")
def api_manifests(live_server):
    """The published panels per language, as the kiosk receives them (fetched over HTTP)."""
    import json
    import urllib.request

    manifests = {}
    for lang in ("zh", "en", "fr"):
        with urllib.request.urlopen(f"{live_server}/api/v1/panels?lang={lang}", timeout=30) as r:
            manifests[lang] = json.load(r)
    return manifests
