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
from .events import FieldError, shown_name, validate
from .privacy import is_bot, local_today, visitor_hash

# Fields kept in their own columns; everything else of an event goes into `data` as JSON.
COLUMNS = {"id", "kind", "surface", "lang", "panel", "kiosk", "session", "dwell_ms"}
# A rejected event's id is echoed back (the sender forgets acknowledged ids) only if it could be
# one: a UUID is 36 characters, and a megabyte of "id" is not worth sending back.
MAX_ECHOED_ID = 64


class BatchError(ValueError):
    """The body as a whole is unusable (not JSON, not {"events": [...]}, too many events): nothing
    of it is stored. ``status`` is the HTTP status that says so."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


class JSONObject(dict):
    """A parsed JSON object that remembers the keys it was given more than once.

    Python keeps the last of duplicate keys silently, another reader of the same bytes may keep the
    first: an event whose meaning depends on the reader is refused (by :func:`events.validate`).
    """

    duplicate_keys: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> JSONObject:
    obj = JSONObject(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        obj.duplicate_keys = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return obj


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are JavaScript, not JSON (RFC 8259); Python would accept them.
    raise ValueError(f"{name} is not a JSON value")


def parse_batch(body: bytes, max_events: int) -> list[Any]:
    """The events of a request body ``{"events": [...]}``, or BatchError saying what is wrong."""
    if not body.strip():
        raise BatchError(400, 'the body is empty; send {"events": [...]}')
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BatchError(400, f"the body is not UTF-8 text (byte {exc.start} is {body[exc.start]:#04x})"
                         ) from None
    try:
        payload = json.loads(text, object_pairs_hook=_object, parse_constant=_refuse_constant)
    except RecursionError:
        raise BatchError(400, "the body is not valid JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError says where; int() says if a number is too long
        raise BatchError(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise BatchError(400, "field 'events': the body must be an object with a list 'events'",
                         "events")
    if payload.duplicate_keys:
        name = shown_name(payload.duplicate_keys[0])
        raise BatchError(400, f"field '{name}': given twice at the top level", name)
    unknown = sorted(set(payload) - {"events"})
    if unknown:
        name = shown_name(unknown[0])
        raise BatchError(400, f"field '{name}': not allowed at the top level (only 'events')", name)
    if len(payload["events"]) > max_events:
        raise BatchError(413, f"field 'events': at most {max_events} events per batch "
                         f"(this one has {len(payload['events'])}); send smaller batches", "events")
    return payload["events"]


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
    """The day's salt, fetched from the database once per day per process. The day is the
    exhibition's (``TIMEZONE``), so the salt changes at local midnight."""

    def __init__(self, engine: Engine, tz: dt.tzinfo = dt.UTC):
        self.engine = engine
        self.tz = tz
        self.day: dt.date | None = None
        self.salt = ""

    def today(self) -> str:
        day = local_today(self.tz)
        if day != self.day:
            self.salt = store.daily_salt(self.engine, day)
            self.day = day
        return self.salt


def referrer_host(referrer: str) -> str | None:
    """The host of a referrer; None if it cannot be read as a URL ("http://[oops")."""
    try:
        return urlsplit(referrer).hostname or ""
    except ValueError:
        return None


def to_row(event: dict[str, Any], client: Client, salt: str | None,
           tz: dt.tzinfo = dt.UTC) -> dict[str, Any]:
    """The database row of a validated event; its day is the day it happened in ``tz``."""
    extra = {k: v for k, v in event.items() if k not in COLUMNS and k != "at"}
    referrer = event.get("referrer")
    if referrer is not None:
        # Only where the reader came from, never the full address (it may carry personal data).
        # A referrer that is no URL counts as no referrer: it says nowhere.
        host = referrer_host(referrer)
        extra["referrer"] = host or ""
        referrer = referrer if host is not None else None
    channel = None
    if event["kind"] in ("page_view", "qr_arrival"):
        channel = attribute(event.get("src"), referrer, client.user_agent, client.site)
    occurred = event["at"]
    return {
        "id": event["id"],
        "kind": event["kind"],
        "occurred_at": occurred,
        "received_at": dt.datetime.now(dt.UTC),
        "day": occurred.astimezone(tz).date(),
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
           salts: SaltCache | None, tz: dt.tzinfo | None = None) -> BatchResult:
    """Validate, store and report on a batch. Stored rows are committed when this returns.
    Each event's day is taken in ``tz`` (default: the salts' zone, else UTC)."""
    tz = tz or (salts.tz if salts else dt.UTC)
    result = BatchResult()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    pending: list[dict[str, Any]] = []
    bot = is_bot(client.user_agent)
    salt = salts.today() if salts and not bot else None
    for index, raw in enumerate(raw_events):
        item: dict[str, Any] = {"index": index}
        # The id as sent (the sender forgets events by the ids it sent), if it can be one.
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(raw_id, str) and len(raw_id) <= MAX_ECHOED_ID and raw_id.isprintable():
            item["id"] = raw_id
        try:
            event = validate(raw)
        except FieldError as exc:
            item.update(status="rejected", error=str(exc))
            if exc.field is not None:
                item["field"] = exc.field
            result.results.append(item)
            continue
        if bot and event["surface"] == "web":
            item["status"] = "ignored"
            item["reason"] = "robot user agent"
        elif event["id"] in seen:
            item["status"] = "duplicate"
        else:
            seen.add(event["id"])
            rows.append(to_row(event, client, salt, tz))
            pending.append(item)
        result.results.append(item)
    stored = store.record_events(engine, rows)
    for item, row in zip(pending, rows, strict=True):
        item["status"] = "stored" if row["id"] in stored else "duplicate"
    return result
