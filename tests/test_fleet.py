"""The fleet console: kiosk heartbeats (POST /api/v1/kiosks/<id>/heartbeat), checked strictly,
stored apart from the visit log, read back as each kiosk's state in a technician's words."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from exhibit.auth.accounts import create_account
from exhibit.visits import fleet
from exhibit.visits.exports import csv_chunks
from exhibit.visits.schema import events, kiosk_heartbeat_history, kiosk_heartbeats
from exhibit.visits.stats import summarise

from .test_staff import PASSWORD, Staff

HTTPS = "https://localhost"
PUBLISHED = "a" * 16


def now():
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def beat(**fields):
    body = {"measured_at": stamp(now()), "uptime_s": 120, "queue_length": 0,
            "stuck_visit": False, "content_version": PUBLISHED, "storage_persisted": True,
            "screen_width": 1920, "screen_height": 1080, "last_sent_at": stamp(now()),
            "oldest_queued_at": None, "last_error": None, "visit_open_s": None,
            "offline_from": None}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not ...}


def post(client, kiosk, body, **kw):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(f"/api/v1/kiosks/{kiosk}/heartbeat", data=data,
                       content_type=kw.pop("content_type", "application/json"), **kw)


def rows(app, table):
    with app.extensions["exhibit.db"].connect() as conn:
        return conn.execute(select(table)).all()


# -- the endpoint --------------------------------------------------------------------------------

def test_a_heartbeat_is_stored_as_the_latest_state_and_in_the_history(visit_app, visit_client):
    response = post(visit_client, "hall-a-left", beat(queue_length=3,
                                                      oldest_queued_at=stamp(now())))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"kiosk": "hall-a-left", "latest": True}
    assert response.headers["Cache-Control"] == "no-store"
    (latest,) = rows(visit_app, kiosk_heartbeats)
    assert latest.kiosk_id == "hall-a-left" and latest.address == "127.0.0.1"
    assert json.loads(latest.data)["queue_length"] == 3
    # A later state replaces it; an older one, arriving late, does not hide it.
    assert post(visit_client, "hall-a-left", beat(queue_length=1)).get_json()["latest"]
    old = post(visit_client, "hall-a-left", beat(
        queue_length=9, measured_at=stamp(now() - dt.timedelta(minutes=5))))
    assert old.status_code == 200 and old.get_json()["latest"] is False
    (latest,) = rows(visit_app, kiosk_heartbeats)
    assert json.loads(latest.data)["queue_length"] == 1
    assert [r.queue_length for r in rows(visit_app, kiosk_heartbeat_history)] == [3, 1, 9]


@pytest.mark.parametrize("body, field, words", [
    ({"uptime_s": 1, "queue_length": 0, "stuck_visit": False}, "measured_at", "missing"),
    (beat(queue_length=-1), "queue_length", "whole number from 0"),
    (beat(queue_length=True), "queue_length", "whole number"),
    (beat(measured_at="2026-11-21T09:30:00"), "measured_at", "time zone"),
    (beat(measured_at="yesterday"), "measured_at", "RFC 3339"),
    (beat(storage_persisted="yes"), "storage_persisted", "true or false"),
    (beat(stuck_visit=None), "stuck_visit", "true or false"),
    (beat(screen_width=0), "screen_width", "from 1 to 20000"),
    (beat(last_error="bad\u0000thing"), "last_error", "control characters"),
    (beat(last_error="x" * 501), "last_error", "1 to 500"),
    (beat(content_version="<script>"), "content_version", "content version"),
    (beat(oldest_queued_at=stamp(now())), "oldest_queued_at", "queue_length is 0"),
    (beat(kiosk="hall-a-left"), "kiosk", "not a heartbeat field"),
    ([1, 2], None, "must be a JSON object"),
])
def test_a_wrong_heartbeat_is_refused_naming_the_field(visit_app, visit_client, body, field,
                                                       words):
    response = post(visit_client, "hall-a-left", body)
    assert response.status_code == 400
    answer = response.get_json()
    assert words in answer["error"]
    assert answer.get("field") == field
    assert rows(visit_app, kiosk_heartbeats) == []


def test_bodies_that_are_no_heartbeat_are_refused(visit_app, visit_client):
    assert post(visit_client, "hall-a-left", b"").status_code == 411  # no length, no body
    assert "empty" in post(visit_client, "k", b"  ").get_json()["error"]
    assert "not valid JSON" in post(visit_client, "k", b"{").get_json()["error"]
    assert "NaN" in post(visit_client, "k", b'{"uptime_s": NaN}').get_json()["error"]
    twice = b'{"measured_at": "2026-01-01T00:00:00Z", "measured_at": "2026-01-02T00:00:00Z"}'
    assert "given twice" in post(visit_client, "k", twice).get_json()["error"]
    assert post(visit_client, "k", beat(), content_type="text/plain").status_code == 415
    big = json.dumps(beat(last_error="x" * 400)).encode() + b" " * 5000
    assert post(visit_client, "k", big).status_code == 413
    bad_id = post(visit_client, "no%20spaces", beat())
    assert bad_id.status_code == 400 and bad_id.get_json()["field"] == "kiosk"
    assert visit_client.get("/api/v1/kiosks/k/heartbeat").status_code == 405
    assert rows(visit_app, kiosk_heartbeats) == []


def test_heartbeats_never_enter_the_visit_log(visit_app, visit_client):
    """The visit log, its export and the figures of the dashboard and report are the same with
    heartbeats as without."""
    engine = visit_app.extensions["exhibit.db"]
    session = str(uuid.uuid4())
    event = {"id": str(uuid.uuid4()), "kind": "session_start", "surface": "kiosk",
             "at": stamp(now()), "kiosk": "hall-a-left", "session": session, "lang": "zh"}
    assert visit_client.post("/api/v1/events", json={"events": [event]}).status_code == 200

    def record():
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(events)).scalar_one()
        summary = summarise(engine, None, None)
        return count, "".join(csv_chunks(engine)), summary.kiosk_sessions, summary.per_day

    before = record()
    for queue in (5, 2, 0):
        assert post(visit_client, "hall-a-left", beat(queue_length=queue, oldest_queued_at=(
            stamp(now()) if queue else None), stuck_visit=True, visit_open_s=4000)
                    ).status_code == 200
    assert len(rows(visit_app, kiosk_heartbeat_history)) == 3
    assert record() == before


def test_heartbeats_are_rate_limited(scratch, media_cache, tmp_path):
    from .conftest import make_app

    app = make_app(scratch, media_cache, HEARTBEAT_RATE_LIMIT="3 per minute",
                   DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    client = app.test_client()
    codes = [post(client, "hall-a-left", beat()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    app.extensions["exhibit.db"].dispose()


def test_heartbeats_may_come_from_the_origins_allowed_for_events(scratch, media_cache, tmp_path):
    from .conftest import make_app

    app = make_app(scratch, media_cache, EVENTS_ALLOWED_ORIGINS="https://cdn.example.net",
                   DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    client = app.test_client()
    allowed = post(client, "k1", beat(), headers={"Origin": "https://cdn.example.net"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://cdn.example.net"
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    other = post(client, "k1", beat(), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    app.extensions["exhibit.db"].dispose()


# -- the state of each kiosk ---------------------------------------------------------------------

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


def at(minutes: float) -> str:
    return (NOW - dt.timedelta(minutes=minutes)).isoformat()


@pytest.mark.parametrize("received_min, beat_fields, connection, problems", [
    (0.2, {}, "live", ()),
    (2, {}, "stale", ()),
    (30, {}, "offline", ()),
    (None, None, "never", ()),
    # A queue that waits and nothing sent for longer than the patience: not draining.
    (0.2, {"queue_length": 40, "oldest_queued_at": at(25), "last_sent_at": at(25)}, "live",
     ("queue_not_draining",)),
    # The same queue, but records went out a moment ago: draining (a kiosk back from offline).
    (0.2, {"queue_length": 40, "oldest_queued_at": at(25), "last_sent_at": at(0.1)}, "live", ()),
    (0.2, {"queue_length": 4, "oldest_queued_at": at(1), "last_sent_at": None}, "live", ()),
    (0.2, {"queue_length": 4, "oldest_queued_at": at(20), "last_sent_at": None}, "live",
     ("queue_not_draining",)),
    (0.2, {"content_version": "b" * 16}, "live", ("old_content",)),
    (0.2, {"stuck_visit": True, "visit_open_s": 3600}, "live", ("stuck_visit",)),
    (0.2, {"storage_persisted": False}, "live", ("storage_not_persisted",)),
    (0.2, {"storage_persisted": None}, "live", ()),
    (45, {"last_error": "manifest zh: HTTP 500", "stuck_visit": True,
          "content_version": "b" * 16}, "offline", ("stuck_visit", "old_content", "last_error")),
])
def test_each_kiosk_state_is_classified(received_min, beat_fields, connection, problems):
    stored = None
    if beat_fields is not None:
        stored = {"measured_at": NOW.isoformat(), "uptime_s": 60, "queue_length": 0,
                  "stuck_visit": False, "content_version": PUBLISHED, **beat_fields}
    received = None if received_min is None else NOW - dt.timedelta(minutes=received_min)
    state = fleet.classify("k", stored, received, NOW, PUBLISHED, heartbeat_seconds=30)
    assert state.connection == connection
    assert state.problems == problems
    assert state.ok == (connection == "live" and not problems)


@settings(max_examples=300, deadline=None)
@given(silent=st.integers(0, 10**6), pace=st.integers(1, 600))
def test_connection_gets_only_worse_with_silence(silent, pace):
    """Live, then stale, then offline, never back, as the silence grows; the thresholds are
    three and ten heartbeats (at least 1 and 5 minutes)."""
    order = ["live", "stale", "offline"]
    received = NOW - dt.timedelta(seconds=silent)
    later = NOW + dt.timedelta(seconds=1)
    state = fleet.connection(received, NOW, pace)
    assert order.index(fleet.connection(received, later, pace)) >= order.index(state)
    assert (state == "live") == (silent < max(3 * pace, 60))
    assert (state == "offline") == (silent >= max(10 * pace, 300))


# -- the console -------------------------------------------------------------------------------

@pytest.fixture()
def staff(visit_app):
    create_account(visit_app.extensions["exhibit.db"], "vera", PASSWORD, "viewer", None)
    visit_app.config["WTF_CSRF_ENABLED"] = True
    return Staff(visit_app)


def test_the_console_lists_every_configured_kiosk_and_unknown_reporters(staff, visit_app):
    client = visit_app.test_client()
    from exhibit.publication import public_exhibition

    with visit_app.app_context():
        published = public_exhibition().fingerprint
    configured = list(visit_app.extensions["exhibit.kiosks"].kiosks)
    assert configured, "tests/kiosks.yaml lists kiosks"
    post(client, configured[0], beat(content_version=published))
    post(client, "stray-screen", beat(content_version="0ld", storage_persisted=False,
                                      stuck_visit=True, visit_open_s=7200,
                                      last_error="IndexedDB: QuotaExceededError"))
    assert staff.login("vera").status_code == 302
    html = staff.get("/staff/kiosks").get_data(as_text=True)
    for kiosk in configured + ["stray-screen"]:
        assert f'data-kiosk="{kiosk}"' in html
    first = html.split(f'data-kiosk="{configured[0]}"')[1].split("</li>\n")[0]
    assert "Live" in first and "All well" in first
    if len(configured) > 1:
        second = html.split(f'data-kiosk="{configured[1]}"')[1].split("</li>\n")[0]
        assert "Never reported" in second
    stray = html.split('data-kiosk="stray-screen"')[1]
    assert "Not in kiosks.yaml" in stray
    for words in ("Showing old content", "Stuck visit", "open for 120 min",
                  "Storage not persisted", "IndexedDB: QuotaExceededError"):
        assert words in stray, words


def test_the_console_speaks_chinese_and_french(staff, visit_app):
    post(visit_app.test_client(), "stray-screen", beat(storage_persisted=False))
    assert staff.login("vera").status_code == 302
    zh = staff.get("/staff/kiosks?lang=zh").get_data(as_text=True)
    fr = staff.get("/staff/kiosks?lang=fr").get_data(as_text=True)
    assert "在线" in zh and "持久存储" in zh
    assert "En ligne" in fr and "stockage" in fr.lower()
