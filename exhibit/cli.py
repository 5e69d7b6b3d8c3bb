"""The ``exhibit`` command: Flask's CLI for this app (``exhibit run``) plus exhibit's own commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup
from flask.cli import run_command as flask_run_command

from .content import ContentError, InvalidContent, load_exhibition


def _make_app():
    """Build the app for the CLI; on invalid content, print every problem and refuse to start."""
    from . import create_app
    from .media import MediaBuildError
    from .settings import SettingsError

    try:
        return create_app()
    except SettingsError as exc:
        click.echo(f"exhibit: not starting: {exc}", err=True)
        sys.exit(1)
    except MediaBuildError as exc:
        click.echo(f"exhibit: {exc}", err=True)
        sys.exit(1)
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

    Prints one `path:line: message` per problem and exits 1 if there is any. Pending data
    (`{{pending: what — who}}` in a panel text) is listed as notices, which do not fail the check:
    such a panel can be reviewed as a draft but not approved or printed final.
    """
    from .settings import DEFAULTS

    root = directory or Path(os.environ.get("EXHIBIT_CONTENT_DIR", DEFAULTS["CONTENT_DIR"]))
    try:
        exhibition = load_exhibition(root)
    except InvalidContent as exc:
        click.echo(exc.report())
        click.echo(f"{len(exc.errors)} problem(s) in {root}", err=True)
        sys.exit(1)
    pending = [item for panel in exhibition.panels for item in panel.pending]
    for item in pending:  # path:line as the problems give it (relative to where you are)
        click.echo(ContentError(exhibition.root / item.path, item.line,
                                f"notice: pending: {item.what} (supplied by {item.who})").format())
    if pending:
        held = sorted({p.slug for p in exhibition.panels if p.pending})
        click.echo(f"{len(pending)} pending item(s) in {len(held)} panel(s) "
                   f"({', '.join(held)}): these cannot be approved or printed final until the "
                   f"data is filled in")
    click.echo(f"{root}: {len(exhibition.panels)} panels in {len(exhibition.sections)} sections, "
               f"{len(exhibition.languages)} languages ({', '.join(exhibition.languages)}): ok")


@click.command("run", params=[*flask_run_command.params, click.Option(
    ["--production"], is_flag=True,
    help="Serve with gunicorn and exhibit's production settings (exhibit/gunicorn_config.py): "
         "two workers per core, threads, the app loaded once. Takes --host and --port.")],
    help=f"{flask_run_command.help}\n\nWith --production: gunicorn, as on a real server.")
@click.pass_context
def run_command(ctx: click.Context, production: bool, **options) -> None:
    """Flask's development server, or gunicorn with ``--production``."""
    _public_base_url(production, options["host"], options["port"])
    if not production:
        ctx.invoke(flask_run_command, **options)
        return
    env = dict(os.environ, EXHIBIT_BIND=f"{options['host']}:{options['port']}")
    command = [sys.executable, "-m", "gunicorn", "--config", "python:exhibit.gunicorn_config"]
    click.echo(f"exhibit: gunicorn on http://{env['EXHIBIT_BIND']} (exhibit/gunicorn_config.py)")
    os.execvpe(command[0], command, env)


cli.add_command(run_command)


def _configured_base_url() -> str:
    """PUBLIC_BASE_URL as the app will read it (defaults, instance/exhibit.cfg, EXHIBIT_*),
    without building the app."""
    from flask import Flask

    from .config import INSTANCE_CONFIG
    from .settings import DEFAULTS

    bare = Flask("exhibit", instance_relative_config=True, static_folder=None)
    bare.config.from_mapping(DEFAULTS)
    bare.config.from_pyfile(INSTANCE_CONFIG, silent=True)
    bare.config.from_prefixed_env("EXHIBIT")
    return str(bare.config.get("PUBLIC_BASE_URL") or "")


def _served_address(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):  # every interface: the address others reach it at
        import socket

        try:
            host = socket.gethostbyname(socket.gethostname())
        except OSError:
            host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _loopback(host: str) -> bool:
    """Listening on this computer only (not on every interface, 0.0.0.0 or ::)."""
    import ipaddress

    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public_base_url(production: bool, host: str, port: int) -> None:
    """Unset PUBLIC_BASE_URL: the development server uses the address it serves (links, QR codes
    and share tags then work on this machine); production refuses to start (exit 1). Production
    also refuses a local address while it listens on others."""
    from .settings import base_url_problem

    url = _configured_base_url()
    problem = base_url_problem(url)
    if not production:
        if problem and problem[0] == "unset":
            served = _served_address(host, port)
            os.environ["EXHIBIT_PUBLIC_BASE_URL"] = served  # the reloader's child inherits it
            click.echo(f"exhibit: PUBLIC_BASE_URL is not set; links and QR codes use {served}",
                       err=True)
        return
    if problem and (problem[0] in ("unset", "invalid")
                    or (problem[0] == "local" and not _loopback(host))):
        click.echo(f"exhibit: refusing to start in production: PUBLIC_BASE_URL {problem[1]}. "
                   f"Share links, the sitemap, Open Graph tags and printed QR codes would lead "
                   f"there. Set it to the public address of the topic page, e.g. "
                   f"EXHIBIT_PUBLIC_BASE_URL=https://expo.example.org (or PUBLIC_BASE_URL in "
                   f"instance/exhibit.cfg).", err=True)
        sys.exit(1)
    if problem:
        click.echo(f"exhibit: warning: PUBLIC_BASE_URL {problem[1]}; final print files will be "
                   f"refused until it is a public https address", err=True)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="exhibit")
