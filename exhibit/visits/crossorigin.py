"""Visit events from another origin: a frozen copy of the site on a CDN posts to this server.

Only the origins named in ``EVENTS_ALLOWED_ORIGINS`` get CORS headers, and only on the events
endpoint and the kiosks' heartbeats; no credentials are ever allowed (neither reads cookies).
Everything else stays same-origin.
"""

from __future__ import annotations

import re

from flask import Flask, Response, current_app, request

EVENTS_PATH = "/api/v1/events"
# Kiosk heartbeats (the fleet console) go where the events go, with the same care.
HEARTBEAT_PATH = re.compile(r"/api/v1/kiosks/[^/]+/heartbeat")


def allowed_origins() -> frozenset[str]:
    value = current_app.config["EVENTS_ALLOWED_ORIGINS"]
    items = value.split() if isinstance(value, str) else value
    return frozenset(origin.rstrip("/") for origin in items)


def _add_cors_headers(response: Response) -> Response:
    if request.path != EVENTS_PATH and not HEARTBEAT_PATH.fullmatch(request.path):
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin or origin not in allowed_origins():
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":  # the preflight of a JSON POST
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_cors_headers)
