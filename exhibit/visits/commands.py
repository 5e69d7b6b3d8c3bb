"""``exhibit export ...``: the exhibition record from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .db import get_engine
from .events import KINDS
from .exports import count_events, csv_chunks, write_xlsx


@click.group("export")
def export_cli() -> None:
    """Export the exhibition record: visit log, summary report, the whole record."""


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
                           file=click.get_text_stream("stderr")) as bar:
        if fmt == "csv":
            with partial.open("w", encoding="utf-8-sig", newline="") as fh:
                for chunk in csv_chunks(engine, progress=bar.update, **filters):
                    fh.write(chunk)
        else:
            write_xlsx(engine, partial, progress=bar.update, **filters)
    partial.replace(out)
    click.echo(f"{out}: {total:,} events, {out.stat().st_size:,} bytes")
