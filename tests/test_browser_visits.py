"""Visits reach the record from a real browser: a kiosk session and a reader of the topic page."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from exhibit.visits.schema import events

pytestmark = pytest.mark.browser


def stored(app, since=None, **where):
    """Events with these column values (received at or after ``since``, a naive UTC time: the
    demo app's log is shared with the other tests of this worker)."""
    query = select(events)
    for column, value in where.items():
        query = query.where(events.c[column] == value)
    if since is not None:
        query = query.where(events.c.received_at >= since)
    with app.extensions["exhibit.db"].connect() as conn:
        return conn.execute(query).all()


def wait_for(predicate, timeout=60.0):
    """Poll until ``predicate`` holds (the cap only bounds a failing test; a passing one returns
    as soon as the state is reached)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    return predicate()


def test_a_kiosk_visit_is_recorded_from_first_touch_to_reset(browser, live_server, demo_app):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/kiosk/?kiosk=hall-test")
    page.wait_for_selector("#kiosk-app[data-ready]")
    page.click(".k-section >> nth=1")  # the first touch starts the visit
    page.wait_for_timeout(300)
    page.click("button[data-action=next]")
    page.click("button.k-lang[data-lang=fr]")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    page.evaluate("window.exhibitKiosk.reset()")
    page.evaluate("window.exhibitKiosk.visits.flush()")

    ended = wait_for(lambda: stored(demo_app, kiosk_id="hall-test", kind="session_end"))
    assert len(ended) == 1
    session = ended[0].session_id
    rows = stored(demo_app, session_id=session)
    kinds = sorted(r.kind for r in rows)
    assert kinds == ["language_change", "panel_view", "panel_view", "session_end",
                     "session_start"]
    views = [r for r in rows if r.kind == "panel_view"]
    assert all(r.dwell_ms is not None and r.dwell_ms >= 0 for r in views)
    assert {r.lang for r in views} == {"zh", "fr"}  # the second view went on in French
    end = ended[0]
    assert end.lang == "fr"  # the language the visit ended in
    assert '"panels": [' in end.data
    context.close()


def test_a_reader_from_a_printed_qr_code_is_counted(browser, live_server, demo_app):
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/fr/panels/mercury-flows/?src=print-qr")
    arrivals = wait_for(lambda: stored(demo_app, since, kind="qr_arrival",
                                             panel="mercury-flows"))
    assert arrivals and arrivals[0].channel == "print-qr" and arrivals[0].lang == "fr"
    views = stored(demo_app, since, kind="page_view", panel="mercury-flows")
    assert views and views[0].channel == "print-qr" and views[0].visitor
    page.wait_for_timeout(1200)
    page.goto(f"{live_server}/fr/")  # leaving the panel reports the time it was visible
    dwell = wait_for(lambda: stored(demo_app, since, kind="panel_view", panel="mercury-flows",
                                    surface="web"))
    assert dwell and dwell[0].dwell_ms >= 1000
    assert not context.cookies()  # no cookie for visitors
    context.close()


def test_a_batch_the_server_refuses_whole_does_not_block_the_queue(browser, live_server,
                                                                    demo_app):
    """413 (too large) → smaller batches; a lone event refused as a whole body → dropped.
    Before, the sender retried the same refused body forever and nothing behind it was sent."""
    import json

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/en/")
    received: list[str] = []

    def answer(route):
        sent = json.loads(route.request.post_data)["events"]
        ids = [e["id"] for e in sent]
        if len(sent) > 2:
            return route.fulfill(status=413, json={"error": "the body is too large"})
        if "poison" in ids:
            return route.fulfill(status=400, json={"error": "field 'events': cannot be read"})
        received.extend(ids)
        return route.fulfill(status=200, json={
            "results": [{"index": i, "id": x, "status": "stored"} for i, x in enumerate(ids)]})

    page.route("**/api/v1/events", answer)
    left = page.evaluate("""async (assetBase) => {
        const { Sender } = await import(assetBase + "js/shared/events.js");
        const sender = new Sender("/api/v1/events", { batchSize: 8, interval: 60000 });
        for (const id of ["a", "b", "c", "poison", "d", "e"]) await sender.queue.add({ id });
        for (let i = 0; i < 20 && (await sender.queue.size()); i++) await sender.flush();
        return sender.queue.size();
    }""", page.evaluate("""() => document.querySelector('script[src*="/js/site/track.js"]')
                                    .src.replace(/js\\/site\\/track\\.js$/, '')"""))
    assert left == 0
    assert sorted(received) == ["a", "b", "c", "d", "e"]
    context.close()
