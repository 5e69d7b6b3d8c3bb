"""The review record as files: the audit trail (CSV), where each panel stands (CSV), and the exact
content of every approved version (JSON) — for the staff download and the exhibition record.

Beside the review decisions, the audit trail of staff actions (``audit_events``: accounts,
sign-ins, downloads, photos, channel figures), append-only by the same kind of database triggers,
as a CSV for the admins' download and for the record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from ..content import Exhibition, Panel
from ..visits.exports import escape_cell
from ..visits.record import RecordArchive, RecordContext, RecordPart
from ..visits.schema import audit_events
from .state import ReviewState, VersionState, load_snapshots, review_state

AUDIT_COLUMNS = ("id", "decided_at", "panel", "version", "organisation", "reviewer", "action",
                 "comment")
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
STATUS_COLUMNS = ("panel", "section", "required_organisations", "public_version",
                  "files_version", "files_status", "approved_by", "waiting_for", "sent_back_by",
                  "comment")


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """UTF-8 CSV with a BOM (Excel), formulas escaped: a comment is shown, never run."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell("" if v is None else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def audit_csv(state: ReviewState) -> bytes:
    """Every decision, oldest first."""
    return csv_bytes(AUDIT_COLUMNS, (
        (d.id, _utc(d.decided_at), d.panel, d.version, d.organisation, d.reviewer, d.action,
         d.comment) for d in state.decisions))


def staff_audit_csv(engine: Engine) -> bytes:
    """Every staff action, oldest first (formulas escaped like the decisions)."""
    with engine.connect() as conn:
        rows = conn.execute(select(audit_events).order_by(audit_events.c.id)).all()
    return csv_bytes(STAFF_AUDIT_COLUMNS, (
        (r.id, _utc(r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.UTC)), r.actor, r.action,
         r.target, r.detail, r.address) for r in rows))


@dataclass(frozen=True)
class PanelStatus:
    panel: Panel  # as in the files
    current: VersionState  # the files' version
    public: VersionState | None  # the version the public sees


def panel_statuses(state: ReviewState) -> list[PanelStatus]:
    return [PanelStatus(p, state.current(p), state.published(p)) for p in state.exhibition.panels]


def status_csv(state: ReviewState) -> bytes:
    rows = []
    for s in panel_statuses(state):
        current = s.current
        sent = current.sent_back[0] if current.sent_back else None
        rows.append((
            s.panel.slug, s.panel.section, " ".join(current.required),
            s.public.version if s.public else "", current.version, current.status,
            " ".join(f"{d.organisation}:{d.reviewer}" for d in current.approvals.values()),
            " ".join(current.waiting_for), f"{sent.organisation}:{sent.reviewer}" if sent else "",
            sent.comment if sent else ""))
    return csv_bytes(STATUS_COLUMNS, rows)


def _record_part(archive: RecordArchive, ctx: RecordContext) -> None:
    from ..contentstore import get_store

    exhibition: Exhibition = get_store(ctx.app).current()
    state = review_state(exhibition, ctx.engine)
    archive.add_bytes("review/audit-trail.csv", audit_csv(state))
    archive.add_bytes("review/status.csv", status_csv(state))
    archive.add_bytes("review/staff-audit-trail.csv", staff_audit_csv(ctx.engine))
    for row in load_snapshots(ctx.engine):
        archive.add_bytes(f"review/versions/{row.panel}-{row.version}.json",
                          row.data.encode("utf-8"))


RECORD_PART = RecordPart(
    "review", "the review record and the audit trail: every decision (review/audit-trail.csv), "
    "where each panel stands (review/status.csv), the content of every approved version "
    "(review/versions/*.json), and every privileged staff action: accounts, sign-ins, downloads, "
    "photos, channel figures (review/staff-audit-trail.csv)", _record_part)
