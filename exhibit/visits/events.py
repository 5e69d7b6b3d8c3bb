"""What a visit event may contain, and the checks that say exactly which field is wrong.

The schema is data (:data:`KINDS`, :data:`FIELDS`), so the OpenAPI description, the docs and the
validator cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IDENT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LANG = re.compile(r"^[a-z]{2,3}$")
# How far a client clock may be ahead of ours (kiosk clocks drift), and how old a queued event may
# be (a kiosk offline for a whole exhibition season still delivers its records).
MAX_CLOCK_AHEAD = dt.timedelta(hours=24)
MAX_EVENT_AGE = dt.timedelta(days=400)
MAX_DWELL_MS = 24 * 3600 * 1000


class FieldError(ValueError):
    """A field failed its check; the message names the field and says what is expected."""


def _uuid(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a UUID string")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("must be a UUID like 3f2b0c1e-8d4a-4c6e-9a51-2f0e9d8c7b6a") from None


def _timestamp(value: Any) -> dt.datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("must be an ISO 8601 time with a time zone, e.g. 2026-11-21T09:30:00Z")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be an ISO 8601 time with a time zone, e.g. "
                         "2026-11-21T09:30:00Z") from None
    if moment.tzinfo is None:
        raise ValueError("must include a time zone (Z or +08:00)")
    now = dt.datetime.now(dt.UTC)
    if moment > now + MAX_CLOCK_AHEAD:
        raise ValueError("is in the future")
    if moment < now - MAX_EVENT_AGE:
        raise ValueError(f"is older than {MAX_EVENT_AGE.days} days")
    return moment.astimezone(dt.UTC)


def _pattern(regex: re.Pattern, what: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not regex.match(value):
            raise ValueError(f"must be {what}")
        return value
    return check


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value
    return check


def _text(limit: int, prefix: str = "") -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value or len(value) > limit:
            raise ValueError(f"must be text of 1 to {limit} characters")
        if prefix and not value.startswith(prefix):
            raise ValueError(f"must start with '{prefix}'")
        if any(ord(c) < 32 for c in value):
            raise ValueError("must not contain control characters")
        return value
    return check


def _slug_list(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > 500:
        raise ValueError("must be a list of at most 500 panel slugs")
    for item in value:
        if not isinstance(item, str) or not SLUG.match(item):
            raise ValueError("must contain only panel slugs (lowercase letters, digits, hyphens)")
    return value


def _answer(value: Any) -> str | int:
    if isinstance(value, bool):
        raise ValueError("must be a choice id or a number")
    if isinstance(value, int) and 0 <= value <= 100:
        return value
    if isinstance(value, str) and IDENT.match(value):
        return value
    raise ValueError("must be a choice id (letters, digits, '-', '_') or a number from 0 to 100")


@dataclass(frozen=True)
class Field:
    check: Callable[[Any], Any]
    help: str


FIELDS: dict[str, Field] = {
    "id": Field(_uuid, "UUID made by the client; a retried event keeps its id"),
    "kind": Field(_text(32), "what happened (see kinds)"),
    "surface": Field(_pattern(re.compile(r"^(web|kiosk)$"), "'web' or 'kiosk'"),
                     "where it happened"),
    "at": Field(_timestamp, "when it happened, ISO 8601 with time zone"),
    "lang": Field(_pattern(LANG, "a language code like 'zh'"), "language shown"),
    "from_lang": Field(_pattern(LANG, "a language code like 'zh'"), "language before a change"),
    "panel": Field(_pattern(SLUG, "a panel slug"), "panel slug"),
    "kiosk": Field(_pattern(IDENT, "a kiosk id (letters, digits, '-', '_')"), "kiosk id"),
    "session": Field(_uuid, "kiosk session id (UUID)"),
    "dwell_ms": Field(_integer(0, MAX_DWELL_MS), "time on the panel, ms (idle time removed)"),
    "duration_ms": Field(_integer(0, MAX_DWELL_MS), "session length, ms"),
    "panels": Field(_slug_list, "panels seen in the session"),
    "videos_completed": Field(_integer(0, 1000), "videos watched to the end in the session"),
    "path": Field(_text(300, "/"), "page path"),
    "src": Field(_pattern(re.compile(r"^[a-z0-9-]{1,32}$"), "a short tag like 'wechat'"),
                 "the ?src= tag the reader arrived with"),
    "referrer": Field(_text(500), "document.referrer (only its host is kept)"),
    "question": Field(_pattern(IDENT, "a question id"), "questionnaire question id"),
    "answer": Field(_answer, "choice id or number"),
}

KIOSK_FIELDS = ("kiosk", "session")


@dataclass(frozen=True)
class Kind:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    surfaces: tuple[str, ...] = ("web", "kiosk")


KINDS: dict[str, Kind] = {
    "page_view": Kind(("path", "lang"), ("panel", "src", "referrer"), ("web",)),
    "panel_view": Kind(("panel", "lang", "dwell_ms")),
    "session_start": Kind(("lang",), (), ("kiosk",)),
    "session_end": Kind(("lang", "panels", "duration_ms"), ("videos_completed",), ("kiosk",)),
    "language_change": Kind(("lang", "from_lang"), ("panel",)),
    "video_play": Kind(("panel", "lang")),
    "video_complete": Kind(("panel", "lang")),
    "qr_arrival": Kind(("panel", "lang", "src"), ("path", "referrer"), ("web",)),
    "feedback_answer": Kind(("question", "answer", "lang")),
}
COMMON = ("id", "kind", "surface", "at")


def validate(raw: Any) -> dict[str, Any]:
    """A checked event (values normalised), or FieldError naming the first wrong field."""
    if not isinstance(raw, dict):
        raise FieldError("each event must be a JSON object")
    for name in COMMON:
        if name not in raw:
            raise FieldError(f"field '{name}': missing")
    event = {}
    for name in COMMON:
        try:
            event[name] = FIELDS[name].check(raw[name])
        except ValueError as exc:
            raise FieldError(f"field '{name}': {exc}") from None
    kind = KINDS.get(event["kind"])
    if kind is None:
        raise FieldError(f"field 'kind': unknown kind '{event['kind']}'; one of: "
                         f"{', '.join(KINDS)}")
    if event["surface"] not in kind.surfaces:
        raise FieldError(f"field 'surface': a {event['kind']} event comes from "
                         f"{' or '.join(kind.surfaces)}")
    required = list(kind.required)
    if event["surface"] == "kiosk":
        required += KIOSK_FIELDS
    allowed = set(COMMON) | set(required) | set(kind.optional)
    for name in raw:
        if name not in allowed:
            raise FieldError(f"field '{name}': not allowed in a {event['kind']} event "
                             f"from the {event['surface']}")
    for name in required:
        if name not in raw:
            raise FieldError(f"field '{name}': missing (required in a {event['kind']} event)")
    for name in raw:
        if name in COMMON:
            continue
        try:
            event[name] = FIELDS[name].check(raw[name])
        except ValueError as exc:
            raise FieldError(f"field '{name}': {exc}") from None
    return event
