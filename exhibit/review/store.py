"""The one write path of the review record (the rule of :mod:`exhibit.visits.store`: views and
commands call these functions, nothing else writes SQL). It only ever inserts: the audit trail
has no UPDATE or DELETE here, and the database's triggers refuse them from anywhere else.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..visits.schema import review_decisions, review_snapshots

ACTIONS = ("approve", "send_back")


class AlreadyDecided(Exception):
    """The organisation has already decided on this version (the database said so)."""


def record_decision(engine: Engine, *, panel: str, version: str, organisation: str,
                    reviewer: str, action: str, comment: str | None,
                    snapshot: tuple[str, str, str] | None = None) -> int:
    """Append one decision, and the version's snapshot ``(section, data, sha256)`` if it has none
    yet, in one transaction; returns the decision's id. Committed when it returns.

    Raises :class:`AlreadyDecided` when the organisation decided on this version before.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    now = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as conn:
            if snapshot is not None:
                section, data, sha256 = snapshot
                dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
                conn.execute(dialect.insert(review_snapshots).on_conflict_do_nothing().values(
                    panel=panel, version=version, section=section, data=data, sha256=sha256,
                    taken_at=now))
            return conn.execute(insert(review_decisions).values(
                panel=panel, version=version, organisation=organisation, reviewer=reviewer,
                action=action, comment=comment or None, decided_at=now)).inserted_primary_key[0]
    except IntegrityError as exc:
        raise AlreadyDecided(f"{organisation} has already decided on {panel} {version}") from exc
