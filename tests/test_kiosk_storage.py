"""Persistent storage in the hall: the launcher makes Debian's Chromium grant it.

Chromium refuses ``navigator.storage.persist()`` on a fresh profile. ``kiosk/launch-chromium.sh``
grants the server's origin the durable-storage permission in the profile before the browser
starts. This test runs the launcher itself (its own flag list, with ``--headless`` added through
EXHIBIT_KIOSK_EXTRA_FLAGS and a free DevTools port), attaches over that DevTools port and reads
``navigator.storage.persisted()`` and what the operator screen reports; a browser started without
the launcher, for contrast, is refused.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, STATE_TIMEOUT_MS

pytestmark = pytest.mark.browser

LAUNCHER = Path(__file__).resolve().parent.parent / "kiosk" / "launch-chromium.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def devtools_ready(port: int, proc: subprocess.Popen) -> bool:
    """Wait (for the state, up to the shared ceiling) until the DevTools endpoint answers."""
    deadline = time.monotonic() + STATE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def test_launcher_writes_the_grant_for_the_server_origin(tmp_path):
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    # An existing profile keeps its other preferences.
    (profile / "Default" / "Preferences").write_text(json.dumps({"kept": {"x": 1}}))
    env = {**os.environ, "EXHIBIT_KIOSK_PROFILE": str(profile), "EXHIBIT_KIOSK_BROWSER": "true"}
    subprocess.run(["bash", str(LAUNCHER), "http://192.0.2.10:5000", "hall-a"], env=env, check=True)
    prefs = json.loads((profile / "Default" / "Preferences").read_text())
    assert prefs["kept"] == {"x": 1}
    granted = prefs["profile"]["content_settings"]["exceptions"]["durable_storage"]
    assert granted == {"http://192.0.2.10:5000,*": {"setting": 1}}


def test_the_launched_kiosk_has_persistent_storage(browser, live_server, tmp_path):
    # Without the launcher: a fresh profile is refused.
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(f"{live_server}/kiosk/?kiosk=storage-plain")
    page.wait_for_selector("#kiosk-app[data-ready]")
    assert page.evaluate("navigator.storage.persist()") is False
    context.close()

    port = free_port()
    env = {**os.environ, "EXHIBIT_KIOSK_PROFILE": str(tmp_path / "profile"),
           "EXHIBIT_KIOSK_DEVTOOLS_PORT": str(port), "EXHIBIT_KIOSK_BROWSER": CHROMIUM,
           "EXHIBIT_KIOSK_EXTRA_FLAGS": "--headless --no-sandbox --disable-gpu"}
    proc = subprocess.Popen(["bash", str(LAUNCHER), live_server, "storage-test"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        assert devtools_ready(port, proc), "the launched Chromium never opened its DevTools port"
        # Attached with the session's Playwright (one sync Playwright per thread).
        launched = browser.browser_type.connect_over_cdp(f"http://127.0.0.1:{port}")
        pages = [p for c in launched.contexts for p in c.pages if "/kiosk/" in p.url]
        assert pages, [p.url for c in launched.contexts for p in c.pages]
        kiosk = pages[0]
        kiosk.wait_for_selector("#kiosk-app[data-ready]", timeout=STATE_TIMEOUT_MS)
        assert kiosk.url.endswith("/kiosk/?kiosk=storage-test")
        assert kiosk.evaluate("navigator.storage.persisted()") is True
        # What the operator screen shows ("Persistent storage: granted").
        kiosk.wait_for_function("() => window.exhibitKiosk.offline.state.persisted === true",
                                timeout=STATE_TIMEOUT_MS)
        launched.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
