"""Abuse limits: request rates (Flask-Limiter) and request body sizes.

Rates: storage is memory in one process; with several workers set ``RATELIMIT_STORAGE_URI``
(e.g. ``redis://localhost:6379``) so they share the counts. Sign-in is limited per address and
per account name (``LOGIN_RATE_LIMIT``), answering 429 with ``Retry-After``.

Bodies: every request that may carry one is limited before anything reads it — a photo upload by
someone allowed to add photos to ``MAX_UPLOAD_BYTES`` (plus room for its caption), any other form
or file to ``MAX_FORM_BYTES``;
Flask's ``MAX_FORM_MEMORY_SIZE`` and ``MAX_FORM_PARTS`` bound the text fields and their number.
Werkzeug answers 413 past a limit (the staff area shows a page saying what the limits are).
The events API checks its own limit (``EVENTS_MAX_BYTES``) and answers in JSON.
"""

from __future__ import annotations

import unicodedata

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

# Endpoints whose body may hold a photo; the caption and the form's framing fit in the margin.
UPLOAD_ENDPOINTS = frozenset({"staff.photo_records"})
UPLOAD_MARGIN = 64 * 1024
# Endpoints that read and limit their own bodies.
OWN_LIMIT_ENDPOINTS = frozenset({"visits.post_events", "api.kiosk_heartbeat"})


def login_account_key() -> str:
    """The account being tried: throttling per account stops a slow guess from many addresses."""
    # Folded as the sign-in folds it (exhibit.auth.accounts.name_key; not imported: that is a
    # higher layer): "ADA" or a full-width "ＡＤＡ" signs in as "ada", so it counts as "ada" too.
    name = unicodedata.normalize("NFKC", request.form.get("name") or "").strip()
    return "account:" + unicodedata.normalize("NFKC", name.casefold())[:80]


def _may_upload() -> bool:
    # Only someone signed in with the right to add photos may make the server read a photo-sized
    # body; anyone else gets the small form limit (and then the sign-in page or a 403). Who that
    # is, the staff area says (app.extensions["exhibit.may_upload"], set by its init_app): the
    # limits sit below the accounts, which live beside the visit log that uses these limits.
    may_upload = current_app.extensions.get("exhibit.may_upload")
    return may_upload is not None and may_upload()


def limit_request_body() -> None:
    """Set this request's body limit from its endpoint (before the CSRF check reads the form)."""
    if request.endpoint in OWN_LIMIT_ENDPOINTS:
        return
    config = current_app.config
    if request.endpoint in UPLOAD_ENDPOINTS and _may_upload():
        request.max_content_length = config["MAX_UPLOAD_BYTES"] + UPLOAD_MARGIN
    else:
        request.max_content_length = config["MAX_FORM_BYTES"]


def init_app(app: Flask) -> None:
    """Reads RATELIMIT_STORAGE_URI and RATELIMIT_ENABLED from the settings; limits bodies."""
    # Before Flask-Limiter's hook and the CSRF check (registered later by the staff area): the
    # sign-in limit's key (the account name) and the CSRF token are read from the form, which
    # must be read within the limit.
    app.before_request(limit_request_body)
    limiter.init_app(app)
