"""Published panels as JSON, with the URLs of everything a kiosk must precache."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for

from ..content import Exhibition, Panel
from ..content.identifiers import is_kiosk_id
from ..contentstore import get_store
from ..limits import limiter
from ..media_serving import media_library
from ..publication import public_exhibition
from ..surfaces import render_panel
from ..visits import heartbeat, store
from ..visits.db import get_engine
from ..visits.events import shown
from .openapi import openapi_document

bp = Blueprint("api", __name__)


def panel_media_urls(panel: Panel) -> list[str]:
    """Every media URL a surface may request for this panel (all image widths and formats)."""
    library = media_library()
    urls: list[str] = []
    for image in panel.images:
        picture = library.picture(image)
        urls += [c.url for c in picture.webp + picture.jpeg]
    if panel.video:
        urls.append(library.url(panel.video.media))
        if panel.video.poster:
            urls.append(library.url(panel.video.poster))
        urls += [library.url(track) for track in panel.video.captions.values()]
    urls += [library.url(panel.narration[lang]) for lang in sorted(panel.narration)]
    return urls


def thumbnail_url(panel: Panel) -> str | None:
    """A small picture for tiles and cards: the first image, or the video's poster."""
    library = media_library()
    if panel.images:
        return library.picture(panel.images[0]).webp[0].url
    if panel.video and panel.video.poster:
        return library.url(panel.video.poster)
    return None


def panel_json(panel: Panel, ex: Exhibition, lang: str) -> dict:
    return {
        "slug": panel.slug,
        "section": panel.section,
        "order": panel.order,
        "kind": panel.kind,
        "version": panel.version,
        "title": panel.title[lang],
        "summary": panel.summary[lang],
        "url": url_for("web.panel", lang=lang, slug=panel.slug),
        "thumbnail": thumbnail_url(panel),
        "kiosk_html": str(render_panel(panel, lang, "kiosk")),
        "media": panel_media_urls(panel),
        # The recorded narration in this language (the kiosk's access mode plays it), or null.
        "narration": (media_library().url(panel.narration[lang])
                      if lang in panel.narration else None),
        "sources": [{"id": s.id, "title": s.title_in(lang), "url": s.url,
                     "titles": dict(s.titles) if s.titles else {}}
                    for s in panel.sources],
    }


@bp.get("/api/v1/panels")
def panels():
    """The published panels in one language (``?lang=``, default: the exhibition's first)."""
    ex = public_exhibition()
    lang = request.args.get("lang", ex.default_language)
    if lang not in ex.languages:
        return jsonify({"error": f"field 'lang': unknown language {shown(lang)}; use one of: "
                                 f"{', '.join(ex.languages)}", "field": "lang"}), 400
    g.lang = lang
    return jsonify({
        "version": ex.fingerprint,
        "lang": lang,
        "languages": list(ex.languages),
        "title": ex.title[lang],
        "subtitle": ex.subtitle[lang],
        "sections": [
            {"id": s.id, "title": s.title[lang], "intro": s.intro[lang] if s.intro else None}
            for s in ex.sections
        ],
        "panels": [panel_json(p, ex, lang) for p in ex.panels],
        "questionnaire_html": render_template(
            "feedback/_kiosk_questionnaire.html", questionnaire=ex.questionnaire,
            lang=lang).strip() if ex.questionnaire else None,
    })


@bp.get("/api/v1/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of the API (docs/api.md says it in prose)."""
    return jsonify(openapi_document(public_exhibition().languages))


@bp.get("/healthz")
def healthz():
    """Liveness for the kiosk watchdog and load balancers; says if the last reload failed, and
    which version the public sees (``public_version``: the same on every server once they agree)
    beside the version of the files (``content_version``: drafts included)."""
    store = get_store()
    ex = store.current()
    return jsonify({"status": "ok", "content_version": ex.fingerprint,
                    "public_version": public_exhibition().fingerprint,
                    "content_reload_error": store.last_error is not None})


def _heartbeat_limit() -> str:
    return current_app.config["HEARTBEAT_RATE_LIMIT"]


def _refuse(status: int, message: str, field: str | None = None):
    body = {"error": message}
    if field:
        body["field"] = field
    return jsonify(body), status


@bp.post("/api/v1/kiosks/<kiosk_id>/heartbeat")
@limiter.limit(_heartbeat_limit)
def kiosk_heartbeat(kiosk_id: str):
    """A kiosk's state for the fleet console (exhibit.visits.heartbeat says the fields). Stored
    as the kiosk's latest state and in a short history, never in the visit log. 200 with
    ``{"latest": true}`` (false when a newer state was already stored); 400 naming the wrong
    field; 413 past HEARTBEAT's few kilobytes. Cross-origin like /api/v1/events (the origins of
    EVENTS_ALLOWED_ORIGINS), with no cookies."""
    if not is_kiosk_id(kiosk_id):
        return _refuse(400, f"kiosk id {shown(kiosk_id)}: use 1 to 64 letters, digits, '-' "
                            f"and '_'", "kiosk")
    if request.content_length is None:
        return _refuse(411, "a Content-Length header is required")
    if request.content_length > heartbeat.MAX_BYTES:
        return _refuse(413, f"the body is larger than {heartbeat.MAX_BYTES} bytes: a heartbeat "
                            f"is a few hundred")
    if not request.is_json:
        return _refuse(415, "send JSON with Content-Type: application/json")
    try:
        beat = heartbeat.validate(heartbeat.parse(request.get_data(cache=False)))
    except heartbeat.BatchError as exc:
        return _refuse(exc.status, str(exc), exc.field)
    except heartbeat.FieldError as exc:
        return _refuse(400, str(exc), exc.field)
    latest = store.record_heartbeat(get_engine(), kiosk_id, beat["measured_at"],
                                    beat["queue_length"], heartbeat.to_json(beat),
                                    request.remote_addr or "")
    response = jsonify({"kiosk": kiosk_id, "latest": latest})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.record_once
def _no_csrf_token(state) -> None:
    # A JSON API for kiosks, with no cookies: nothing to forge (like /api/v1/events); the staff
    # area's CSRF protection leaves it alone.
    state.app.extensions.setdefault("exhibit.csrf_exempt", []).append(kiosk_heartbeat)
