"""The review record as files: the audit trail (CSV), where each panel stands (CSV), and the exact
content of every approved version (JSON) — for the staff download and the exhibition record."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from ..content import Exhibition, Panel
from ..visits.exports import escape_cell
from ..visits.record import RecordArchive, RecordContext, RecordPart
from .state import ReviewState, VersionState, load_snapshots, review_state

AUDIT_COLUMNS = ("id", "decided_at", "panel", "version", "organisation", "reviewer", "action",
                 "comment")
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
    for row in load_snapshots(ctx.engine):
        archive.add_bytes(f"review/versions/{row.panel}-{row.version}.json",
                          row.data.encode("utf-8"))


RECORD_PART = RecordPart(
    "review", "the review record: every decision (review/audit-trail.csv), where each panel "
    "stands (review/status.csv) and the content of every approved version "
    "(review/versions/*.json)", _record_part)
