"""Optional WeChat share cards (issue 18): WeChat's browser ignores Open Graph tags, so with an
AppID and a signing endpoint configured the public pages load the WeChat JS-SDK (inside WeChat
only) and call its share functions with the page's own Open Graph title, description and image.
Without the settings nothing is loaded: no script, no request, nothing in the security policy.

The real SDK is never loaded here: Playwright routes its address to a stub that records the calls,
and the signing endpoint to a stub answer."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import STATE_TIMEOUT_MS

from .conftest import DEMO_PANELS, make_app, publish
from .live import serve

APP_ID = "wx0123456789abcdef"
SDK_URL = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
SIGNER = "/wechat-signature-stub"
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F3B) "
             "NetType/WIFI Language/zh_CN")
PHONE = {"width": 360, "height": 740}
PANEL = "/zh/panels/minamata-convention/"

# Stands in for jweixin: records what the page asks of it.
SDK_STUB = """
window.wxCalls = [];
window.wx = {
  config(options) { wxCalls.push(["config", options]); },
  ready(callback) { wxCalls.push(["ready"]); callback(); },
  error(callback) { wxCalls.push(["error"]); },
  updateAppMessageShareData(data) { wxCalls.push(["updateAppMessageShareData", data]); },
  updateTimelineShareData(data) { wxCalls.push(["updateTimelineShareData", data]); },
};
"""
SIGNED = {"timestamp": 1765065600, "nonceStr": "stubnonce", "signature": "0" * 40}


@pytest.fixture(scope="module")
def wechat_app(media_cache):
    app = make_app(DEMO_PANELS, media_cache, WECHAT_APP_ID=APP_ID, WECHAT_SIGNATURE_URL=SIGNER)
    publish(app)
    return app


@pytest.fixture(scope="module")
def wechat_server(wechat_app):
    with serve(wechat_app) as url:
        yield url


def test_without_settings_nothing_of_wechat_is_on_the_page(client):
    for path in ("/zh/", PANEL, "/en/feedback/", "/fr/privacy/"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert "wechat-share" not in html and "jweixin" not in html and "wx.qq.com" not in html
        assert "wx.qq.com" not in response.headers["Content-Security-Policy"]


def test_with_settings_the_page_carries_the_config_and_the_policy_allows_the_sdk(wechat_app):
    response = wechat_app.test_client().get(PANEL)
    html = response.get_data(as_text=True)
    start = html.index('<script type="application/json" id="wechat-share">')
    config = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    assert config == {"appId": APP_ID, "signatureUrl": SIGNER, "sdkUrl": SDK_URL}
    assert 'src="/static/' in html and "wechat-share.js" in html
    policy = dict(part.strip().split(" ", 1) for part in
                  response.headers["Content-Security-Policy"].split(";"))
    assert "https://res.wx.qq.com" in policy["script-src"].split()
    # A signing endpoint on this site needs nothing more than 'self'.
    assert policy["connect-src"].split() == ["'self'"]


def test_a_signing_endpoint_on_another_host_is_allowed_to_be_fetched(media_cache):
    app = make_app(DEMO_PANELS, media_cache, WECHAT_APP_ID=APP_ID,
                   WECHAT_SIGNATURE_URL="https://sign.example.org/wx")
    policy = app.test_client().get("/zh/").headers["Content-Security-Policy"]
    assert "connect-src 'self' https://sign.example.org;" in policy
    assert "script-src 'self' https://res.wx.qq.com;" in policy


def _open(browser, server: str, path: str, user_agent: str | None):
    context = browser.new_context(viewport=PHONE, user_agent=user_agent,
                                  service_workers="block") if user_agent else \
        browser.new_context(viewport=PHONE, service_workers="block")
    requests: list[str] = []
    signed: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route(SDK_URL, lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=SDK_STUB))

    def sign(route):
        signed.append(route.request.url)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(SIGNED))

    context.route(f"{server}{SIGNER}**", sign)
    page = context.new_page()
    page.goto(server + path, wait_until="load")
    return context, page, requests, signed


@pytest.mark.browser
def test_inside_wechat_the_share_cards_get_the_open_graph_values(browser, wechat_server):
    context, page, requests, signed = _open(browser, wechat_server, PANEL, WECHAT_UA)
    try:
        page.wait_for_function("() => window.wxCalls && window.wxCalls.some("
                               "c => c[0] === 'updateTimelineShareData')",
                               timeout=STATE_TIMEOUT_MS)
        assert page.eval_on_selector_all(
            "script[src]", "s => s.map(e => e.getAttribute('src'))").count(SDK_URL) == 1
        og = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
            'meta[property^="og:"]')].map(m => [m.getAttribute('property'), m.content]))""")
        assert og.get("og:image"), "the panel should have a share image"
        calls = dict((c[0], c[1] if len(c) > 1 else None) for c in page.evaluate("wxCalls"))
        expected = {"title": og["og:title"], "desc": og["og:description"], "link": og["og:url"],
                    "imgUrl": og["og:image"]}
        assert calls["updateAppMessageShareData"] == expected
        assert calls["updateTimelineShareData"] == {k: v for k, v in expected.items()
                                                    if k != "desc"}
        assert calls["config"] == {
            "debug": False, "appId": APP_ID, "timestamp": SIGNED["timestamp"],
            "nonceStr": SIGNED["nonceStr"], "signature": SIGNED["signature"],
            "jsApiList": ["updateAppMessageShareData", "updateTimelineShareData"]}
        # The signature was asked for this very page's address.
        assert len(signed) == 1
        assert parse_qs(urlsplit(signed[0]).query)["url"] == [wechat_server + PANEL]
    finally:
        context.close()


@pytest.mark.browser
def test_outside_wechat_the_sdk_is_not_loaded(browser, wechat_server):
    context, page, requests, signed = _open(browser, wechat_server, PANEL, None)
    try:
        # Module scripts have run before the load event that goto waited for.
        assert page.locator("#wechat-share").count() == 1
        assert not [url for url in requests if "wx.qq.com" in url]
        assert not signed
        assert page.evaluate("typeof window.wx") == "undefined"
    finally:
        context.close()


@pytest.mark.browser
def test_without_settings_nothing_is_loaded_even_inside_wechat(browser, live_server):
    context, page, requests, signed = _open(browser, live_server, PANEL, WECHAT_UA)
    try:
        page.wait_for_function("() => document.readyState === 'complete'")
        assert page.locator("#wechat-share").count() == 0
        assert page.locator("script[src*='wechat']").count() == 0
        assert not [url for url in requests if "wx.qq.com" in url or SIGNER in url]
        assert not signed
    finally:
        context.close()
