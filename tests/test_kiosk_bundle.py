"""A hall with no server: the kiosk runs from a bundle folder, and its visit log comes back."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from exhibit.visits.schema import events
from tests.conftest import STATE_TIMEOUT_MS

from .conftest import make_app
from .test_paths import SECRET_MARKERS, TRAVERSALS, raw_get
from .test_security_headers import RECORD_VIOLATIONS

# The headers exhibit/security.py gives every response, and HSTS, which plain HTTP must not have.
SECURITY = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
            "Referrer-Policy", "Cross-Origin-Opener-Policy", "Permissions-Policy")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def bundle(demo_app, tmp_path):
    out = tmp_path / "usb"
    result = demo_app.test_cli_runner().invoke(args=["kiosk", "bundle", "--out", str(out),
                                                     "--kiosk", "usb-test"])
    assert result.exit_code == 0, result.output
    return out


@contextmanager
def serving(bundle, stderr=None):
    """``python3 serve.py`` of the bundle on a free port, as on the kiosk PC; yields its address."""
    port = free_port()
    server = subprocess.Popen([sys.executable, str(bundle / "serve.py"), "--port", str(port)],
                              cwd=bundle, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(port: int, method: str, path: str, body: bytes | None = None,
          headers: dict | None = None) -> http.client.HTTPResponse:
    """One request as it is written, errors included (urllib would raise on them)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def policy(response) -> dict[str, str]:
    value = response.getheader("Content-Security-Policy") or ""
    return {part.split()[0]: " ".join(part.split()[1:]) for part in value.split(";") if part.strip()}


def check_strict(where: str, response) -> None:
    """Never framed, no plug-ins, no <base>, no inline script; nosniff and a referrer policy."""
    csp = policy(response)
    assert csp.get("frame-ancestors") == "'none'", where
    assert csp.get("object-src", csp.get("default-src")) == "'none'", where
    assert "'unsafe-inline'" not in csp.get("script-src", csp.get("default-src", "")), where
    assert "'unsafe-eval'" not in csp.get("script-src", csp.get("default-src", "")), where
    assert csp.get("base-uri") == "'none'", where
    assert response.getheader("X-Content-Type-Options") == "nosniff", where
    assert response.getheader("Referrer-Policy"), where
    assert response.getheader("X-Frame-Options") == "DENY", where


def test_every_answer_of_the_bundle_server_carries_the_apps_security_headers(bundle, demo_app):
    """Pages, the service worker, files and media (ranges too), manifests, the events endpoint,
    and its own errors and http.server's: each with the headers the app sends for its kind, read
    from the file the real command wrote — exhibit/security.py stays the only source."""
    precache = json.loads((bundle / "site" / "kiosk" / "precache.json").read_text())
    static = next(u for u in precache["urls"] if u.startswith("/static/") and u.endswith(".js"))
    media = next(u for u in precache["urls"] if u.startswith("/media/"))
    video = next(u for u in precache["urls"] if u.startswith("/media/") and u.endswith(".mp4"))
    manifest = next(u for u in precache["urls"] if u.startswith("/api/v1/panels"))
    page = "/kiosk/?kiosk=usb-test"
    event = json.dumps({"events": [{"id": "not-an-event-but-an-id"}]}).encode()
    requests = [
        ("page", "GET", page, None, {}, 200),
        ("page", "HEAD", page, None, {}, 200),
        ("service worker", "GET", "/kiosk/sw.js", None, {}, 200),
        ("script", "GET", static, None, {}, 200),
        ("media", "GET", media, None, {}, 200),
        ("video range", "GET", video, None, {"Range": "bytes=0-99"}, 206),
        ("unsatisfiable range", "GET", video, None, {"Range": "bytes=999999999-"}, 416),
        ("manifest", "GET", manifest, None, {}, 200),
        ("health", "GET", "/healthz", None, {}, 200),
        ("missing page", "GET", "/kiosk/nothing-here.html", None, {}, 404),
        ("out of the bundle", "GET", "/../security-headers.json", None, {}, 404),
        ("NUL in a language", "GET", "/api/v1/panels?lang=%00", None, {}, 404),
        ("path in a language", "GET", "/api/v1/panels?lang=../../security-headers", None, {},
         404),
        ("events", "POST", "/api/v1/events", event, {"Content-Type": "application/json"}, 200),
        ("bad events", "POST", "/api/v1/events", b"{broken", {"Content-Type": "application/json"},
         400),
        ("bad length", "POST", "/api/v1/events", None, {"Content-Length": "many"}, 400),
        ("too large", "POST", "/api/v1/events", None, {"Content-Length": "2000000"}, 413),
        # a body actually sent: the client reads the 413 (the sender then splits its batch),
        # not a connection reset that looks like a network failure
        ("too large, sent", "POST", "/api/v1/events", b" " * 3_000_000,
         {"Content-Type": "application/json"}, 413),
        ("other POST", "POST", "/kiosk/", b"{}", {}, 404),
        ("http.server's own error", "PUT", "/kiosk/", b"{}", {}, 501),
    ]
    with serving(bundle) as port:
        answers = {}
        for label, method, path, body, headers, status in requests:
            response = fetch(port, method, path, body, headers)
            where = f"{label}: {method} {path} → {response.status}"
            assert response.status == status, where
            check_strict(where, response)
            assert response.getheader("Strict-Transport-Security") is None, where
            assert "Python" not in (response.getheader("Server") or ""), where
            answers[label] = response
    with demo_app.app_context():
        app = demo_app.test_client()
        # The same bytes as the app would send: the kiosk's policy (a worker, its events server)
        # on the page and the service worker; the policy for files on files and JSON.
        for label, path in (("page", page), ("service worker", "/kiosk/sw.js"),
                            ("script", static), ("media", media), ("manifest", manifest)):
            with app.get(path) as expected:
                assert expected.status_code == 200, path
                for name in SECURITY:
                    assert answers[label].getheader(name) == expected.headers.get(name), (
                        label, name)
    for label in ("page", "service worker"):
        assert policy(answers[label])["worker-src"] == "'self'", label
        assert policy(answers[label])["script-src"] == "'self'", label
    for label in ("script", "media", "manifest", "missing page", "bad events", "too large"):
        assert policy(answers[label])["default-src"] == "'none'", label
    saved = (bundle / "visits.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in saved] == ["not-an-event-but-an-id"]


def test_no_traversal_reaches_a_file_outside_the_bundle_site(bundle):
    """The app's list of traversal attempts, against the USB stick's server: each gets a clear
    4xx with the headers, never a file from outside site/ and never a dropped connection."""
    with serving(bundle) as port:
        for template in TRAVERSALS:
            path = template.format(version="v")
            status, body = raw_get(f"http://127.0.0.1:{port}", path)
            assert status in (400, 404), (path, status)
            for marker in (*SECRET_MARKERS, b"frame-ancestors"):  # security-headers.json
                assert marker not in body, (path, marker)


def test_an_old_bundle_without_the_headers_file_gets_a_strict_minimum(bundle, tmp_path):
    """A bundle made before security-headers.json: serve.py says so once and still sends
    nosniff, frame-ancestors 'none' and default-src 'self' on everything."""
    (bundle / "security-headers.json").unlink()
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as err, serving(bundle, stderr=err) as port:
        for method, path, status in (("GET", "/kiosk/?kiosk=usb-test", 200),
                                     ("GET", "/kiosk/sw.js", 200), ("GET", "/nothing", 404),
                                     ("POST", "/api/v1/events", 400)):
            response = fetch(port, method, path, b"[]" if method == "POST" else None)
            where = f"{method} {path} → {response.status}"
            assert response.status == status, where
            check_strict(where, response)
            assert policy(response)["default-src"] == "'self'", where
    said = stderr.read_text()
    assert said.count("security-headers.json missing") == 1, said


@pytest.mark.browser
def test_the_kiosk_runs_from_a_bundle_and_its_visits_are_imported_once(
        bundle, browser, scratch, media_cache, tmp_path):
    assert (bundle / "site" / "kiosk" / "index.html").is_file()
    assert (bundle / "site" / "api" / "v1" / "panels.fr.json").is_file()
    problems: list[str] = []
    with serving(bundle) as port:
        base = f"http://127.0.0.1:{port}"
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        # The kiosk runs under the policy serve.py sends: no violation, no console error.
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and problems.append(
            f"console error: {message.text}"))
        page.on("pageerror", lambda error: problems.append(str(error)))
        response = page.goto(f"{base}/kiosk/?kiosk=usb-test")
        csp = response.headers.get("content-security-policy", "")  # Playwright: lower case
        assert "frame-ancestors 'none'" in csp and "worker-src 'self'" in csp, csp
        page.wait_for_selector("#kiosk-app[data-ready]")
        page.wait_for_function("() => window.exhibitKiosk.offline.state.status.active",
                               timeout=STATE_TIMEOUT_MS)
        page.click(".k-section >> nth=0")
        page.evaluate("window.exhibitKiosk.show('project-video')")
        page.evaluate("""async () => { const v = document.querySelector('video');
            v.muted = true; await v.play(); }""")
        # Played: the position moves on (however slowly a loaded machine decodes).
        page.wait_for_function("() => document.querySelector('video').currentTime > 0.3")
        page.evaluate("window.exhibitKiosk.reset()")
        page.evaluate("window.exhibitKiosk.visits.flush()")
        deadline = time.monotonic() + 60  # a cap, not a pause: the loop ends when the queue is empty
        while page.evaluate("window.exhibitKiosk.visits.queue.size()") and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        problems += [f"CSP: {v}" for v in page.evaluate("window.__violations")]
        # The fleet console's heartbeat is kept beside the log (there is no console on a stick).
        page.wait_for_function("() => window.exhibitKiosk.fleet.isOnline() === true")
        context.close()
    assert problems == []
    state = json.loads((bundle / "kiosk-state.json").read_text())
    assert state["usb-test"]["screen_width"] == 1920 and "queue_length" in state["usb-test"]
    log = bundle / "visits.jsonl"
    lines = log.read_text().splitlines()
    kinds = {json.loads(line)["kind"] for line in lines}
    assert {"session_start", "panel_view", "session_end"} <= kinds
    with log.open("a") as fh:
        fh.write(lines[0] + "\n")  # the same event twice in the file
        fh.write("{broken\n")

    app = make_app(scratch, media_cache)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import", "visits", str(log)])
    assert first.exit_code == 0, first.output
    assert f"{len(lines)} stored" in first.output and "1 duplicate" in first.output
    assert f"visits.jsonl:{len(lines) + 2}: rejected: not JSON" in first.output
    second = runner.invoke(args=["import", "visits", str(log)])
    assert f"{len(lines) + 1} duplicate" in second.output and "stored" not in second.output
    with app.extensions["exhibit.db"].connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == len(lines)
        kiosk_ids = set(conn.execute(select(events.c.kiosk_id).distinct()).scalars())
    assert kiosk_ids == {"usb-test"}


def test_each_language_of_the_bundle_has_its_own_interface_text(scratch, tmp_path):
    """The real command: its requests once shared the command's app context (one ``g``), and the
    first language fetched stuck to every manifest (the English kiosk said 图文)."""
    import json
    import os
    import re
    import subprocess
    import sys

    from .scratch import turn_review_off

    turn_review_off(scratch)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXHIBIT_", "FLASK_"))}
    env.update(EXHIBIT_CONTENT_DIR=str(scratch), EXHIBIT_MEDIA_CACHE_DIR=str(tmp_path / "cache"),
               EXHIBIT_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               EXHIBIT_PUBLISHED_MEDIA_DIR=str(tmp_path / "published"))
    result = subprocess.run([sys.executable, "-m", "exhibit", "kiosk", "bundle", "--out",
                             str(tmp_path / "usb")], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    kinds = {}
    for lang in ("zh", "en", "fr"):
        manifest = (tmp_path / "usb" / "site" / "api" / "v1" / f"panels.{lang}.json").read_text()
        html = " ".join(p["kiosk_html"] for p in json.loads(manifest)["panels"])
        kinds[lang] = set(re.findall(r'class="panel-kind">([^<]*)<', html))
    assert kinds["en"] and kinds["en"].isdisjoint(kinds["zh"]) and kinds["fr"].isdisjoint(kinds["zh"])
