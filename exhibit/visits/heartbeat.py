"""Kiosk heartbeats for the fleet console: what a kiosk says of itself, checked field by field.

A heartbeat is the kiosk's state as it measured it (``measured_at``): content version shown,
records waiting in its queue, last successful send, whether the browser keeps its storage, screen
size, last error, uptime, and whether a visit has stayed open longer than any visit could. A kiosk
that lost the server keeps its latest state and sends it when the server answers again.

Heartbeats are stored in their own tables (``kiosk_heartbeats``, ``kiosk_heartbeat_history``)
through :func:`exhibit.visits.store.record_heartbeat`: they are never visit events, never in the
visit log, its exports or the summary report.
"""

from __future__ import annotations

import json
from typing import Any

from .events import (
    TIME,
    FieldError,
    Rule,
    integer,
    pattern,
    shown,
    shown_name,
    text,
)
from .ingest import BatchError, JSONObject, _object, _refuse_constant

# A heartbeat is a few hundred bytes; anything much larger is not one.
MAX_BYTES = 4096
MAX_COUNT = 10**9


def _nullable(rule: Rule) -> Rule:
    def check(value: Any) -> Any:
        return None if value is None else rule.check(value)

    return Rule(check, {"oneOf": [rule.schema, {"type": "null"}]})


def _boolean_check(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


BOOLEAN = Rule(_boolean_check, {"type": "boolean"})

# name: (rule, required, help). Nullable fields may be null ("not known" or "none").
FIELDS: dict[str, tuple[Rule, bool, str]] = {
    "measured_at": (TIME, True, "when the kiosk measured this state (its clock), RFC 3339"),
    "uptime_s": (integer(0, MAX_COUNT), True, "seconds since the kiosk page started"),
    "queue_length": (integer(0, MAX_COUNT), True, "visit records waiting to be sent"),
    "oldest_queued_at": (_nullable(TIME), False, "when the oldest waiting record was made"),
    "last_sent_at": (_nullable(TIME), False, "last time records were accepted by the server"),
    "content_version": (_nullable(pattern(r"^[0-9A-Za-z._-]{1,64}$",
                                          "a content version (letters, digits, '.', '_', '-')",
                                          max_length=64)), False,
                        "version of the content on screen (/api/v1/panels 'version')"),
    "storage_persisted": (_nullable(BOOLEAN), False,
                          "whether the browser granted persistent storage (null: not known)"),
    "screen_width": (integer(1, 20000), False, "screen width, CSS px"),
    "screen_height": (integer(1, 20000), False, "screen height, CSS px"),
    "last_error": (_nullable(text(500)), False, "the kiosk's last error, in its words"),
    "visit_open_s": (_nullable(integer(0, MAX_COUNT)), False,
                     "seconds the visit on screen has been open (null: no visit)"),
    "stuck_visit": (BOOLEAN, True,
                    "a visit has been open, untouched, longer than the idle reset allows"),
    "offline_from": (_nullable(TIME), False,
                     "when the kiosk last stopped reaching the server (null: never since start)"),
}


def schema() -> dict[str, Any]:
    """The JSON Schema of a heartbeat (for the API description)."""
    return {
        "type": "object",
        "properties": {name: {"description": help, **rule.schema}
                       for name, (rule, _, help) in FIELDS.items()},
        "required": [name for name, (_, required, _) in FIELDS.items() if required],
        "additionalProperties": False,
    }


def parse(body: bytes) -> Any:
    """The JSON value of a request body, or BatchError (400) saying what is wrong with it."""
    if not body.strip():
        raise BatchError(400, "the body is empty; send the kiosk's state as a JSON object")
    try:
        return json.loads(body.decode("utf-8"), object_pairs_hook=_object,
                          parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise BatchError(400, f"the body is not UTF-8 text (byte {exc.start})") from None
    except RecursionError:
        raise BatchError(400, "the body is not valid JSON: nested too deeply") from None
    except ValueError as exc:
        raise BatchError(400, f"the body is not valid JSON: {exc}") from None


def validate(raw: Any) -> dict[str, Any]:
    """A checked heartbeat (values normalised: times in UTC), or FieldError naming the field."""
    if not isinstance(raw, dict):
        raise FieldError(None, "the heartbeat must be a JSON object")
    duplicates = raw.duplicate_keys if isinstance(raw, JSONObject) else ()
    if duplicates:
        raise FieldError(shown_name(duplicates[0]), "given twice")
    for name in raw:
        if name not in FIELDS:
            raise FieldError(shown_name(name), f"not a heartbeat field (fields: "
                                               f"{', '.join(FIELDS)})")
    beat: dict[str, Any] = {}
    for name, (rule, required, _) in FIELDS.items():
        if name not in raw:
            if required:
                raise FieldError(name, "missing")
            continue
        try:
            beat[name] = rule.check(raw[name])
        except ValueError as exc:
            raise FieldError(name, str(exc)) from None
    if (beat.get("oldest_queued_at") is not None) and not beat["queue_length"]:
        raise FieldError("oldest_queued_at", "given, but queue_length is 0")
    return beat


def to_json(beat: dict[str, Any]) -> str:
    """The stored form of a checked heartbeat (times as RFC 3339 text)."""
    return json.dumps({k: v.isoformat() if hasattr(v, "isoformat") else v
                       for k, v in beat.items()}, ensure_ascii=False, sort_keys=True)


__all__ = ["FIELDS", "MAX_BYTES", "BatchError", "FieldError", "parse", "schema", "shown",
           "to_json", "validate"]
