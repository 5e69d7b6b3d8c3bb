"""``POST /api/v1/events``: batches of visit events from the kiosk and the topic page."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..limits import limiter
from .db import get_engine
from .ingest import Client, ingest

bp = Blueprint("visits", __name__)


def _events_limit() -> str:
    return current_app.config["EVENTS_RATE_LIMIT"]


def _error(status: int, message: str):
    return jsonify({"error": message}), status


@bp.post("/api/v1/events")
@limiter.limit(_events_limit)
def post_events():
    """Store a batch; answer per event: stored, duplicate (already stored), rejected or ignored.

    200 when every event was stored (or was a duplicate, or ignored); 400 when any was rejected —
    the good events of the batch are stored all the same, and the results say which is which.
    An event is acknowledged only after it is committed.
    """
    max_bytes = current_app.config["EVENTS_MAX_BYTES"]
    if request.content_length is None and request.headers.get("Transfer-Encoding") != "chunked":
        return _error(411, "a Content-Length header is required")
    if request.content_length and request.content_length > max_bytes:
        return _error(413, f"the body is larger than {max_bytes} bytes; send smaller batches")
    if not request.is_json:
        return _error(415, "send JSON with Content-Type: application/json")
    body = request.get_data(cache=False)
    if len(body) > max_bytes:
        return _error(413, f"the body is larger than {max_bytes} bytes; send smaller batches")
    try:
        payload = current_app.json.loads(body)
    except ValueError as exc:
        return _error(400, f"the body is not valid JSON: {exc}")
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        return _error(400, "field 'events': the body must be an object with a list 'events'")
    max_events = current_app.config["EVENTS_MAX_BATCH"]
    if len(payload["events"]) > max_events:
        return _error(413, f"field 'events': at most {max_events} events per batch")
    unknown = set(payload) - {"events"}
    if unknown:
        return _error(400, f"field '{sorted(unknown)[0]}': not allowed at the top level")
    client = Client(ip=request.remote_addr or "", user_agent=request.user_agent.string or "",
                    site=request.host.split(":")[0])
    result = ingest(get_engine(), payload["events"], client,
                    current_app.extensions["exhibit.salts"])
    status = 400 if result.rejected else 200
    return jsonify({"results": result.results, "counts": result.counts()}), status
