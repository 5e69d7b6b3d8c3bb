"""``exhibit users ...``: staff accounts from the command line."""

from __future__ import annotations

import sys

import click

from ..visits.db import get_engine
from .accounts import ROLES, AccountError, create_account


@click.group("users")
def users_cli() -> None:
    """Staff accounts."""


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "organisation", help="the organisation a reviewer belongs to (e.g. feco)")
@click.option("--password-stdin", is_flag=True,
              help="read the password from standard input (for scripts) instead of asking")
def create_user_command(name: str, role: str, organisation: str | None,
                        password_stdin: bool) -> None:
    """Create the staff account NAME (asks for the password twice)."""
    from flask import current_app

    from ..contentstore import get_store

    if organisation:
        known = {o.id for o in get_store(current_app).exhibition.organisations}
        if organisation not in known:
            raise click.BadParameter(f"'{organisation}' is not an organisation of the exhibition "
                                     f"({', '.join(sorted(known))})", param_hint="--org")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password (at least 12 characters)", hide_input=True,
                                confirmation_prompt=True)
    try:
        user = create_account(get_engine(), name, password, role, organisation)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    org = f" of {user.organisation}" if user.organisation else ""
    click.echo(f"created {user.role} '{user.name}'{org}")
