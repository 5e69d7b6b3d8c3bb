"""The one write path to the database. Views and commands call these functions; nothing else
writes SQL. Each function is one transaction: when it returns, the data is committed."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from .privacy import new_salt
from .schema import (
    audit_events,
    channel_reports,
    events,
    kiosk_heartbeat_history,
    kiosk_heartbeats,
    photos,
    report_texts,
    salts,
    users,
)


@dataclass(frozen=True)
class AuditEntry:
    """One line of the staff audit trail, written in the same transaction as the change it
    records (a change is never stored without its line, nor the line without the change)."""

    actor: str  # the account name; what was typed for a failed sign-in
    action: str  # exhibit.auth.audit.STAFF_ACTIONS
    target: str | None = None
    detail: str | None = None
    address: str | None = None  # the client's address; None on the command line


def command_line_actor() -> str:
    """Who acts from the command line, for the audit trail: the system user, when known."""
    try:
        return f"command line ({getpass.getuser()})"
    except (OSError, KeyError):  # no login name in a bare container
        return "command line"


def _append_audit(conn: Connection, entry: AuditEntry | None) -> None:
    if entry is None:
        return
    conn.execute(insert(audit_events).values(
        at=dt.datetime.now(dt.UTC), actor=entry.actor[:80], action=entry.action,
        target=entry.target, detail=entry.detail,
        address=entry.address[:64] if entry.address else None))


def record_audit(engine: Engine, entry: AuditEntry) -> None:
    """Append a line to the audit trail on its own (sign-in, sign-out, downloads)."""
    with engine.begin() as conn:
        _append_audit(conn, entry)


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
                organisation: str | None, audit: AuditEntry | None = None,
                name_key: str | None = None) -> int:
    with engine.begin() as conn:
        user_id = conn.execute(insert(users).values(
            name=name, name_key=name_key, password_hash=password_hash, role=role,
            organisation=organisation, active=True,
            created_at=dt.datetime.now(dt.UTC))).inserted_primary_key[0]
        _append_audit(conn, audit)
        return user_id


def _update_account(engine: Engine, name: str, values: dict[str, Any],
                    audit: AuditEntry | None) -> bool:
    """Change the account NAME and write its audit line in one transaction; False when there is
    no such account (and nothing is written)."""
    with engine.begin() as conn:
        result = conn.execute(users.update().where(users.c.name == name).values(**values))
        if result.rowcount != 1:
            return False
        _append_audit(conn, audit)
        return True


def set_password(engine: Engine, name: str, password_hash: str,
                 audit: AuditEntry | None = None) -> bool:
    """A new password hash; every session of the account ends (its session epoch moves on)."""
    return _update_account(engine, name, {"password_hash": password_hash,
                                          "session_epoch": users.c.session_epoch + 1}, audit)


def set_role(engine: Engine, name: str, role: str, organisation: str | None,
             audit: AuditEntry | None = None) -> bool:
    """A new role (and organisation) for an account; False when there is no such account."""
    return _update_account(engine, name, {"role": role, "organisation": organisation}, audit)


def set_active(engine: Engine, name: str, active: bool, audit: AuditEntry | None = None) -> bool:
    """Open or close an account; closing ends its sessions. False when there is no such account."""
    return _update_account(engine, name, {"active": active,
                                          "session_epoch": users.c.session_epoch + 1}, audit)


def end_sessions(engine: Engine, user_id: int, audit: AuditEntry | None = None) -> None:
    """Refuse every session cookie issued to this account so far (sign-out, a lost laptop)."""
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(
            session_epoch=users.c.session_epoch + 1))
        _append_audit(conn, audit)


def save_channel_reports(engine: Engine, reports: Iterable[dict[str, Any]], entered_by: str,
                         audit: AuditEntry | None = None) -> int:
    """Insert or replace outside platforms' read counts (one figure per channel and day)."""
    now = dt.datetime.now(dt.UTC)
    count = 0
    with engine.begin() as conn:
        _append_audit(conn, audit)
        for report in reports:
            conn.execute(delete(channel_reports).where(
                (channel_reports.c.channel == report["channel"])
                & (channel_reports.c.day == report["day"])))
            conn.execute(insert(channel_reports).values(
                **report, entered_by=entered_by, entered_at=now))
            count += 1
    return count


def add_photo(engine: Engine, *, audit: AuditEntry | None = None, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(insert(photos).values(**values, uploaded_at=dt.datetime.now(dt.UTC)))
        _append_audit(conn, audit)


def delete_photo(engine: Engine, photo_id: str, audit: AuditEntry | None = None) -> bool:
    """Remove a photo's row (the caller removes its file after); False when it was not there."""
    with engine.begin() as conn:
        if conn.execute(delete(photos).where(photos.c.id == photo_id)).rowcount != 1:
            return False
        _append_audit(conn, audit)
        return True



def save_report_texts(engine: Engine, texts: Mapping[tuple[str, str], str], updated_by: str,
                      audit: AuditEntry | None = None) -> None:
    """Set the staff-written texts of the summary report, by (section, language), in one
    transaction with their line of the audit trail; an empty text removes that one."""
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        for (section, lang), body in texts.items():
            conn.execute(delete(report_texts).where(
                (report_texts.c.section == section) & (report_texts.c.lang == lang)))
            if body:
                conn.execute(insert(report_texts).values(
                    section=section, lang=lang, body=body, updated_by=updated_by,
                    updated_at=now))
        _append_audit(conn, audit)


# How long the fleet console keeps each kiosk's past heartbeats (the latest is kept for ever).
HEARTBEAT_HISTORY = dt.timedelta(hours=24)


def record_heartbeat(engine: Engine, kiosk_id: str, measured_at: dt.datetime, queue_length: int,
                     data: str, address: str) -> bool:
    """Keep a kiosk's heartbeat (exhibit.visits.heartbeat): as its latest state unless a newer one
    is already there (a late, older state never hides a newer one), and in the history, whose
    rows older than HEARTBEAT_HISTORY go. Never touches the visit log. True if it became the
    kiosk's latest state."""
    now = dt.datetime.now(dt.UTC)
    values = {"kiosk_id": kiosk_id, "measured_at": measured_at, "received_at": now,
              "address": address[:64], "data": data}
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(kiosk_heartbeats).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[kiosk_heartbeats.c.kiosk_id],
        set_={name: statement.excluded[name] for name in values if name != "kiosk_id"},
        where=kiosk_heartbeats.c.measured_at <= statement.excluded.measured_at,
    ).returning(kiosk_heartbeats.c.kiosk_id)
    with engine.begin() as conn:
        latest = conn.execute(statement).first() is not None
        conn.execute(insert(kiosk_heartbeat_history).values(
            kiosk_id=kiosk_id, measured_at=measured_at, received_at=now,
            queue_length=queue_length, data=data))
        conn.execute(delete(kiosk_heartbeat_history).where(
            kiosk_heartbeat_history.c.kiosk_id == kiosk_id,
            kiosk_heartbeat_history.c.received_at < now - HEARTBEAT_HISTORY))
    return latest
