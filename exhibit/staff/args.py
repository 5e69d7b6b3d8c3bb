"""Query-string arguments of the staff pages, checked the same way everywhere."""

from __future__ import annotations

import datetime as dt

from flask import abort, request


def date_arg(name: str) -> dt.date | None:
    """``?name=2026-11-21`` as a date, None when absent; a clear 400 when malformed."""
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"'{name}' must be a date like 2026-11-21")
