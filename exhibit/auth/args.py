"""What every staff page does with the request: its language, its dates, no caching."""

from __future__ import annotations

import datetime as dt

from flask import abort, g, request
from flask_babel import gettext

STAFF_LANGUAGES = ("zh", "en", "fr")


def set_staff_language() -> None:
    """``?lang=`` when it is a staff language, else the browser's choice, else English."""
    lang = request.args.get("lang")
    g.lang = lang if lang in STAFF_LANGUAGES else (
        request.accept_languages.best_match(STAFF_LANGUAGES) or "en")


def no_store(response):
    """Staff pages hold the visit record and drafts: never kept by shared caches or the back
    button."""
    response.headers["Cache-Control"] = "no-store"
    return response


def date_arg(name: str) -> dt.date | None:
    """``?name=2026-11-21`` as a date, None when absent; a clear 400 when malformed."""
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        abort(400, description=gettext("'%(name)s' must be a date like 2026-11-21.", name=name))
