"""The kiosk in the hall, in a real browser: offline, durable records, idle reset, lockdown,
content updates applied only at the reset, the operator screen."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from exhibit.visits.schema import events
from tests.conftest import STATE_TIMEOUT_MS

from .conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, make_app, publish

pytestmark = pytest.mark.browser
LANGS = ("zh", "en", "fr")


def open_kiosk(context, server, kiosk="offline-test"):
    page = context.new_page()
    page.goto(f"{server}/kiosk/?kiosk={kiosk}")
    page.wait_for_selector("#kiosk-app[data-ready]")
    return page


def wait_for_cache(page, timeout=STATE_TIMEOUT_MS):
    """Until the service worker holds a complete copy and controls the page."""
    page.wait_for_function("() => window.exhibitKiosk.offline.state.status.active", timeout=timeout)
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
        page.wait_for_selector("#kiosk-app[data-ready]")


def stored_ids(app, ids):
    with app.extensions["exhibit.db"].connect() as conn:
        rows = conn.execute(select(events.c.id).where(events.c.id.in_(list(ids)))).scalars().all()
    return rows


def test_the_kiosk_works_with_the_network_cut(browser, live_server, api_manifests):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = open_kiosk(context, live_server)
    wait_for_cache(page)
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#kiosk-app[data-ready]")
    for lang in LANGS:
        page.click(f"button.k-lang[data-lang={lang}]")
        page.wait_for_function(f"() => window.exhibitKiosk.state.lang === '{lang}'")
        # A screen reader reads the exhibition's name first; the watchdog's beat comes last.
        assert re.fullmatch(re.escape(api_manifests[lang]["title"]) + r" · \S+ \u2665 \d+", page.title()), \
            page.title()
        for panel in api_manifests[lang]["panels"]:
            page.evaluate("slug => window.exhibitKiosk.show(slug)", panel["slug"])
            article = page.wait_for_selector(f"article[data-slug='{panel['slug']}']")
            assert panel["title"] in article.inner_text()
            page.wait_for_function("() => [...document.querySelectorAll('#k-view img')].every("
                                   "i => i.complete && i.naturalWidth > 0)", timeout=STATE_TIMEOUT_MS)
        page.evaluate("window.exhibitKiosk.show('project-video')")
        played = page.evaluate("""async (lang) => {
            const video = document.querySelector('#k-view video');
            video.muted = true;
            await video.play();
            await new Promise(r => setTimeout(r, 1200));
            const track = [...video.textTracks].find(t => t.mode === 'showing');
            return {time: video.currentTime, lang: track && track.language,
                    cues: track && track.cues ? track.cues.length : 0};
        }""", lang)
        assert played["time"] > 0.5
        assert played["lang"] == ("zh-Hans" if lang == "zh" else lang) and played["cues"] > 0
    # The questionnaire works offline too (its answers wait in the queue).
    page.evaluate("window.exhibitKiosk.show(null)")
    page.click("button[data-action=feedback]")
    page.click("[data-question=useful] button[data-answer='5']")
    assert page.evaluate("window.exhibitKiosk.visits.queue.size()") > 0
    context.close()


def _kill_chromium(profile: Path) -> None:
    """SIGKILL every Chromium process of this profile: a crash or a power cut, not a close."""
    out = subprocess.run(["pgrep", "-f", str(profile)], capture_output=True,
                         text=True).stdout.split()
    assert out, "no Chromium process found for the profile"
    for pid in out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)


def test_records_made_offline_survive_reload_and_a_killed_browser(browser, live_server,
                                                                  demo_app, tmp_path):
    chromium = browser.browser_type  # a second, persistent browser: its profile stays on disk
    profile = tmp_path / "profile"
    ids: set[str] = set()
    context = chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        viewport={"width": 1920, "height": 1080})
    page = open_kiosk(context, live_server)
    wait_for_cache(page)
    context.set_offline(True)
    page.click(".k-section >> nth=0")
    page.click("button[data-action=next]")
    page.click("button.k-lang[data-lang=en]")
    page.wait_for_function("() => window.exhibitKiosk.state.lang === 'en'")
    page.evaluate("window.exhibitKiosk.reset()")
    ids |= set(page.evaluate(
        "async () => (await window.exhibitKiosk.visits.queue.peek(1e6)).map(e => e.id)"))
    page.reload()  # offline: the shell comes from the cache, the queue from IndexedDB
    page.wait_for_selector("#kiosk-app[data-ready]")
    page.click(".k-section >> nth=2")
    page.evaluate("window.exhibitKiosk.reset()")
    queued = set(page.evaluate(
        "async () => (await window.exhibitKiosk.visits.queue.peek(1e6)).map(e => e.id)"))
    # Events still in the queue are not acknowledged: they are what the killed browser must not
    # lose. (Playwright's offline mode does not hold back the keepalive flush of a closing page,
    # so some earlier events may already have reached the server; they must not come twice.)
    assert queued and queued - set(stored_ids(demo_app, queued))
    ids |= queued
    _kill_chromium(profile)
    with contextlib.suppress(Exception):  # the browser is already gone
        context.close()
    context = chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        viewport={"width": 1920, "height": 1080})
    page = open_kiosk(context, live_server)  # the network is back
    deadline = time.monotonic() + 30
    while page.evaluate("window.exhibitKiosk.visits.queue.size()") and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    context.close()
    stored = stored_ids(demo_app, ids)
    assert sorted(stored) == sorted(ids)  # every record, once (the id is the primary key)


def test_the_idle_reset_brings_back_home_default_language_and_ends_the_visit(
        browser, live_server, demo_app):
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = open_kiosk(context, live_server, kiosk="idle-test")
    # The screen's countdown is 20 s (the least WCAG 2.2.1 allows); this test need not wait it.
    page.evaluate("window.exhibitKiosk.idle.configure({countdownSeconds: 2})")
    assert page.is_visible("#k-attract")
    page.click("#k-attract")  # the waking touch
    assert not page.is_visible("#k-attract")
    page.click(".k-section >> nth=1")
    page.click("button.k-lang[data-lang=fr]")
    page.wait_for_function("() => window.exhibitKiosk.state.lang === 'fr'")
    # This visit's id: other tests of the same server use the kiosk id "idle-test" too.
    session = page.evaluate("""() => JSON.parse(localStorage.getItem(
        'exhibit-kiosk:open-visit:idle-test')).session.id""")
    page.wait_for_selector("#k-idle:not([hidden])", timeout=STATE_TIMEOUT_MS)  # the gentle countdown
    assert "2" in page.inner_text("#k-idle") or "1" in page.inner_text("#k-idle")
    page.wait_for_selector("#k-attract:not([hidden])", timeout=STATE_TIMEOUT_MS)
    state = page.evaluate("({...window.exhibitKiosk.state, all: undefined, manifest: undefined})")
    assert state["view"] == "home" and state["slug"] is None and state["lang"] == "zh"
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    page.evaluate("window.exhibitKiosk.visits.flush()")
    deadline = time.monotonic() + 60  # a cap on a failing test; a passing one ends sooner
    ends = []
    while time.monotonic() < deadline and not ends:
        with demo_app.extensions["exhibit.db"].connect() as conn:
            ends = conn.execute(select(events).where(events.c.session_id == session,
                                                     events.c.kind == "session_end")).all()
        time.sleep(0.2)
    assert len(ends) == 1 and ends[0].lang == "fr"
    # The idle time is not counted as time spent on the panel.
    with demo_app.extensions["exhibit.db"].connect() as conn:
        views = conn.execute(select(events).where(events.c.session_id == ends[0].session_id,
                                                  events.c.kind == "panel_view")).all()
    assert views and all(v.dwell_ms < 5000 for v in views)
    context.close()


def test_lockdown_blocks_zoom_menus_selection_and_leaving(browser, live_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = open_kiosk(context, live_server)
    page.click(".k-section >> nth=0")
    prevented = page.evaluate("""() => {
        const target = document.querySelector('#k-view');
        const fire = (e) => { target.dispatchEvent(e); return e.defaultPrevented; };
        const touch = (x) => new Touch({identifier: x, target, clientX: 100 + x, clientY: 100});
        return {
          pinch: fire(new TouchEvent('touchmove', {touches: [touch(1), touch(2)],
                                                    bubbles: true, cancelable: true})),
          ctrlWheel: fire(new WheelEvent('wheel', {ctrlKey: true, deltaY: -100,
                                                    bubbles: true, cancelable: true})),
          contextmenu: fire(new MouseEvent('contextmenu', {bubbles: true, cancelable: true})),
          selectstart: fire(new Event('selectstart', {bubbles: true, cancelable: true})),
          oneFingerScroll: fire(new TouchEvent('touchmove', {touches: [touch(1)],
                                                             bubbles: true, cancelable: true})),
        };
    }""")
    assert prevented == {"pinch": True, "ctrlWheel": True, "contextmenu": True,
                         "selectstart": True, "oneFingerScroll": False}
    assert "user-scalable=no" in page.get_attribute("meta[name=viewport]", "content")
    page.evaluate("""() => { const a = document.createElement('a');
        a.href = 'https://example.org/'; a.id = 'out'; a.textContent = 'out';
        document.querySelector('#k-view').prepend(a); }""")
    page.click("#out")
    page.wait_for_timeout(300)
    assert page.url.startswith(live_server + "/kiosk/")
    context.close()


def test_the_operator_screen_needs_the_gesture_and_the_pin(browser, live_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = open_kiosk(context, live_server, kiosk="operator-test")
    for _ in range(5):
        page.mouse.click(20, 20)
    for key in "1111":
        page.click(f"#k-pin button[data-key='{key}']")
    page.click("#k-pin button[data-key=ok]")
    assert page.is_hidden("#k-operator")  # a wrong PIN opens nothing
    for _ in range(5):
        page.mouse.click(20, 20)
    for key in "2468":
        page.click(f"#k-pin button[data-key='{key}']")
    page.click("#k-pin button[data-key=ok]")
    page.wait_for_selector("#k-operator:not([hidden])")
    text = page.inner_text("#k-operator")
    assert "operator-test" in text and "Persistent storage" not in text  # zh interface
    assert "等待发送的访问记录" in text or "访问记录" in text
    context.close()


@pytest.fixture()
def editable_server(tmp_path, media_cache):
    """A server on a copy of the demo that the test may edit while the kiosk runs."""
    shutil.copytree(ROOT / "panels", tmp_path / "panels")
    (tmp_path / "media").symlink_to(ROOT / "media")
    app = make_app(tmp_path / "panels", media_cache, CONTENT_RELOAD_SECONDS=0.2)
    publish(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", tmp_path / "panels", app
    server.shutdown()
    thread.join()


def test_new_content_is_applied_only_at_the_idle_reset(browser, editable_server):
    server, panels, app = editable_server
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = open_kiosk(context, server, kiosk="idle-test")
    wait_for_cache(page)
    page.evaluate("window.exhibitKiosk.idle.configure({countdownSeconds: 2})")
    page.click("#k-attract")
    page.evaluate("window.exhibitKiosk.show('carbide-route')")
    old_title = page.inner_text("article[data-slug=carbide-route] h2")
    panel_yaml = panels / "03-carbide-route" / "panel.yaml"
    panel_yaml.write_text(panel_yaml.read_text(encoding="utf-8").replace(
        old_title, "煤与汞：更新后的标题", 1), encoding="utf-8")
    time.sleep(0.3)
    assert publish(app) == 2  # the edit is a new version: FECO and UNIDO approve it
    page.evaluate("window.exhibitKiosk.offline.check()")
    page.wait_for_function("() => window.exhibitKiosk.offline.state.status.ready", timeout=STATE_TIMEOUT_MS)
    # Downloaded, but nothing changes under the visitor's finger.
    page.evaluate("window.exhibitKiosk.show('mercury-flows')")
    page.evaluate("window.exhibitKiosk.show('carbide-route')")
    assert page.inner_text("article[data-slug=carbide-route] h2") == old_title
    # The idle reset applies it: the page reloads from the new copy.
    page.wait_for_event("load", timeout=STATE_TIMEOUT_MS)
    page.wait_for_selector("#kiosk-app[data-ready]")
    page.click("#k-attract")
    page.evaluate("window.exhibitKiosk.show('carbide-route')")
    assert page.inner_text("article[data-slug=carbide-route] h2") == "煤与汞：更新后的标题"
    context.close()


def test_a_long_offline_queue_drains_when_the_network_returns(browser, live_server, demo_app):
    """More than a keepalive request may carry (64 KiB): the queue must still drain, in order."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = open_kiosk(context, live_server, kiosk="drain-test")
    context.set_offline(True)
    ids = page.evaluate("""async () => {
        const session = crypto.randomUUID();
        const events = Array.from({length: 1200}, (_, i) => ({
            id: crypto.randomUUID(), kind: "panel_view", surface: "kiosk",
            at: new Date(Date.now() - (1200 - i) * 1000).toISOString(), kiosk: "drain-test",
            session, lang: "en", panel: "carbide-route", dwell_ms: 1000 + i}));
        await window.exhibitKiosk.visits.queue.addAll(events);
        return events.map(e => e.id);
    }""")
    assert page.evaluate("window.exhibitKiosk.visits.queue.size()") >= 1200
    context.set_offline(False)
    page.evaluate("window.exhibitKiosk.visits.flush()")
    deadline = time.monotonic() + 60
    while page.evaluate("window.exhibitKiosk.visits.queue.size()") and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert page.evaluate("window.exhibitKiosk.visits.queue.size()") == 0
    assert len(stored_ids(demo_app, ids)) == 1200
    context.close()
