"""The review record as files: the audit trail (CSV), where each panel stands (CSV), and the exact
content of every approved version (JSON) — for the staff download and the exhibition record.
(The audit trail of staff actions is :mod:`exhibit.auth.audit`.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..content import Panel
from ..publication.state import ReviewState, VersionState
from ..visits.exports import csv_bytes

AUDIT_COLUMNS = ("id", "decided_at", "panel", "version", "organisation", "reviewer", "action",
                 "comment")
STATUS_COLUMNS = ("panel", "section", "required_organisations", "public_version",
                  "files_version", "files_status", "approved_by", "waiting_for", "sent_back_by",
                  "comment")


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


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

