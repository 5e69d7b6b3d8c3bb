"""The kiosk's operator PIN, checked by the server with a lockout: through real HTTP and in the
browser. The kiosk page holds neither the PIN nor its hash."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from exhibit.limits import limiter

PIN_SHA256 = "a1fb4e703a9ef1fa4936801721ff285a97ac85330856674412e054892afe6972"  # 2468


@pytest.fixture()
def fresh_limits():
    """Wrong PINs of other tests do not count here, nor these after."""
    limiter.reset()
    yield
    limiter.reset()


def call(url, body=None, headers=None, method=None):
    """(status, headers, parsed JSON or text) of a real HTTP request."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, head, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, error.headers, error.read()
    try:
        return status, head, json.loads(raw)
    except ValueError:
        return status, head, raw.decode("utf-8", "replace")


def test_the_kiosk_page_holds_no_pin_hash(live_server):
    status, _, page = call(f"{live_server}/kiosk/?kiosk=operator-test")
    assert status == 200
    assert PIN_SHA256 not in page and "PinSha256" not in page and "sha256.js" not in page
    settings = json.loads(page.split('id="kiosk-settings">', 1)[1].split("</script>", 1)[0])
    assert settings["operator"] is True
    # A screen without a PIN has no operator screen at all.
    _, _, other = call(f"{live_server}/kiosk/?kiosk=visitor-test")
    assert json.loads(other.split('id="kiosk-settings">', 1)[1].split("</script>", 1)[0])[
        "operator"] is False


def test_a_right_pin_gets_a_token_for_the_status(live_server, fresh_limits):
    url = f"{live_server}/kiosk/operator/session"
    status, _, body = call(url, {"kiosk": "operator-test", "pin": "1111"})
    assert status == 403 and "token" not in body
    status, head, body = call(url, {"kiosk": "operator-test", "pin": "2468"})
    assert status == 200 and body["token"] and 0 < body["expires_in"] <= 3600
    assert "no-store" in head["Cache-Control"]
    token = body["token"]
    status, _, info = call(f"{live_server}/kiosk/operator/status",
                           headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and info["kiosk"] == "operator-test"
    assert isinstance(info["received_24h"], int)
    for bad in ({}, {"Authorization": "Bearer " + token[:-2] + "xx"},
                {"Authorization": token}):
        assert call(f"{live_server}/kiosk/operator/status", headers=bad)[0] == 401
    # A kiosk without a PIN opens no operator screen, whatever is typed.
    assert call(url, {"kiosk": "visitor-test", "pin": ""})[0] == 403


def test_the_pin_only_comes_from_the_kiosk_page(live_server, fresh_limits):
    url = f"{live_server}/kiosk/operator/session"
    right = {"kiosk": "operator-test", "pin": "2468"}
    # A form another site could post (no preflight): refused before any PIN is looked at.
    status, _, _ = call(url, b"kiosk=operator-test&pin=2468",
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415
    assert call(url, right, {"Origin": "https://evil.example"})[0] == 403
    assert call(url, right, {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert call(url, right, {"Origin": live_server, "Sec-Fetch-Site": "same-origin"})[0] == 200


def test_five_wrong_pins_lock_the_pin_pad(live_server, fresh_limits):
    url = f"{live_server}/kiosk/operator/session"
    for _ in range(5):
        assert call(url, {"kiosk": "operator-test", "pin": "0000"})[0] == 403
    # Locked: even the right PIN is refused now, and the answer says for how long.
    status, head, _ = call(url, {"kiosk": "operator-test", "pin": "2468"})
    assert status == 429 and int(head["Retry-After"]) > 60
    # Nor does another kiosk id help the same address.
    assert call(url, {"kiosk": "hall-b", "pin": "2468"})[0] == 429
    limiter.reset()
    assert call(url, {"kiosk": "operator-test", "pin": "2468"})[0] == 200


@pytest.mark.browser
def test_the_pin_pad_asks_the_server(browser, live_server, fresh_limits):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/kiosk/?kiosk=operator-test")
    page.wait_for_selector("#kiosk-app[data-ready]")

    def try_pin(pin):
        for _ in range(5):
            page.touchscreen.tap(20, 20)
        page.wait_for_selector("#k-pin:not([hidden])")
        for key in pin:
            page.tap(f"#k-pin button[data-key='{key}']")
        with page.expect_response("**/kiosk/operator/session"):
            page.tap("#k-pin button[data-key=ok]")

    try_pin("1111")
    page.wait_for_function("() => document.querySelector('#k-pin [data-notice]').textContent")
    assert page.inner_text("#k-pin [data-notice]") == "密码错误。"
    assert page.is_hidden("#k-operator")
    page.tap("#k-pin button[data-key=cancel]")
    try_pin("2468")
    page.wait_for_selector("#k-operator:not([hidden])")
    text = page.inner_text("#k-operator")
    assert "operator-test" in text and "服务器已收到的记录" in text
    page.tap("#k-operator button[data-op=close]")
    assert page.is_hidden("#k-operator")
    for _ in range(5):
        try_pin("9999")
        page.tap("#k-pin button[data-key=cancel]")
    try_pin("2468")
    page.wait_for_function("() => document.querySelector('#k-pin [data-notice]').textContent")
    assert "分钟后再试" in page.inner_text("#k-pin [data-notice]")
    assert page.is_hidden("#k-operator")
    context.close()


def test_a_bundle_has_no_operator_screen(demo_app, tmp_path):
    from exhibit.kiosk.bundle import write_bundle

    with demo_app.app_context():
        write_bundle(tmp_path, "operator-test")
    page = (tmp_path / "site" / "kiosk" / "index.html").read_text(encoding="utf-8")
    settings = json.loads(page.split('id="kiosk-settings">', 1)[1].split("</script>", 1)[0])
    assert settings["operator"] is False and PIN_SHA256 not in page
