"""The kiosk shell. Panels come from ``/api/v1/panels`` as ready-rendered kiosk fragments, so the
kiosk, the topic page and the API never disagree, and the kiosk can later run from a cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, current_app, g, jsonify, render_template, request
from flask_babel import force_locale, gettext

from ..api.blueprint import panel_media_urls
from ..assets import STATIC_DIR, asset_url
from ..content.identifiers import is_kiosk_id
from ..publication import public_exhibition
from .config import KioskConfig

bp = Blueprint("kiosk", __name__, template_folder="templates")
SERVICE_WORKER = STATIC_DIR / "js" / "kiosk" / "sw.js"
# The kiosk's own files, precached by the service worker (everything the shell loads).
SHELL_GLOBS = ("css/panel.css", "css/kiosk.css", "js/kiosk/*.js", "js/shared/*.js", "img/*")


def kiosk_config() -> KioskConfig:
    return current_app.extensions["exhibit.kiosks"]


def interface_strings(lang: str) -> dict[str, str]:
    """The kiosk's own words in one language (the shell switches language without a reload)."""
    with force_locale(lang):
        return {
            "home": gettext("Home"),
            "previous": gettext("Previous"),
            "next": gettext("Next"),
            "language": gettext("Language"),
            "one_panel": gettext("1 panel"),
            "n_panels": gettext("%(num)s panels", num="{n}"),
            "touch_to_start": gettext("Touch to start"),
            "still_there": gettext("Still there?"),
            "still_here": gettext("I'm still here"),
            "resetting_in": gettext("The screen starts again in %(s)s s. Touch to continue.",
                                    s="{s}"),
            "operator": gettext("Operator"),
            "op_kiosk": gettext("Kiosk"),
            "op_version": gettext("Content version"),
            "op_cache": gettext("Copy for offline use"),
            "op_update": gettext("New content ready"),
            "op_error": gettext("Last download error"),
            "op_queue": gettext("Visit records waiting to be sent"),
            "op_sync": gettext("Last sent"),
            "op_storage": gettext("Persistent storage"),
            "op_refused": gettext("REFUSED: records may be lost when the disk is full"),
            "op_granted": gettext("granted"),
            "none": gettext("none"),
            "loading": gettext("Loading…"),
            "offline": gettext("This content is not available right now."),
            "feedback": gettext("Tell us what you think"),
            "panel_of": gettext("Panel %(num)s of %(total)s", num="{n}", total="{total}"),
        }


@bp.get("/kiosk/")
def kiosk():
    ex = public_exhibition()
    kiosk_id = request.args.get("kiosk", current_app.config["KIOSK_DEFAULT_ID"])
    if not is_kiosk_id(kiosk_id):
        kiosk_id = current_app.config["KIOSK_DEFAULT_ID"]
    screen = kiosk_config().for_kiosk(kiosk_id)
    languages = list(screen.languages or ex.languages)
    g.lang = languages[0]
    settings = {
        "kioskId": kiosk_id,
        "languages": languages,
        "defaultLanguage": languages[0],
        "orientation": screen.orientation,
        "startSection": screen.start_section,
        "idleSeconds": screen.idle_seconds,
        "countdownSeconds": screen.countdown_seconds,
        "attract": screen.attract,
        "operatorPinSha256": screen.operator_pin_sha256,
        "manifestUrl": "/api/v1/panels",
        "eventsUrl": current_app.config["EVENTS_URL"],
        "eventsBatch": current_app.config["EVENTS_MAX_BATCH"],
        "serviceWorker": "/kiosk/sw.js",
        "precacheUrl": "/kiosk/precache.json",
        "strings": {lang: interface_strings(lang) for lang in languages},
    }
    return render_template("kiosk/kiosk.html", lang=languages[0], settings=settings,
                           languages=languages)


@bp.get("/kiosk/sw.js")
def service_worker():
    """The kiosk's service worker, served from /kiosk/ so that it may control the kiosk page."""
    response = current_app.response_class(SERVICE_WORKER.read_bytes(),
                                          mimetype="text/javascript")
    # Browsers check for a new worker on every load; never let a cache hide an update.
    response.headers["Cache-Control"] = "no-cache"
    return response


def precache_urls() -> tuple[str, list[str]]:
    """Everything the kiosk needs offline, and a version that changes when any of it does."""
    ex = public_exhibition()
    shell = sorted({asset_url(str(p.relative_to(STATIC_DIR))) for pattern in SHELL_GLOBS
                    for p in STATIC_DIR.glob(pattern) if p.is_file() and p != SERVICE_WORKER})
    manifests = [f"/api/v1/panels?lang={lang}" for lang in ex.languages]
    media = sorted({url for panel in ex.panels for url in panel_media_urls(panel)})
    urls = ["/kiosk/", *shell, *manifests, *media]
    version = hashlib.sha256("\n".join([ex.fingerprint, *urls]).encode()).hexdigest()[:16]
    return version, urls


@bp.get("/kiosk/precache.json")
def precache():
    """The list the service worker downloads into a new cache before switching to it."""
    version, urls = precache_urls()
    response = jsonify({"version": version, "urls": urls})
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app) -> None:
    """Read the kiosk file (refusing to start on an invalid one, like the content)."""
    from ..contentstore import get_store
    from .config import load_kiosk_config

    path = Path(app.config["KIOSK_CONFIG"]) if app.config["KIOSK_CONFIG"] else None
    app.extensions["exhibit.kiosks"] = load_kiosk_config(path, get_store(app).exhibition)
    app.register_blueprint(bp)
    from .bundle import kiosk_cli

    app.cli.add_command(kiosk_cli)
