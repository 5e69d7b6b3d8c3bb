"""The audit trail of staff actions (``audit_events``: accounts, sign-ins, downloads, photos,
channel figures), append-only by database triggers, as a CSV for the admins' download and for the
exhibition record. It lives with the accounts: every layer above may write and read it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from ..visits.exports import csv_bytes
from ..visits.schema import audit_events

STAFF_AUDIT_COLUMNS = ("id", "at", "actor", "action", "target", "detail", "address")
# Every action of the staff audit trail and what it means (the actor is an account name, or
# "command line (user)"; for sign_in_failed it is the name that was typed).
STAFF_ACTIONS = {
    "user_created": "an account was created (target: the account; detail: its role)",
    "role_changed": "an account's role or organisation was changed",
    "password_set": "an account's password was set (its sessions ended)",
    "sessions_ended": "every session of an account was ended from the command line",
    "user_deactivated": "an account was closed: it can no longer sign in (its sessions ended)",
    "user_activated": "a closed account was opened again",
    "sign_in": "a staff member signed in",
    "sign_in_failed": "a sign-in was refused (detail: why; the person was only told it failed)",
    "sign_in_throttled": "sign-ins were refused for a while after too many failures (detail: for "
                         "the address or for the account; once per window and worker)",
    "access_refused": "a signed-in account asked for something its role does not allow (403)",
    "decision_refused": "a review decision was refused before it was looked at: not sent by a "
                        "click on the review page, or its confirmation was spent (target: the "
                        "panel; detail: why)",
    "sign_out": "a staff member signed out (every session of the account ended)",
    "export_visits": "the visit log was downloaded, or written from the command line (detail: "
                     "the filters)",
    "export_report": "the summary report was written from the command line (target: the file)",
    "export_record": "the whole record ZIP was written from the command line (target: the file)",
    "import_visits": "visit logs were imported from files (detail: how many stored, duplicate, "
                     "rejected)",
    "download_report": "the summary report PDF was downloaded",
    "download_record": "the whole record ZIP was downloaded (print=1: with the print files)",
    "download_staff_audit": "this audit trail was downloaded",
    "download_review_audit": "the review decisions were downloaded",
    "download_print_proof": "a panel's print proof (PDF) was downloaded",
    "photo_uploaded": "a photo was added to the record (target: its id)",
    "photo_deleted": "a photo was removed from the record (detail: its caption and checksum)",
    "channel_figures_saved": "outside platforms' read figures were entered or imported",
    "report_text_saved": "a staff-written text of the summary report was saved (target: the "
                         "section and language; detail: its length and SHA-256)",
}


def staff_audit_csv(engine: Engine) -> bytes:
    """Every staff action, oldest first (formulas escaped like the decisions)."""
    with engine.connect() as conn:
        rows = conn.execute(select(audit_events).order_by(audit_events.c.id)).all()
    return csv_bytes(STAFF_AUDIT_COLUMNS, (
        (r.id, _utc(r.at), r.actor, r.action,
         r.target, r.detail, r.address) for r in rows))


def _utc(value: dt.datetime) -> str:
    """An instant in UTC, ISO form with Z (SQLite gives naive UTC datetimes back)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
