"""The kiosk shell. Panels come from ``/api/v1/panels`` as ready-rendered kiosk fragments, so the
kiosk, the topic page and the API never disagree, and the kiosk can later run from a cache."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request
from flask_babel import force_locale, gettext
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..api.blueprint import panel_media_urls
from ..assets import STATIC_DIR, asset_url
from ..content.identifiers import is_kiosk_id
from ..limits import limiter
from ..publication import public_exhibition
from ..visits.db import get_engine
from ..visits.schema import events
from .config import KioskConfig

bp = Blueprint("kiosk", __name__, template_folder="templates")
SERVICE_WORKER = STATIC_DIR / "js" / "kiosk" / "sw.js"
# The kiosk's own files, precached by the service worker (everything the shell loads).
SHELL_GLOBS = ("css/panel.css", "css/kiosk.css", "css/access.css", "js/kiosk/*.js", "js/shared/*.js", "img/*")


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
            "pin_wrong": gettext("Wrong PIN."),
            "pin_locked": gettext("Too many wrong PINs: try again in %(min)s min.", min="{m}"),
            "pin_offline": gettext("The server does not answer: the PIN is checked there."),
            "op_server": gettext("Records received by the server (24 h)"),
            "op_server_last": gettext("Last record received by the server"),
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
            "video_play": gettext("Play"),
            "video_pause": gettext("Pause"),
            "video_restart": gettext("Start again"),
            "video_captions": gettext("Captions"),
            "panel_of": gettext("Panel %(num)s of %(total)s", num="{n}", total="{total}"),
            # Access mode (access.js, narration.js) and the attract loop's Pause (attract.js).
            "access": gettext("Access mode"),
            "narration": gettext("Narration"),
            "narration_play": gettext("Listen"),
            "narration_pause": gettext("Pause"),
            "narration_replay": gettext("Listen again"),
            "narration_recorded": gettext("Recorded narration"),
            "narration_synthetic": gettext("Read aloud by this screen's synthetic voice"),
            "narration_no_voice": gettext("There is no recorded narration of this panel in "
                                          "this language, and this screen has no voice to read "
                                          "it aloud."),
            "attract_pause": gettext("Pause"),
            "attract_resume": gettext("Resume"),
            "take_home": gettext("Take this visit home"),
            "takehome_title": gettext("Scan with your phone"),
            "takehome_how": gettext("Point your phone's camera at the code: it opens the panels "
                                    "you looked at, in this language."),
            "takehome_private": gettext("No sign-in: the code holds only the list of panels."),
            "takehome_none": gettext("No panel opened yet: the code opens the whole exhibition."),
            "close": gettext("Close"),
            "offline_indicator": gettext("Offline: the server does not answer. This kiosk keeps "
                                         "its visit records and sends them when it is back."),
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
        # Whether this screen has an operator screen; the PIN itself is checked by the server
        # (POST /kiosk/operator/session), never sent to the page, not even as a hash.
        "operator": screen.operator_pin_sha256 is not None,
        "operatorSessionUrl": "/kiosk/operator/session",
        "operatorStatusUrl": "/kiosk/operator/status",
        "manifestUrl": "/api/v1/panels",
        # The address the "Take this visit home" QR code leads to (takehome.js).
        "publicBaseUrl": current_app.config["PUBLIC_BASE_URL"],
        "eventsUrl": current_app.config["EVENTS_URL"],
        "eventsBatch": current_app.config["EVENTS_MAX_BATCH"],
        # The fleet console's heartbeat goes to the server that keeps the visit log.
        "heartbeatUrl": urljoin(current_app.config["EVENTS_URL"],
                                f"/api/v1/kiosks/{kiosk_id}/heartbeat"),
        "heartbeatSeconds": current_app.config["KIOSK_HEARTBEAT_SECONDS"],
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


# -- The operator's PIN, checked here -------------------------------------------------------
# Five wrong PINs from one address, or for one kiosk's PIN from anywhere, and the PIN pad is
# refused (429, Retry-After) until the window has passed: a 4-digit PIN is 10,000 guesses, so
# at 5 per 15 minutes a guess takes weeks, and every refusal is in the server's log.
PIN_TRIES = "5 per 15 minutes"
OPERATOR_TOKEN_SECONDS = 15 * 60  # the operator screen closes itself after this


def _operator_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="exhibit.kiosk.operator")


def _pin_kiosk_key() -> str:
    """The PIN being guessed: a kiosk's own, or the defaults' (shared by every unlisted id)."""
    kiosk_id = str((request.get_json(silent=True) or {}).get("kiosk", ""))
    listed = kiosk_id if kiosk_id in kiosk_config().kiosks else "(defaults)"
    return "kiosk-pin:" + listed


def _pin_address_key() -> str:
    return "kiosk-pin-address:" + get_remote_address()


def _pin_wrong(response) -> bool:
    return response.status_code != 200


def _same_origin_json() -> dict:
    """The PIN comes from the kiosk page itself: JSON (a form on another site cannot send that
    without a CORS preflight, which this server never grants), from this origin. The kiosk has no
    cookie to forge, so this is all the CSRF protection it needs."""
    if not request.is_json:
        abort(415)
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site not in (None, "same-origin") or (
            origin is not None and urlsplit(origin).netloc != request.host):
        abort(403)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


@bp.post("/kiosk/operator/session")
@limiter.limit(PIN_TRIES, key_func=_pin_address_key, deduct_when=_pin_wrong)
@limiter.limit(PIN_TRIES, key_func=_pin_kiosk_key, deduct_when=_pin_wrong)
def operator_session():
    """The PIN pad's PIN, checked in constant time against kiosks.yaml; a right one gets a
    short-lived operator token for this kiosk (kept in the page's memory, never in a cookie)."""
    body = _same_origin_json()
    kiosk_id, pin = body.get("kiosk"), body.get("pin")
    if not isinstance(kiosk_id, str) or not is_kiosk_id(kiosk_id) or not isinstance(pin, str):
        abort(400)
    expected = kiosk_config().for_kiosk(kiosk_id).operator_pin_sha256
    given = hashlib.sha256(pin.encode("utf-8", "replace")).hexdigest()
    if expected is None or not hmac.compare_digest(given, expected):
        current_app.logger.warning("kiosk %s: wrong operator PIN from %s", kiosk_id,
                                   get_remote_address())
        return jsonify({"error": "wrong PIN"}), 403
    token = _operator_serializer().dumps({"kiosk": kiosk_id})
    response = jsonify({"token": token, "expires_in": OPERATOR_TOKEN_SECONDS})
    response.headers["Cache-Control"] = "no-store"
    return response


def operator_kiosk() -> str:
    """The kiosk the request's operator token was given for (401 without a valid one)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    try:
        data = _operator_serializer().loads(header[7:], max_age=OPERATOR_TOKEN_SECONDS)
    except BadSignature:
        abort(401)
    return data["kiosk"]


@bp.get("/kiosk/operator/status")
def operator_status():
    """What the server knows of this kiosk, for its operator screen: records received."""
    kiosk_id = operator_kiosk()
    since = datetime.now(UTC) - timedelta(hours=24)
    with get_engine().connect() as conn:
        count, last = conn.execute(
            select(func.count(), func.max(events.c.received_at))
            .where(events.c.kiosk_id == kiosk_id, events.c.received_at >= since)).one()
    response = jsonify({"kiosk": kiosk_id, "received_24h": count,
                        "last_received": last.isoformat() if last else None})
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    """Read the kiosk file (refusing to start on an invalid one, like the content)."""
    from ..contentstore import get_store
    from .config import load_kiosk_config

    path = Path(app.config["KIOSK_CONFIG"]) if app.config["KIOSK_CONFIG"] else None
    app.extensions["exhibit.kiosks"] = load_kiosk_config(path, get_store(app).exhibition)
    app.register_blueprint(bp)
    # The PIN is JSON from the kiosk page, checked by _same_origin_json (the kiosk has no session
    # for a CSRF token); the CSRF protection (set up by the staff area) leaves it to that.
    app.extensions.setdefault("exhibit.csrf_exempt", []).append(operator_session)
    from .bundle import kiosk_cli

    app.cli.add_command(kiosk_cli)
