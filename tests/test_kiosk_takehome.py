"""Take this visit home (issue 19): a kiosk visitor shows a QR code that opens, on their own phone,
the panels they looked at in this visit, in their language, in the order they saw them; the
arrival is counted as kiosk-qr; the idle reset closes the code and empties the list.

In Debian's Chromium with touch on; the QR code is read by a real decoder (zbarimg) from the
pixels on screen, and the phone opens what it decoded. States are waited for, never time.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.conftest import STATE_TIMEOUT_MS
from tests.test_browser_visits import stored, wait_for

BASE = "https://expo.example.org"  # PUBLIC_BASE_URL of the test app (tests/conftest.py)
LANDSCAPE = {"width": 1920, "height": 1080}


def decode(png: bytes, tmp_path) -> str:
    """What a phone's camera reads in a screenshot of the code (zbarimg, a real decoder)."""
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is missing: run scripts/setup test (it installs zbar-tools)")
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    return subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True,
                          check=True).stdout.strip()


def slug_on_screen(page) -> str:
    return page.evaluate("() => window.exhibitKiosk.state.slug")


def tap_and_wait_for_new_panel(page, selector):
    before = slug_on_screen(page)
    page.tap(selector)
    page.wait_for_function("s => window.exhibitKiosk.state.slug && window.exhibitKiosk.state.slug !== s",
                           arg=before)
    return slug_on_screen(page)


@pytest.mark.browser
def test_a_visit_goes_home_on_the_visitors_phone(browser, live_server, demo_app, tmp_path):
    context = browser.new_context(viewport=LANDSCAPE, has_touch=True, service_workers="block")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/kiosk/?kiosk=takehome-test")
    page.wait_for_selector("#kiosk-app[data-ready]")

    # The button is there, large and labelled, on the home screen before anything else.
    button = page.locator("[data-takehome]")
    box = button.bounding_box()
    assert button.is_visible() and box["height"] >= 64 and box["width"] >= 64
    assert "带走本次参观" in button.inner_text()

    # A visitor switches to French, opens the third section and goes back twice: three panels,
    # in an order that is not the exhibition's.
    page.tap(".k-lang[data-lang=fr]")
    page.wait_for_function("() => window.exhibitKiosk.state.lang === 'fr'")
    assert page.locator("[data-takehome]").inner_text().strip() == "Emporter cette visite"
    seen = [tap_and_wait_for_new_panel(page, ".k-section >> nth=2")]
    seen.append(tap_and_wait_for_new_panel(page, "button[data-action=previous]"))
    seen.append(tap_and_wait_for_new_panel(page, "button[data-action=previous]"))
    assert len(set(seen)) == 3
    order = [p["slug"] for p in page.evaluate("() => window.exhibitKiosk.state.manifest.panels")]
    assert [order.index(s) for s in seen] == sorted((order.index(s) for s in seen), reverse=True)
    # Back to the first panel again: seen once, listed once, where it was first seen.
    tap_and_wait_for_new_panel(page, "button[data-action=next]")
    assert page.evaluate("() => window.exhibitKiosk.takehome.seen()") == seen

    # The server goes away: the code is drawn in the page, so it still appears.
    context.set_offline(True)
    box = button.bounding_box()
    assert button.is_visible() and box["height"] >= 64  # on a panel screen too
    page.tap("[data-takehome]")
    page.wait_for_selector("#k-takehome:not([hidden]) svg.k-takehome-qr")
    code = page.locator("#k-takehome [data-qr]")
    url = code.get_attribute("data-url")
    assert url == f"{BASE}/fr/visit/{'.'.join(seen)}/?src=kiosk-qr"
    shown = code.bounding_box()
    assert shown["width"] >= 400 and shown["height"] >= 400  # large: read from a step away
    assert decode(code.screenshot(), tmp_path) == url
    titles = {p["slug"]: p["title"] for p in
              page.evaluate("() => window.exhibitKiosk.state.manifest.panels")}
    assert page.locator("[data-takehome-list] li").all_inner_texts() == [titles[s] for s in seen]
    assert page.locator("[data-takehome-what]").inner_text() == "3 panneaux"
    context.set_offline(False)

    # On the visitor's own phone: exactly those panels, in French, in the order they were seen.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                is_mobile=True, device_scale_factor=2)
    mobile = phone.new_page()
    mobile.goto(url.replace(BASE, live_server))
    assert mobile.locator("html").get_attribute("lang") == "fr"
    assert mobile.locator("h1").inner_text() == "Les panneaux que vous avez vus à l’exposition"
    listed = mobile.locator(".visit-panels > li")
    assert [li.get_attribute("data-slug") for li in listed.all()] == seen
    assert listed.locator("h3").all_inner_texts() == [titles[s] for s in seen]
    for li, slug in zip(listed.all(), seen, strict=True):
        assert li.locator("h3 a").get_attribute("href") == f"/fr/panels/{slug}/"
    assert mobile.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    # The arrival is in the visit log as the kiosk's QR code, with no panel of its own.
    arrivals = wait_for(lambda: [r for r in stored(demo_app, kind="qr_arrival", channel="kiosk-qr")
                                 if r.panel is None and r.lang == "fr"])
    assert len(arrivals) == 1 and json.loads(arrivals[0].data)["src"] == "kiosk-qr"
    views = wait_for(lambda: [r for r in stored(demo_app, kind="page_view", channel="kiosk-qr")
                              if r.data and "/fr/visit/" in json.loads(r.data).get("path", "")])
    assert len(views) == 1
    assert not phone.cookies()  # nothing about the visitor: no cookie, no account
    phone.close()

    # The code counts as activity like any screen; left alone, the idle reset closes it and the
    # next visitor starts with an empty list.
    page.evaluate("t => window.exhibitKiosk.idle.configure(t)", {"idleSeconds": 2, "countdownSeconds": 2})
    page.wait_for_selector("#k-idle:not([hidden])", timeout=STATE_TIMEOUT_MS)
    page.wait_for_function("""() => { const s = window.exhibitKiosk.state;
        return s.view === 'home' && s.slug === null && s.lang === 'zh'; }""", timeout=STATE_TIMEOUT_MS)
    page.wait_for_selector("#k-takehome", state="hidden")
    assert page.locator("#k-takehome [data-qr] svg").count() == 0
    assert page.evaluate("() => window.exhibitKiosk.takehome.seen()") == []
    page.evaluate("t => window.exhibitKiosk.idle.configure(t)", {"idleSeconds": 600, "countdownSeconds": 20})
    page.tap("[data-takehome]")
    page.wait_for_selector("#k-takehome:not([hidden]) svg.k-takehome-qr")
    assert code.get_attribute("data-url") == f"{BASE}/zh/?src=kiosk-qr"  # the whole exhibition
    assert page.locator("[data-takehome-list]").is_hidden()
    assert page.locator("[data-takehome-what]").inner_text() == "您尚未打开展板：扫码可浏览全部展览。"
    # Closed by its large button; the next panel starts a new list.
    page.tap("[data-takehome-close]")
    page.wait_for_selector("#k-takehome", state="hidden")
    first = tap_and_wait_for_new_panel(page, ".k-section >> nth=0")
    assert page.evaluate("() => window.exhibitKiosk.takehome.seen()") == [first]
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [LANDSCAPE, {"width": 1080, "height": 1920}])
def test_the_button_is_on_every_screen(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, has_touch=True, service_workers="block")
    page = context.new_page()
    page.goto(f"{live_server}/kiosk/?kiosk=takehome-test")
    page.wait_for_selector("#kiosk-app[data-ready]")
    for view, go in [("home", None), ("panel", ".k-section >> nth=0"),
                     ("feedback", None)]:
        if go:
            page.tap(go)
        if view == "feedback":
            page.tap("[data-action=home]")
            page.wait_for_function("() => window.exhibitKiosk.state.view === 'home'")
            page.tap("[data-action=feedback]")
        page.wait_for_function("v => window.exhibitKiosk.state.view === v", arg=view)
        box = page.locator("[data-takehome]").bounding_box()
        assert box and box["height"] >= 64 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        page.tap("[data-takehome]")
        page.wait_for_selector("#k-takehome:not([hidden]) svg")
        dialog = page.locator("#k-takehome .k-dialog").bounding_box()
        assert dialog["x"] >= 0 and dialog["y"] >= 0
        assert dialog["x"] + dialog["width"] <= viewport["width"]
        assert dialog["y"] + dialog["height"] <= viewport["height"]
        page.tap("[data-takehome-close]")
        page.wait_for_selector("#k-takehome", state="hidden")
    context.close()


# -- The phone page, without a browser --------------------------------------------------------

def slugs_listed(html: str) -> list[str]:
    return re.findall(r'<li class="card[^"]*" data-slug="([^"]+)"', html)


def test_the_page_lists_only_published_panels_it_knows(client, demo):
    published = [p.slug for p in demo.panels]
    assert "pvc-results" not in published  # pending data: not public (tests/conftest.py)
    a, b = published[4], published[1]
    response = client.get(f"/en/visit/{a}.no-such-panel.pvc-results.{b}.{a}.Bad_Slug/?src=kiosk-qr")
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex"
    html = response.get_data(as_text=True)
    assert slugs_listed(html) == [a, b]
    assert '<meta name="robots" content="noindex">' in html
    assert "no-such-panel" not in html.split("<main", 1)[1] and "Bad_Slug" not in html.split("<main", 1)[1]
    # The language switch keeps the list.
    assert f'href="/zh/visit/{a}.no-such-panel' in html


def test_the_page_is_bounded_and_escapes_what_it_is_given(client, demo):
    from exhibit.web.blueprint import MAX_VISIT_PANELS

    published = [p.slug for p in demo.panels]
    many = ".".join(published * 10)
    html = client.get(f"/zh/visit/{many}/").get_data(as_text=True)
    assert slugs_listed(html) == published[:MAX_VISIT_PANELS]
    huge = client.get("/zh/visit/" + "a" * 20000 + "/")
    assert huge.status_code == 200 and slugs_listed(huge.get_data(as_text=True)) == []
    hostile = client.get("/fr/visit/%3Cscript%3Ealert(1)%3C.%22%3E%3Cb%3E/").get_data(as_text=True)
    assert "<script>alert(1)" not in hostile and '"><b>' not in hostile
    assert "Ces panneaux ne sont plus en ligne." in hostile  # a friendly page, not an error
    assert client.get("/xx/visit/carbide-route/").status_code == 404


def test_an_arrival_for_no_one_panel_is_stored_and_counted(client, demo_app):
    """The phone page's arrival names no panel (it lists several): stored, and counted as a
    kiosk-qr arrival in the summary the dashboard and the report show."""
    import datetime as dt
    import uuid

    from exhibit.visits.stats import summarise

    arrival = {"id": str(uuid.uuid4()), "kind": "qr_arrival", "surface": "web",
               "at": dt.datetime.now(dt.UTC).isoformat(), "lang": "zh", "src": "kiosk-qr"}
    with demo_app.app_context():
        before = summarise(demo_app.extensions["exhibit.db"]).qr_arrivals["kiosk-qr"]
    response = client.post("/api/v1/events", json={"events": [arrival]})
    assert response.status_code == 200 and response.get_json()["results"][0]["status"] == "stored"
    (row,) = stored(demo_app, id=arrival["id"])
    assert row.panel is None and row.channel == "kiosk-qr"
    with demo_app.app_context():
        assert summarise(demo_app.extensions["exhibit.db"]).qr_arrivals["kiosk-qr"] == before + 1


@pytest.mark.browser
def test_the_code_and_the_phone_page_are_accessible_in_every_language(browser, live_server):
    """axe-core clean, no error, no request to another host: the kiosk with its code open, and
    the page the code opens on a phone, in each language."""
    from tests.test_browser import (
        KIOSK_AXE_OPTIONS,
        LANGS,
        WEB_VIEWPORTS,
        Watch,
        assert_clean,
        kiosk_language,
        settle,
    )

    context = browser.new_context(viewport=LANDSCAPE, has_touch=True, service_workers="block")
    page = context.new_page()
    watch = Watch(live_server)
    watch.attach(page)
    page.goto(f"{live_server}/kiosk/?kiosk=takehome-test")
    page.wait_for_selector("#kiosk-app[data-ready]")
    page.tap(".k-section >> nth=1")
    page.wait_for_function("() => window.exhibitKiosk.state.slug")
    phone = browser.new_context(viewport=WEB_VIEWPORTS["phone"], has_touch=True, is_mobile=True)
    mobile = phone.new_page()
    phone_watch = Watch(live_server)
    phone_watch.attach(mobile)
    for lang in LANGS:
        if lang != page.evaluate("window.exhibitKiosk.state.lang"):
            kiosk_language(page, lang)
        page.tap("[data-takehome]")
        page.wait_for_selector("#k-takehome:not([hidden]) svg.k-takehome-qr")
        assert_clean(page, watch, f"kiosk {lang}, take-home code", KIOSK_AXE_OPTIONS)
        url = page.get_attribute("#k-takehome [data-qr]", "data-url")
        page.tap("[data-takehome-close]")
        page.wait_for_selector("#k-takehome", state="hidden")
        mobile.goto(url.replace(BASE, live_server))
        settle(mobile)
        assert mobile.locator(".visit-panels > li").count() == 1
        assert_clean(mobile, phone_watch, f"/{lang}/visit/ on a phone")
    phone.close()
    context.close()
