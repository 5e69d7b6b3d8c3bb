"""The ``exhibit`` command: Flask's CLI for this app (``exhibit run``) plus exhibit's own commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup

from .content import InvalidContent, load_exhibition


def _make_app():
    """Build the app for the CLI; on invalid content, print every problem and refuse to start."""
    from . import create_app

    try:
        return create_app()
    except InvalidContent as exc:
        click.echo(exc.report(), err=True)
        click.echo(f"exhibit: the content has {len(exc.errors)} problem(s); not starting. "
                   f"Run `exhibit check` after fixing them.", err=True)
        sys.exit(1)


@click.group(cls=FlaskGroup, create_app=_make_app, add_version_option=False)
@click.version_option(package_name="exhibit")
def cli() -> None:
    """exhibit: one exhibition, shown on a kiosk, on the web and on paper."""


@cli.command("check", with_appcontext=False)
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def check_command(directory: Path | None) -> None:
    """Validate the content in DIRECTORY (default: the configured CONTENT_DIR, `panels`).

    Prints one `path:line: message` per problem and exits 1 if there is any.
    """
    from .settings import DEFAULTS

    root = directory or Path(os.environ.get("EXHIBIT_CONTENT_DIR", DEFAULTS["CONTENT_DIR"]))
    try:
        exhibition = load_exhibition(root)
    except InvalidContent as exc:
        click.echo(exc.report())
        click.echo(f"{len(exc.errors)} problem(s) in {root}", err=True)
        sys.exit(1)
    click.echo(f"{root}: {len(exhibition.panels)} panels in {len(exhibition.sections)} sections, "
               f"{len(exhibition.languages)} languages ({', '.join(exhibition.languages)}): ok")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="exhibit")
