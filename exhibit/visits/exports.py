"""The visit log as CSV (streamed: memory stays flat whatever the size) and XLSX (openpyxl's
write-only mode). Cells that a spreadsheet would run as a formula are escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sqlalchemy import Engine, func, select

from .schema import events

COLUMNS = ("id", "kind", "occurred_at", "day", "surface", "lang", "panel", "kiosk_id",
           "session_id", "channel", "dwell_ms", "visitor", "data")
# Rows fetched per round trip: large enough to be fast, small enough to keep memory flat.
CHUNK = 5000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # Excel's limit per sheet, less the header


def escape_cell(value):
    """Neutralise spreadsheet formulas (CSV/formula injection): '=cmd' is shown, not run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _query(date_from: dt.date | None, date_to: dt.date | None, kinds: Sequence[str] | None):
    query = select(*(events.c[name] for name in COLUMNS)).order_by(events.c.occurred_at,
                                                                    events.c.id)
    if date_from:
        query = query.where(events.c.day >= date_from)
    if date_to:
        query = query.where(events.c.day <= date_to)
    if kinds:
        query = query.where(events.c.kind.in_(list(kinds)))
    return query


def count_events(engine: Engine, date_from=None, date_to=None, kinds=None) -> int:
    inner = _query(date_from, date_to, kinds).order_by(None).subquery()
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(inner)).scalar_one()


def iter_rows(engine: Engine, date_from=None, date_to=None, kinds=None) -> Iterator[tuple]:
    """The matching events as plain tuples, fetched in chunks."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(
            _query(date_from, date_to, kinds))
        for partition in result.partitions(CHUNK):
            for row in partition:
                yield tuple(row)


def _cell(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape_cell(value)


def csv_chunks(engine: Engine, date_from=None, date_to=None, kinds=None,
               progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The CSV text in pieces of about CHUNK rows, header first (for streaming responses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = 0
    for row in iter_rows(engine, date_from, date_to, kinds):
        writer.writerow([_cell(v) for v in row])
        rows += 1
        if rows % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(CHUNK)
    yield buffer.getvalue()
    if progress:
        progress(rows % CHUNK)


def write_csv(engine: Engine, target: Path, **filters) -> None:
    # utf-8-sig: Excel opens a CSV with a BOM as UTF-8 (Chinese stays readable).
    with target.open("w", encoding="utf-8-sig", newline="") as fh:
        for chunk in csv_chunks(engine, **filters):
            fh.write(chunk)


def write_xlsx(engine: Engine, target: Path, date_from=None, date_to=None, kinds=None,
               progress: Callable[[int], None] | None = None) -> None:
    """An Excel workbook, written row by row (write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = None
    rows_in_sheet = 0
    sheet_number = 0
    for row in iter_rows(engine, date_from, date_to, kinds):
        if sheet is None or rows_in_sheet >= XLSX_MAX_ROWS:
            sheet_number += 1
            sheet = workbook.create_sheet(f"visits {sheet_number}")
            sheet.append(COLUMNS)
            rows_in_sheet = 0
        sheet.append([_xlsx_cell(v) for v in row])
        rows_in_sheet += 1
        if progress and rows_in_sheet % CHUNK == 0:
            progress(CHUNK)
    if sheet is None:
        workbook.create_sheet("visits 1").append(COLUMNS)
    workbook.save(target)
    if progress:
        progress(rows_in_sheet % CHUNK)


def _xlsx_cell(value):
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value  # Excel has no time zones
    return escape_cell(value)
