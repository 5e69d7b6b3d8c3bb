"""The fleet console (``/staff/kiosks``): every kiosk of kiosks.yaml, and any other id that reported,
with its state in a technician's words, from the heartbeats the kiosks send
(``POST /api/v1/kiosks/<id>/heartbeat``; exhibit.visits.heartbeat). Registered on the staff
blueprint; everyone who may see the dashboard may see it."""

from __future__ import annotations

import datetime as dt

from flask import current_app, g, render_template
from flask_babel import format_timedelta, gettext

from ..auth.sessions import requires
from ..kiosk.config import KioskConfig
from ..publication import public_exhibition
from ..visits import fleet as fleetstate
from ..visits.db import get_engine
from ..visits.timezone import local_time, zone
from .blueprint import bp

# Classes of the state badge (staff.css) per connection.
BADGES = {fleetstate.LIVE: "published", fleetstate.STALE: "waiting",
          fleetstate.OFFLINE: "sent-back", fleetstate.NEVER: "none"}


def _ago(delta: dt.timedelta) -> str:
    return format_timedelta(delta, granularity="second", threshold=1.0)


def describe(state: fleetstate.KioskState, now: dt.datetime, heartbeat_seconds: int,
             published: str | None) -> dict:
    """The kiosk's line of the console: its connection and its problems, in words."""
    tz = zone(current_app)

    def at(moment: dt.datetime | None) -> str:
        return local_time(moment, tz).strftime("%Y-%m-%d %H:%M") if moment else gettext("never")

    if state.connection == fleetstate.LIVE:
        connection = gettext("Live")
        detail = gettext("last heartbeat %(ago)s ago", ago=_ago(now - state.received_at))
    elif state.connection == fleetstate.STALE:
        connection = gettext("Stale")
        detail = gettext("no heartbeat for %(ago)s (it should report every %(s)s s): the "
                         "network may be slow or the page hung", ago=_ago(now - state.received_at),
                         s=heartbeat_seconds)
    elif state.connection == fleetstate.OFFLINE:
        connection = gettext("Offline since %(time)s", time=at(state.received_at))
        detail = gettext("no heartbeat for %(ago)s: check the screen's power and network; its "
                         "records wait on the kiosk and are sent when it is back",
                         ago=_ago(now - state.received_at))
    else:
        connection = gettext("Never reported")
        detail = gettext("no heartbeat yet: check that the kiosk is on and opens "
                         "/kiosk/?kiosk=%(id)s", id=state.kiosk_id)
    beat = state.beat or {}
    problems = []
    for problem in state.problems:
        if problem == fleetstate.QUEUE_NOT_DRAINING:
            problems.append(gettext(
                "Queue not draining: %(n)s visit records waiting, the oldest from %(oldest)s, "
                "last sent %(sent)s. Use “Send records now” on the operator screen; if it "
                "fails, check the network between kiosk and server.",
                n=beat.get("queue_length"), oldest=at(state.time("oldest_queued_at")),
                sent=at(state.time("last_sent_at"))))
        elif problem == fleetstate.STUCK_VISIT:
            minutes = (beat.get("visit_open_s") or 0) // 60
            problems.append(gettext(
                "Stuck visit: a visit has been open for %(min)s min with nobody touching the "
                "screen, longer than the idle reset allows. Reload the kiosk (operator screen).",
                min=minutes))
        elif problem == fleetstate.OLD_CONTENT:
            problems.append(gettext(
                "Showing old content: version %(shown)s on screen, %(published)s published. It "
                "changes at the next idle reset; if this lasts, use “Check for new content”.",
                shown=str(beat.get("content_version"))[:12], published=(published or "?")[:12]))
        elif problem == fleetstate.NOT_PERSISTED:
            problems.append(gettext(
                "Storage not persisted: the browser may delete waiting records when the disk "
                "fills. Start Chromium with kiosk/launch-chromium.sh (it grants persistent "
                "storage)."))
        elif problem == fleetstate.LAST_ERROR:
            problems.append(gettext("Last error: %(error)s", error=beat.get("last_error")))
    width, height = beat.get("screen_width"), beat.get("screen_height")
    persisted = beat.get("storage_persisted")
    facts = [] if not beat else [
        (gettext("Measured by the kiosk"), at(state.time("measured_at"))),
        (gettext("Content version"), str(beat.get("content_version") or "?")[:12]),
        (gettext("Records waiting"), str(beat.get("queue_length", 0)) + (
            " (" + " → ".join(map(str, state.recent_queue)) + ")"
            if len(state.recent_queue) > 1 else "")),
        (gettext("Last sent"), at(state.time("last_sent_at"))),
        (gettext("Persistent storage"), gettext("granted") if persisted else
         gettext("refused") if persisted is False else "?"),
        (gettext("Screen"), f"{width} × {height}" if width and height else "?"),
        (gettext("Up for"), _ago(dt.timedelta(seconds=beat.get("uptime_s", 0)))),
        (gettext("Last outage seen by the kiosk"), gettext(
            "from %(time)s", time=at(state.time("offline_from")))
         if beat.get("offline_from") else gettext("none")),
        (gettext("Reported from"), state.address or "?"),
    ]
    return {"id": state.kiosk_id, "configured": state.configured, "ok": state.ok,
            "connection": connection, "badge": BADGES[state.connection], "detail": detail,
            "problems": problems, "facts": facts}


@bp.get("/kiosks")
@requires("dashboard")
def kiosks():
    """Every kiosk's state, from its latest heartbeat."""
    config: KioskConfig = current_app.extensions["exhibit.kiosks"]
    heartbeat_seconds = current_app.config["KIOSK_HEARTBEAT_SECONDS"]
    published = public_exhibition().fingerprint
    now = dt.datetime.now(dt.UTC)
    states = fleetstate.fleet(get_engine(), config.kiosks, published, heartbeat_seconds, now)
    rows = [describe(s, now, heartbeat_seconds, published) for s in states]
    return render_template("staff/kiosks.html", lang=g.lang, rows=rows,
                           heartbeat_seconds=heartbeat_seconds,
                           stale_min=fleetstate.stale_after(heartbeat_seconds).seconds // 60,
                           offline_min=fleetstate.offline_after(heartbeat_seconds).seconds // 60)
