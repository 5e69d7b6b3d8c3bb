"""``POST /api/v1/events``: batches of visit events from the kiosk and the topic page."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..limits import limiter
from .db import get_engine
from .ingest import BatchError, Client, ingest, parse_batch

bp = Blueprint("visits", __name__)


def _events_limit() -> str:
    return current_app.config["EVENTS_RATE_LIMIT"]


def _error(status: int, message: str, field: str | None = None):
    body = {"error": message}
    if field:
        body["field"] = field
    return jsonify(body), status


@bp.post("/api/v1/events")
@limiter.limit(_events_limit)
def post_events():
    """Store a batch; answer per event: stored, duplicate (already stored), rejected or ignored.

    200 when every event was stored (or was a duplicate, or ignored); 400 when any was rejected —
    the good events of the batch are stored all the same, and the results say which is which.
    An event is acknowledged only after it is committed. A body that is unusable as a whole
    (not JSON, too large, too many events) is answered 4xx with {"error": ...} and nothing stored.
    """
    max_bytes = current_app.config["EVENTS_MAX_BYTES"]
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if request.content_length is None and not chunked:
        return _error(411, "a Content-Length header is required")
    if request.content_length and request.content_length > max_bytes:
        return _error(413, f"the body is larger than {max_bytes} bytes; send smaller batches")
    if not request.is_json:
        return _error(415, "send JSON with Content-Type: application/json")
    # A chunked body has no Content-Length to check first: reading stops one byte past the limit
    # (Werkzeug stops quietly at it) instead of holding whatever the client sends in memory.
    request.max_content_length = max_bytes + 1
    body = request.get_data(cache=False)
    if len(body) > max_bytes:
        return _error(413, f"the body is larger than {max_bytes} bytes; send smaller batches")
    try:
        raw_events = parse_batch(body, current_app.config["EVENTS_MAX_BATCH"])
    except BatchError as exc:
        return _error(exc.status, str(exc), exc.field)
    client = Client(ip=request.remote_addr or "", user_agent=request.user_agent.string or "",
                    site=request.host.split(":")[0])
    result = ingest(get_engine(), raw_events, client, current_app.extensions["exhibit.salts"])
    status = 400 if result.rejected else 200
    return jsonify({"results": result.results, "counts": result.counts()}), status
