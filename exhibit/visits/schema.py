"""The tables of the exhibition record (SQLAlchemy Core; the same on SQLite and PostgreSQL).

Schema changes are numbered steps in :data:`MIGRATIONS`, applied in order by ``exhibit db upgrade``;
the ``schema_version`` table says which have run.

``metadata`` and its tables are the current schema, the one the app reads and writes. The
migration steps never create tables from them: each step keeps its own frozen copy of the tables as
they were when it shipped (``_MIGRATION_1_TABLES``...), so declaring a new column on a table below
changes no step that has shipped. A schema change is therefore two edits: the table here, and a new
step that makes the same change to existing databases (tests/test_schema.py checks that an empty
database brought through every step ends up with exactly the tables of ``metadata``).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)

metadata = MetaData()

# One row per visit event. The id is made by the client (a UUID): a retried event hits the primary
# key and is stored once.
events = Table(
    "events", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),  # client clock
    Column("received_at", DateTime(timezone=True), nullable=False),  # server clock
    Column("day", Date, nullable=False),  # the day it happened (TIMEZONE), for reports, indexes
    Column("surface", String(16), nullable=False),  # web | kiosk
    Column("lang", String(8)),
    Column("panel", String(80)),
    Column("kiosk_id", String(64)),
    Column("session_id", String(36)),
    Column("channel", String(32)),
    Column("dwell_ms", BigInteger),
    Column("visitor", String(32)),  # daily-salted hash; not reversible once the salt is gone
    Column("data", Text),  # the rest of the event, as JSON
    Index("ix_events_day_kind", "day", "kind"),
)

# The daily salt for counting unique visitors; yesterday's and older are deleted.
salts = Table(
    "salts", metadata,
    Column("day", Date, primary_key=True),
    Column("salt", String(64), nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("organisation", String(40)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Bumped when the user signs out or their password is set: every session cookie signed with
    # an older value is refused, so a copied cookie stops working (migration 3).
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    # The name as compared: NFKC, case-folded. Unique, so "Ada" and "ada" (or a name with a
    # full-width letter) cannot be two accounts (migration 4). NULL only for a row that migration
    # 4 found clashing with an older one: it keeps signing in by its exact name.
    Column("name_key", String(255)),
    Index("uq_users_name_key", "name_key", unique=True),
)

# Reads reported by outside platforms (WeChat, Weibo...), entered or imported by staff.
channel_reports = Table(
    "channel_reports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("reads", BigInteger, nullable=False),
    Column("source", Text, nullable=False),  # where the figure comes from (platform report...)
    Column("entered_by", String(80), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("channel", "day", name="uq_channel_reports_channel_day"),
)

photos = Table(
    "photos", metadata,
    Column("id", String(36), primary_key=True),  # also the file name: never the uploaded name
    Column("caption", Text, nullable=False),
    Column("taken_on", Date),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", String(80), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

# The review record: every decision on a panel version, append-only (no UPDATE or DELETE in the
# app, and triggers refuse them in the database). Names are kept as text, not as user ids: the
# record must say who decided even after an account is renamed or removed.
review_decisions = Table(
    "review_decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("panel", String(80), nullable=False),  # the slug
    Column("version", String(64), nullable=False),  # Panel.version: a hash of all it shows
    Column("organisation", String(40), nullable=False),
    Column("reviewer", String(80), nullable=False),  # the account name when deciding
    Column("action", String(16), nullable=False),  # approve | send_back
    Column("comment", Text),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    # An organisation decides once per version: approving twice, or approving what a colleague
    # sent back, is refused by the database itself.
    UniqueConstraint("panel", "version", "organisation", name="uq_review_decisions_once"),
    Index("ix_review_decisions_panel", "panel", "version"),
)

# What an approved version showed, frozen at its first approval (the serialised Panel; its media
# are copied by hash into PUBLISHED_MEDIA_DIR), so the public keeps seeing it after the files move
# on to a newer draft. Append-only as well.
review_snapshots = Table(
    "review_snapshots", metadata,
    Column("panel", String(80), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("section", String(40), nullable=False),  # decides which organisations must approve
    Column("data", Text, nullable=False),  # JSON, exhibit.publication.snapshot
    Column("sha256", String(64), nullable=False),  # of data, for the record
    Column("taken_at", DateTime(timezone=True), nullable=False),
)

# The staff audit trail: every privileged action (accounts, sign-in and sign-out, downloads of the
# record, photos, channel figures), who did it, when and from which address. Append-only like the
# review record, by the same triggers. Names are text, as in review_decisions.
audit_events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(80), nullable=False),  # the account name, or what was typed at sign-in
    Column("action", String(32), nullable=False),  # exhibit.auth.audit.STAFF_ACTIONS
    Column("target", Text),  # what it acted on: an account, a photo id, a file name
    Column("detail", Text),
    Column("address", String(64)),  # the client's address; empty for the command line
    Index("ix_audit_events_at", "at"),
)

# Texts of the summary report written by staff (project background, experience summary), one per
# section and language; each save is a line of the audit trail (migration 4).
report_texts = Table(
    "report_texts", metadata,
    Column("section", String(32), primary_key=True),  # exhibit.visits.report.TEXT_SECTIONS
    Column("lang", String(8), primary_key=True),
    Column("body", Text, nullable=False),  # Markdown as written; rendered and escaped on show
    Column("updated_by", String(80), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The fleet console: each kiosk's latest heartbeat (its own state as it measured it), and a short
# history of them (24 hours). Never part of the visit log: not events, not exported, not in the
# report (migration 6).
kiosk_heartbeats = Table(
    "kiosk_heartbeats", metadata,
    Column("kiosk_id", String(64), primary_key=True),
    Column("measured_at", DateTime(timezone=True), nullable=False),  # kiosk clock
    Column("received_at", DateTime(timezone=True), nullable=False),  # server clock
    Column("address", String(64), nullable=False),  # where it came from (or "simulated ...")
    Column("data", Text, nullable=False),  # the validated heartbeat, as JSON
)
kiosk_heartbeat_history = Table(
    "kiosk_heartbeat_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kiosk_id", String(64), nullable=False),
    Column("measured_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("queue_length", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_kiosk_heartbeat_history_kiosk", "kiosk_id", "received_at"),
)

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


# -- migration steps ------------------------------------------------------------------------------
# Each step is frozen: it creates tables from its own MetaData, written out as the step shipped,
# never from `metadata` above (which moves on with the app). Never edit a step, or its tables, once
# it has shipped; change the current table above and add a step that makes the same change.

# Bookkeeping for `upgrade` (exhibit/visits/db.py): which steps have run. As first shipped.
_SCHEMA_VERSION_TABLES = MetaData()
Table(
    "schema_version", _SCHEMA_VERSION_TABLES,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


def create_schema_version(connection) -> None:
    """Create the ``schema_version`` table if it is missing (before any step runs)."""
    _SCHEMA_VERSION_TABLES.create_all(connection, checkfirst=True)


# Migration 1, as shipped (commit f6cb15e). `users` has no session_epoch yet: migration 3 adds it.
_MIGRATION_1_TABLES = MetaData()
Table(
    "events", _MIGRATION_1_TABLES,
    Column("id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("surface", String(16), nullable=False),
    Column("lang", String(8)),
    Column("panel", String(80)),
    Column("kiosk_id", String(64)),
    Column("session_id", String(36)),
    Column("channel", String(32)),
    Column("dwell_ms", BigInteger),
    Column("visitor", String(32)),
    Column("data", Text),
    Index("ix_events_day_kind", "day", "kind"),
)
Table(
    "salts", _MIGRATION_1_TABLES,
    Column("day", Date, primary_key=True),
    Column("salt", String(64), nullable=False),
)
Table(
    "users", _MIGRATION_1_TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("organisation", String(40)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Table(
    "channel_reports", _MIGRATION_1_TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("reads", BigInteger, nullable=False),
    Column("source", Text, nullable=False),
    Column("entered_by", String(80), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("channel", "day", name="uq_channel_reports_channel_day"),
)
Table(
    "photos", _MIGRATION_1_TABLES,
    Column("id", String(36), primary_key=True),
    Column("caption", Text, nullable=False),
    Column("taken_on", Date),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", String(80), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)


def _create_initial(connection) -> None:
    _MIGRATION_1_TABLES.create_all(connection)


APPEND_ONLY = ("review_decisions", "review_snapshots")

# Migration 2, as shipped (commit b5b3658).
_MIGRATION_2_TABLES = MetaData()
Table(
    "review_decisions", _MIGRATION_2_TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("panel", String(80), nullable=False),
    Column("version", String(64), nullable=False),
    Column("organisation", String(40), nullable=False),
    Column("reviewer", String(80), nullable=False),
    Column("action", String(16), nullable=False),
    Column("comment", Text),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("panel", "version", "organisation", name="uq_review_decisions_once"),
    Index("ix_review_decisions_panel", "panel", "version"),
)
Table(
    "review_snapshots", _MIGRATION_2_TABLES,
    Column("panel", String(80), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("section", String(40), nullable=False),
    Column("data", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
)


def _create_review(connection) -> None:
    _MIGRATION_2_TABLES.create_all(connection)
    # The database refuses to change or remove a review record, whoever asks: the app has no
    # UPDATE or DELETE for these tables, and a mistaken script cannot rewrite the trail either.
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE FUNCTION exhibit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the review record is append-only'; END $$")
        for table in APPEND_ONLY:
            connection.exec_driver_sql(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION exhibit_append_only()")
            connection.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION exhibit_append_only()")
    else:
        for table in APPEND_ONLY:
            for operation in ("UPDATE", "DELETE"):
                connection.exec_driver_sql(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the review record is append-only'); END")


def _append_only_triggers(connection, table: str, message: str) -> None:
    """Triggers that make the database refuse UPDATE, DELETE (and TRUNCATE) of ``table``."""
    if connection.dialect.name == "postgresql":
        function = f"{table}_append_only_error"
        connection.exec_driver_sql(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END $$")
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()")
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    else:
        for operation in ("UPDATE", "DELETE"):
            connection.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


# Migration 3, as shipped (commit 38b60a4).
_MIGRATION_3_TABLES = MetaData()
Table(
    "audit_events", _MIGRATION_3_TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("detail", Text),
    Column("address", String(64)),
    Index("ix_audit_events_at", "at"),
)


def _create_staff_audit(connection) -> None:
    # Migration 1 never makes users.session_epoch: this step adds it. The check is only for the
    # databases created between commit 38b60a4 and the freezing of the steps, when migration 1
    # still built `users` from the current `metadata` and so made the column already.
    columns = {c["name"] for c in inspect(connection).get_columns("users")}
    if "session_epoch" not in columns:
        connection.exec_driver_sql(
            "ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0")
    _MIGRATION_3_TABLES.create_all(connection)
    _append_only_triggers(connection, "audit_events", "the audit trail is append-only")


def _name_key_v4(name: str) -> str:
    # Frozen with migration 4 (not imported from the accounts module, whose rule may change):
    # NFKC, case-folded, NFKC again (case folding can undo the normal form).
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _add_user_name_keys(connection) -> None:
    # The checks are for a database whose `users` was built from the current `metadata` (as
    # migration 1 did before the steps were frozen): it has the column and index already.
    if "name_key" not in {c["name"] for c in inspect(connection).get_columns("users")}:
        connection.exec_driver_sql("ALTER TABLE users ADD COLUMN name_key VARCHAR(255)")
    seen: set[str] = set()
    rows = connection.exec_driver_sql("SELECT id, name FROM users ORDER BY id").all()
    for user_id, name in rows:
        key = _name_key_v4(name)
        if key in seen:
            continue  # a later look-alike of an older account: left without a key (see users)
        seen.add(key)
        connection.execute(text("UPDATE users SET name_key = :key WHERE id = :id"),
                           {"key": key, "id": user_id})
    if "uq_users_name_key" not in {i["name"] for i in inspect(connection).get_indexes("users")}:
        connection.exec_driver_sql("CREATE UNIQUE INDEX uq_users_name_key ON users (name_key)")


# Migration 5, as shipped.
_MIGRATION_5_TABLES = MetaData()
Table(
    "report_texts", _MIGRATION_5_TABLES,
    Column("section", String(32), primary_key=True),
    Column("lang", String(8), primary_key=True),
    Column("body", Text, nullable=False),
    Column("updated_by", String(80), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def _create_report_texts(connection) -> None:
    _MIGRATION_5_TABLES.create_all(connection)


# Migration 6, as shipped.
_MIGRATION_6_TABLES = MetaData()
Table(
    "kiosk_heartbeats", _MIGRATION_6_TABLES,
    Column("kiosk_id", String(64), primary_key=True),
    Column("measured_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("address", String(64), nullable=False),
    Column("data", Text, nullable=False),
)
Table(
    "kiosk_heartbeat_history", _MIGRATION_6_TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kiosk_id", String(64), nullable=False),
    Column("measured_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("queue_length", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_kiosk_heartbeat_history_kiosk", "kiosk_id", "received_at"),
)


def _create_kiosk_heartbeats(connection) -> None:
    _MIGRATION_6_TABLES.create_all(connection)


# (version, description, step). Append new steps; never edit one that has shipped.
MIGRATIONS = (
    (1, "visit events, salts, staff users, channel reports, photos", _create_initial),
    (2, "review decisions and published snapshots (append-only)", _create_review),
    (3, "staff audit trail (append-only) and session revocation (users.session_epoch)",
     _create_staff_audit),
    (4, "staff names unique whatever their case or Unicode form (users.name_key)",
     _add_user_name_keys),
    (5, "summary report texts written by staff", _create_report_texts),
    (6, "kiosk heartbeats for the fleet console (latest per kiosk, 24 h of history)",
     _create_kiosk_heartbeats),
)
