"""Routes of the online topic page. Language comes from the URL; content from the public
exhibition (the published version of each panel: :func:`exhibit.review.public_exhibition`)."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from ..content.identifiers import is_slug
from ..i18n import browser_language
from ..limits import limiter
from ..publication import public_exhibition
from ..visits.db import get_engine
from ..visits.ingest import Client, ingest
from .pagecache import PageCache, cached_page, install_fast_path
from .share import SHARE_PREFIX, serve, share_image

bp = Blueprint("web", __name__, template_folder="templates")


@bp.record_once
def _set_up_page_cache(state) -> None:
    state.app.extensions.setdefault("exhibit.page_cache", PageCache())
    install_fast_path(state.app)
    # The questionnaire's form comes from a visitor, who has no cookie and no session to hold a
    # CSRF token: nothing of theirs can be forged. What is checked instead is that the form was
    # sent from this site's own page (_from_this_site), as for the kiosk's PIN.
    state.app.extensions.setdefault("exhibit.csrf_exempt", []).append(feedback_answers)
    state.app.add_template_global(share_image)


@bp.url_value_preprocessor
def _pull_language(endpoint, values) -> None:
    if values and "lang" in values:
        lang = values.pop("lang")
        if lang not in public_exhibition().languages:
            abort(404)
        g.lang = lang


@bp.url_defaults
def _keep_language(endpoint, values) -> None:
    if "lang" not in values and g.get("lang") and \
            current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.lang


@bp.get("/")
def root():
    """Send the visitor to the topic page in the language their browser prefers."""
    lang = browser_language(public_exhibition())
    response = redirect(url_for("web.topic", lang=lang), code=302)
    response.headers["Vary"] = "Accept-Language"
    return response


@bp.get("/<lang>/")
@cached_page
def topic():
    return render_template("web/topic.html", lang=g.lang)


@bp.get("/<lang>/panels/<slug>/")
@cached_page
def panel(slug: str):
    ex = public_exhibition()
    item = ex.panel(slug)
    if item is None:
        abort(404)
    before, after = ex.neighbours(slug)
    return render_template("web/panel.html", lang=g.lang, panel=item, before=before, after=after,
                           section=ex.section(item.section))


# -- A kiosk visit taken home ----------------------------------------------------------------
# The kiosk's "Take this visit home" QR code leads here: /<lang>/visit/<slug>.<slug>.../ lists the
# panels one visitor looked at, in the order they saw them. The list travels in the address, and
# nowhere else: no account, no cookie, no server-side record of who saw what (the arrival itself
# is counted like any page view, src=kiosk-qr). It is not signed: the page shows only public
# panels, each already at its own public address, and leaves out what it does not know, so a
# forged or edited list can show nothing that is not public anyway, and a signature would only
# make the code denser for a phone to read. Slugs rather than numbers: a link opened weeks later,
# after panels were added or reordered, still names the same panels.
VISIT_SEPARATOR = "."
MAX_VISIT_PANELS = 40  # more than the exhibition has; a longer list is cut, never an error
MAX_VISIT_CHARS = 2000  # of the list as written in the address


def visit_panels(ex, written: str) -> list:
    """The published panels a take-home list names, in its order, each once; unknown,
    unpublished or malformed names are left out, and the list is bounded."""
    seen, panels = set(), []
    for slug in written[:MAX_VISIT_CHARS].split(VISIT_SEPARATOR)[:MAX_VISIT_PANELS]:
        if slug in seen:
            continue
        seen.add(slug)
        panel = ex.panel(slug) if is_slug(slug) else None
        if panel is not None:
            panels.append(panel)
    return panels


@bp.get("/<lang>/visit/<slugs>/")
def visit(slugs: str):
    """The panels a visitor saw at a kiosk, on their own phone (noindex: one visit's list)."""
    ex = public_exhibition()
    response = make_response(render_template("web/visit.html", lang=g.lang,
                                              panels=visit_panels(ex, slugs)))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/<lang>/feedback/")
@cached_page
def feedback():
    """The visitors' questionnaire online (answers are sent as visit events)."""
    if public_exhibition().questionnaire is None:
        abort(404)
    return render_template("web/feedback.html", lang=g.lang)


@bp.get("/<lang>/privacy/")
@cached_page
def privacy():
    """The privacy notice: exactly what the visit log keeps (made from its own field list)."""
    from .privacy import stored_fields

    return render_template("web/privacy.html", lang=g.lang, fields=stored_fields())


def _events_limit() -> str:
    return current_app.config["EVENTS_RATE_LIMIT"]


def _from_this_site() -> bool:
    """True if the browser says the form was sent by a page of this site: Fetch Metadata
    (``Sec-Fetch-Site: same-origin``) or, from a browser without it, the ``Origin`` header. A form
    on another site, in a sandboxed frame (``Origin: null``) or in a draft preview is refused."""
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None and site != "same-origin":
        return False
    return origin is None or urlsplit(origin).netloc == request.host


@bp.post("/<lang>/feedback/")
@limiter.limit(_events_limit)
def feedback_answers():
    """The questionnaire posted without script: each answer becomes a feedback_answer event,
    checked and stored by the same code as ``POST /api/v1/events`` (exhibit.visits.ingest), then
    the visitor is sent (303) to the thank-you page, so a reload posts nothing again."""
    q = public_exhibition().questionnaire
    if q is None:
        abort(404)
    if not _from_this_site():
        abort(403)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    raw_events = []
    for question in q.questions:
        chosen = request.form.get(question.id)
        if chosen is None:
            continue  # a question left open
        if chosen not in {choice.id for choice in question.choices}:
            abort(400)
        raw_events.append({"id": str(uuid.uuid4()), "kind": "feedback_answer", "surface": "web",
                           "at": now, "question": question.id, "lang": g.lang,
                           "answer": int(chosen) if chosen.isdigit() else chosen})
    if not raw_events:
        html = render_template("web/feedback.html", lang=g.lang,
                               error=gettext("Choose at least one answer, then send."))
        return html, 400
    client = Client(ip=request.remote_addr or "", user_agent=request.user_agent.string or "",
                    site=request.host.split(":")[0])
    result = ingest(get_engine(), raw_events, client, current_app.extensions["exhibit.salts"])
    if result.rejected:  # the questionnaire's own ids always pass: a bug, not the visitor's fault
        current_app.logger.error("questionnaire answers refused: %s", result.results)
        abort(500)
    return redirect(url_for("web.feedback_thanks"), code=303)


@bp.get("/<lang>/feedback/thanks/")
@cached_page
def feedback_thanks():
    """Where the questionnaire's form leads: thanks, in the visitor's language, and the way back."""
    if public_exhibition().questionnaire is None:
        abort(404)
    return render_template("web/feedback_thanks.html", lang=g.lang)


@bp.get(f"{SHARE_PREFIX}<name>")
def share_card(name: str):
    """A page's share image (Open Graph, Twitter card): see :mod:`exhibit.web.share`."""
    return serve(name)


@bp.get("/sitemap.xml")
@cached_page
def sitemap():
    """Every page in every language, with its language alternates (for search engines)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    body = render_template("web/sitemap.xml", base=base)
    response = make_response(body)
    response.mimetype = "application/xml"
    return response


@bp.get("/robots.txt")
@cached_page
def robots():
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    body = f"User-agent: *\nDisallow: /staff/\nDisallow: /kiosk/\nSitemap: {base}/sitemap.xml\n"
    return current_app.response_class(body, mimetype="text/plain")
