"""The database: SQLite (WAL) in the instance folder by default, PostgreSQL when DATABASE_URL
names one. Everything that writes goes through :mod:`exhibit.visits.store`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event, inspect, select

from .schema import MIGRATIONS, create_schema_version, schema_version


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs to be safe under concurrent writers."""
    if url.startswith("sqlite"):
        # check_same_thread off: connections come from a pool shared by request threads.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer. synchronous=FULL: a committed (acknowledged)
            # event survives a power cut, not only a killed process.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL")
    if url:
        # Accept the common postgres:// form and use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    path = Path(app.instance_path) / "exhibit.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def current_version(engine: Engine) -> int:
    if not inspect(engine).has_table("schema_version"):
        return 0
    with engine.connect() as conn:
        return conn.execute(select(schema_version.c.version).order_by(
            schema_version.c.version.desc()).limit(1)).scalar() or 0


def upgrade(engine: Engine) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction; returns what ran."""
    with engine.begin() as conn:
        create_schema_version(conn)
    done = current_version(engine)
    applied = []
    for version, description, step in MIGRATIONS:
        if version <= done:
            continue
        with engine.begin() as conn:
            step(conn)
            conn.execute(schema_version.insert().values(
                version=version, applied_at=dt.datetime.now(dt.UTC)))
        applied.append(f"{version}: {description}")
    return applied


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["exhibit.db"]


@click.group("db")
def db_cli() -> None:
    """The visit-log database."""


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Create the tables, or bring them to the newest schema (safe to run again)."""
    engine = get_engine()
    applied = upgrade(engine)
    for line in applied:
        click.echo(f"applied {line}")
    click.echo(f"database at schema version {current_version(engine)} "
               f"({engine.url.render_as_string(hide_password=True)})")


def init_app(app: Flask) -> None:
    """Connect, and bring the schema up to date (a fresh instance needs no extra command)."""
    engine = make_engine(database_url(app))
    app.extensions["exhibit.db"] = engine
    if app.config["DATABASE_AUTO_UPGRADE"]:
        upgrade(engine)
    app.cli.add_command(db_cli)
