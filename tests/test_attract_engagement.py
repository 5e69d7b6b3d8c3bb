"""Attract-loop engagement (issue 19, item 4): a hand-made record with known answers, posted
through /api/v1/events, gives the share of passers-by who became visitors, per kiosk and per hour,
and the median visit length; the dashboard and the report (HTML and PDF) show the same figures."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from exhibit.visits.engagement import engagement

from .test_staff import PASSWORD, Staff

HALL = ZoneInfo("Asia/Shanghai")  # the app's TIMEZONE (the default)
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
DAY = dt.datetime.now(HALL).date() - dt.timedelta(days=1)


def _at(hour: int, minute: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), HALL)


def _event(kind: str, kiosk: str, session: str, at: dt.datetime, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "kind": kind, "surface": "kiosk", "kiosk": kiosk,
            "session": session, "at": at.isoformat(), **fields}


def _visit(kiosk: str, at: dt.datetime, cause: str | None, panels: int, length_s: int | None,
           loop_s: int = 60) -> list[dict]:
    """One visit: begun by stopping the attract loop (unless cause is None), ``panels`` panel
    views, ended after ``length_s`` (None: not ended yet)."""
    session = str(uuid.uuid4())
    events = [_event("session_start", kiosk, session, at, lang="zh")]
    if cause:
        events.append(_event("attract_interrupt", kiosk, session, at, cause=cause,
                             loop_ms=loop_s * 1000))
    for n in range(panels):
        events.append(_event("panel_view", kiosk, session, at + dt.timedelta(seconds=n + 1),
                             panel="story", lang="zh", dwell_ms=1000))
    if length_s is not None:
        events.append(_event("session_end", kiosk, session, at + dt.timedelta(seconds=length_s),
                             lang="zh", panels=["story"] * min(panels, 1),
                             duration_ms=length_s * 1000))
    return events


# Kiosk "a": 3 passers-by, 2 visitors (60 s, 120 s). Kiosk "b": 4 passers-by, 2 visitors (30 s,
# and one still open). In all: 7 passers-by, 4 visitors (57.1 %), median visit 60 s.
# By hour: 10h 2/1 (60 s), 14h 3/2 (120 s, 30 s → 75 s), 15h 2/1 (no ended visit).
RECORD = [
    *_visit("a", _at(10, 15), "touch", 1, 60),
    *_visit("a", _at(10, 40), "touch", 0, 5),     # woke the screen, opened nothing
    *_visit("a", _at(14, 5), "key", 2, 120),
    *_visit("b", _at(14, 30), "touch", 1, 30),
    *_visit("b", _at(14, 50), "touch", 0, None),  # opened nothing, the end never came
    *_visit("b", _at(15, 10), "mouse", 1, None),  # a visitor whose visit is still open
    *_visit("b", _at(15, 20), "touch", 0, 4),
    # Not counted: a visit without the loop (attract off), and a loop stopped before the period.
    *_visit("a", _at(11, 0), None, 3, 300),
    *_visit("a", _at(11, 0, DAY - dt.timedelta(days=3)), "touch", 1, 999),
]


def _post(app) -> None:
    client = app.test_client()
    response = client.post("/api/v1/events", json={"events": RECORD}, headers={"User-Agent": UA})
    assert response.get_json()["counts"] == {"stored": len(RECORD)}


def test_engagement_figures_of_a_hand_made_record(visit_app):
    _post(visit_app)
    result = engagement(visit_app.extensions["exhibit.db"], DAY, DAY, HALL)
    total = result.total
    assert (total.passers_by, total.visitors, total.share, total.median_visit_s) == (
        7, 4, 57.1, 60.0)
    assert {k: (g.passers_by, g.visitors, g.share, g.median_visit_s)
            for k, g in result.kiosks.items()} == {"a": (3, 2, 66.7, 90.0),
                                                   "b": (4, 2, 50.0, 30.0)}
    # Hours on the hall's clock (Beijing time), not UTC.
    assert {h: (g.passers_by, g.visitors, g.share, g.median_visit_s)
            for h, g in result.hours.items()} == {10: (2, 1, 50.0, 60.0),
                                                  14: (3, 2, 66.7, 75.0),
                                                  15: (2, 1, 50.0, None)}
    assert result.causes == {"touch": 5, "key": 1, "mouse": 1}
    assert result.median_loop_s == 60.0
    # Without a period, the interruption three days before counts too: a visitor of 999 s.
    everything = engagement(visit_app.extensions["exhibit.db"], tz=HALL)
    assert (everything.total.passers_by, everything.total.visitors) == (8, 5)
    # An empty period: nothing, and no figure made up.
    empty = engagement(visit_app.extensions["exhibit.db"], DAY + dt.timedelta(days=5), tz=HALL)
    assert empty.total.passers_by == 0 and empty.total.share is None
    assert empty.total.median_visit_s is None


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u202f", " ").replace("\u00a0", " ")


def test_the_dashboard_shows_engagement_for_its_period(visit_app):
    from exhibit.auth.accounts import create_account

    _post(visit_app)
    create_account(visit_app.extensions["exhibit.db"], "vera", PASSWORD, "viewer", None)
    staff = Staff(visit_app)
    staff.login("vera")
    html = staff.get(f"/staff/?from={DAY}&to={DAY}&lang=en").get_data(as_text=True)
    section = html[html.index('id="engagement"'):]
    text = _text(section)
    assert "Passer-by someone who stopped a kiosk's attract loop" in text.replace("&#39;", "'")
    assert re.search(r'id="kf-attract-passers-by"><span class="kf-value">7<', section)
    assert re.search(r'id="kf-attract-visitors"><span class="kf-value">4<', section)
    assert re.search(r'id="kf-attract-share"><span class="kf-value">57.1%<', section)
    assert re.search(r'id="kf-attract-median-visit"><span class="kf-value">60<', section)
    # Per kiosk and per hour: a chart drawn by exhibit.charts, and the table beside it.
    assert section.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    assert "a 3 2 66.7% 90" in text and "b 4 2 50% 30" in text
    assert "10:00–10:59 2 1 50% 60" in text and "14:00–14:59 3 2 66.7% 75" in text
    assert "15:00–15:59 2 1 50% –" in text
    assert "11:00–11:59 0 0 – –" in text  # an hour between, none skipped
    assert "a touch 5" in text and "a key 1" in text
    # The period filter: the day before has none of it.
    before = DAY - dt.timedelta(days=1)
    html = staff.get(f"/staff/?from={before}&to={before}&lang=en").get_data(as_text=True)
    assert "No kiosk's attract loop was stopped in this period." in html.replace("&#39;", "'")
    # In Chinese and French, with their numbers.
    zh = _text(staff.get(f"/staff/?from={DAY}&to={DAY}&lang=zh").get_data(as_text=True))
    assert "待机轮播：驻足者中成为参观者的比例" in zh and "57.1%" in zh
    fr = _text(staff.get(f"/staff/?from={DAY}&to={DAY}&lang=fr").get_data(as_text=True))
    assert "Boucle d’attente : passants devenus visiteurs" in fr and "57,1 %" in fr


def test_the_report_shows_engagement_in_html_and_pdf(visit_app):
    from exhibit.visits.report import render_report_html, render_report_pdf

    _post(visit_app)
    with visit_app.app_context():
        html = render_report_html("en", DAY, DAY)
        pdf = render_report_pdf("zh", DAY, DAY)
    section = html[html.index('id="h-engagement"'):html.index('id="h-feedback"')]
    text = _text(section)
    assert "57.1% Passers-by who became visitors" in text
    assert "a 3 2 66.7% 90" in text and "14:00–14:59 3 2 66.7% 75" in text
    assert section.count("<svg") == 2
    pdf_text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(
        io.BytesIO(pdf)).pages))
    assert "待机轮播：驻足者中成为参观者的比例" in pdf_text
    assert "57.1%" in pdf_text and "66.7%" in pdf_text


# -- the kiosk records what stopped its attract loop (a real browser, touch on) ---------------------

def _open_visit(page, kiosk: str) -> dict:
    """The visit the kiosk keeps open in localStorage (visits.js), as the page sees it."""
    return page.evaluate("k => JSON.parse(localStorage.getItem('exhibit-kiosk:open-visit:' + k))",
                         kiosk)


@pytest.mark.browser
def test_the_kiosk_records_what_stopped_its_attract_loop(browser, live_server, demo_app):
    from .test_browser_visits import stored, wait_for

    kiosk = "idle-test"  # kiosks.yaml: the attract loop on
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/kiosk/?kiosk={kiosk}")
    page.wait_for_selector("#kiosk-app[data-ready]")
    page.evaluate("window.exhibitKiosk.idle.configure({idleSeconds: 600})")  # no reset meanwhile
    # The loop shows, its slides change: nobody is there yet.
    page.wait_for_selector("#k-attract:not([hidden]) .k-attract-title")
    shown = page.evaluate("Date.now()")
    page.wait_for_function("t => Date.now() - t > 300", arg=shown)  # it has run a moment
    # A finger wakes the screen: the interruption is recorded with its cause, in the visit
    # that touch began.
    page.tap("#k-attract")
    page.wait_for_selector("#k-attract", state="hidden")
    touched = page.evaluate("Date.now()")
    session = _open_visit(page, kiosk)["session"]["id"]
    page.tap(".k-section >> nth=0")  # and the passer-by opens a panel: a visitor
    page.wait_for_function("() => window.exhibitKiosk.state.view === 'panel'")
    page.evaluate("window.exhibitKiosk.visits.flush()")
    rows = wait_for(lambda: stored(demo_app, kind="attract_interrupt", session_id=session))
    assert len(rows) == 1
    row = rows[0]
    assert row.kiosk_id == kiosk and row.surface == "kiosk"
    data = json.loads(row.data)
    assert data["cause"] == "touch"
    # The loop ran from the page's start to the touch: at least the moment the test saw it.
    assert 300 <= data["loop_ms"] <= touched - page.evaluate("performance.timeOrigin")
    assert stored(demo_app, kind="session_start", session_id=session)

    # The visit ends, the loop comes back; this time a key (a keypad at an accessible kiosk)
    # stops it, and begins a new visit.
    page.evaluate("window.exhibitKiosk.reset()")
    page.wait_for_selector("#k-attract:not([hidden]) .k-attract-title")
    page.keyboard.press("Enter")
    page.wait_for_selector("#k-attract", state="hidden")
    second = _open_visit(page, kiosk)["session"]["id"]
    assert second != session
    page.evaluate("window.exhibitKiosk.visits.flush()")
    rows = wait_for(lambda: stored(demo_app, kind="attract_interrupt", session_id=second))
    assert len(rows) == 1 and json.loads(rows[0].data)["cause"] == "key"
    assert wait_for(lambda: stored(demo_app, kind="session_start", session_id=second))
    # Nothing else was pressed by the waking key or touch: still on the home screen... of the
    # second visit, with no panel opened.
    assert page.evaluate("window.exhibitKiosk.state.view") == "home"
    assert not errors, errors
    context.close()


# -- the demo record plays the attract loop through the same ingest path ----------------------------

def test_the_demo_record_has_passers_by_and_visitors(visit_app):
    from sqlalchemy import select

    from exhibit.review.demo import DEMO_PASSWORD, ensure_accounts
    from exhibit.visits.schema import events

    from .conftest import publish

    publish(visit_app)
    with visit_app.app_context():
        ensure_accounts(visit_app, DEMO_PASSWORD, admin=True)
    runner = visit_app.test_cli_runner()
    result = runner.invoke(args=["demo", "record", "--days", "2", "--seed", "11"])
    assert result.exit_code == 0, result.output
    engine = visit_app.extensions["exhibit.db"]
    first = engagement(engine, tz=HALL)
    total = first.total
    # Most passers-by stay, not all; every kiosk, within opening hours, touches mostly.
    assert 0 < total.visitors < total.passers_by
    assert 35 < total.share < 90
    assert len(first.kiosks) == 2 and set(first.hours) <= set(range(9, 17))
    assert first.causes.most_common(1)[0][0] == "touch"
    assert total.median_visit_s and total.median_visit_s > 10
    assert first.median_loop_s and first.median_loop_s > 1
    with engine.connect() as conn:
        interrupted = set(conn.execute(select(events.c.session_id).where(
            events.c.kind == "attract_interrupt")).scalars())
        started = set(conn.execute(select(events.c.session_id).where(
            events.c.kind == "session_start")).scalars())
    assert interrupted == started  # every visit began by stopping the loop, once
    assert len(interrupted) == total.passers_by
    # Deterministic for a seed, and a second run stores nothing.
    again = runner.invoke(args=["demo", "record", "--days", "2", "--seed", "11"])
    assert "(0 new" in again.output
    assert engagement(engine, tz=HALL) == first


def test_exports_carry_the_interruptions(visit_app, tmp_path):
    from openpyxl import load_workbook

    from exhibit.visits.exports import csv_chunks, write_xlsx

    _post(visit_app)
    engine = visit_app.extensions["exhibit.db"]
    text = "".join(csv_chunks(engine, kinds=["attract_interrupt"], date_from=DAY, date_to=DAY))
    assert text.count("attract_interrupt") == 7 and '""cause"": ""key""' in text
    target = tmp_path / "visits.xlsx"
    with visit_app.app_context():
        write_xlsx(engine, target, kinds=["attract_interrupt"])
    sheet = load_workbook(target, read_only=True)["visits 1"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    cause, loop = header.index("data.cause"), header.index("data.loop_ms")
    assert sorted(r[cause] for r in rows[1:]) == ["key", "mouse"] + ["touch"] * 6
    assert {r[loop] for r in rows[1:]} == {60_000}  # a number, not text
