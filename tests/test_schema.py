"""The migration steps (exhibit/visits/schema.py): an empty database brought through all of them has
exactly the current tables of ``metadata``; so has a database made by the older code, whose
migration 1 built its tables from the current ``metadata``; and the steps are frozen — declaring a
column on a current table changes nothing a shipped step does. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Column, Integer, MetaData, UniqueConstraint, inspect, text

from exhibit.visits import db, schema
from exhibit.visits.db import current_version, make_engine, upgrade
from exhibit.visits.schema import MIGRATIONS, metadata, schema_version

APPEND_ONLY_TRIGGERS = {
    "sqlite": {f"{table}_no_{operation}"
               for table in ("review_decisions", "review_snapshots", "audit_events")
               for operation in ("update", "delete")},
    "postgresql": {f"{table}_{kind}"
                   for table in ("review_decisions", "review_snapshots", "audit_events")
                   for kind in ("append_only", "no_truncate")},
}


@pytest.fixture()
def engine(database_url):
    if database_url.startswith("postgresql://"):
        database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _default(value: str | None) -> str | None:
    """A server default as text, the same whichever way it was written (DEFAULT 0 or '0')."""
    if value is None:
        return None
    if value.startswith("nextval("):  # PostgreSQL's SERIAL: see "autoincrement" below
        return "autoincrement"
    return value.split("::")[0].strip("'")


def _current_schema(dialect) -> dict:
    """What ``metadata`` declares, in the terms the database reports it."""
    tables = {}
    for table in metadata.sorted_tables:
        columns = {}
        for column in table.columns:
            default = column.server_default.arg if column.server_default is not None else None
            if dialect.name == "postgresql" and column is table.autoincrement_column:
                default = "autoincrement"
            columns[column.name] = (column.type.compile(dialect=dialect), column.nullable,
                                    _default(default))
        tables[table.name] = {
            "columns": columns,
            "primary_key": tuple(c.name for c in table.primary_key.columns),
            "indexes": {(index.name, tuple(c.name for c in index.columns), bool(index.unique))
                        for index in table.indexes},
            "unique": {(constraint.name, tuple(c.name for c in constraint.columns))
                       for constraint in table.constraints
                       if isinstance(constraint, UniqueConstraint)},
        }
    return tables


def _database_schema(connection) -> dict:
    """What the database has, by SQLAlchemy's inspection."""
    inspector = inspect(connection)
    tables = {}
    for name in inspector.get_table_names():
        columns = {c["name"]: (c["type"].compile(dialect=connection.dialect), c["nullable"],
                               _default(c["default"]))
                   for c in inspector.get_columns(name)}
        unique = set()
        for constraint in inspector.get_unique_constraints(name):
            cols = tuple(constraint["column_names"])
            # An unnamed constraint: SQLite reports no name, PostgreSQL the one it made up.
            made_up = f"{name}_{'_'.join(cols)}_key"
            unique.add((None if constraint["name"] in (None, made_up) else constraint["name"],
                        cols))
        tables[name] = {
            "columns": columns,
            "primary_key": tuple(inspector.get_pk_constraint(name)["constrained_columns"]),
            "indexes": {(i["name"], tuple(i["column_names"]), bool(i["unique"]))
                        for i in inspector.get_indexes(name) if not i.get("duplicates_constraint")},
            "unique": unique,
        }
    return tables


def _triggers(connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        rows = connection.execute(text(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT t.tgisinternal"))
    else:
        rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    return {row[0] for row in rows}


def _assert_current_schema(engine) -> None:
    with engine.connect() as conn:
        assert _database_schema(conn) == _current_schema(conn.dialect)
        assert _triggers(conn) == APPEND_ONLY_TRIGGERS[conn.dialect.name]
    assert current_version(engine) == MIGRATIONS[-1][0]


def test_the_helpers_see_a_difference(engine):
    """The comparison is not blind: a table made from metadata but missing a column differs."""
    partial = MetaData()
    users = metadata.tables["users"].to_metadata(partial)
    users._columns.remove(users.c.session_epoch)
    with engine.begin() as conn:
        partial.create_all(conn)
        found = _database_schema(conn)["users"]
    assert found != _current_schema(engine.dialect)["users"]
    assert "session_epoch" not in found["columns"]


def test_an_empty_database_upgrades_to_exactly_the_current_schema(engine):
    assert upgrade(engine) == [f"{v}: {description}" for v, description, _step in MIGRATIONS]
    _assert_current_schema(engine)
    assert upgrade(engine) == []


@pytest.mark.parametrize("done", [1, 2])
def test_a_database_made_by_the_old_migration_1_upgrades_cleanly(engine, done):
    """Before the steps were frozen, migration 1 made its tables from the current metadata, so
    databases created then have users.session_epoch before migration 3 has run."""
    with engine.begin() as conn:
        schema_version.create(conn)
        # What migration 1 did then.
        metadata.create_all(conn, tables=[metadata.tables[name] for name in (
            "events", "salts", "users", "channel_reports", "photos")])
        if done == 2:  # migration 2's tables have not changed since it shipped
            MIGRATIONS[1][2](conn)
        for version in range(1, done + 1):
            conn.execute(schema_version.insert().values(version=version,
                                                        applied_at=dt.datetime.now(dt.UTC)))
        conn.execute(text("INSERT INTO users (name, password_hash, role, active, created_at, "
                          "session_epoch) VALUES ('old', 'x', 'viewer', :on, :now, 4)"),
                     {"on": True, "now": dt.datetime.now(dt.UTC)})
    assert upgrade(engine) == [f"{v}: {description}" for v, description, _step in MIGRATIONS
                               if v > done]
    _assert_current_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT session_epoch FROM users")).scalar() == 4


def test_migration_1_makes_the_users_table_as_it_shipped(engine):
    with engine.begin() as conn:
        MIGRATIONS[0][2](conn)
    columns = [c["name"] for c in inspect(engine).get_columns("users")]
    assert columns == ["id", "name", "password_hash", "role", "organisation", "active",
                       "created_at"]  # session_epoch is migration 3's


def test_the_steps_do_not_read_the_current_tables(engine, monkeypatch):
    """A column declared on any current table (as the next schema change will) is made by no
    shipped step: each step has its own frozen copy of its tables."""
    later = MetaData()
    for table in metadata.sorted_tables:
        assert getattr(schema, table.name) is table  # the module names each table after itself
        copy = table.to_metadata(later)
        copy.append_column(Column("declared_later", Integer))
        monkeypatch.setattr(schema, table.name, copy)
    monkeypatch.setattr(schema, "metadata", later)
    monkeypatch.setattr(db, "schema_version", later.tables["schema_version"])

    upgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) == set(metadata.tables)
    for name in inspector.get_table_names():
        assert "declared_later" not in {c["name"] for c in inspector.get_columns(name)}, name
