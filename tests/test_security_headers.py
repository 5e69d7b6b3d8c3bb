"""Security headers on every response (OWASP ASVS 5.0 V3.4): every route of the app, the files
WhiteNoise serves, errors, redirects and 304s; HSTS over HTTPS only; who may frame what; the staff
session cookie; and a real Chromium that loads the pages under their policy without a violation."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import threading
import uuid
from dataclasses import dataclass

import pytest
from flask import url_for
from PIL import Image
from werkzeug.serving import make_server

from exhibit.auth.accounts import create_account
from exhibit.review.blueprint import PREVIEW_SURFACES

from .conftest import DEMO_PANELS, make_app, publish

PASSWORD = "correct horse battery staple"
EMBEDDERS = "https://news.example.com https://*.xinhuanet.com"
EVENTS_SERVER = "https://log.example.org"
HTTPS = "https://localhost"

# What every document may do, written out here rather than read from exhibit.security.
DOCUMENT = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
            "img-src": "'self'", "media-src": "'self'", "connect-src": "'self'",
            "object-src": "'none'", "base-uri": "'none'", "form-action": "'self'"}
EXPECTED = {
    "public": ({**DOCUMENT, "connect-src": f"'self' {EVENTS_SERVER}", "worker-src": "'none'",
                "frame-ancestors": EMBEDDERS}, None),
    "kiosk": ({**DOCUMENT, "connect-src": f"'self' {EVENTS_SERVER}", "worker-src": "'self'",
               "frame-ancestors": "'none'"}, "DENY"),
    "staff": ({**DOCUMENT, "frame-src": "'self'", "frame-ancestors": "'none'"}, "DENY"),
    # A draft: sandboxed with no allowance (an opaque origin, no script, no form), framed here.
    "staff-framed": ({**DOCUMENT, "sandbox": "", "frame-ancestors": "'self'"}, "SAMEORIGIN"),
    # style-src: 'self' and the hash of the report's own <style>, checked against the body.
    "staff-report": ({**DOCUMENT, "img-src": "'self' data:", "style-src": None,
                      "frame-ancestors": "'none'"}, "DENY"),
    "files": ({"default-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'"}, "DENY"),
    # Files from the content, whatever their type: never a document of this origin.
    "media": ({"sandbox": "", "default-src": "'none'", "base-uri": "'none'",
               "frame-ancestors": "'none'"}, "DENY"),
    # Chromium's PDF viewer is an <embed> in a synthetic page: object-src would blank it.
    "pdf": ({"frame-ancestors": "'none'"}, "DENY"),
}


def csp(response) -> dict[str, str]:
    value = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in value.split(";") if part.strip()}


def expected_policy(path: str, response) -> str:
    """The kind of response, from what a browser sees: its path and its type."""
    if path.startswith("/media/"):
        return "media"
    if response.mimetype == "application/pdf":
        return "pdf"
    if path.startswith("/kiosk/sw.js"):
        return "kiosk"  # a service worker lives under its own script's policy
    if response.mimetype != "text/html" or path.startswith("/api/"):
        return "files"  # an API answers data, even when an error page is HTML
    if re.match(r"^/staff/review/[^/]+/preview/", path):
        return "staff-framed"
    if path.split("?")[0] == "/staff/report":
        return "staff-report"
    for prefix, policy in (("/kiosk/", "kiosk"), ("/staff/", "staff")):
        if path.startswith(prefix):
            return policy
    return "public"


def check_headers(label: str, path: str, response, *, secure: bool) -> None:
    """Every header on one response; fails with the request it was."""
    where = f"{label}: {path} → {response.status_code}"
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    permissions = headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions, where
    if secure:
        assert headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains", where
    else:
        assert "Strict-Transport-Security" not in headers, where
    value = headers.get("Content-Security-Policy", "")
    assert "unsafe-inline" not in value and "unsafe-eval" not in value, where
    policy = expected_policy(path, response)
    directives, frame_options = EXPECTED[policy]
    got = csp(response)
    for name, sources in directives.items():
        if sources is not None:
            assert got.get(name) == sources, f"{where}: {policy} policy, {name}: {got.get(name)!r}"
    assert headers.get("X-Frame-Options") == frame_options, f"{where}: {policy} policy"
    if response.mimetype == "text/html":
        check_document(where, response.get_data(as_text=True), got)


def check_document(where: str, html: str, policy: dict[str, str]) -> None:
    """A document runs no inline script and has no style attribute; a <style> block only where
    the policy names its hash."""
    for attributes in re.findall(r"<script\b([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes, f"{where}: {attributes}"
    assert not re.search(r"<[^>]+\sstyle=", html), f"{where}: a style attribute"
    assert not re.search(r"<[^>]+\son[a-z]+=", html), f"{where}: an inline event handler"
    for block in re.findall(r"<style>(.*?)</style>", html, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert policy["style-src"] == f"'self' 'sha256-{digest}'", f"{where}: inline <style>"


@dataclass
class Walker:
    """A test client over HTTPS that checks the headers of every response it gets."""

    app: object
    secure: bool = True

    def __post_init__(self):
        self.client = self.app.test_client()
        self.base_url = HTTPS if self.secure else "http://localhost"
        self.seen: list[tuple[str, str, int]] = []

    def request(self, label: str, method: str, path: str, **kw):
        response = self.client.open(path, method=method, base_url=self.base_url, **kw)
        response.get_data()
        response.close()  # WhiteNoise's open file
        check_headers(label, path, response, secure=self.secure)
        self.seen.append((label, path, response.status_code))
        return response

    def token(self, path: str) -> str:
        html = self.client.get(path, base_url=self.base_url).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def walk_app(media_cache):
    """The demo, published, with an admin, an embedding site and an events server of its own."""
    app = make_app(DEMO_PANELS, media_cache, FRAME_ANCESTORS=EMBEDDERS,
                   EVENTS_URL=EVENTS_SERVER + "/api/v1/events", WTF_CSRF_ENABLED=True,
                   # Small and fast: the walk proves headers, not print quality.
                   PRINT_SIZE="100x150")
    publish(app)
    create_account(app.extensions["exhibit.db"], "ada", PASSWORD, "admin", None)
    yield app
    app.extensions["exhibit.db"].dispose()


def rule_requests(app, rule, token: str) -> list[tuple[str, str, dict]]:
    """Sample requests for one rule: every language, a real panel, both preview surfaces."""
    ex = app.extensions["exhibit.content"].exhibition
    choices = {"lang": ex.languages, "slug": [ex.panels[0].slug], "surface": PREVIEW_SURFACES,
               "photo_id": [uuid.uuid4()], "kiosk_id": ["hall-a-left"],
               "slugs": [f"{ex.panels[0].slug}.{ex.panels[1].slug}"],  # a kiosk visit taken home
               "name": ["0000000000000000.png"]}  # a share card (an unknown one: 404, headers too)
    values = [{}]
    for argument in sorted(rule.arguments):
        values = [{**v, argument: choice} for v in values for choice in choices[argument]]
    form = {"csrf_token": token, "name": "ada", "password": "not the password", "action": "nothing"}
    event = {"events": [{"id": str(uuid.uuid4()), "kind": "page_view", "surface": "web",
                         "at": "2026-11-21T09:30:00Z", "path": "/en/", "lang": "en"}]}
    requests = []
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        for v in values:
            with app.test_request_context():
                path = url_for(rule.endpoint, **v)
            if method == "GET":
                requests.append((method, path, {}))
            elif rule.endpoint == "visits.post_events":
                requests.append((method, path, {"json": event}))
            elif rule.endpoint == "api.kiosk_heartbeat":
                requests.append((method, path, {"json": {
                    "measured_at": "2026-11-21T09:30:00Z", "uptime_s": 5, "queue_length": 0,
                    "stuck_visit": False}}))
            else:
                requests.append((method, path, {"data": form, "headers": {"Referer": HTTPS + "/staff/"}}))
    return requests


def test_every_response_carries_the_headers(walk_app):
    """Every rule of the url map, logged out and logged in as admin, then assets, media, 304,
    and the errors (404, 405, 413, 429, 500) — each response with every header."""
    walker = Walker(walk_app)
    rules = [rule for rule in walk_app.url_map.iter_rules()]
    staff_rules = [rule for rule in rules if rule.rule.startswith("/staff/")]

    # Logged out: the public routes, and every staff route (a redirect to the login, or the form).
    token = walker.token("/staff/login")
    for rule in rules:
        for method, path, kw in rule_requests(walk_app, rule, token):
            if rule.endpoint != "staff.logout":
                walker.request("logged out", method, path, **kw)

    # Logged in as admin: every staff route again (logout last: it ends the session).
    response = walker.request("login", "POST", "/staff/login", headers={"Referer": HTTPS + "/staff/login"},
                              data={"csrf_token": token, "name": "ada", "password": PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    token = walker.token("/staff/")
    for rule in sorted(staff_rules, key=lambda rule: rule.endpoint == "staff.logout"):
        for method, path, kw in rule_requests(walk_app, rule, token):
            if rule.endpoint == "staff.login" and method == "POST":
                continue
            walker.request("admin", method, path, **kw)
    statuses = {path: status for label, path, status in walker.seen if label == "admin"}
    assert statuses["/staff/"] == 200 and statuses["/staff/report"] == 200, statuses
    assert any(status == 200 and path.endswith(".pdf") for path, status in statuses.items()), statuses
    covered = {path for _label, path, _status in walker.seen}
    assert "/staff/review/{}/preview/kiosk/en".format(
        walk_app.extensions["exhibit.content"].exhibition.panels[0].slug) in covered

    # Files WhiteNoise serves (Flask never sees them): an asset, a medium, and a 304.
    html = walker.request("page", "GET", "/en/").get_data(as_text=True)
    asset = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
    first = walker.request("asset", "GET", asset)
    assert first.status_code == 200
    again = walker.request("asset 304", "GET", asset, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    manifest = walker.request("api", "GET", "/api/v1/panels?lang=en").get_data(as_text=True)
    medium = re.search(r'(/media/[^"\s,\\]+)', manifest).group(1)
    assert walker.request("media", "GET", medium).status_code == 200
    assert walker.request("missing", "GET", "/en/panels/no-such-panel/").status_code == 404
    assert walker.request("missing", "GET", "/staff/no-such-page").status_code in (302, 404)
    assert walker.request("missing api", "GET", "/api/v1/nothing").status_code == 404
    assert walker.request("missing asset", "GET", "/static/nothing.css").status_code == 404
    assert walker.request("wrong method", "GET", "/api/v1/events").status_code == 405
    assert walker.request("wrong method", "PUT", "/en/").status_code == 405


@pytest.fixture()
def errors_app(media_cache):
    """An app that fails on purpose: a tiny body limit, a tiny rate limit, a route that raises."""
    app = make_app(DEMO_PANELS, media_cache, EVENTS_MAX_BYTES=200, EVENTS_RATE_LIMIT="2 per minute",
                   PROPAGATE_EXCEPTIONS=False, FRAME_ANCESTORS=EMBEDDERS,
                   EVENTS_URL=EVENTS_SERVER + "/api/v1/events", WTF_CSRF_ENABLED=True,
                   LOGIN_RATE_LIMIT="1 per minute", MAX_FORM_BYTES=20_000,
                   EVENTS_ALLOWED_ORIGINS="https://copy.example.org")
    engine = app.extensions["exhibit.db"]
    create_account(engine, "vera", PASSWORD, "viewer", None)
    create_account(engine, "ed", PASSWORD, "editor", None)

    def fail():
        raise RuntimeError("a bug, on purpose")

    app.add_url_rule("/en/boom/", "boom", fail)
    yield app
    app.extensions["exhibit.db"].dispose()


def test_errors_carry_the_headers(errors_app):
    walker = Walker(errors_app)
    events = "/api/v1/events"
    too_big = json.dumps({"events": [{"id": "x" * 300}]})
    response = walker.request("413", "POST", events, data=too_big, content_type="application/json")
    assert response.status_code == 413
    statuses = [walker.request("429", "POST", events, json={"events": []}).status_code for _ in range(2)]
    assert 429 in statuses, statuses
    assert walker.request("500", "GET", "/en/boom/").status_code == 500
    # The events endpoint's own refusals, and a CORS preflight from the frozen copy's origin.
    # (from other addresses: this one has used up its events rate)
    other = {"environ_base": {"REMOTE_ADDR": "10.9.0.1"}}
    assert walker.request("411", "POST", events, **other).status_code == 411
    assert walker.request("415", "POST", events, data="{}", content_type="text/plain",
                          environ_base={"REMOTE_ADDR": "10.9.0.2"}).status_code == 415
    preflight = walker.request("preflight", "OPTIONS", events, headers={
        "Origin": "https://copy.example.org", "Access-Control-Request-Method": "POST"},
        environ_base={"REMOTE_ADDR": "10.9.0.3"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://copy.example.org"


def _signed_in(app, name: str) -> Walker:
    walker = Walker(app)
    token = walker.token("/staff/login")
    response = walker.request("login", "POST", "/staff/login", data={
        "csrf_token": token, "name": name, "password": PASSWORD},
        headers={"Referer": HTTPS + "/staff/login"})
    assert response.status_code == 302
    return walker


def test_staff_refusals_and_photos_carry_the_headers(errors_app):
    """The staff area's own answers: a missing CSRF token (400), a body over the limit (413),
    too many failed sign-ins (429), a role that does not allow (403), a photo (200)."""
    walker = Walker(errors_app)
    referer = {"Referer": HTTPS + "/staff/login"}
    assert walker.request("csrf 400", "POST", "/staff/login", headers=referer,
                          data={"name": "ed", "password": "x"}).status_code == 400
    assert walker.request("413", "POST", "/staff/login", headers=referer,
                          data={"name": "x" * 30_000}).status_code == 413
    assert walker.request("403", "GET", "/staff/exports").status_code == 302  # signed out
    assert _signed_in(errors_app, "vera").request("403", "GET", "/staff/exports").status_code == 403

    editor = _signed_in(errors_app, "ed")
    image = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(image, "JPEG")
    image.seek(0)
    response = editor.request("upload", "POST", "/staff/photos", data={
        "photo": (image, "p.jpg"), "caption": "Opening", "csrf_token": editor.token("/staff/photos")},
        headers={"Referer": HTTPS + "/staff/photos"}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = editor.client.get("/staff/photos", base_url=HTTPS).get_data(as_text=True)
    photo = re.search(r'src="(/staff/photos/[0-9a-f-]+\.jpg)"', page).group(1)
    response = editor.request("photo", "GET", photo)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"

    token = walker.token("/staff/login")  # last: it throttles this address
    wrong = {"csrf_token": token, "name": "ed", "password": "not the password"}
    codes = [walker.request("429", "POST", "/staff/login", headers=referer, data=wrong).status_code
             for _ in range(2)]
    assert codes == [401, 429]


def test_hsts_only_over_https(client):
    """Over plain HTTP the header means nothing and would pin a host that may have no TLS."""
    for path in ("/en/", "/api/v1/panels?lang=en", "/healthz", "/kiosk/"):
        assert "Strict-Transport-Security" not in client.get(path).headers
        assert client.get(path, base_url=HTTPS).headers["Strict-Transport-Security"].startswith(
            "max-age=31536000")


def test_forwarded_https_is_trusted_only_from_configured_proxies(media_cache):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = make_app(DEMO_PANELS, media_cache)
    assert "Strict-Transport-Security" not in direct.test_client().get("/healthz", headers=forwarded).headers
    proxied = make_app(DEMO_PANELS, media_cache, TRUSTED_PROXIES=1)
    assert "Strict-Transport-Security" in proxied.test_client().get("/healthz", headers=forwarded).headers
    for app in (direct, proxied):
        app.extensions["exhibit.db"].dispose()
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        make_app(DEMO_PANELS, media_cache, TRUSTED_PROXIES=-1)


def test_who_may_frame_what(client, demo, media_cache):
    """By default no site frames anything; FRAME_ANCESTORS opens the public pages only."""
    slug = demo.panels[0].slug
    for path in ("/en/", f"/fr/panels/{slug}/", "/kiosk/", "/staff/login"):
        response = client.get(path)
        assert csp(response)["frame-ancestors"] == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path
    app = make_app(DEMO_PANELS, media_cache, FRAME_ANCESTORS=EMBEDDERS)
    publish(app)
    embeddable = app.test_client()
    for path in ("/zh/", f"/zh/panels/{slug}/"):
        response = embeddable.get(path)
        assert csp(response)["frame-ancestors"] == EMBEDDERS, path
        assert "X-Frame-Options" not in response.headers, path  # it cannot name other sites
    for path in ("/kiosk/", "/staff/login", "/api/v1/panels"):
        assert csp(embeddable.get(path))["frame-ancestors"] == "'none'", path
    app.extensions["exhibit.db"].dispose()
    for bad in ("https://a.example; script-src *", "'unsafe-inline'", "https://a.example/path"):
        with pytest.raises(ValueError, match="FRAME_ANCESTORS"):
            make_app(DEMO_PANELS, media_cache, FRAME_ANCESTORS=bad)


def test_events_server_origin_is_allowed_only_when_absolute(client):
    assert csp(client.get("/en/"))["connect-src"] == "'self'"
    assert csp(client.get("/kiosk/"))["connect-src"] == "'self'"


def test_staff_session_cookie_is_host_only_secure_httponly(walk_app):
    client = walk_app.test_client()
    html = client.get("/staff/login", base_url=HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/staff/login", base_url=HTTPS, headers={"Referer": HTTPS + "/staff/login"},
                           data={"csrf_token": token, "name": "ada", "password": PASSWORD})
    assert response.status_code in (302, 303)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-exhibit-session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    attributes = [part.strip().lower() for part in cookies[0].split(";")[1:]]
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= set(attributes), attributes
    assert not any(a.startswith("domain=") for a in attributes), attributes


# -- a real browser ---------------------------------------------------------------------------------

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.mark.browser
def test_pages_run_under_their_policy_in_chromium(browser, live_server, demo):
    """The topic page, a panel, the kiosk (with its service worker) and the staff sign-in load
    with no policy violation and no console error."""
    slug = demo.panels[0].slug
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(RECORD_VIOLATIONS)
    problems: list[str] = []

    def watch(page, path: str) -> None:
        page.on("console", lambda message: message.type == "error" and problems.append(
            f"{path}: console error: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"{path}: {error}"))

    try:
        for path in ("/zh/", f"/en/panels/{slug}/", "/kiosk/", "/staff/login"):
            page = context.new_page()
            watch(page, path)
            response = page.goto(live_server + path, wait_until="load")
            assert "content-security-policy" in response.headers, path  # Playwright: lower case
            if path == "/kiosk/":
                page.wait_for_selector("#kiosk-app[data-ready]")
                # The service worker registers, takes control and copies the kiosk for offline use.
                page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
                page.evaluate("""() => new Promise((resolve) => {
                    const request = indexedDB.open("security-headers-check");
                    request.onsuccess = () => { request.result.close(); resolve(); };
                    request.onerror = () => resolve(); })""")
            page.wait_for_load_state("networkidle")
            problems += [f"{path}: CSP: {v}" for v in page.evaluate("window.__violations")]
            page.close()
    finally:
        context.close()
    assert problems == []


@pytest.fixture()
def staff_server(scratch, media_cache, tmp_path):
    """The scratch exhibition, published, with an admin, on a real port."""
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    publish(app)
    create_account(app.extensions["exhibit.db"], "ada", PASSWORD, "admin", None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join()
    app.extensions["exhibit.db"].dispose()


@pytest.mark.browser
def test_staff_pages_run_under_their_policy_in_chromium(browser, staff_server):
    """Signed in: the dashboard, the report (its inline stylesheet allowed by hash) and a review
    page with its draft previews in frames — no violation, in the page or in its frames."""
    url, app = staff_server
    slug = app.extensions["exhibit.content"].exhibition.panels[0].slug
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(
        f"console error: {message.text}"))
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{url}/staff/login")
        page.fill("#name", "ada")
        page.fill("#password", PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_url("**/staff/")
        for path in ("/staff/", "/staff/report?lang=zh", f"/staff/review/{slug}/"):
            page.goto(url + path, wait_until="load")
            if "/review/" in path:
                frames = page.locator("#preview iframe")
                assert frames.count() == 2
                for index in range(2):
                    frames.nth(index).scroll_into_view_if_needed()
                # Sandboxed frames: the page cannot look inside them, the test can.
                for frame in ("iframe.preview-web", "iframe.preview-kiosk"):
                    page.frame_locator(frame).locator(".draft-banner").wait_for()
            if path.startswith("/staff/report"):
                # The stylesheet applied: the report's own font rule for Chinese is in effect.
                family = page.evaluate("getComputedStyle(document.documentElement).fontFamily")
                assert family.startswith('"Noto Sans CJK SC"'), family
            page.wait_for_load_state("networkidle")
            for frame in page.frames:
                problems += [f"{path} ({frame.url}): CSP: {v}"
                             for v in frame.evaluate("window.__violations || []")]
    finally:
        context.close()
    assert problems == []
