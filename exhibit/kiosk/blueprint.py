"""The kiosk shell. Panels come from ``/api/v1/panels`` as ready-rendered kiosk fragments, so the
kiosk, the topic page and the API never disagree, and the kiosk can later run from a cache."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, g, render_template, request
from flask_babel import force_locale, gettext

from ..contentstore import exhibition

bp = Blueprint("kiosk", __name__, template_folder="templates")
KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
            "loading": gettext("Loading…"),
            "offline": gettext("This content is not available right now."),
            "feedback": gettext("Tell us what you think"),
            "panel_of": gettext("Panel %(num)s of %(total)s", num="{n}", total="{total}"),
        }


@bp.get("/kiosk/")
def kiosk():
    ex = exhibition()
    kiosk_id = request.args.get("kiosk", current_app.config["KIOSK_DEFAULT_ID"])
    if not KIOSK_ID.match(kiosk_id):
        kiosk_id = current_app.config["KIOSK_DEFAULT_ID"]
    g.lang = ex.default_language
    settings = {
        "kioskId": kiosk_id,
        "languages": list(ex.languages),
        "defaultLanguage": ex.default_language,
        "manifestUrl": "/api/v1/panels",
        "eventsUrl": current_app.config["EVENTS_URL"],
        "strings": {lang: interface_strings(lang) for lang in ex.languages},
    }
    return render_template("kiosk/kiosk.html", lang=ex.default_language, settings=settings)
