"""What the privacy notice (``/<lang>/privacy/``) says the visit log keeps, made from the visit
log's own data so the two cannot drift apart: every field an event may carry
(:data:`exhibit.visits.events.FIELDS`, the validator's list) and every column the server adds
(:data:`SERVER_FIELDS`). ``tests/test_privacy.py`` checks that every column of the events table is
one of them and that every one is named on the page in every language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _

from ..visits.events import FIELDS

# The column an event field is stored in, where it is not the field's own name; the fields with no
# column of their own are kept together in the ``data`` column (JSON).
COLUMN_OF = {"at": "occurred_at", "kiosk": "kiosk_id", "session": "session_id"}

# Plain words for each field an event may carry (the keys of FIELDS, in their order).
FIELD_LABELS = {
    "id": _("a random number made by your browser or the kiosk for each event, so that an event "
             "sent twice is stored once"),
    "kind": _("what happened: a page opened, a panel read, a video played, the language changed, "
               "an arrival by QR code, a questionnaire answer"),
    "surface": _("where: these web pages or a touch screen in the hall"),
    "at": _("when it happened, by the clock of your device"),
    "lang": _("the language of the page"),
    "from_lang": _("the language before a change of language"),
    "panel": _("which panel"),
    "kiosk": _("which touch screen in the hall"),
    "session": _("a random number for one visit at a touch screen (a new one when the screen "
                  "returns to its start)"),
    "dwell_ms": _("how long the panel was on screen"),
    "duration_ms": _("how long a visit at a touch screen lasted"),
    "panels": _("which panels were seen during a visit at a touch screen"),
    "videos_completed": _("how many videos were watched to the end during that visit"),
    "path": _("the address of the page on this site, without anything after “?”"),
    "src": _("the channel tag of the link you followed (?src=…, e.g. wechat or print-qr)"),
    "referrer": _("the name of the site you came from (its host name only, never the full "
                   "address)"),
    "question": _("which question of the questionnaire"),
    "answer": _("your answer: a choice or a rating"),
    "cause": _("what stopped a touch screen’s attract loop: a touch, a pen, a mouse or a key"),
    "loop_ms": _("how long the attract loop had run when it was stopped"),
}

# What the server adds to each event it stores.
SERVER_FIELDS = {
    "received_at": _("when the server received the event"),
    "day": _("the day it happened, in the exhibition's time zone"),
    "channel": _("the channel, worked out from the tag, the site you came from and the kind of "
                  "browser (e.g. WeChat)"),
    "visitor": _("the day's visitor code described below (web pages only, not the touch "
                  "screens)"),
}


def stored_fields() -> list[tuple[str, object]]:
    """(name, plain words) for every field an event may carry, then those the server adds."""
    rows: list[tuple[str, object]] = [(name, FIELD_LABELS.get(name, field.help))
                                      for name, field in FIELDS.items()]
    return rows + list(SERVER_FIELDS.items())
