"""Rate limits (Flask-Limiter). Storage is memory in one process; with several workers set
``RATELIMIT_STORAGE_URI`` (e.g. ``redis://localhost:6379``) so they share the counts."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def login_account_key() -> str:
    """The account being tried: throttling per account stops a slow guess from many addresses."""
    return "account:" + (request.form.get("name") or "").strip().lower()[:80]


def init_app(app: Flask) -> None:
    """Reads RATELIMIT_STORAGE_URI and RATELIMIT_ENABLED from the settings."""
    limiter.init_app(app)
