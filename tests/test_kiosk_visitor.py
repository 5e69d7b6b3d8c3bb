"""The kiosk as a visitor touches it, in Debian's Chromium with touch on: what a hall day broke.

Leaving a playing video, raw finger swipes, every case of the idle reset, the mouse's back button,
the kiosk's own video controls. Each test waits for states, never for time; the idle times are
shortened through the kiosk's own hook (``exhibitKiosk.idle.configure``).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

VIDEO_SLUG = "project-video"
LANDSCAPE = {"width": 1920, "height": 1080}


@pytest.fixture()
def kiosk(browser, live_server):
    """Open the kiosk on a touch screen; yields a function that opens it (one context per test)."""
    contexts = []

    def opener(kiosk_id: str = "visitor-test", viewport: dict = LANDSCAPE):
        context = browser.new_context(viewport=viewport, has_touch=True)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server}/kiosk/?kiosk={kiosk_id}")
        page.wait_for_selector("#kiosk-app[data-ready]")
        page.errors = errors
        return page

    yield opener
    for context in contexts:
        context.close()


def show(page, slug):
    page.evaluate("slug => window.exhibitKiosk.show(slug)", slug)
    if slug:
        page.wait_for_selector(f"#k-view article[data-slug='{slug}']")


def play_video(page):
    page.evaluate("""() => { const video = document.querySelector('#k-view video');
        video.muted = true; video.play(); }""")
    page.wait_for_function("() => document.querySelector('#k-view video').currentTime > 0.3",
                           timeout=20_000)
    page.wait_for_function("() => window.exhibitKiosk.idle.state().videoPlaying")


def shorten_idle(page, idle=2, countdown=2):
    page.evaluate("t => window.exhibitKiosk.idle.configure(t)",
                  {"idleSeconds": idle, "countdownSeconds": countdown})


def wait_for_reset(page):
    """The countdown shows, then the kiosk is back home in its first language."""
    page.wait_for_selector("#k-idle:not([hidden])", timeout=15_000)
    page.wait_for_function("""() => { const s = window.exhibitKiosk.state;
        return s.view === 'home' && s.slug === null && s.lang === 'zh'; }""", timeout=15_000)
    page.wait_for_selector("#k-idle", state="hidden")


# -- 1. Leaving a playing video ---------------------------------------------------------------

@pytest.mark.parametrize("leave", ["next", "home", "language"])
def test_leaving_a_playing_video_still_resets(kiosk, leave):
    page = kiosk()
    page.tap(".k-section >> nth=0")
    show(page, VIDEO_SLUG)
    play_video(page)
    shorten_idle(page)
    # While the video plays on screen, nobody is idle.
    page.wait_for_function("() => window.exhibitKiosk.idle.state().idleMs < 500")
    assert page.is_hidden("#k-idle")
    if leave == "next":
        page.tap("button[data-action=next]")
        page.wait_for_function(f"() => window.exhibitKiosk.state.slug !== '{VIDEO_SLUG}'")
    elif leave == "home":
        page.tap("button[data-action=home]")
        page.wait_for_function("() => window.exhibitKiosk.state.view === 'home'")
    else:
        page.tap("button.k-lang[data-lang=en]")
        page.wait_for_function("() => window.exhibitKiosk.state.lang === 'en'")
    # Leaving stopped the video; no video in the document plays.
    assert page.evaluate("""() => [...document.querySelectorAll('video')]
        .every(v => v.paused)""")
    wait_for_reset(page)
    assert not page.errors, page.errors


# -- 2. Finger swipes, as a touch screen makes them -------------------------------------------

def finger(page, cdp, points, steps=8):
    """One finger down at the first point, moving through the others, lifted at the last: raw
    touch events over DevTools (what a touch screen sends), not a mouse."""
    x, y = points[0]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        for i in range(1, steps + 1):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                {"x": x0 + (x1 - x0) * i / steps, "y": y0 + (y1 - y0) * i / steps}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_finger_swipes_move_between_panels(kiosk, api_manifests):
    page = kiosk()
    cdp = page.context.new_cdp_session(page)
    slugs = [p["slug"] for p in api_manifests["zh"]["panels"]]
    page.tap(".k-section >> nth=0")
    show(page, slugs[0])
    assert page.evaluate("getComputedStyle(document.querySelector('#k-view')).touchAction") \
        == "pan-y"
    box = page.locator("#k-view").bounding_box()
    y = box["y"] + box["height"] / 2
    centre = box["x"] + box["width"] / 2
    # Three swipes to the left, over text, pictures or charts: three panels further.
    for n in range(1, 4):
        finger(page, cdp, [(centre + 300, y), (centre - 300, y + 10)])
        page.wait_for_function("slug => window.exhibitKiosk.state.slug === slug", arg=slugs[n])
    # And one back to the right.
    finger(page, cdp, [(centre - 300, y), (centre + 300, y)])
    page.wait_for_function("slug => window.exhibitKiosk.state.slug === slug", arg=slugs[2])
    # A finger moving up scrolls the text; it is not a swipe.
    page.evaluate("document.querySelector('#k-view').scrollTop = 0")
    finger(page, cdp, [(centre, y + 300), (centre + 20, y - 300)])
    page.wait_for_function("() => document.querySelector('#k-view').scrollTop > 0")
    assert page.evaluate("window.exhibitKiosk.state.slug") == slugs[2]
    assert not page.errors, page.errors
