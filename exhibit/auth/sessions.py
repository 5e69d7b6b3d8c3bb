"""Staff sign-in: the session, the current user, and capability checks on every staff view.

The session is Flask's signed cookie. So that signing out really ends it (a copied cookie must stop
working too), the cookie carries the account's *session epoch*, which the server moves on at
sign-out and when the password is set: a cookie with an older epoch is refused. A session also
ends after ``PERMANENT_SESSION_LIFETIME`` seconds from sign-in, and after ``SESSION_IDLE_TIMEOUT``
seconds without a request.
"""

from __future__ import annotations

import functools
import time
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for

from ..visits import store
from ..visits.db import get_engine
from .accounts import User, load_user


def audit_entry(action: str, target: str | None = None, detail: str | None = None, *,
                actor: str | None = None) -> store.AuditEntry:
    """A line of the audit trail for this request: by the signed-in user (or ``actor``), from
    the client's address."""
    if actor is None:
        user = current_user()
        actor = user.name if user else "-"
    return store.AuditEntry(printable(actor), action, target=target, detail=detail,
                            address=request.remote_addr)


def printable(text: str) -> str:
    """``text`` with every control, format or line-separator character shown as U+FFFD, for the
    audit trail: what someone typed must not rewrite a terminal or a CSV line when it is read."""
    return "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in text)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path inside the staff area to go back to after signing in, else None.

    Only a plain path: no scheme or host (no open redirect), no backslash (browsers read it as
    a slash: ``/staff/\\evil`` is not a path), no dot segment, and only printable ASCII (a CR/LF
    would split the Location header, and a header is Latin-1 at most; the staff area's own
    paths are ASCII)."""
    if not target or not target.startswith("/staff/") or len(target) > 2000:
        return None
    if "\\" in target or not all(" " < ch < "\x7f" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(unquote(seg) in (".", "..")
                                           for seg in parts.path.split("/")):
        return None
    return target


def sign_in(user: User) -> None:
    """Start a fresh session (a new cookie: no session fixation) for this user."""
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    now = int(time.time())
    session["user_id"] = user.id
    session["epoch"] = user.session_epoch
    session["signed_in_at"] = now
    session["seen_at"] = now
    g.staff_user = user
    store.record_audit(get_engine(), audit_entry("sign_in"))


def sign_out() -> None:
    """End the session here and everywhere its cookie may have been copied: the account's
    session epoch moves on (which also ends the account's sessions on other devices)."""
    user = current_user()
    if user is not None:
        store.end_sessions(get_engine(), user.id, audit=audit_entry("sign_out"))
    session.clear()
    g.staff_user = None


def _session_is_valid(user: User) -> bool:
    now = time.time()
    config = current_app.config
    if session.get("epoch") != user.session_epoch:
        return False  # signed out, or the password was set, since this cookie was made
    if now - session.get("signed_in_at", 0) > current_app.permanent_session_lifetime.total_seconds():
        return False  # the cookie outlived the login: sign in again
    idle = config["SESSION_IDLE_TIMEOUT"]
    return not (idle and now - session.get("seen_at", 0) > idle)


def current_user() -> User | None:
    """The signed-in user of this request, or None (looked up once per request)."""
    if "staff_user" not in g:
        user_id = session.get("user_id")
        user = load_user(get_engine(), user_id) if isinstance(user_id, int) else None
        if user is not None and not _session_is_valid(user):
            user = None
        if user is None:
            if "user_id" in session:
                session.clear()  # a dead session: drop the cookie
        else:
            session["seen_at"] = int(time.time())
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
                store.record_audit(get_engine(), audit_entry(
                    "access_refused", target=request.path[:200], detail=f"needs {capability}"))
                abort(403)
            return view(*args, **kwargs)
        # Marks a view as signed-in only: the body-limit page sends a signed-out sender to sign
        # in, and the tests check that every staff route asks for a capability.
        wrapped.required_capability = capability
        return wrapped
    return decorator
