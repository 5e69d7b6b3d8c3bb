"""Routes of the online topic page. Language comes from the URL; content from the public
exhibition (the published version of each panel: :func:`exhibit.review.public_exhibition`)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    url_for,
)

from ..content.identifiers import is_slug
from ..i18n import browser_language
from ..publication import public_exhibition
from .pagecache import PageCache, cached_page, install_fast_path

bp = Blueprint("web", __name__, template_folder="templates")


@bp.record_once
def _set_up_page_cache(state) -> None:
    state.app.extensions.setdefault("exhibit.page_cache", PageCache())
    install_fast_path(state.app)


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
