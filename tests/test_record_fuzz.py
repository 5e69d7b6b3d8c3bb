"""Any record, every staff page: random visit logs (empty, one event, ties, thousands of panel
views, every kind, every language, panels of older versions, extreme dwell times, Unicode
everywhere it may go) are posted through /api/v1/events, and then every staff page and export is
opened. Never a 5xx, and the dashboard's totals agree with the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from exhibit.auth.accounts import create_account
from exhibit.visits import store
from exhibit.visits.events import ATTRACT_CAUSES, MAX_DWELL_MS, MAX_LOOP_MS
from exhibit.visits.schema import channel_reports, events

from .conftest import make_app, publish
from .test_staff import PASSWORD, Staff

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
PANELS = ["story", "output", "old-panel-from-v1", "x" * 80]  # two of the scratch exhibition's
LANGS = ["zh", "en", "fr", "de", "yue"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40)
DAYS_BACK = 60
# A few kiosk sessions shared by the random events, so that an attract-loop interruption can be
# followed by panel views and a session end of the same visit (a passer-by who became a visitor).
SESSIONS = [str(uuid.UUID(int=n)) for n in range(1, 4)]


@st.composite
def event(draw):
    kind = draw(st.sampled_from(["page_view", "panel_view", "session_start", "session_end",
                                 "language_change", "video_play", "video_complete",
                                 "qr_arrival", "feedback_answer", "attract_interrupt"]))
    at = dt.datetime.now(dt.UTC) - dt.timedelta(
        minutes=draw(st.integers(0, DAYS_BACK * 24 * 60)))
    lang, panel = draw(st.sampled_from(LANGS)), draw(st.sampled_from(PANELS))
    web = kind in ("page_view", "qr_arrival") or (
        kind not in ("session_start", "session_end", "attract_interrupt") and draw(st.booleans()))
    e = {"id": str(uuid.uuid4()), "kind": kind, "surface": "web" if web else "kiosk",
         "at": at.isoformat(), "lang": lang}
    if not web:
        e.update(kiosk=draw(st.sampled_from(["hall-a-left", "hall-a-right", "k"])),
                 session=draw(st.sampled_from(SESSIONS) | st.uuids().map(str)))
    if kind == "page_view":
        e.update(path="/" + draw(TEXT), panel=panel)
        if draw(st.booleans()):
            e["src"] = draw(st.sampled_from(["wechat", "weibo", "print-qr", "unknown-tag"]))
        if draw(st.booleans()):
            e["referrer"] = "https://" + draw(st.sampled_from(["weibo.com", "例子.中国",
                                                              "www.baidu.com"])) + "/" + draw(TEXT)
    elif kind == "qr_arrival":
        e.update(panel=panel, src=draw(st.sampled_from(["print-qr", "kiosk-qr", "other"])))
    elif kind == "panel_view":
        e.update(panel=panel, dwell_ms=draw(st.sampled_from([0, 1, 999, MAX_DWELL_MS]) | st.integers(
            0, MAX_DWELL_MS)))
    elif kind == "session_end":
        e.update(panels=draw(st.lists(st.sampled_from(PANELS), max_size=5)),
                 duration_ms=draw(st.integers(0, MAX_DWELL_MS)))
    elif kind == "language_change":
        e.update(from_lang=draw(st.sampled_from(LANGS)))
    elif kind in ("video_play", "video_complete"):
        e.update(panel=panel)
    elif kind == "attract_interrupt":
        del e["lang"]
        e.update(cause=draw(st.sampled_from(ATTRACT_CAUSES)),
                 loop_ms=draw(st.sampled_from([0, MAX_LOOP_MS]) | st.integers(0, MAX_LOOP_MS)))
    elif kind == "feedback_answer":
        e.update(question=draw(st.sampled_from(["useful", "learned", "gone-question"])),
                 answer=draw(st.integers(0, 100) | st.sampled_from(["a-lot", "x_y", "5"])))
    return e


RECORDS = st.fixed_dictionaries({
    "events": st.lists(event(), max_size=30),
    # Thousands of panel views, tied or not, made cheaply.
    "bulk_views": st.sampled_from([0, 0, 1, 2, 3000]),
    "figures": st.lists(st.tuples(st.sampled_from(["wechat", "douyin", "x", "news"]),
                                  st.integers(0, DAYS_BACK), st.integers(0, 10**12), TEXT),
                        max_size=4),
    "period": st.one_of(st.none(), st.tuples(st.integers(-5, DAYS_BACK + 5),
                                             st.integers(-5, DAYS_BACK + 5))),
    "compare": st.booleans(),
    "lang": st.sampled_from(["zh", "en", "fr"]),
})


def _bulk(n: int) -> list[dict]:
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    return [{"id": str(uuid.uuid4()), "kind": "panel_view", "surface": "kiosk", "at": at,
             "kiosk": "hall-a-left", "session": str(uuid.uuid4()), "lang": "zh",
             "panel": PANELS[i % 2], "dwell_ms": 1000 * (i % 7)} for i in range(n)]


def test_any_record_renders_on_every_staff_page(scratch, media_cache, tmp_path):
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    publish(app)
    engine = app.extensions["exhibit.db"]
    create_account(engine, "ada", PASSWORD, "admin", None)
    staff = Staff(app)
    assert staff.login("ada").status_code == 302

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(RECORDS)
    def check(record):
        with engine.begin() as conn:  # each example starts from an empty log
            conn.execute(delete(events))
            conn.execute(delete(channel_reports))
        batch = record["events"] + _bulk(record["bulk_views"])
        for start in range(0, len(batch), 500):
            response = staff.client.post("/api/v1/events",
                                         json={"events": batch[start:start + 500]},
                                         headers={"User-Agent": BROWSER_UA})
            assert response.status_code < 500
        today = dt.date.today()
        if record["figures"]:
            store.save_channel_reports(engine, [
                {"channel": c, "day": today - dt.timedelta(days=d), "reads": n,
                 "source": s or "—"} for c, d, n, s in record["figures"]], "ada")
        query = f"lang={record['lang']}"
        if record["period"]:
            a, b = (today - dt.timedelta(days=d) for d in record["period"])
            query += f"&from={a}&to={b}"
        if record["compare"]:
            query += "&compare=1"
        pages = [f"/staff/?{query}", f"/staff/report?{query}", "/staff/channels",
                 "/staff/photos", "/staff/review/", "/staff/exports",
                 "/staff/exports/visits?format=xlsx"]
        for path in pages:
            response = staff.get(path)
            assert response.status_code < 500, path
            response.close()
        dashboard = staff.get(f"/staff/?{query}")
        html = dashboard.get_data(as_text=True)
        views = re.search(r'id="kf-page-views"><span class="kf-value">([\d,]+)<', html)
        sessions = re.search(r'id="kf-sessions"><span class="kf-value">([\d,]+)<', html)
        period = "&".join(p for p in query.split("&") if p.startswith(("from=", "to=")))
        exported = staff.get(f"/staff/exports/visits?format=csv&{period}")
        assert exported.status_code == 200
        rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
        assert int(views.group(1).replace(",", "")) == sum(
            1 for r in rows if r["kind"] == "page_view")
        assert int(sessions.group(1).replace(",", "")) == sum(
            1 for r in rows if r["kind"] == "session_start")
        # Attract-loop engagement: passers-by are the interruptions in the export, on the
        # dashboard and in the report alike; visitors are some of them.
        interruptions = sum(1 for r in rows if r["kind"] == "attract_interrupt")
        passers = re.search(r'id="kf-attract-passers-by"><span class="kf-value">([\d,]+)<', html)
        visitors = re.search(r'id="kf-attract-visitors"><span class="kf-value">([\d,]+)<', html)
        if interruptions:
            assert int(passers.group(1).replace(",", "")) == interruptions
            assert int(visitors.group(1).replace(",", "")) <= interruptions
        else:
            assert passers is None and 'id="engagement"' in html
        answer = staff.get(f"/staff/report?lang=en&{period}")
        report = answer.get_data(as_text=True)
        if answer.status_code != 200:  # a period that ends before it starts: refused, said why
            assert answer.status_code == 400
        elif interruptions:
            shown = re.search(r'<li><span class="kf-value">([\d,]+)</span><span class="kf-label">'
                              r'Passers-by \(attract loop stopped\)', report)
            assert int(shown.group(1).replace(",", "")) == interruptions
        else:
            assert "attract loop was stopped in this period." in report

    check()
    engine.dispose()
