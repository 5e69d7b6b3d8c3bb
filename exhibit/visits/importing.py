"""``exhibit import visits``: visit logs kept away from the server (a kiosk running from a USB
stick) join the record. Each event goes through the same checks and write path as the live API,
so a file imported twice, or events already sent, are stored once."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from . import store
from .db import get_engine
from .ingest import Client, ingest

BATCH = 500
# Not a browser: no visitor hash is made (kiosk events carry none) and nothing is a robot.
IMPORT_CLIENT = Client(ip="", user_agent="exhibit-import", site="")


def read_events(path: Path) -> list[tuple[int, object]]:
    """(line, event) pairs from JSON Lines, or from one JSON document {"events": [...]}."""
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except ValueError:
        document = None  # JSON Lines: one event per line
    if isinstance(document, dict) and isinstance(document.get("events"), list):
        return [(0, event) for event in document["events"]]
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append((number, json.loads(line)))
        except ValueError as exc:
            events.append((number, ValueError(f"not JSON: {exc.msg}")))
    return events


@click.group("import", cls=AppGroup)
def import_cli() -> None:
    """Bring records made elsewhere into the exhibition record."""


@import_cli.command("visits")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_visits(files: tuple[Path, ...]) -> None:
    """Import visit events from FILES (JSON Lines, e.g. a kiosk bundle's visits.jsonl)."""
    engine = get_engine()
    totals: dict[str, int] = {}
    try:
        _import_files(engine, files, totals)
    finally:  # a file that fails half-way still leaves what was stored on the record
        summary = ", ".join(f"{n:,} {status}" for status, n in sorted(totals.items()))
        store.record_audit(engine, store.AuditEntry(
            store.command_line_actor(), "import_visits",
            target=", ".join(str(p.resolve()) for p in files)[:500],
            detail=summary or "no events"))
    click.echo(summary or "no events")


def _import_files(engine, files: tuple[Path, ...], totals: dict[str, int]) -> None:
    for path in files:
        try:
            events = read_events(path)
        except UnicodeDecodeError as exc:
            raise click.ClickException(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); the files before it "
                "were imported") from None
        for start in range(0, len(events), BATCH):
            chunk = events[start:start + BATCH]
            raw = [e if not isinstance(e, ValueError) else {"_invalid": str(e)} for _, e in chunk]
            result = ingest(engine, raw, IMPORT_CLIENT, None)
            for (line, event), outcome in zip(chunk, result.results, strict=True):
                totals[outcome["status"]] = totals.get(outcome["status"], 0) + 1
                if outcome["status"] == "rejected":
                    reason = str(event) if isinstance(event, ValueError) else outcome["error"]
                    click.echo(f"{path}:{line}: rejected: {reason}", err=True)

