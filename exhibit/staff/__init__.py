"""The staff area (``/staff/``): accounts, the dashboard, exports, channel figures, photos.

Every privileged action leaves a line in the audit trail (``audit_events``, append-only; read by
:mod:`exhibit.review.audit`): account changes (``exhibit users``), sign-in, failed sign-in and
sign-out, every download of the record (:data:`.blueprint.DOWNLOADS`, also those of the review
screens), photo uploads and deletions, and channel figures entered.
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    from ..auth.sessions import current_user
    from . import fleet, report_texts  # noqa: F401  (their routes join the staff blueprint)
    from .blueprint import audit_downloads, bp
    from .commands import users_cli

    # The session cookie only matters to staff; visitors never get one. __Host- pins it to this
    # host and path over HTTPS (browsers refuse it otherwise), so it is only used when Secure.
    app.config["SESSION_COOKIE_NAME"] = ("__Host-exhibit-session" if
                                         app.config["SESSION_COOKIE_SECURE"] else "exhibit-session")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    csrf.init_app(app)
    from ..visits.blueprint import bp as events_bp

    csrf.exempt(events_bp)  # a public JSON API with no cookies: nothing to forge
    for view in app.extensions.get("exhibit.csrf_exempt", ()):  # views that check it themselves
        csrf.exempt(view)
    app.register_blueprint(bp)
    # The photo upload's body limit (exhibit.limits, a lower layer) asks the staff area who may
    # send a photo-sized body: only someone signed in with the right to add photos.
    app.extensions["exhibit.may_upload"] = lambda: (
        (user := current_user()) is not None and user.can("photos"))
    # On the app, not the blueprint: the review screens' downloads are audited the same way.
    app.after_request(audit_downloads)
    app.cli.add_command(users_cli)
