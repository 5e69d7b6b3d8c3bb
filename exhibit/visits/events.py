"""What a visit event may contain, and the checks that say exactly which field is wrong.

The schema is data: each field of :data:`FIELDS` is a :class:`Rule` holding both the Python check and
the JSON Schema that says the same thing, and :data:`KINDS` says which fields each kind of event
requires or allows. The validator (:func:`validate`) and the OpenAPI description
(:func:`event_schemas`, served at ``/api/v1/openapi.json``) are both made from them, so they cannot
drift apart. The one rule JSON Schema cannot say — an event's time must be recent — is in the field's
description and in :data:`TIME_WINDOW`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..content.identifiers import KIOSK_ID_PATTERN, LANG_PATTERN, MAX_SLUG, SLUG_PATTERN

# Patterns are written once and used twice: by the check (``re.fullmatch``, so a trailing newline
# never slips past a ``$``) and in the JSON Schema (ECMA-262, where ``^…$`` anchors the whole text).
# Ids follow the content's rules (exhibit/content/identifiers.py): what the checker accepts, the
# events API accepts. Kiosk, question and choice ids as clients send them share one rule.
IDENT_PATTERN = KIOSK_ID_PATTERN
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# RFC 3339 date-time, as `new Date().toISOString()` and Python's isoformat() write it.
_TIME_OF_DAY = (r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt]"
                r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?")
TIME_PATTERN = _TIME_OF_DAY + r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
NO_ZONE_PATTERN = _TIME_OF_DAY + "$"
SRC_PATTERN = r"^[a-z0-9-]{1,32}$"
# Free text: no control characters (Unicode category Cc: C0, DEL and C1).
TEXT_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
SLUG = re.compile(SLUG_PATTERN)
IDENT = re.compile(IDENT_PATTERN)
LANG = re.compile(LANG_PATTERN)
MAX_PANELS = 500
# How far a client clock may be ahead of ours (kiosk clocks drift), and how old a queued event may
# be (a kiosk offline for a whole exhibition season still delivers its records).
MAX_CLOCK_AHEAD = dt.timedelta(hours=24)
MAX_EVENT_AGE = dt.timedelta(days=400)
TIME_WINDOW = (f"no more than {MAX_CLOCK_AHEAD.total_seconds() / 3600:g} hours ahead of the "
               f"server's clock and no more than {MAX_EVENT_AGE.days} days old")
MAX_DWELL_MS = 24 * 3600 * 1000
# How long an attract loop may have run before someone stopped it: a hall left on over a holiday
# runs it for days, so anything as old as an event may be (the kiosk sends no more than this).
MAX_LOOP_MS = MAX_EVENT_AGE.days * 24 * 3600 * 1000
# What stopped the attract loop: the pointerType of the touch (touch, pen, mouse), a key (a
# keyboard or a switch at an accessible kiosk), or something the browser did not say.
ATTRACT_CAUSES = ("touch", "pen", "mouse", "key", "other")
UUID_EXAMPLE = "3f2b0c1e-8d4a-4c6e-9a51-2f0e9d8c7b6a"


class FieldError(ValueError):
    """A field failed its check; the message names the field and says what is expected."""

    def __init__(self, field: str | None, problem: str):
        super().__init__(f"field '{field}': {problem}" if field is not None else problem)
        self.field = field
        self.problem = problem


def shown(value: Any, limit: int = 40) -> str:
    """A value as it may appear in an error message: quoted, escaped, and cut short."""
    text = value if isinstance(value, str) else repr(value)
    cut = text[:limit]
    if not cut.isprintable():  # control characters, lone surrogates: shown as escapes
        cut = cut.encode("unicode_escape").decode("ascii")
    return "'" + cut + ("…" if len(text) > limit else "") + "'"


def shown_name(name: Any) -> str:
    """A field name from the request, safe to put in a message (see :func:`shown`)."""
    return shown(name)[1:-1]


def is_valid_text(value: str) -> bool:
    """True if the text is whole Unicode: a lone surrogate (JSON "\\ud800") cannot be stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Rule:
    """One field's check (returns the normalised value or raises ValueError) and its JSON Schema."""

    check: Callable[[Any], Any]
    schema: dict[str, Any]


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be {what}")
    if not is_valid_text(value):
        raise ValueError("must be valid Unicode text (it contains a lone surrogate)")
    return value


def pattern(source: str, what: str, *, max_length: int | None = None, **schema: Any) -> Rule:
    """Text matching the whole of a regular expression (and at most max_length characters)."""
    regex = re.compile(source)

    def check(value: Any) -> str:
        _string(value, what)
        if (max_length is not None and len(value) > max_length) or not regex.fullmatch(value):
            raise ValueError(f"must be {what}")
        return value

    limits = {"maxLength": max_length} if max_length is not None else {}
    return Rule(check, {"type": "string", "pattern": source, **limits, **schema})


def choice(values: tuple[str, ...], what: str) -> Rule:
    """One of a few fixed words."""

    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in values:
            raise ValueError(f"unknown {what} {shown(value)}; one of: {', '.join(values)}")
        return value

    return Rule(check, {"type": "string", "enum": list(values)})


def _whole_number(value: Any) -> int | None:
    """An int from a JSON number that is a whole number (1 and 1.0 alike, as JSON Schema's
    "integer" says), else None. Booleans are not numbers here."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def integer(low: int, high: int) -> Rule:
    """A whole number from low to high."""

    def check(value: Any) -> int:
        number = _whole_number(value)
        if number is None or not low <= number <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return number

    return Rule(check, {"type": "integer", "minimum": low, "maximum": high})


def text(limit: int, prefix: str = "") -> Rule:
    """Free text of 1 to limit characters, without control characters."""

    def check(value: Any) -> str:
        _string(value, f"text of 1 to {limit} characters")
        if not value or len(value) > limit:
            raise ValueError(f"must be text of 1 to {limit} characters")
        if prefix and not value.startswith(prefix):
            raise ValueError(f"must start with '{prefix}'")
        if not re.fullmatch(TEXT_PATTERN, value):
            raise ValueError("must not contain control characters")
        return value

    return Rule(check, {"type": "string", "minLength": 1, "maxLength": limit,
                        "pattern": "^" + re.escape(prefix) + TEXT_PATTERN[1:]})


def _uuid_check(value: Any) -> str:
    _string(value, "a UUID string")
    if not re.fullmatch(UUID_PATTERN, value):
        raise ValueError(f"must be a UUID like {UUID_EXAMPLE}")
    # One spelling in the database: a retry in capitals is still the same event.
    return value.lower()


UUID = Rule(_uuid_check, {"type": "string", "format": "uuid", "pattern": UUID_PATTERN,
                          "example": UUID_EXAMPLE})


def _time_check(value: Any) -> dt.datetime:
    example = "must be an ISO 8601 time with a time zone (RFC 3339), e.g. 2026-11-21T09:30:00Z"
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(example)
    if not re.fullmatch(TIME_PATTERN, value):
        if re.fullmatch(NO_ZONE_PATTERN, value):
            raise ValueError("must include a time zone (Z or +08:00)")
        raise ValueError(example)
    try:
        moment = dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:  # the right shape, but no such time (month 13, 25 o'clock, offset +99:00)
        raise ValueError(example) from None
    now = dt.datetime.now(dt.UTC)
    if moment > now + MAX_CLOCK_AHEAD:
        raise ValueError("is in the future")
    if moment < now - MAX_EVENT_AGE:
        raise ValueError(f"is older than {MAX_EVENT_AGE.days} days")
    return moment.astimezone(dt.UTC)


TIME = Rule(_time_check, {"type": "string", "format": "date-time", "maxLength": 40,
                          "pattern": TIME_PATTERN, "example": "2026-11-21T09:30:00Z"})


def _slug_list_check(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_PANELS:
        raise ValueError(f"must be a list of at most {MAX_PANELS} panel slugs")
    for item in value:
        if not isinstance(item, str) or len(item) > MAX_SLUG or not SLUG.fullmatch(item):
            raise ValueError("must contain only panel slugs (lowercase letters, digits, hyphens)")
    return value


SLUG_RULE = pattern(SLUG_PATTERN, "a panel slug (lowercase letters, digits, hyphens)",
                    max_length=MAX_SLUG)
SLUG_LIST = Rule(_slug_list_check, {"type": "array", "maxItems": MAX_PANELS,
                                    "items": SLUG_RULE.schema})


def _answer_check(value: Any) -> str | int:
    number = _whole_number(value)
    if number is not None and 0 <= number <= 100:
        return number
    if isinstance(value, str) and IDENT.fullmatch(value):
        return value
    raise ValueError("must be a choice id (letters, digits, '-', '_') or a number from 0 to 100")


ANSWER = Rule(_answer_check, {"oneOf": [{"type": "integer", "minimum": 0, "maximum": 100},
                                        {"type": "string", "pattern": IDENT_PATTERN}]})
SURFACES = ("web", "kiosk")


@dataclass(frozen=True)
class Field:
    rule: Rule
    help: str

    @property
    def check(self) -> Callable[[Any], Any]:
        return self.rule.check

    def schema(self) -> dict[str, Any]:
        """The field's JSON Schema, with its help as the description."""
        return {"description": self.help, **self.rule.schema}


@dataclass(frozen=True)
class Kind:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    surfaces: tuple[str, ...] = SURFACES


KINDS: dict[str, Kind] = {
    "page_view": Kind(("path", "lang"), ("panel", "src", "referrer"), ("web",)),
    "panel_view": Kind(("panel", "lang", "dwell_ms")),
    "session_start": Kind(("lang",), (), ("kiosk",)),
    "session_end": Kind(("lang", "panels", "duration_ms"), ("videos_completed",), ("kiosk",)),
    "language_change": Kind(("lang", "from_lang"), ("panel",)),
    "video_play": Kind(("panel", "lang")),
    "video_complete": Kind(("panel", "lang")),
    # No panel: an arrival on the page of a kiosk visit taken home (/<lang>/visit/...).
    "qr_arrival": Kind(("lang", "src"), ("panel", "path", "referrer"), ("web",)),
    "feedback_answer": Kind(("question", "answer", "lang")),
    "attract_interrupt": Kind(("cause", "loop_ms"), (), ("kiosk",)),
}
COMMON = ("id", "kind", "surface", "at")
KIOSK_FIELDS = ("kiosk", "session")

FIELDS: dict[str, Field] = {
    "id": Field(UUID, "UUID made by the client; a retried event keeps its id"),
    "kind": Field(choice(tuple(KINDS), "kind"), "what happened (see kinds)"),
    "surface": Field(choice(SURFACES, "surface"), "where it happened"),
    "at": Field(TIME, f"when it happened, RFC 3339 with a time zone; {TIME_WINDOW}"),
    "lang": Field(pattern(LANG_PATTERN, "a language code like 'zh'"), "language shown"),
    "from_lang": Field(pattern(LANG_PATTERN, "a language code like 'zh'"),
                       "language before a change"),
    "panel": Field(SLUG_RULE, "panel slug"),
    "kiosk": Field(pattern(IDENT_PATTERN, "a kiosk id (1 to 64 letters, digits, '-', '_')"),
                   "kiosk id"),
    "session": Field(UUID, "kiosk session id (UUID)"),
    "dwell_ms": Field(integer(0, MAX_DWELL_MS), "time on the panel, ms (idle time removed)"),
    "duration_ms": Field(integer(0, MAX_DWELL_MS), "session length, ms"),
    "panels": Field(SLUG_LIST, "panels seen in the session"),
    "videos_completed": Field(integer(0, 1000), "videos watched to the end in the session"),
    "path": Field(text(300, "/"), "page path"),
    "src": Field(pattern(SRC_PATTERN, "a short tag like 'wechat'"),
                 "the ?src= tag the reader arrived with"),
    "referrer": Field(text(500), "document.referrer (only its host is kept)"),
    "question": Field(pattern(IDENT_PATTERN, "a question id"), "questionnaire question id"),
    "answer": Field(ANSWER, "choice id or number"),
    "cause": Field(choice(ATTRACT_CAUSES, "cause"),
                   "what stopped the attract loop: a touch, a pen, a mouse, a key, or other"),
    "loop_ms": Field(integer(0, MAX_LOOP_MS),
                     "how long the attract loop had run when it was stopped, ms"),
}


def fields_of(kind: str, surface: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) field names of a kind of event from a surface, common fields included."""
    spec = KINDS[kind]
    required = COMMON + spec.required + (KIOSK_FIELDS if surface == "kiosk" else ())
    return required, spec.optional


def variant_name(kind: str, surface: str) -> str:
    """The OpenAPI component name of one kind of event from one surface: PanelViewKiosk."""
    return "".join(part.capitalize() for part in kind.split("_")) + surface.capitalize()


def event_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per kind of event and surface, made from KINDS and FIELDS (the validator's
    own data): the properties each accepts, which are required, and nothing else."""
    schemas = {}
    for kind, spec in KINDS.items():
        for surface in spec.surfaces:
            required, optional = fields_of(kind, surface)
            properties = {name: FIELDS[name].schema() for name in required + optional}
            properties["kind"] = {"description": FIELDS["kind"].help, "const": kind}
            properties["surface"] = {"description": FIELDS["surface"].help, "const": surface}
            schemas[variant_name(kind, surface)] = {
                "type": "object",
                "title": f"{kind} from the {surface}",
                "properties": properties,
                "required": list(required),
                "additionalProperties": False,
            }
    return schemas


def validate(raw: Any) -> dict[str, Any]:
    """A checked event (values normalised), or FieldError naming the first wrong field."""
    if not isinstance(raw, dict):
        raise FieldError(None, "each event must be a JSON object")
    # Set by the API's JSON reader (ingest.JSONObject); a plain dict cannot hold a key twice.
    duplicates = getattr(raw, "duplicate_keys", ())
    if duplicates:
        raise FieldError(shown_name(duplicates[0]), "given twice in the same event")
    for name in COMMON:
        if name not in raw:
            raise FieldError(name, "missing")
    event = {}
    for name in COMMON:
        try:
            event[name] = FIELDS[name].check(raw[name])
        except ValueError as exc:
            raise FieldError(name, str(exc)) from None
    kind = KINDS[event["kind"]]
    if event["surface"] not in kind.surfaces:
        raise FieldError("surface", f"a {event['kind']} event comes from "
                                    f"{' or '.join(kind.surfaces)}")
    required, optional = fields_of(event["kind"], event["surface"])
    allowed = set(required) | set(optional)
    for name in raw:
        if name not in allowed:
            raise FieldError(shown_name(name),
                             f"not allowed in a {event['kind']} event from the {event['surface']}")
    for name in required:
        if name not in raw:
            raise FieldError(name, f"missing (required in a {event['kind']} event)")
    for name in raw:
        if name in COMMON:
            continue
        try:
            event[name] = FIELDS[name].check(raw[name])
        except ValueError as exc:
            raise FieldError(name, str(exc)) from None
    return event
