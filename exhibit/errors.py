"""Error answers, one handler for the whole app: JSON under ``/api/``, the staff area's page under
``/staff/``, and the public page (in the visitor's language, with a way back) everywhere else.

Every HTTP error goes through here — 400 (a CSRF failure too), 403, 404, 405, 413, 429 and 500 —
so a visitor never sees Werkzeug's English page (unless rendering the error page itself fails),
and every error page is an ordinary page of its surface: the same stylesheets, security headers
and accessibility as the rest. A staff view that says what was wrong (``abort(400,
description=...)``) has its words shown.
"""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .i18n import browser_language


def _public_message(code: int) -> str:
    # gettext at call time: the visitor's language is only known per request.
    return {
        400: gettext("The address or the form could not be understood."),
        403: gettext("This page is not open to you."),
        404: gettext("This page does not exist."),
        405: gettext("This page cannot be used that way."),
        413: gettext("What was sent is too large."),
        429: gettext("Too many requests. Please wait a moment and try again."),
        500: gettext("Something went wrong on our side. Please try again later."),
    }.get(code, gettext("The request could not be completed."))


def _staff_message(error: HTTPException) -> tuple[str, str]:
    if isinstance(error, CSRFError):
        return gettext("The form has expired"), gettext(
            "The form was open too long or came from another page. Nothing was saved: go back, "
            "reload the page and try again.")
    if error.code == 403:
        return gettext("Not allowed"), gettext(
            "Your role does not allow this. An administrator can change your role.")
    code = error.code or 500
    if error.description != type(error).description:  # the view said what was wrong: show it
        return str(code), str(error.description)
    return str(code), _public_message(code)


def api_error(error: HTTPException):
    """The API's errors in JSON, like its own answers (a 405, a 429 from the rate limit)."""
    # A 404 says only that: Werkzeug's description talks of URLs typed by hand.
    message = "not found" if error.code == 404 else f"{error.name}: {error.description}"
    response = jsonify({"error": message})
    response.status_code = error.code or 500
    _keep_error_headers(error, response)
    return response


def staff_error(error: HTTPException, title: str, message: str):
    """The staff area's error page: what went wrong and a way back, in the staff language."""
    from .auth.args import set_staff_language

    if "lang" not in g:  # refused before the staff hooks ran (a CSRF check, a body limit)
        set_staff_language()
    response = current_app.make_response((
        render_template("staff/error.html", lang=g.lang, code=error.code, title=title,
                        message=message), error.code or 500))
    _keep_error_headers(error, response)
    return response


def public_error(error: HTTPException):
    """A page in the visitor's language (from the URL, else the browser) that leads back."""
    from .publication import public_exhibition

    code = error.code or 500
    exhibition = public_exhibition()
    first = request.path.strip("/").split("/", 1)[0]
    lang = first if first in exhibition.languages else browser_language(exhibition)
    g.lang = lang
    response = current_app.make_response((
        render_template("web/error.html", lang=lang, code=code, message=_public_message(code)),
        code))
    _keep_error_headers(error, response)
    return response


def _keep_error_headers(error: HTTPException, response) -> None:
    # Allow (405), Retry-After (429)...; the page sets its own Content-Type.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value


def handle_http_error(error: HTTPException):
    """Every HTTP error of the app, answered in the surface its path belongs to."""
    if request.path.startswith("/api/"):
        return api_error(error)
    try:
        if request.path.startswith("/staff/"):
            return staff_error(error, *_staff_message(error))
        return public_error(error)
    except Exception:  # noqa: BLE001 — the error page itself failed: Werkzeug's plain page
        current_app.logger.exception("the error page for %s could not be rendered", error.code)
        return error if error.code != 500 else InternalServerError()


def init_app(app: Flask) -> None:
    """One handler for every HTTP error (unhandled exceptions arrive as a 500)."""
    app.register_error_handler(HTTPException, handle_http_error)
