"""The hall watchdog: it reads the kiosk page's heartbeat from Chromium's DevTools list."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, ROOT

spec = importlib.util.spec_from_file_location("watchdog", ROOT / "kiosk" / "watchdog.py")
watchdog = importlib.util.module_from_spec(spec)
spec.loader.exec_module(watchdog)


def fake_devtools(targets):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = json.dumps(targets).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("targets, verdict, why", [
    ([], "restart", "no kiosk page open"),
    ([{"type": "page", "url": "http://x/kiosk/?kiosk=a", "title": "exhibit kiosk a \u2665 1000"}],
     "restart", "hung (last heartbeat 100 s ago)"),
    ([{"type": "page", "url": "http://x/kiosk/?kiosk=a", "title": "This site can't be reached"}],
     "restart", "no heartbeat"),
    ([{"type": "page", "url": "http://x/kiosk/?kiosk=a", "title": "exhibit kiosk a \u2665 1090"}],
     "ok", "kiosk page alive"),
    ([{"type": "page", "url": "http://x/kiosk/?kiosk=a", "title": "Less mercury \u00b7 a \u2665 1090"}],
     "ok", "kiosk page alive"),
    ([{"type": "page", "url": "http://x/kiosk/?kiosk=a", "title": "\u2665 1090 is not at the end"}],
     "restart", "no heartbeat"),
])
def test_verdicts(targets, verdict, why, live_server):
    server = fake_devtools(targets)
    try:
        result = watchdog.check(f"http://127.0.0.1:{server.server_port}", live_server, now=1100)
    finally:
        server.shutdown()
        server.server_close()
    assert result[0] == verdict and why in result[1]


def test_no_browser_at_all_means_restart(live_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert watchdog.check(f"http://127.0.0.1:{port}", live_server)[0] == "restart"


@pytest.mark.browser
def test_a_live_kiosk_in_real_chromium_is_alive(live_server, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chromium = subprocess.Popen([CHROMIUM, "--headless", *CHROMIUM_ARGS,
                                 f"--user-data-dir={tmp_path / 'profile'}",
                                 "--remote-debugging-address=127.0.0.1",
                                 f"--remote-debugging-port={port}",
                                 f"{live_server}/kiosk/?kiosk=watchdog-test"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        verdict = ("restart", "not checked")
        while time.monotonic() < deadline:
            verdict = watchdog.check(f"http://127.0.0.1:{port}", live_server)
            if verdict[0] == "ok":
                break
            time.sleep(0.5)
        assert verdict == ("ok", "kiosk page alive"), verdict
    finally:
        chromium.kill()
        chromium.wait(timeout=10)
