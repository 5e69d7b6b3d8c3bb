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
