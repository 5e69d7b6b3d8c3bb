"""The kiosk as a visitor touches it, in Debian's Chromium with touch on: what a hall day broke.

Leaving a playing video, raw finger swipes, every case of the idle reset, the mouse's back button,
the kiosk's own video controls. Each test waits for states, never for time; the idle times are
shortened through the kiosk's own hook (``exhibitKiosk.idle.configure``).
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import STATE_TIMEOUT_MS

pytestmark = pytest.mark.browser

VIDEO_SLUG = "project-video"
LANDSCAPE = {"width": 1920, "height": 1080}


def show(page, slug):
    page.evaluate("slug => window.exhibitKiosk.show(slug)", slug)
    if slug:
        page.wait_for_selector(f"#k-view article[data-slug='{slug}']")


def play_video(page):
    page.evaluate("""() => { const video = document.querySelector('#k-view video');
        video.muted = true; video.play(); }""")
    page.wait_for_function("() => document.querySelector('#k-view video').currentTime > 0.3",
                           timeout=STATE_TIMEOUT_MS)
    page.wait_for_function("() => window.exhibitKiosk.idle.state().videoPlaying")


def shorten_idle(page, idle=2, countdown=2):
    page.evaluate("t => window.exhibitKiosk.idle.configure(t)",
                  {"idleSeconds": idle, "countdownSeconds": countdown})


def wait_for_reset(page):
    """The countdown shows, then the kiosk is back home in its first language."""
    page.wait_for_selector("#k-idle:not([hidden])", timeout=STATE_TIMEOUT_MS)
    page.wait_for_function("""() => { const s = window.exhibitKiosk.state;
        return s.view === 'home' && s.slug === null && s.lang === 'zh'; }""", timeout=STATE_TIMEOUT_MS)
    page.wait_for_selector("#k-idle", state="hidden")


# -- 1. Leaving a playing video ---------------------------------------------------------------

@pytest.mark.parametrize("leave", ["next", "home", "language"])
def test_leaving_a_playing_video_still_resets(kiosk, leave):
    # Without the offline copy being made beside it: with the service worker downloading, the
    # film sometimes never starts in headless Chromium (no error event to recover from; noted in
    # the README). What is tested here is the idle reset after a playing film.
    page = kiosk(worker=False)
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


# -- 3. The idle reset ------------------------------------------------------------------------

def two_frames(page):
    """Until the browser has drawn twice: a scroll set by script has sent its scroll event."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_the_reset_scrolls_home_to_the_top_without_restarting_the_timer(kiosk):
    page = kiosk(viewport={"width": 1080, "height": 1000})
    page.tap(".k-section >> nth=0")
    page.tap("button[data-action=home]")
    page.wait_for_function("() => window.exhibitKiosk.state.view === 'home'")
    page.evaluate("document.querySelector('#k-view').scrollTop = 1e6")
    two_frames(page)
    assert page.evaluate("document.querySelector('#k-view').scrollTop") > 100  # scrolled away
    shorten_idle(page)
    wait_for_reset(page)
    two_frames(page)
    assert page.evaluate("document.querySelector('#k-view').scrollTop") == 0
    assert page.locator(".k-home-title").is_visible()
    # The reset's own scroll is not a visitor: no timer runs, so no countdown comes back.
    state = page.evaluate("window.exhibitKiosk.idle.state()")
    assert state["active"] is False and state["shown"] is False, state
    assert not page.errors, page.errors


def test_the_touch_that_dismisses_the_countdown_presses_nothing_else(kiosk, api_manifests):
    page = kiosk()
    slugs = [p["slug"] for p in api_manifests["zh"]["panels"]]
    page.tap(".k-section >> nth=0")
    show(page, slugs[1])
    shorten_idle(page, idle=1, countdown=30)
    page.wait_for_selector("#k-idle:not([hidden])")
    # A finger on the spot of the Next button, under the overlay.
    box = page.locator("button[data-action=next]").bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#k-idle", state="hidden")
    two_frames(page)
    assert page.evaluate("window.exhibitKiosk.state.slug") == slugs[1]
    assert page.evaluate("window.exhibitKiosk.idle.state().active") is True
    # The big button does the same, and the visitor carries on.
    page.wait_for_selector("#k-idle:not([hidden])")
    page.tap("#k-idle [data-stay]")
    page.wait_for_selector("#k-idle", state="hidden")
    page.tap("button[data-action=next]")
    page.wait_for_function("slug => window.exhibitKiosk.state.slug === slug", arg=slugs[2])
    assert not page.errors, page.errors


def test_the_reset_closes_the_pin_pad_and_the_operator_screen(kiosk):
    page = kiosk("operator-test")
    for _ in range(5):
        page.touchscreen.tap(20, 20)
    page.wait_for_selector("#k-pin:not([hidden])")
    page.tap("#k-pin button[data-key='2']")
    shorten_idle(page)
    wait_for_reset(page)
    assert page.is_hidden("#k-pin") and page.is_hidden("#k-operator")
    assert page.inner_text("#k-pin [data-digits]") == ""
    assert not page.errors, page.errors


def test_the_countdown_gives_twenty_seconds_and_a_large_button(kiosk):
    page = kiosk("idle-test")  # its countdown: the 20 s of kiosks.yaml
    assert page.evaluate("window.exhibitKiosk.settings.countdownSeconds") >= 20
    page.tap("#k-attract")
    page.tap("button.k-lang[data-lang=fr]")
    page.evaluate("window.exhibitKiosk.idle.configure({idleSeconds: 1})")
    page.wait_for_selector("#k-idle:not([hidden])")
    page.wait_for_function("() => /\\d/.test(document.querySelector('#k-idle [data-countdown]')"
                           ".textContent)")
    seconds = int("".join(c for c in page.inner_text("#k-idle [data-countdown]") if c.isdigit()))
    assert 18 <= seconds <= 20, seconds
    button = page.locator("#k-idle [data-stay]")
    assert button.inner_text() == "Je suis toujours là"
    box = button.bounding_box()
    assert box["height"] >= 80 and box["width"] >= 240, box
    assert page.evaluate("document.activeElement.matches('#k-idle [data-stay]')")
    button.tap()
    page.wait_for_selector("#k-idle", state="hidden")
    assert page.evaluate("window.exhibitKiosk.state.lang") == "fr"
    assert not page.errors, page.errors


def test_a_countdown_under_twenty_seconds_is_refused(tmp_path, demo):
    from exhibit.content import InvalidContent
    from exhibit.kiosk.config import load_kiosk_config

    path = tmp_path / "kiosks.yaml"
    path.write_text("defaults:\n  countdown_seconds: 5\n", encoding="utf-8")
    with pytest.raises(InvalidContent) as error:
        load_kiosk_config(path, demo)
    assert "countdown_seconds" in str(error.value.errors)


# -- 4. The mouse's back and forward buttons, and the history ---------------------------------

def mouse_button(cdp, button: str, x=600, y=500):
    """A real press and release of a mouse's side button (Playwright only knows three)."""
    mask = {"back": 8, "forward": 16}[button]
    cdp.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
    cdp.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": x, "y": y,
                                          "button": button, "buttons": mask, "clickCount": 1})
    cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": x, "y": y,
                                          "button": button, "buttons": 0, "clickCount": 1})


def test_back_and_forward_never_leave_the_kiosk(kiosk, live_server):
    page = kiosk()
    # A page before the kiosk in the history: where a back step would go.
    page.goto(f"{live_server}/healthz")
    page.goto(f"{live_server}/kiosk/?kiosk=visitor-test")
    page.wait_for_selector("#kiosk-app[data-ready]")
    kiosk_url = page.url
    cdp = page.context.new_cdp_session(page)
    page.tap(".k-section >> nth=0")
    slug = page.evaluate("window.exhibitKiosk.state.slug")
    for attempt in range(3):
        page.evaluate("() => { window.__marker = 1; }")
        mouse_button(cdp, "back")
        mouse_button(cdp, "forward")
        page.evaluate("history.back()")
        # The same document still runs: a navigation away (or a reload) would drop the marker.
        page.wait_for_function("() => window.exhibitKiosk && window.__marker === 1")
        two_frames(page)
        assert page.url == kiosk_url, (attempt, page.url)
    # The browser's own back (what Alt+Left or a gesture asks for) does not leave either.
    history = cdp.send("Page.getNavigationHistory")
    previous = history["entries"][history["currentIndex"] - 1]
    cdp.send("Page.navigateToHistoryEntry", {"entryId": previous["id"]})
    two_frames(page)
    page.wait_for_function("() => window.exhibitKiosk && window.__marker === 1")
    assert page.url == kiosk_url
    # Side buttons are cancelled in the page too, and the kiosk goes on working.
    prevented = page.evaluate("""() => [3, 4].flatMap(button => ['mouseup', 'auxclick']
        .map(type => { const e = new MouseEvent(type, {button, bubbles: true, cancelable: true});
                       document.querySelector('#k-view').dispatchEvent(e);
                       return e.defaultPrevented; }))""")
    assert prevented == [True] * 4
    assert page.evaluate("window.exhibitKiosk.state.slug") == slug
    page.tap("button[data-action=next]")
    page.wait_for_function("slug => window.exhibitKiosk.state.slug !== slug", arg=slug)
    assert not page.errors, page.errors


# -- 6. The kiosk's own video controls --------------------------------------------------------

LABEL = "#k-view .k-video-controls button span"  # the play/pause button's words


def test_the_video_has_the_kiosks_own_large_translated_controls(kiosk):
    # Without the offline copy being made beside it: on a loaded test machine its downloads
    # made the film's own range requests fail ("data source error") half-way.
    page = kiosk(worker=False)
    page.tap(".k-section >> nth=0")
    show(page, VIDEO_SLUG)
    video = page.locator("#k-view video")
    # Nothing of Chromium's own: no controls, no download, speed or picture-in-picture.
    attrs = video.evaluate("""v => ({controls: v.controls, attr: v.hasAttribute('controls'),
        list: v.getAttribute('controlslist'), pip: v.disablePictureInPicture})""")
    assert attrs["controls"] is False and attrs["attr"] is False and attrs["pip"] is True
    assert {"nodownload", "noplaybackrate"} <= set(attrs["list"].split())
    buttons = page.locator("#k-view .k-video-controls button")
    labels = buttons.all_inner_texts()
    assert labels == ["播放", "从头播放", "字幕"], labels
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["width"] >= 48 and box["height"] >= 48, (labels[i], box)
    paused = "() => document.querySelector('#k-view video').paused"
    # The play button plays; it then offers to pause, and pauses.
    buttons.nth(0).tap()
    page.wait_for_function("() => !document.querySelector('#k-view video').paused")
    page.wait_for_function(f"() => document.querySelector('{LABEL}').textContent === '暂停'")
    buttons.nth(0).tap()
    page.wait_for_function(paused)
    page.wait_for_function(f"() => document.querySelector('{LABEL}').textContent === '播放'")
    # A tap on the picture plays, and another pauses.
    video.tap()
    page.wait_for_function("() => document.querySelector('#k-view video').currentTime > 0.5",
                           timeout=STATE_TIMEOUT_MS)
    video.tap()
    page.wait_for_function(paused)
    # Start again: from the beginning, playing.
    page.evaluate("""() => { const v = document.querySelector('#k-view video');
        window.__restarted = null;
        v.addEventListener('seeked', () => { window.__restarted = v.currentTime; }, {once: true});
        }""")
    buttons.nth(1).tap()
    page.wait_for_function("""() => window.__restarted !== null && window.__restarted < 0.5
        && !document.querySelector('#k-view video').paused""")
    page.evaluate("document.querySelector('#k-view video').pause()")
    # Captions off, then on again in the visitor's language.
    showing = """() => [...document.querySelector('#k-view video').textTracks]
        .filter(t => t.mode === 'showing').map(t => t.language)"""
    assert page.evaluate(showing) == ["zh-Hans"]
    buttons.nth(2).tap()
    page.wait_for_function(f"() => ({showing})().length === 0")
    assert buttons.nth(2).get_attribute("aria-pressed") == "false"
    buttons.nth(2).tap()
    page.wait_for_function(f"() => ({showing})().join() === 'zh-Hans'")
    # In another language, the same buttons speak it.
    page.tap("button.k-lang[data-lang=fr]")
    page.wait_for_function("() => window.exhibitKiosk.state.lang === 'fr'")
    page.wait_for_selector("#k-view article[lang=fr] .k-video-controls")
    assert page.locator("#k-view .k-video-controls button").all_inner_texts() == [
        "Lecture", "Recommencer", "Sous-titres"]
    assert not page.errors, page.errors


# -- 7. Navigating for weeks leaves nothing behind ---------------------------------------------

NAVIGATE = """async ({rounds, video, other}) => {
    const k = window.exhibitKiosk;
    const frame = () => new Promise(r => requestAnimationFrame(() => r()));
    for (let i = 0; i < rounds; i++) {
        k.show(video);                       // the video panel: its video and captions load
        const v = document.querySelector('#k-view video');
        if (v.readyState < 1) await new Promise(r => v.addEventListener('loadedmetadata', r,
                                                                        {once: true}));
        await frame();
        k.show(other);                       // another panel
        await frame();
        k.show(null);                        // home
        await frame();
    }
}"""


def dom_after_gc(cdp) -> dict:
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.collectGarbage")
    counters = cdp.send("Memory.getDOMCounters")
    try:
        detached = len(cdp.send("DOM.getDetachedDomNodes")["detachedNodes"])
    except Exception:  # noqa: BLE001 — an older Chromium: the node count says it too
        detached = None
    return {"nodes": counters["nodes"], "listeners": counters["jsEventListeners"],
            "detached": detached}


def test_navigating_leaves_no_detached_nodes_behind(kiosk, api_manifests):
    page = kiosk()
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    other = next(p["slug"] for p in api_manifests["zh"]["panels"] if p["slug"] != VIDEO_SLUG)
    args = {"video": VIDEO_SLUG, "other": other}
    page.tap(".k-section >> nth=0")
    page.evaluate(NAVIGATE, {**args, "rounds": 17})  # 51 navigations
    after_50 = dom_after_gc(cdp)
    page.evaluate(NAVIGATE, {**args, "rounds": 84})  # 303 navigations in all
    after_300 = dom_after_gc(cdp)
    print("DOM after 50 and 300 navigations:", after_50, after_300)
    # 84 more visits to the video panel: a leak of even a few nodes per visit would show.
    assert after_300["nodes"] - after_50["nodes"] < 300, (after_50, after_300)
    assert after_300["listeners"] - after_50["listeners"] < 100, (after_50, after_300)
    if after_300["detached"] is not None:
        assert after_300["detached"] - after_50["detached"] < 300, (after_50, after_300)
    assert not page.errors, page.errors


# -- 8. A reload mid-visit keeps the visit's end, once ------------------------------------------

def stored(app, session_id, kind):
    from sqlalchemy import select

    from exhibit.visits.schema import events

    with app.extensions["exhibit.db"].connect() as conn:
        return conn.execute(select(events).where(events.c.session_id == session_id,
                                                 events.c.kind == kind)).all()


def wait_stored(page, app, session_id, kind, count=1):
    """Until the server holds `count` events of the kind (the kiosk flushes its queue)."""
    import time

    deadline = time.monotonic() + 60  # a cap for a failing test; a passing one ends sooner
    while time.monotonic() < deadline:
        rows = stored(app, session_id, kind)
        if len(rows) >= count:
            return rows
        page.evaluate("window.exhibitKiosk.visits.flush()")
        page.wait_for_timeout(250)
    return stored(app, session_id, kind)


def test_a_film_stopped_by_a_read_error_picks_up_where_it_was(kiosk, demo_app):
    """A read error mid-film (Chromium's "data source error") loads the film again and plays on
    from where it stopped; the visit record still holds one play."""
    page = kiosk("film-error-test", worker=False)
    page.tap(".k-section >> nth=0")
    show(page, VIDEO_SLUG)
    play_video(page)
    session = page.evaluate("""() => JSON.parse(localStorage.getItem(
        'exhibit-kiosk:open-visit:film-error-test')).session.id""")
    resumed = page.evaluate("""v => new Promise(resolve => {
        const pos = v.currentTime; let emptied = false;
        v.addEventListener('emptied', () => { emptied = true; }, {once: true});
        v.addEventListener('seeked', () => resolve({pos, emptied, at: v.currentTime}), {once: true});
        v.dispatchEvent(new Event('error')); })""", page.locator("#k-view video").element_handle())
    assert resumed["emptied"], "the film was not loaded again"
    assert resumed["at"] >= resumed["pos"] - 0.05, resumed
    page.wait_for_function("""at => { const v = document.querySelector('#k-view video');
        return !v.dataset.resuming && !v.paused && v.currentTime > at; }""", arg=resumed["at"],
                           timeout=STATE_TIMEOUT_MS)
    assert len(wait_stored(page, demo_app, session, "video_play")) == 1
    page.evaluate("window.exhibitKiosk.visits.flush()")
    page.wait_for_function("async () => await window.exhibitKiosk.visits.queue.size() === 0")
    assert len(stored(demo_app, session, "video_play")) == 1
    assert not page.errors, page.errors


def test_a_reload_mid_visit_keeps_the_visits_end_exactly_once(kiosk, demo_app, api_manifests):
    page = kiosk("reload-test")
    slugs = [p["slug"] for p in api_manifests["zh"]["panels"]]
    page.tap(".k-section >> nth=0")
    page.tap("button[data-action=next]")
    page.wait_for_function("slug => window.exhibitKiosk.state.slug === slug", arg=slugs[1])
    page.tap("button.k-lang[data-lang=en]")
    page.wait_for_function("() => window.exhibitKiosk.state.lang === 'en'")
    open_visit = page.evaluate("""() => JSON.parse(localStorage.getItem(
        'exhibit-kiosk:open-visit:reload-test'))""")
    session = open_visit["session"]["id"]
    assert open_visit["view"]["slug"] == slugs[1]
    page.reload()  # the watchdog, the operator's Reload, the daily restart
    page.wait_for_selector("#kiosk-app[data-ready]")
    assert page.evaluate("window.exhibitKiosk.visits.recovered") is True
    ends = wait_stored(page, demo_app, session, "session_end")
    assert len(ends) == 1 and ends[0].id == open_visit["session"]["endId"] and ends[0].lang == "en"
    views = wait_stored(page, demo_app, session, "panel_view", count=2)
    assert sorted(v.panel for v in views) == sorted(slugs[:2])
    last = next(v for v in views if v.panel == slugs[1])
    assert last.id == open_visit["view"]["id"] and last.lang == "en"
    assert json.loads(ends[0].data)["panels"] == slugs[:2]
    # Reloaded again, and again: nothing is sent twice, nothing is left open.
    for _ in range(2):
        page.reload()
        page.wait_for_selector("#kiosk-app[data-ready]")
        assert page.evaluate("window.exhibitKiosk.visits.recovered") is False
        page.evaluate("window.exhibitKiosk.visits.flush()")
        page.wait_for_function("async () => await window.exhibitKiosk.visits.queue.size() === 0")
    assert len(stored(demo_app, session, "session_end")) == 1
    assert len(stored(demo_app, session, "panel_view")) == 2
    assert page.evaluate("localStorage.getItem('exhibit-kiosk:open-visit:reload-test')") is None
    assert not page.errors, page.errors


def test_a_reset_then_a_reload_sends_the_end_once(kiosk, demo_app):
    page = kiosk("reload-test")
    page.tap(".k-section >> nth=1")
    session = page.evaluate("""() => JSON.parse(localStorage.getItem(
        'exhibit-kiosk:open-visit:reload-test')).session.id""")
    page.evaluate("window.exhibitKiosk.reset()")
    page.wait_for_function("() => !localStorage.getItem('exhibit-kiosk:open-visit:reload-test')")
    page.reload()
    page.wait_for_selector("#kiosk-app[data-ready]")
    assert page.evaluate("window.exhibitKiosk.visits.recovered") is False
    assert len(wait_stored(page, demo_app, session, "session_end")) == 1
    page.evaluate("window.exhibitKiosk.visits.flush()")
    page.wait_for_function("async () => await window.exhibitKiosk.visits.queue.size() === 0")
    assert len(stored(demo_app, session, "session_end")) == 1
    assert len(stored(demo_app, session, "panel_view")) == 1
    assert not page.errors, page.errors
