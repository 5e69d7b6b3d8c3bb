"""What the summary report shows as the products made: every published panel version, with the
SHA-256 of its frozen record and the approval of each organisation (registered with the report by
``exhibit.publication.init_app``: the report sits below and never imports it)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from ..contentstore import get_store
from ..visits.db import get_engine
from ..visits.report import Approval, PublishedPanel
from ..visits.schema import review_snapshots
from .public import public_exhibition
from .state import review_state


def published_for_report(app: Flask) -> list[PublishedPanel]:
    """The public panels in display order, each with its approvals (oldest first)."""
    public = public_exhibition(app)
    engine = get_engine(app)
    state = review_state(get_store(app).current(), engine)
    with engine.connect() as conn:
        hashes = {(r.panel, r.version): r.sha256 for r in conn.execute(select(
            review_snapshots.c.panel, review_snapshots.c.version, review_snapshots.c.sha256))}
    result = []
    for panel in public.panels:
        version = state.version(panel.slug, panel.version, panel.section)
        approvals = tuple(Approval(d.organisation, d.reviewer, d.decided_at)
                          for d in sorted(version.approvals.values(), key=lambda d: d.id))
        result.append(PublishedPanel(panel, hashes.get((panel.slug, panel.version)), approvals))
    return result
