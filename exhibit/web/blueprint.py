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

from ..i18n import browser_language
from ..publication import public_exhibition
from .pagecache import PageCache, cached_page, install_fast_path
from .share import SHARE_PREFIX, serve, share_image

bp = Blueprint("web", __name__, template_folder="templates")


@bp.record_once
def _set_up_page_cache(state) -> None:
    state.app.extensions.setdefault("exhibit.page_cache", PageCache())
    install_fast_path(state.app)
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


@bp.get("/<lang>/feedback/")
@cached_page
def feedback():
    """The visitors' questionnaire online (answers are sent as visit events)."""
    if public_exhibition().questionnaire is None:
        abort(404)
    return render_template("web/feedback.html", lang=g.lang)


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
