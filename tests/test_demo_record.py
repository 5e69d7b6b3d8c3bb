"""`exhibit demo record`: a simulated record through the API's own validation and store."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from exhibit.review.demo import DEMO_PASSWORD, ensure_accounts
from exhibit.visits.schema import channel_reports, events, kiosk_heartbeats, photos
from exhibit.visits.simulate import SIMULATED

from .conftest import publish


def _counts(app):
    with app.extensions["exhibit.db"].connect() as conn:
        return (conn.execute(select(func.count()).select_from(events)).scalar_one(),
                conn.execute(select(func.count()).select_from(channel_reports)).scalar_one(),
                conn.execute(select(func.count()).select_from(photos)).scalar_one())


def test_refused_without_the_demo_accounts(visit_app):
    publish(visit_app)  # reviewer accounts with random passwords: a real server looks like this
    result = visit_app.test_cli_runner().invoke(args=["demo", "record", "--days", "2"])
    assert result.exit_code == 1 and "refused" in result.output
    assert _counts(visit_app) == (0, 0, 0)


def test_a_simulated_record_is_stored_once(visit_app):
    publish(visit_app)
    with visit_app.app_context():
        ensure_accounts(visit_app, DEMO_PASSWORD, admin=True)
    runner = visit_app.test_cli_runner()
    result = runner.invoke(args=["demo", "record", "--days", "3", "--seed", "7"])
    assert result.exit_code == 0, result.output
    stored, figures, pictures = _counts(visit_app)
    assert stored > 500 and figures > 0 and pictures == 2  # photos of days 0 and 2
    assert re.search(rf"{stored:,} events \({stored:,} new", result.output)
    with visit_app.extensions["exhibit.db"].connect() as conn:
        kinds = set(conn.execute(select(events.c.kind).distinct()).scalars())
        sources = set(conn.execute(select(channel_reports.c.source)).scalars())
        captions = list(conn.execute(select(photos.c.caption)).scalars())
        days = conn.execute(select(func.min(events.c.day), func.max(events.c.day))).one()
        hours = {at.hour for at in conn.execute(select(events.c.occurred_at).where(
            events.c.kind == "session_start")).scalars()}
    assert {"page_view", "panel_view", "session_start", "session_end", "qr_arrival",
            "language_change"} <= kinds  # (the scratch exhibition has no questionnaire)
    assert all(SIMULATED in s for s in sources)
    assert all("demo drawing" in c for c in captions)
    yesterday = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
    assert days == (yesterday - dt.timedelta(days=2), yesterday)
    # The hall is open 9:00-17:00 Beijing time: 01:00-09:00 UTC.
    assert hours <= set(range(1, 9))

    again = runner.invoke(args=["demo", "record", "--days", "3", "--seed", "7"])
    assert again.exit_code == 0, again.output
    assert "(0 new" in again.output
    assert _counts(visit_app) == (stored, figures, pictures)


def test_the_demo_kiosks_report_a_simulated_heartbeat(visit_app):
    publish(visit_app)
    with visit_app.app_context():
        ensure_accounts(visit_app, DEMO_PASSWORD, admin=True)
    result = visit_app.test_cli_runner().invoke(args=["demo", "record", "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "2 simulated kiosk heartbeat(s)" in result.output
    with visit_app.extensions["exhibit.db"].connect() as conn:
        beats = conn.execute(select(kiosk_heartbeats)).all()
    assert len(beats) == 2 and all("simulated" in b.address for b in beats)
    assert any("simulated" in b.data for b in beats)  # the error says so too
