"""Staff sign-in: the session, the current user, and capability checks on every staff view."""

from __future__ import annotations

import functools
import time

from flask import abort, current_app, g, redirect, request, session, url_for

from ..visits.db import get_engine
from .accounts import User, load_user


def sign_in(user: User) -> None:
    """Start a fresh session (a new cookie: no session fixation) for this user."""
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    session["user_id"] = user.id
    session["signed_in_at"] = int(time.time())


def sign_out() -> None:
    session.clear()


def current_user() -> User | None:
    """The signed-in user of this request, or None (looked up once per request)."""
    if "staff_user" not in g:
        user_id = session.get("user_id")
        user = load_user(get_engine(), user_id) if isinstance(user_id, int) else None
        lifetime = current_app.permanent_session_lifetime.total_seconds()
        if user and time.time() - session.get("signed_in_at", 0) > lifetime:
            user = None  # the cookie outlived the login: sign in again
        g.staff_user = user
    return g.staff_user


def requires(capability: str):
    """Let the view run only for a signed-in user whose role allows ``capability``."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
            if not user.can(capability):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
