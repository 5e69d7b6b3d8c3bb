"""`exhibit run --production` (real gunicorn, real processes) checks before it serves anyone:
it refuses to start while an open staff account has the demo's published password, and it
warns when the rate limits would be counted by each worker alone."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from pathlib import Path

from exhibit.review.demo import DEMO_PASSWORD

from .test_kill import Server

ROOT = Path(__file__).resolve().parent.parent


def exhibit(server: Server, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exhibit", *args], cwd=server.cwd,
                          env=server.env, input=stdin, capture_output=True, text=True,
                          timeout=120)


def production(server: Server) -> subprocess.Popen:
    with server.log.open("w") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "exhibit", "run", "--production", "--host", "127.0.0.1",
             "--port", str(server.port)],
            cwd=server.cwd, env=server.env, stdout=log, stderr=subprocess.STDOUT)


def answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:  # not listening yet, or (a busy machine) no answer within the second
        return False
    finally:
        conn.close()  # also after a timeout: an unclosed socket is a ResourceWarning, an error here


def test_the_demo_password_keeps_a_production_server_from_starting(tmp_path):
    server = Server(tmp_path, f"sqlite:///{tmp_path / 'visits.sqlite3'}")
    server.env.update({"WEB_CONCURRENCY": "2", "EXHIBIT_RATELIMIT_ENABLED": "true",
                       # Production needs its public address (tests/test_print_address.py).
                       "EXHIBIT_PUBLIC_BASE_URL": "https://expo.example.org"})
    assert DEMO_PASSWORD in (ROOT / "scripts" / "demo").read_text()  # the one scripts/demo types
    made = exhibit(server, "users", "create", "admin", "--role", "admin", "--password-stdin",
                   stdin=DEMO_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr

    process = production(server)
    assert process.wait(240) == 3  # a ceiling: the refusal comes as soon as it is read
    log = server.log.read_text()
    assert "refusing to start" in log and "admin" in log
    assert "exhibit users set-password NAME" in log and "exhibit users deactivate NAME" in log
    assert not answers(server.port)

    closed = exhibit(server, "users", "deactivate", "admin")
    assert closed.returncode == 0, closed.stderr
    process = production(server)
    try:
        deadline = time.monotonic() + 120
        while not answers(server.port):
            assert process.poll() is None, server.log.read_text()
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.1)
        log = server.log.read_text()
        assert "rate limits are counted in each of the 2 workers alone" in log
        assert "RATELIMIT_STORAGE_URI" in log
    finally:
        process.terminate()
        # A ceiling, not a pace: gunicorn's graceful stop of its workers outlasted 30 s with both
        # cores loaded (stress-ng beside the suite).
        process.wait(240)
