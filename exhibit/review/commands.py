"""``exhibit review ...``: where the review stands, and the demo's review state."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from ..auth.accounts import AccountError
from ..contentstore import get_store
from ..publication.state import Decision, review_state
from ..visits.db import get_engine
from .audit import panel_statuses
from .decisions import ReviewError


# AppGroup: every command runs in an app context, also when invoked through app.cli (tests).
@click.group("review", cls=AppGroup)
def review_cli() -> None:
    """Review before publication: approvals by the reviewing organisations."""


def _who(d: Decision) -> str:
    return f"{d.reviewer}, {d.decided_at:%Y-%m-%d %H:%M} UTC"


@review_cli.command("status")
def status_command() -> None:
    """Per panel: the published version, the version in the files and who approved it, what is
    waiting, and what was sent back with its comment."""
    exhibition = get_store(current_app).current()
    if not exhibition.review_enabled:
        click.echo("Review is off (exhibition.yaml: review: enabled: false): every panel in the "
                   "files is public.")
        return
    state = review_state(exhibition, get_engine())
    statuses = panel_statuses(state)
    width = max(len(s.panel.slug) for s in statuses)
    counts = {"published": 0, "waiting": 0, "sent_back": 0}
    public = 0
    for s in statuses:
        current = s.current
        counts[current.status] += 1
        public += s.public is not None
        click.echo(f"{s.panel.slug:<{width}}  needs {' + '.join(current.required)}")
        if s.public is None:
            click.echo("  public:  none (not shown to visitors)")
        elif s.public.version == current.version:
            click.echo(f"  public:  {current.version} (the files' version)")
        else:
            click.echo(f"  public:  {s.public.version} (an older version; the files hold a "
                       f"newer draft)")
        if current.status == "published" and s.public is not None \
                and s.public.version == current.version:
            line = "published"
        elif current.status == "sent_back":
            line = "SENT BACK"
        else:
            line = "waiting for " + ", ".join(current.waiting_for)
        click.echo(f"  files:   {current.version} {line}")
        if s.panel.pending:
            click.echo(f"  pending: {len(s.panel.pending)} item(s) of data still to be supplied; "
                       f"cannot be approved (exhibit check lists them)")
        for d in current.decisions:
            if d.action == "approve":
                click.echo(f"           approved by {d.organisation} ({_who(d)})")
            else:
                click.echo(f"           sent back by {d.organisation} ({_who(d)}): {d.comment}")
    click.echo(f"{public} of {len(statuses)} panels public; files: {counts['published']} "
               f"published, {counts['waiting']} waiting, {counts['sent_back']} sent back")


@review_cli.command("demo")
@click.option("--password-stdin", is_flag=True,
              help="read the demo accounts' password from standard input instead of asking")
def demo_command(password_stdin: bool) -> None:
    """The demo's review state (safe to run again): reviewer accounts feco-reviewer,
    unido-reviewer, worldbank-reviewer and admin; most panels approved by both organisations,
    the PFOS posters waiting for the World Bank, the gold-catalyst case sent back by UNIDO."""
    from .demo import seed_demo

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password of the demo accounts", hide_input=True,
                                confirmation_prompt=True)
    app = current_app._get_current_object()
    if not get_store(app).current().review_enabled:
        click.echo("review is off for this exhibition: nothing to do")
        return
    try:
        with force_locale("en"):
            accounts, made = seed_demo(app, password)
    except (AccountError, ReviewError) as exc:
        raise click.ClickException(str(exc)) from None
    if accounts.created:
        click.echo(f"created demo accounts: {', '.join(accounts.created)}")
    if accounts.kept:
        click.echo(f"accounts already there, left as they are (passwords unchanged): "
                   f"{', '.join(accounts.kept)}")
    click.echo(f"recorded {made} review decision(s); `exhibit review status` shows the state")
