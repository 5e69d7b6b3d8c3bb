"""Access mode on the kiosk and the topic page, in Debian's Chromium with touch on.

Kiosk: the big button is on every screen (home, a panel, the video panel, the questionnaire) and
turns on larger text, higher contrast, no motion and narration; axe finds nothing in that mode; a
recorded narration plays, pauses and plays again from the start through the page's audio, holds
the idle timer while it plays and stops when the visitor leaves; without a recording and without a
voice for the language, the panel says so; the idle reset turns the mode off; the attract loop has
a visible Pause (WCAG 2.2.2). Topic page: the "Large text" switch is a keyboard-operable button
with aria-pressed, applied before the first paint on the next page and after a reload, clean for
axe. Every test waits for states (Playwright's clock for the attract loop), never for time.
"""

from __future__ import annotations

import functools

import pytest

from tests.conftest import STATE_TIMEOUT_MS

from .test_browser import AXE, KIOSK_AXE_OPTIONS

pytestmark = pytest.mark.browser

LANDSCAPE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
NARRATED = "minamata-convention"  # panels/01-minamata-convention: en and fr recordings
VIDEO_SLUG = "project-video"
SLIDE_MS = 6000  # exhibit/static/js/kiosk/attract.js
NO_VOICE = {  # the interface string, as each catalog gives it
    "zh": "本展板没有该语言的录音讲解",
    "en": "There is no recorded narration of this panel in this language",
}


@pytest.fixture()
def kiosk(kiosk):
    """The shared kiosk opener (tests/conftest.py), landscape, without the service worker."""
    return functools.partial(kiosk, worker=False)


def show(page, slug):
    page.evaluate("slug => window.exhibitKiosk.show(slug)", slug)
    page.wait_for_selector(f"#k-view article[data-slug='{slug}']")


def language(page, lang):
    page.tap(f"button.k-lang[data-lang={lang}]")
    page.wait_for_function("l => window.exhibitKiosk.state.lang === l", arg=lang)


def access_on(page) -> bool:
    return page.evaluate("document.documentElement.classList.contains('k-access-on')")


def assert_button_reachable(page, where: str) -> None:
    """The access button is shown, large, labelled and not covered by anything."""
    # The layout size, not the drawn box: a button just tapped is drawn at 97 % while pressed
    # (.k-btn:active), and whether the press has ended when the box is read depends on the load.
    box = page.evaluate("""() => { const b = document.getElementById('k-access');
        return b && b.getClientRects().length ? {width: b.offsetWidth, height: b.offsetHeight} : null; }""")
    assert box and box["width"] >= 64 and box["height"] >= 64, f"{where}: {box}"
    label = page.inner_text("#k-access").strip()
    assert label, f"{where}: the button has no visible label"
    on_top = page.evaluate("""() => { const b = document.getElementById('k-access').getBoundingClientRect();
        const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
        return hit && hit.closest('#k-access') !== null; }""")
    assert on_top, f"{where}: something covers the access button"


def axe_clean(page, where: str) -> None:
    results = AXE.run(page, options=KIOSK_AXE_OPTIONS)
    assert results.violations_count == 0, f"{where}: {results.generate_report()}"


def test_the_big_button_is_on_every_kiosk_screen_and_turns_the_mode_on(kiosk, api_manifests):
    page = kiosk()
    text_slug = api_manifests["zh"]["panels"][0]["slug"]
    assert page.get_attribute("#k-access", "aria-pressed") == "false"
    before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    screens = [("home", lambda: None), ("panel", lambda: show(page, text_slug)),
               ("video panel", lambda: show(page, VIDEO_SLUG)),
               ("questionnaire", lambda: (page.tap("button[data-action=home]"),
                                          page.tap(".k-feedback-open"),
                                          page.wait_for_selector("#k-view .k-feedback")))]
    for where, go in screens:
        go()
        assert_button_reachable(page, where)
        # Turned on and off from this very screen, by touch.
        page.tap("#k-access")
        page.wait_for_function("() => document.documentElement.classList.contains('k-access-on')")
        assert page.get_attribute("#k-access", "aria-pressed") == "true"
        page.tap("#k-access")
        page.wait_for_function("() => !document.documentElement.classList.contains('k-access-on')")
    page.tap("#k-access")
    page.wait_for_function("() => document.documentElement.classList.contains('k-access-on')")
    # Larger text, higher contrast (black text on white), no motion.
    after = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert after >= before * 1.25, (before, after)
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    moving = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e => {
        const s = getComputedStyle(e);
        return s.animationName !== 'none' || parseFloat(s.transitionDuration) > 0; }).length""")
    assert moving == 0
    # Translated with the rest of the screen.
    language(page, "fr")
    assert page.inner_text("#k-access").strip() == "Mode accessible"
    assert access_on(page)  # a language change keeps it
    assert not page.errors, page.errors


def test_kiosk_access_mode_is_clean_for_axe(kiosk):
    page = kiosk()
    page.tap("#k-access")
    page.wait_for_function("() => document.documentElement.classList.contains('k-access-on')")
    axe_clean(page, "home")
    show(page, NARRATED)
    page.wait_for_selector(".k-narration")
    axe_clean(page, "panel without a recording in zh")
    language(page, "en")
    page.wait_for_selector(".k-narration[data-mode=recorded]")
    axe_clean(page, "panel with its recording")
    show(page, VIDEO_SLUG)
    axe_clean(page, "video panel")
    page.tap("button[data-action=home]")
    page.tap(".k-feedback-open")
    page.wait_for_selector("#k-view .k-feedback")
    axe_clean(page, "questionnaire")
    assert not page.errors, page.errors


def label_is(page, text: str) -> None:
    """Until the narration's play button reads `text` (it follows the audio's play/pause events)."""
    page.wait_for_function("""t => document.querySelector('.k-narration-btn').innerText.trim() === t""",
                           arg=text)


def test_recorded_narration_plays_pauses_and_replays(kiosk):
    page = kiosk()
    language(page, "en")
    show(page, NARRATED)
    assert page.is_hidden(".k-narration")  # narration belongs to access mode
    page.tap("#k-access")
    page.wait_for_selector(".k-narration[data-mode=recorded]", state="visible")
    play = ".k-narration-btn[data-narration]"
    box = page.locator(play).first.bounding_box()
    assert box["height"] >= 72 and box["width"] >= 72
    assert page.inner_text(play + " >> nth=0").strip() == "Listen"
    page.tap(play + " >> nth=0")
    page.wait_for_function("""() => { const a = document.querySelector('.k-narration audio');
        return !a.paused && a.currentTime > 0.5; }""", timeout=STATE_TIMEOUT_MS)
    label_is(page, "Pause")
    # Listening is not idling: the idle timer is held like a playing video's.
    page.wait_for_function("() => window.exhibitKiosk.idle.state().videoPlaying")
    # Pause: the audio stops where it was.
    page.tap(".k-narration-btn[data-narration=pause]")
    page.wait_for_function("() => document.querySelector('.k-narration audio').paused")
    stopped = page.evaluate("document.querySelector('.k-narration audio').currentTime")
    assert stopped > 0.5
    label_is(page, "Listen")  # set by the "pause" event, which comes a task after `paused`
    # Listen again: from the start, playing.
    page.tap(".k-narration-btn[data-narration=replay]")
    page.wait_for_function("""t => { const a = document.querySelector('.k-narration audio');
        return !a.paused && a.currentTime > 0.2 && a.currentTime < t; }""", arg=stopped)
    page.wait_for_function("""t => { const a = document.querySelector('.k-narration audio');
        return !a.paused && a.currentTime > 0.3; }""", arg=stopped)
    # Leaving the panel stops it: no audio plays anywhere in the document.
    page.tap("button[data-action=next]")
    page.wait_for_function(f"() => window.exhibitKiosk.state.slug !== '{NARRATED}'")
    assert page.evaluate("() => [...document.querySelectorAll('audio')].every(a => a.paused)")
    assert not page.errors, page.errors


def test_the_idle_reset_stops_narration_and_turns_access_mode_off(kiosk):
    page = kiosk()
    language(page, "en")
    show(page, NARRATED)
    page.tap("#k-access")
    page.tap(".k-narration-btn[data-narration=play]")
    page.wait_for_function("""() => { const a = document.querySelector('.k-narration audio');
        return !a.paused && a.currentTime > 0.3; }""")
    page.evaluate("window.exhibitKiosk.reset()")
    page.wait_for_function("""() => window.exhibitKiosk.state.view === 'home' &&
        !document.documentElement.classList.contains('k-access-on')""")
    assert page.get_attribute("#k-access", "aria-pressed") == "false"
    assert page.evaluate("() => [...document.querySelectorAll('audio')].every(a => a.paused)")
    assert not page.errors, page.errors


def test_without_recording_or_voice_the_panel_says_so(kiosk):
    page = kiosk()
    show(page, NARRATED)  # zh: no recording in Chinese
    page.tap("#k-access")
    page.wait_for_selector(".k-narration", state="visible")
    voices = page.evaluate("""() => speechSynthesis.getVoices()
        .filter(v => ['zh', 'cmn'].includes(v.lang.toLowerCase().split(/[-_]/)[0])).length""")
    if voices:  # a machine with a Chinese voice: the panel offers to read itself aloud
        page.wait_for_selector(".k-narration[data-mode=speech] .k-narration-btn")
        return
    page.wait_for_selector(".k-narration[data-mode=none]")
    message = page.inner_text(".k-narration-none")
    assert message.startswith(NO_VOICE["zh"]), message
    assert page.get_attribute(".k-narration-none", "role") == "status"
    # The same panel in English has its recording; a panel without one says so in English.
    language(page, "en")
    page.wait_for_selector(".k-narration[data-mode=recorded]")
    page.tap("button[data-action=next]")
    page.wait_for_function(f"() => window.exhibitKiosk.state.slug !== '{NARRATED}'")
    en_voices = page.evaluate("""() => speechSynthesis.getVoices()
        .filter(v => v.lang.toLowerCase().startsWith('en')).length""")
    if not en_voices:
        assert page.inner_text(".k-narration-none").startswith(NO_VOICE["en"])
    assert not page.errors, page.errors


def test_the_attract_loop_has_a_visible_pause(kiosk):
    page = kiosk("idle-test", clock=True)  # tests/kiosks.yaml: attract loop on
    page.wait_for_selector("#k-attract:not([hidden]) .k-attract-title")
    # Touching Pause counts as a touch: keep the idle reset (which restarts the loop, unpaused)
    # out of the minutes the clock is run forward here.
    page.evaluate("window.exhibitKiosk.idle.configure({idleSeconds: 600})")
    pause = page.locator(".k-attract-pause")
    box = pause.bounding_box()
    assert box and box["height"] >= 64 and box["width"] >= 64
    assert pause.get_attribute("aria-pressed") == "false"
    assert "暂停" in pause.inner_text() and "Pause" in pause.inner_text()
    first = page.inner_text(".k-attract-title")
    page.clock.run_for(SLIDE_MS + 100)
    page.wait_for_function("t => document.querySelector('.k-attract-title').textContent !== t",
                           arg=first)
    # Pause: the loop stays on screen and its slides stop changing, the pulse too.
    pause.tap()
    assert page.is_visible("#k-attract")
    assert pause.get_attribute("aria-pressed") == "true"
    assert "继续" in pause.inner_text()
    held = page.inner_text(".k-attract-title")
    page.clock.run_for(5 * SLIDE_MS)
    assert page.inner_text(".k-attract-title") == held
    assert page.evaluate("""() => [...document.querySelectorAll('.k-attract-touch span')]
        .every(s => getComputedStyle(s).animationName === 'none')""")
    # Resume: the slides change again; any other touch still wakes the screen.
    pause.tap()
    page.clock.run_for(SLIDE_MS + 100)
    page.wait_for_function("t => document.querySelector('.k-attract-title').textContent !== t",
                           arg=held)
    page.tap(".k-attract-title")
    page.wait_for_selector("#k-attract", state="hidden")
    assert not page.errors, page.errors


# -- The topic page and panel pages --------------------------------------------------------------

@pytest.fixture()
def web(browser, live_server):
    contexts = []

    def opener(viewport=PHONE):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        return page

    yield opener
    for context in contexts:
        context.close()


def large(page) -> bool:
    return page.evaluate("document.documentElement.classList.contains('access')")


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_large_text_switch_by_keyboard_persists_and_is_clean(web, live_server, lang):
    page = web()
    page.goto(f"{live_server}/{lang}/", wait_until="load")
    toggle = page.locator("#access-toggle")
    toggle.wait_for(state="visible")
    assert page.evaluate("document.getElementById('access-toggle').tagName") == "BUTTON"
    assert toggle.get_attribute("aria-pressed") == "false"
    assert not large(page)
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    # Keyboard only: Tab from the top of the page reaches it; Enter presses it.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "access-toggle":
            break
    assert page.evaluate("document.activeElement.id") == "access-toggle"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.documentElement.classList.contains('access')")
    assert toggle.get_attribute("aria-pressed") == "true"
    bigger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert bigger >= size * 1.2, (size, bigger)
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()

    # Remembered: on at the first paint after a reload (the class is set by a script in <head>,
    # before the body exists) and on another page of the site.
    page.add_init_script("""new MutationObserver((_, observer) => { if (document.body) {
        window.accessAtFirstBody = document.documentElement.classList.contains('access');
        observer.disconnect(); } }).observe(document, {childList: true, subtree: true});""")
    page.reload(wait_until="load")
    assert page.evaluate("window.accessAtFirstBody") is True
    assert toggle.get_attribute("aria-pressed") == "true"
    page.goto(f"{live_server}/{lang}/panels/{NARRATED}/", wait_until="load")
    assert large(page) and page.get_attribute("#access-toggle", "aria-pressed") == "true"
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the large-text page scrolls sideways on a phone"
    # Off again, by keyboard (Space), and remembered as off.
    page.focus("#access-toggle")
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.documentElement.classList.contains('access')")
    page.reload(wait_until="load")
    assert not large(page) and page.get_attribute("#access-toggle", "aria-pressed") == "false"
    assert not page.errors, page.errors
