"""The OpenAPI 3.1 description of the public JSON API, served at ``/api/v1/openapi.json``.

The event schemas are not written here: they are made from the validator's own data
(:func:`exhibit.visits.events.event_schemas`), and the limits come from the running app's settings,
so the description says what this server accepts today. tests/test_api_fuzz.py checks the two agree
and fuzzes the API from this document.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..version import __version__
from ..visits.events import SLUG_PATTERN, UUID_PATTERN, event_schemas
from ..visits.ingest import MAX_ECHOED_ID

JSON = "application/json"
STATUSES = ("stored", "duplicate", "rejected", "ignored")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


RATE_LIMITED = {
    "description": "Too many requests from this address (`EVENTS_RATE_LIMIT`); wait `Retry-After` "
                   "seconds and send again.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {JSON: {"schema": _ref("Error")}},
}


def _result_schemas() -> dict[str, dict[str, Any]]:
    """The per-event answers of POST /api/v1/events (exhibit/visits/ingest.py)."""
    index = {"type": "integer", "minimum": 0, "description": "position of the event in the batch"}
    event_id = {"type": "string", "pattern": UUID_PATTERN,
                "description": "the event's id, as sent"}

    def accepted(status: str, description: str, **extra: Any) -> dict[str, Any]:
        return {"type": "object", "description": description,
                "properties": {"index": index, "id": event_id, "status": {"const": status},
                               **extra},
                "required": ["index", "id", "status", *extra], "additionalProperties": False}

    return {
        "StoredResult": accepted("stored", "Stored now (committed before this answer)."),
        "DuplicateResult": accepted(
            "duplicate", "Already stored (a retry, or the same id twice in the batch): nothing "
                         "new stored, and the sender may forget it."),
        "IgnoredResult": accepted(
            "ignored", "Sent by a robot (by its user agent): not stored, not an error.",
            reason={"type": "string"}),
        "RejectedResult": {
            "type": "object",
            "description": "Refused: nothing of this event is stored; the others of the batch are "
                           "not affected. `error` names the field and says what is expected.",
            "properties": {
                "index": index,
                "id": {"type": "string", "maxLength": MAX_ECHOED_ID,
                       "description": "the id as sent, if it was a short string (even an "
                                      "invalid one); absent otherwise, then use `index`"},
                "status": {"const": "rejected"},
                "field": {"type": "string", "description": "the field at fault, if one is"},
                "error": {"type": "string", "minLength": 1,
                          "example": "field 'dwell_ms': must be a whole number from 0 to 86400000"},
            },
            "required": ["index", "status", "error"],
            "additionalProperties": False,
        },
    }


def _panels_schemas() -> dict[str, dict[str, Any]]:
    """GET /api/v1/panels (exhibit/api/blueprint.py), in the detail a kiosk relies on."""
    text = {"type": "string"}
    nullable_text = {"type": ["string", "null"]}
    return {
        "Panel": {
            "type": "object",
            "properties": {
                "slug": {"type": "string", "pattern": SLUG_PATTERN},
                "section": text, "order": {"type": "integer"}, "kind": text, "version": text,
                "title": text, "summary": text, "url": text, "thumbnail": nullable_text,
                "kiosk_html": {"type": "string", "description": "the panel as the kiosk shows it"},
                "media": {"type": "array", "items": text,
                          "description": "every media URL the panel may request (to precache)"},
                "sources": {"type": "array", "items": {
                    "type": "object", "required": ["id", "title", "url", "titles"],
                    "properties": {
                        "id": text,
                        "title": {"type": "string", "description":
                                  "the title in the request's language (or, when the source "
                                  "has none in it, in another of the exhibition's languages)"},
                        "url": nullable_text,
                        "titles": {"type": "object", "additionalProperties": text,
                                   "description": "the title by language, for a source with "
                                                  "titles per language; empty when it has one "
                                                  "title for all"}}}},
            },
            "required": ["slug", "section", "order", "kind", "version", "title", "summary", "url",
                         "thumbnail", "kiosk_html", "media", "sources"],
        },
        "Panels": {
            "type": "object",
            "properties": {
                "version": {"type": "string", "description": "fingerprint of the published content"},
                "lang": text, "languages": {"type": "array", "items": text},
                "title": text, "subtitle": nullable_text,
                "sections": {"type": "array", "items": {
                    "type": "object", "required": ["id", "title", "intro"],
                    "properties": {"id": text, "title": text, "intro": nullable_text}}},
                "panels": {"type": "array", "items": _ref("Panel")},
                "questionnaire_html": nullable_text,
            },
            "required": ["version", "lang", "languages", "title", "subtitle", "sections", "panels",
                         "questionnaire_html"],
        },
    }


def openapi_document(languages: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with the app's current limits and the exhibition's languages."""
    config = current_app.config
    max_batch = config["EVENTS_MAX_BATCH"]
    max_bytes = config["EVENTS_MAX_BYTES"]
    variants = event_schemas()
    schemas: dict[str, Any] = {
        "EventBatch": {
            "type": "object",
            "description": f"At most {max_batch} events (`EVENTS_MAX_BATCH`) and {max_bytes:,} "
                           "bytes (`EVENTS_MAX_BYTES`) in one request. Nothing but `events`.",
            "properties": {"events": {"type": "array", "maxItems": max_batch,
                                      "items": _ref("Event")}},
            "required": ["events"],
            "additionalProperties": False,
        },
        "Event": {
            "description": "One visit event: its `kind` and `surface` say which fields it has. "
                           "Kiosk events also carry `kiosk` and `session`.",
            "oneOf": [_ref(name) for name in variants],
        },
        **variants,
        **_result_schemas(),
        "EventResult": {"oneOf": [_ref(f"{s.capitalize()}Result") for s in STATUSES]},
        "BatchResult": {
            "type": "object",
            "properties": {
                "results": {"type": "array", "items": _ref("EventResult"),
                            "description": "one per event, in the order sent"},
                "counts": {"type": "object", "propertyNames": {"enum": list(STATUSES)},
                           "additionalProperties": {"type": "integer", "minimum": 1}},
            },
            "required": ["results", "counts"],
            "additionalProperties": False,
        },
        "Error": {
            "type": "object",
            "description": "The request as a whole was refused; nothing of it was stored.",
            "properties": {"error": {"type": "string", "minLength": 1},
                           "field": {"type": "string",
                                     "description": "the field at fault, if one is"}},
            "required": ["error"],
        },
        **_panels_schemas(),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "exhibit API",
            "version": __version__,
            "description": "Visit events in, published panels out. See docs/api.md.",
        },
        "paths": {
            "/api/v1/events": {"post": {
                "operationId": "postEvents",
                "summary": "Store a batch of visit events (idempotent by event id)",
                "description": (
                    "Each event is checked on its own: the good ones are stored even when others "
                    "of the batch are rejected. An event is acknowledged (`stored`, `duplicate`) "
                    "only after it is committed, so a sender may forget exactly the ids answered "
                    "`stored`, `duplicate`, `rejected` or `ignored`, and send the others again. "
                    "A `Content-Length` header is required (or a chunked body)."),
                "requestBody": {"required": True,
                                "content": {JSON: {"schema": _ref("EventBatch")}}},
                "responses": {
                    "200": _json(_ref("BatchResult"), "Every event stored, duplicate or ignored."),
                    "400": _json({"anyOf": [_ref("BatchResult"), _ref("Error")]},
                                 "Some events were rejected (the results say which, the others "
                                 "are stored), or the body is not a JSON batch (Error)."),
                    "411": _error("No Content-Length header."),
                    "413": _error(f"More than {max_bytes:,} bytes, or more than {max_batch} "
                                  "events."),
                    "415": _error("Not Content-Type: application/json."),
                    "429": RATE_LIMITED,
                },
            }},
            "/api/v1/panels": {"get": {
                "operationId": "getPanels",
                "summary": "The published panels in one language (the kiosk's manifest)",
                "parameters": [{
                    "name": "lang", "in": "query", "required": False,
                    "description": "language of the texts; default: the exhibition's first",
                    "schema": {"type": "string", "enum": list(languages)},
                }],
                "responses": {
                    "200": _json(_ref("Panels"), "The published exhibition in that language."),
                    "400": _error("Unknown `lang`."),
                },
            }},
        },
        "components": {"schemas": schemas},
    }
