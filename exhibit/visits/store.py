"""The one write path to the database. Views and commands call these functions; nothing else
writes SQL. Each function is one transaction: when it returns, the data is committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from .privacy import new_salt
from .schema import channel_reports, events, photos, salts, users


def _insert_ignoring_duplicates(engine: Engine, table):
    """INSERT ... ON CONFLICT DO NOTHING in the engine's dialect."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def record_events(engine: Engine, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Store events; returns the ids newly stored (the others were already there).

    Committed before returning: the caller may acknowledge exactly these ids.
    """
    if not rows:
        return set()
    statement = _insert_ignoring_duplicates(engine, events).returning(events.c.id)
    with engine.begin() as conn:
        stored = conn.execute(statement, list(rows)).scalars().all()
    return set(stored)


def daily_salt(engine: Engine, day: dt.date) -> str:
    """Today's salt, made on first use; older salts are deleted so old hashes stay unlinkable."""
    with engine.begin() as conn:
        conn.execute(_insert_ignoring_duplicates(engine, salts).values(day=day, salt=new_salt()))
        conn.execute(delete(salts).where(salts.c.day < day))
        return conn.execute(select(salts.c.salt).where(salts.c.day == day)).scalar_one()


def create_user(engine: Engine, *, name: str, password_hash: str, role: str,
                organisation: str | None) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(users).values(
            name=name, password_hash=password_hash, role=role, organisation=organisation,
            active=True, created_at=dt.datetime.now(dt.UTC))).inserted_primary_key[0]


def set_password(engine: Engine, name: str, password_hash: str) -> bool:
    with engine.begin() as conn:
        result = conn.execute(users.update().where(users.c.name == name).values(
            password_hash=password_hash))
        return result.rowcount == 1


def save_channel_reports(engine: Engine, reports: Iterable[dict[str, Any]], entered_by: str) -> int:
    """Insert or replace outside platforms' read counts (one figure per channel and day)."""
    now = dt.datetime.now(dt.UTC)
    count = 0
    with engine.begin() as conn:
        for report in reports:
            conn.execute(delete(channel_reports).where(
                (channel_reports.c.channel == report["channel"])
                & (channel_reports.c.day == report["day"])))
            conn.execute(insert(channel_reports).values(
                **report, entered_by=entered_by, entered_at=now))
            count += 1
    return count


def add_photo(engine: Engine, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(insert(photos).values(**values, uploaded_at=dt.datetime.now(dt.UTC)))
