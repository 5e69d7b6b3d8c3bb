"""The fleet console's reading of kiosk heartbeats: each kiosk's state in a technician's terms.

:func:`classify` is pure (a heartbeat, when it arrived, the clock, the published version, the
heartbeat pace): the staff page and the tests call the same function. :func:`fleet` reads the
stored heartbeats (exhibit.visits.heartbeat) and puts them beside the kiosks of kiosks.yaml.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from .schema import kiosk_heartbeat_history, kiosk_heartbeats

# Connection: live, stale (a few heartbeats missed), offline (many missed), never (no heartbeat).
LIVE, STALE, OFFLINE, NEVER = "live", "stale", "offline", "never"
# Problems a heartbeat shows, in the order the console lists them.
QUEUE_NOT_DRAINING = "queue_not_draining"
OLD_CONTENT = "old_content"
STUCK_VISIT = "stuck_visit"
NOT_PERSISTED = "storage_not_persisted"
LAST_ERROR = "last_error"
PROBLEMS = (QUEUE_NOT_DRAINING, STUCK_VISIT, OLD_CONTENT, NOT_PERSISTED, LAST_ERROR)
# Records normally leave within seconds; waiting this long with nothing sent means they do not.
QUEUE_PATIENCE = dt.timedelta(minutes=10)


def stale_after(heartbeat_seconds: int) -> dt.timedelta:
    """Three missed heartbeats, and at least a minute."""
    return max(dt.timedelta(seconds=3 * heartbeat_seconds), dt.timedelta(minutes=1))


def offline_after(heartbeat_seconds: int) -> dt.timedelta:
    """Ten missed heartbeats, and at least five minutes."""
    return max(dt.timedelta(seconds=10 * heartbeat_seconds), dt.timedelta(minutes=5))


def _time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(value)


def connection(received_at: dt.datetime | None, now: dt.datetime,
               heartbeat_seconds: int) -> str:
    """live, stale or offline from the last heartbeat's arrival; never without one."""
    if received_at is None:
        return NEVER
    silent = now - received_at
    if silent >= offline_after(heartbeat_seconds):
        return OFFLINE
    if silent >= stale_after(heartbeat_seconds):
        return STALE
    return LIVE


def problems(beat: dict[str, Any] | None, published_version: str | None) -> tuple[str, ...]:
    """What the kiosk's own report says is wrong (in PROBLEMS order)."""
    if not beat:
        return ()
    found = set()
    measured = _time(beat["measured_at"])
    oldest = _time(beat.get("oldest_queued_at"))
    sent = _time(beat.get("last_sent_at"))
    if (beat.get("queue_length") and oldest is not None and measured - oldest > QUEUE_PATIENCE
            and (sent is None or measured - sent > QUEUE_PATIENCE)):
        found.add(QUEUE_NOT_DRAINING)
    if beat.get("stuck_visit"):
        found.add(STUCK_VISIT)
    version = beat.get("content_version")
    if version and published_version and version != published_version:
        found.add(OLD_CONTENT)
    if beat.get("storage_persisted") is False:
        found.add(NOT_PERSISTED)
    if beat.get("last_error"):
        found.add(LAST_ERROR)
    return tuple(p for p in PROBLEMS if p in found)


@dataclass(frozen=True)
class KioskState:
    """One line of the fleet console."""

    kiosk_id: str
    configured: bool  # listed in kiosks.yaml
    connection: str  # LIVE, STALE, OFFLINE, NEVER
    problems: tuple[str, ...] = ()
    beat: dict[str, Any] | None = None  # the latest heartbeat, as stored (times as text)
    received_at: dt.datetime | None = None
    address: str | None = None
    recent_queue: tuple[int, ...] = field(default=())  # queue lengths, oldest first

    @property
    def ok(self) -> bool:
        return self.connection == LIVE and not self.problems

    def time(self, name: str) -> dt.datetime | None:
        """A time field of the heartbeat, as a datetime."""
        return _time(self.beat.get(name)) if self.beat else None


def classify(kiosk_id: str, beat: dict[str, Any] | None, received_at: dt.datetime | None,
             now: dt.datetime, published_version: str | None, heartbeat_seconds: int,
             configured: bool = True, address: str | None = None,
             recent_queue: tuple[int, ...] = ()) -> KioskState:
    return KioskState(kiosk_id, configured, connection(received_at, now, heartbeat_seconds),
                      problems(beat, published_version), beat, received_at, address,
                      recent_queue)


def fleet(engine: Engine, configured: Iterable[str], published_version: str | None,
          heartbeat_seconds: int, now: dt.datetime | None = None,
          history: int = 8) -> list[KioskState]:
    """Every kiosk of kiosks.yaml (in its order), then every other id that reported (by id)."""
    now = now or dt.datetime.now(dt.UTC)
    with engine.connect() as conn:
        rows = {row.kiosk_id: row for row in conn.execute(select(kiosk_heartbeats))}
        queues: dict[str, list[int]] = {}
        recent = conn.execute(
            select(kiosk_heartbeat_history.c.kiosk_id, kiosk_heartbeat_history.c.queue_length)
            .where(kiosk_heartbeat_history.c.received_at >= now - dt.timedelta(hours=1))
            .order_by(kiosk_heartbeat_history.c.id))
        for kiosk_id, queue in recent:
            queues.setdefault(kiosk_id, []).append(queue)
    listed = list(dict.fromkeys(configured))
    ids = listed + sorted(set(rows) - set(listed))
    states = []
    for kiosk_id in ids:
        row = rows.get(kiosk_id)
        states.append(classify(
            kiosk_id, json.loads(row.data) if row else None,
            _time(row.received_at) if row else None, now, published_version,
            heartbeat_seconds, configured=kiosk_id in listed,
            address=row.address if row else None,
            recent_queue=tuple(queues.get(kiosk_id, [])[-history:])))
    return states
