"""Where each panel version stands: read the review record, then decide with plain rules.

The rules, in one place:

- a version's **required organisations** are those of its section (``review_organisations`` in
  exhibition.yaml), else the exhibition's;
- a version is **published** when a reviewer of each required organisation approved it and none
  sent it back;
- a version **sent back** by any organisation is closed: it needs an edit (a new version);
- the version the **public sees** is the files' version when that one is published, else the
  newest published one (the one whose last required approval came last), else none.

:class:`ReviewState` applies them to a list of decisions and an exhibition; it touches no database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from ..content import Exhibition, Panel
from ..visits.schema import review_decisions, review_snapshots

APPROVE, SEND_BACK = "approve", "send_back"


@dataclass(frozen=True)
class Decision:
    id: int
    panel: str
    version: str
    organisation: str
    reviewer: str
    action: str  # approve | send_back
    comment: str | None
    decided_at: dt.datetime


def required_organisations(exhibition: Exhibition, section_id: str | None) -> tuple[str, ...]:
    """Who must approve a panel of this section (the section's list, else the exhibition's)."""
    section = exhibition.section(section_id) if section_id else None
    return section.review_organisations if section else exhibition.review_organisations


@dataclass(frozen=True)
class VersionState:
    """One version of one panel and the decisions on it."""

    panel: str
    version: str
    required: tuple[str, ...]
    decisions: tuple[Decision, ...]  # on this version, oldest first

    @property
    def approvals(self) -> dict[str, Decision]:
        return {d.organisation: d for d in self.decisions if d.action == APPROVE}

    @property
    def sent_back(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.action == SEND_BACK)

    @property
    def published(self) -> bool:
        approvals = self.approvals
        return bool(self.required) and not self.sent_back and all(
            org in approvals for org in self.required)

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """The required organisations still to decide (none once it was sent back)."""
        if self.sent_back:
            return ()
        decided = {d.organisation for d in self.decisions}
        return tuple(org for org in self.required if org not in decided)

    @property
    def status(self) -> str:
        return "published" if self.published else "sent_back" if self.sent_back else "waiting"

    @property
    def published_at(self) -> int:
        """Order of publication: the id of the approval that completed it (ids only grow)."""
        approvals = self.approvals
        return max((approvals[org].id for org in self.required if org in approvals), default=0)

    def decision_of(self, organisation: str) -> Decision | None:
        return next((d for d in self.decisions if d.organisation == organisation), None)


class ReviewState:
    """Every version's state for an exhibition (the files) and the decisions recorded so far.

    ``sections`` names the section of each snapshotted version ``{(slug, version): section}``:
    a panel moved to another section is approved by that section's organisations.
    """

    def __init__(self, exhibition: Exhibition, decisions: Iterable[Decision],
                 sections: dict[tuple[str, str], str]):
        self.exhibition = exhibition
        self.sections = sections
        self.by_version: dict[tuple[str, str], list[Decision]] = defaultdict(list)
        self.versions: dict[str, list[str]] = defaultdict(list)  # per slug, first decided first
        self.decisions = sorted(decisions, key=lambda d: d.id)
        for d in self.decisions:
            if d.version not in self.versions[d.panel]:
                self.versions[d.panel].append(d.version)
            self.by_version[(d.panel, d.version)].append(d)

    def version(self, slug: str, version: str, section: str | None = None) -> VersionState:
        section = section or self.sections.get((slug, version))
        # A version never approved has no snapshot and so no known section; it needs nothing
        # more to stay unpublished, but show it with the files' requirements.
        if section is None and (panel := self.exhibition.panel(slug)) is not None:
            section = panel.section
        required = required_organisations(self.exhibition, section) if section else ()
        return VersionState(slug, version, required, tuple(self.by_version.get((slug, version), ())))

    def current(self, panel: Panel) -> VersionState:
        """The state of the version in the files."""
        return self.version(panel.slug, panel.version, panel.section)

    def published(self, panel: Panel) -> VersionState | None:
        """The version of this panel the public sees: the files' one if published, else the
        newest published one, else None."""
        current = self.current(panel)
        if current.published:
            return current
        older = [self.version(panel.slug, v) for v in self.versions.get(panel.slug, ())
                 if v != panel.version]
        return max((v for v in older if v.published), key=lambda v: v.published_at, default=None)

    def waiting_for(self, organisation: str) -> list[tuple[Panel, VersionState]]:
        """The files' versions this organisation has still to decide on, in display order."""
        result = []
        for panel in self.exhibition.panels:
            state = self.current(panel)
            if organisation in state.waiting_for:
                result.append((panel, state))
        return result


# -- reading the record ---------------------------------------------------------------------------

def _decision(row) -> Decision:
    at = row.decided_at
    if at is not None and at.tzinfo is None:  # SQLite gives naive datetimes back: they are UTC
        at = at.replace(tzinfo=dt.UTC)
    return Decision(row.id, row.panel, row.version, row.organisation, row.reviewer, row.action,
                    row.comment, at)


def load_decisions(engine: Engine, panel: str | None = None) -> list[Decision]:
    """The audit trail, oldest first (all of it, or one panel's)."""
    query = select(review_decisions).order_by(review_decisions.c.id)
    if panel is not None:
        query = query.where(review_decisions.c.panel == panel)
    with engine.connect() as conn:
        return [_decision(row) for row in conn.execute(query)]


def load_sections(engine: Engine) -> dict[tuple[str, str], str]:
    """The section of every snapshotted version."""
    with engine.connect() as conn:
        rows = conn.execute(select(review_snapshots.c.panel, review_snapshots.c.version,
                                   review_snapshots.c.section))
        return {(r.panel, r.version): r.section for r in rows}


def load_snapshot(engine: Engine, panel: str, version: str) -> str | None:
    """The JSON of one snapshotted version, or None."""
    with engine.connect() as conn:
        return conn.execute(select(review_snapshots.c.data).where(
            (review_snapshots.c.panel == panel) & (review_snapshots.c.version == version))).scalar()


def load_snapshots(engine: Engine) -> list:
    """Every snapshot row (panel, version, section, data, sha256, taken_at), oldest first."""
    with engine.connect() as conn:
        return conn.execute(select(review_snapshots).order_by(
            review_snapshots.c.taken_at, review_snapshots.c.panel)).all()


def record_mark(engine: Engine) -> tuple[int, int]:
    """A cheap sign that the record changed: the number of decisions and the highest id (the
    count catches a PostgreSQL sequence committing out of order)."""
    with engine.connect() as conn:
        count, highest = conn.execute(select(func.count(), func.max(review_decisions.c.id))).one()
    return int(count or 0), int(highest or 0)


def review_state(exhibition: Exhibition, engine: Engine) -> ReviewState:
    """The state as of now, read fresh from the database."""
    return ReviewState(exhibition, load_decisions(engine), load_sections(engine))
