"""POST /api/v1/events on SQLite and on a real PostgreSQL server: exactly what is stored."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import select

from exhibit.visits.schema import events, salts

BROWSER_UA = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0 Mobile Safari/537.36")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def page_view(**extra):
    return {"id": str(uuid.uuid4()), "kind": "page_view", "surface": "web", "at": now(),
            "path": "/zh/panels/story/", "lang": "zh", "panel": "story", **extra}


def kiosk_event(kind, **extra):
    return {"id": str(uuid.uuid4()), "kind": kind, "surface": "kiosk", "at": now(),
            "kiosk": "hall-a", "session": str(uuid.uuid4()), "lang": "en", **extra}


def post(client, batch, ua=BROWSER_UA, ip="192.0.2.10"):
    return client.post("/api/v1/events", json={"events": batch}, headers={"User-Agent": ua},
                       environ_base={"REMOTE_ADDR": ip})


def stored_rows(app):
    with app.extensions["exhibit.db"].connect() as conn:
        return {row.id: row for row in conn.execute(select(events))}


def test_a_batch_is_stored_and_acknowledged(visit_app, visit_client):
    batch = [page_view(), kiosk_event("session_start"),
             kiosk_event("panel_view", panel="story", dwell_ms=12_500),
             kiosk_event("session_end", panels=["story", "output"], duration_ms=61_000),
             kiosk_event("language_change", from_lang="zh", panel="story"),
             kiosk_event("video_play", panel="story"), kiosk_event("video_complete", panel="story"),
             page_view(src="print-qr"),
             {**page_view(), "kind": "qr_arrival", "src": "print-qr"},
             kiosk_event("feedback_answer", question="useful", answer=4)]
    del batch[8]["path"]
    response = post(visit_client, batch)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == ["stored"] * len(batch)
    assert body["counts"] == {"stored": len(batch)}
    rows = stored_rows(visit_app)
    assert set(rows) == {e["id"] for e in batch}
    dwell = rows[batch[2]["id"]]
    assert dwell.kiosk_id == "hall-a" and dwell.dwell_ms == 12_500 and dwell.surface == "kiosk"
    assert json.loads(rows[batch[3]["id"]].data) == {"duration_ms": 61_000,
                                                     "panels": ["story", "output"]}
    assert rows[batch[7]["id"]].channel == "print-qr"


def test_retries_and_duplicates_are_stored_once(visit_app, visit_client):
    first = page_view()
    batch = [first, dict(first), page_view()]
    body = post(visit_client, batch).get_json()
    assert [r["status"] for r in body["results"]] == ["stored", "duplicate", "stored"]
    again = post(visit_client, batch).get_json()  # the client retries: nothing new
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
    assert len(stored_rows(visit_app)) == 2


def test_a_bad_event_is_named_and_the_good_ones_are_kept(visit_app, visit_client):
    good = page_view()
    bad_dwell = kiosk_event("panel_view", panel="story", dwell_ms=-5)
    unknown_field = page_view(colour="green")
    no_id = page_view()
    del no_id["id"]
    response = post(visit_client, [good, bad_dwell, unknown_field, no_id, "not an object"])
    assert response.status_code == 400
    results = response.get_json()["results"]
    assert results[0] == {"index": 0, "id": good["id"], "status": "stored"}
    assert results[1]["status"] == "rejected"
    assert results[1]["error"] == "field 'dwell_ms': must be a whole number from 0 to 86400000"
    assert results[2]["error"] == "field 'colour': not allowed in a page_view event from the web"
    assert results[3]["error"] == "field 'id': missing"
    assert results[4]["error"] == "each event must be a JSON object"
    assert set(stored_rows(visit_app)) == {good["id"]}


@pytest.mark.parametrize("event, error", [
    ({"kind": "page_view", "surface": "kiosk"}, "field 'surface': a page_view event comes from web"),
    ({"kind": "teleport"}, "field 'kind': unknown kind 'teleport'"),
    ({"at": "yesterday"}, "field 'at': must be an ISO 8601 time"),
    ({"at": "2026-01-01T10:00:00"}, "field 'at': must include a time zone"),
    ({"at": "2999-01-01T10:00:00Z"}, "field 'at': is in the future"),
    ({"lang": "chinese"}, "field 'lang': must be a language code"),
    ({"panel": "../../etc"}, "field 'panel': must be a panel slug"),
    ({"path": "http://evil.example/"}, "field 'path': must start with '/'"),
    ({"id": "123"}, "field 'id': must be a UUID"),
])
def test_field_errors_are_precise(visit_client, event, error):
    response = post(visit_client, [{**page_view(), **event}])
    assert response.status_code == 400
    assert response.get_json()["results"][0]["error"].startswith(error)


def test_oversized_and_malformed_bodies(visit_app, visit_client):
    visit_app.config["EVENTS_MAX_BATCH"] = 3
    response = post(visit_client, [page_view() for _ in range(4)])
    assert response.status_code == 413
    assert "at most 3 events" in response.get_json()["error"]
    visit_app.config["EVENTS_MAX_BYTES"] = 1000
    response = post(visit_client, [page_view(referrer="https://x.example/" + "a" * 400)] * 3)
    assert response.status_code == 413
    response = visit_client.post("/api/v1/events", data="{not json",
                                 content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.get_json()["error"]
    response = visit_client.post("/api/v1/events", data="events=1",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    response = visit_client.post("/api/v1/events", json={"events": "nope"})
    assert response.get_json()["error"].startswith("field 'events'")
    assert stored_rows(visit_app) == {}


def test_no_cookies_no_ip_and_bots_filtered(visit_app, visit_client):
    response = post(visit_client, [page_view()], ip="203.0.113.7")
    assert "Set-Cookie" not in response.headers
    bot = post(visit_client, [page_view()], ua="Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert bot.get_json()["results"][0]["status"] == "ignored"
    rows = stored_rows(visit_app)
    assert len(rows) == 1
    for row in rows.values():
        assert "203.0.113.7" not in repr(tuple(row))
    assert "Set-Cookie" not in visit_client.get("/en/").headers


def test_visitors_are_counted_by_a_daily_salted_hash(visit_app, visit_client):
    post(visit_client, [page_view()], ip="198.51.100.1")
    post(visit_client, [page_view()], ip="198.51.100.1")
    post(visit_client, [page_view()], ip="198.51.100.2")
    visitors = [row.visitor for row in stored_rows(visit_app).values()]
    assert len(set(visitors)) == 2 and all(len(v) == 32 for v in visitors)
    engine = visit_app.extensions["exhibit.db"]
    with engine.begin() as conn:  # pretend the salt is from yesterday
        conn.execute(salts.update().values(day=dt.date.today() - dt.timedelta(days=1)))
    from exhibit.visits import store
    store.daily_salt(engine, dt.date.today())
    with engine.connect() as conn:
        assert [r.day for r in conn.execute(select(salts))] == [dt.date.today()]


@pytest.mark.parametrize("extra, ua, channel", [
    ({"src": "weibo"}, BROWSER_UA, "weibo"),
    ({"referrer": "https://mp.weixin.qq.com/s/abc"}, BROWSER_UA, "wechat"),
    ({"referrer": "https://www.baidu.com/s?wd=mercury"}, BROWSER_UA, "search"),
    ({"referrer": "https://blog.example.net/post"}, BROWSER_UA, "referral"),
    ({}, BROWSER_UA + " MicroMessenger/8.0.50", "wechat"),
    ({}, BROWSER_UA, "direct"),
])
def test_channel_attribution(visit_app, visit_client, extra, ua, channel):
    event = page_view(**extra)
    post(visit_client, [event], ua=ua)
    row = stored_rows(visit_app)[event["id"]]
    assert row.channel == channel
    if "referrer" in extra:  # only the host is kept
        assert json.loads(row.data)["referrer"] == extra["referrer"].split("/")[2]
