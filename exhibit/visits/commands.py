"""``exhibit export ...``: the exhibition record from the command line."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from . import store
from .db import get_engine
from .events import KINDS
from .exports import count_events, csv_chunks, write_xlsx
from .report import REPORT_LANGUAGES, default_language, html_to_pdf, render_report_html


# AppGroup: every command runs in an app context, also when invoked through app.cli (tests).
@click.group("export", cls=AppGroup)
def export_cli() -> None:
    """Export the exhibition record: visit log, summary report, the whole record."""


def _audit(action: str, out: Path, detail: str) -> None:
    """The export's line in the staff audit trail: the visit log left the server."""
    store.record_audit(get_engine(), store.AuditEntry(
        store.command_line_actor(), action, target=str(out.resolve())[:500], detail=detail))


def _date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2026-11-21") from None


@export_cli.command("visits")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--from", "date_from", callback=_date, help="first day (YYYY-MM-DD), inclusive")
@click.option("--to", "date_to", callback=_date, help="last day (YYYY-MM-DD), inclusive")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(sorted(KINDS)),
              help="only these kinds of event (repeatable)")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_visits(fmt, date_from, date_to, kinds, out: Path) -> None:
    """Write the visit log to OUT as CSV or Excel, with a progress bar."""
    engine = get_engine()
    filters = {"date_from": date_from, "date_to": date_to, "kinds": kinds or None}
    total = count_events(engine, **filters)
    partial = out.with_name(out.name + ".part")  # never leave a half-written file under OUT
    with click.progressbar(length=total, label=f"exporting {total:,} events",
                           file=sys.stderr) as bar:
        if fmt == "csv":
            with partial.open("w", encoding="utf-8-sig", newline="") as fh:
                for chunk in csv_chunks(engine, progress=bar.update, **filters):
                    fh.write(chunk)
        else:
            write_xlsx(engine, partial, progress=bar.update, **filters)
    partial.replace(out)
    _audit("export_visits", out, "&".join(
        [f"format={fmt}"] + [f"{k}={v}" for k, v in (("from", date_from), ("to", date_to)) if v]
        + [f"kind={k}" for k in kinds]))
    click.echo(f"{out}: {total:,} events, {out.stat().st_size:,} bytes")


_LANG_OPTION = click.option(
    "--lang", type=click.Choice(REPORT_LANGUAGES), default=None,
    help="language of the report (default: the exhibition's first language)")


@export_cli.command("report")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.pdf, or FILE.html for the printable web page")
@click.option("--from", "date_from", callback=_date, help="first day (YYYY-MM-DD), inclusive")
@click.option("--to", "date_to", callback=_date, help="last day (YYYY-MM-DD), inclusive")
@_LANG_OPTION
def export_report(out: Path, date_from, date_to, lang) -> None:
    """Write the exhibition summary report to OUT (PDF, or HTML when OUT ends in .html)."""
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise click.BadParameter("the file name must end in .pdf or .html", param_hint="--out")
    if date_from and date_to and date_from > date_to:
        raise click.BadParameter("--from is after --to", param_hint="--from")
    lang = lang or default_language()
    html = render_report_html(lang, date_from, date_to)
    data = html_to_pdf(html) if suffix == ".pdf" else html.encode("utf-8")
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(data)
    partial.replace(out)
    _audit("export_report", out, "&".join(
        [f"lang={lang}"] + [f"{k}={v}" for k, v in (("from", date_from), ("to", date_to)) if v]))
    click.echo(f"{out}: summary report in {lang}, {len(data):,} bytes")

