"""From a posted batch to stored events: validate each, enrich (channel, visitor hash), store once,
and say per event what happened. A bad event never costs the good ones beside it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from . import store
from .channels import attribute
from .events import FieldError, validate
from .privacy import is_bot, utc_today, visitor_hash

# Fields kept in their own columns; everything else of an event goes into `data` as JSON.
COLUMNS = {"id", "kind", "surface", "lang", "panel", "kiosk", "session", "dwell_ms"}


@dataclass(frozen=True)
class Client:
    """Who sent the batch, as far as counting needs: never stored as such."""

    ip: str
    user_agent: str
    site: str  # our own host name: a referrer from it is internal navigation


@dataclass
class BatchResult:
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(1 for r in self.results if r["status"] == "rejected")

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        return counts


class SaltCache:
    """The day's salt, fetched from the database once per day per process."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.day: dt.date | None = None
        self.salt = ""

    def today(self) -> str:
        day = utc_today()
        if day != self.day:
            self.salt = store.daily_salt(self.engine, day)
            self.day = day
        return self.salt


def to_row(event: dict[str, Any], client: Client, salt: str | None) -> dict[str, Any]:
    """The database row of a validated event."""
    extra = {k: v for k, v in event.items() if k not in COLUMNS and k != "at"}
    if "referrer" in extra:
        # Only where the reader came from, never the full address (it may carry personal data).
        extra["referrer"] = urlsplit(extra["referrer"]).hostname or ""
    channel = None
    if event["kind"] in ("page_view", "qr_arrival"):
        channel = attribute(event.get("src"), event.get("referrer"), client.user_agent,
                            client.site)
    occurred = event["at"]
    return {
        "id": event["id"],
        "kind": event["kind"],
        "occurred_at": occurred,
        "received_at": dt.datetime.now(dt.UTC),
        "day": occurred.date(),
        "surface": event["surface"],
        "lang": event.get("lang"),
        "panel": event.get("panel"),
        "kiosk_id": event.get("kiosk"),
        "session_id": event.get("session"),
        "channel": channel,
        "dwell_ms": event.get("dwell_ms"),
        "visitor": visitor_hash(salt, client.site, client.ip, client.user_agent)
        if salt and event["surface"] == "web" else None,
        "data": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
    }


def ingest(engine: Engine, raw_events: list[Any], client: Client,
           salts: SaltCache | None) -> BatchResult:
    """Validate, store and report on a batch. Stored rows are committed when this returns."""
    result = BatchResult()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    pending: list[dict[str, Any]] = []
    bot = is_bot(client.user_agent)
    salt = salts.today() if salts and not bot else None
    for index, raw in enumerate(raw_events):
        item: dict[str, Any] = {"index": index}
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            item["id"] = raw["id"]
        try:
            event = validate(raw)
        except FieldError as exc:
            item.update(status="rejected", error=str(exc))
            result.results.append(item)
            continue
        item["id"] = event["id"]
        if bot and event["surface"] == "web":
            item["status"] = "ignored"
            item["reason"] = "robot user agent"
        elif event["id"] in seen:
            item["status"] = "duplicate"
        else:
            seen.add(event["id"])
            rows.append(to_row(event, client, salt))
            pending.append(item)
        result.results.append(item)
    stored = store.record_events(engine, rows)
    for item in pending:
        item["status"] = "stored" if item["id"] in stored else "duplicate"
    return result
