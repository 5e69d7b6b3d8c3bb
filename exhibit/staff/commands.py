"""``exhibit users ...``: staff accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..auth.accounts import (
    ROLES,
    AccountError,
    command_line_actor,
    create_account,
    set_active,
    set_password,
    set_role,
    stored_name,
)
from ..visits import store
from ..visits.db import get_engine
from ..visits.schema import users


# AppGroup: every command runs in an app context, also when invoked through app.cli (tests).
@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """Staff accounts."""


def _check_organisation(organisation: str | None) -> None:
    from flask import current_app

    from ..contentstore import get_store

    if organisation:
        known = {o.id for o in get_store(current_app).exhibition.organisations}
        if organisation not in known:
            raise click.BadParameter(f"'{organisation}' is not an organisation of the exhibition "
                                     f"({', '.join(sorted(known))})", param_hint="--org")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        # The line ending only (\n, or \r\n from a Windows editor or a here-string): a password
        # may end with a space, but a kept \r would be a password nobody can type.
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    return click.prompt("Password (at least 12 characters)", hide_input=True,
                        confirmation_prompt=True)


password_stdin_option = click.option(
    "--password-stdin", is_flag=True,
    help="read the password from standard input (for scripts) instead of asking")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "organisation",
              help="the organisation a reviewer belongs to (e.g. feco); never for an admin")
@password_stdin_option
def create_user_command(name: str, role: str, organisation: str | None,
                        password_stdin: bool) -> None:
    """Create the staff account NAME (asks for the password twice)."""
    _check_organisation(organisation)
    password = _read_password(password_stdin)
    try:
        user = create_account(get_engine(), name, password, role, organisation)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    org = f" of {user.organisation}" if user.organisation else ""
    click.echo(f"created {user.role} '{user.name}'{org}")


@users_cli.command("set-password")
@click.argument("name")
@password_stdin_option
def set_password_command(name: str, password_stdin: bool) -> None:
    """Give the account NAME a new password (same rules); its sessions all end."""
    try:
        set_password(get_engine(), name, _read_password(password_stdin))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"password of '{name}' set; its sessions have ended")


@users_cli.command("set-role")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "organisation", help="the organisation a reviewer belongs to (e.g. feco)")
def set_role_command(name: str, role: str, organisation: str | None) -> None:
    """Change the role (and organisation) of the account NAME; it applies at its next request."""
    _check_organisation(organisation)
    try:
        set_role(get_engine(), name, role, organisation)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"'{name}' is now {role}" + (f" of {organisation}" if organisation else ""))


@users_cli.command("list")
def list_command() -> None:
    """Every account: name, role, organisation, open or closed."""
    with get_engine().connect() as conn:
        rows = conn.execute(select(users.c.name, users.c.role, users.c.organisation,
                                   users.c.active).order_by(users.c.name)).all()
    if not rows:
        click.echo("no accounts yet: `exhibit users create NAME --role ROLE` makes one")
        return
    width = max(len(row.name) for row in rows)
    for row in rows:
        org = f" of {row.organisation}" if row.organisation else ""
        state = "" if row.active else "  (closed)"
        click.echo(f"{row.name:<{width}}  {row.role}{org}{state}")


@users_cli.command("deactivate")
@click.argument("name")
def deactivate_command(name: str) -> None:
    """Close the account NAME: it can no longer sign in and its sessions end (the demo accounts
    before real use, someone who left). Its name stays in the audit trail."""
    try:
        set_active(get_engine(), name, False)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"'{name}' is closed: it cannot sign in; `exhibit users activate {name}` opens it "
               "again")


@users_cli.command("activate")
@click.argument("name")
def activate_command(name: str) -> None:
    """Open the closed account NAME again (with its old password: set a new one if in doubt)."""
    try:
        set_active(get_engine(), name, True)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"'{name}' can sign in again")


@users_cli.command("end-sessions")
@click.argument("name")
def end_sessions_command(name: str) -> None:
    """Sign the account NAME out everywhere (a lost laptop, a copied cookie)."""
    engine = get_engine()
    name = stored_name(engine, name) or name
    with engine.connect() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.name == name)).scalar()
    if user_id is None:
        raise click.ClickException(f"there is no account named '{name}'")
    store.end_sessions(engine, user_id, audit=store.AuditEntry(
        command_line_actor(), "sessions_ended", target=name))
    click.echo(f"every session of '{name}' has ended")
