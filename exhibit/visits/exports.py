"""The visit log as CSV (streamed: memory stays flat whatever the size) and XLSX (openpyxl's
write-only mode). Cells that a spreadsheet would run as a formula are escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, case, func, literal, select, type_coerce

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


def _filtered(query, date_from: dt.date | None, date_to: dt.date | None,
              kinds: Sequence[str] | None):
    query = query.order_by(events.c.occurred_at, events.c.id)
    if date_from:
        query = query.where(events.c.day >= date_from)
    if date_to:
        query = query.where(events.c.day <= date_to)
    if kinds:
        query = query.where(events.c.kind.in_(list(kinds)))
    return query


def _query(date_from: dt.date | None, date_to: dt.date | None, kinds: Sequence[str] | None):
    """The matching events with their Python types (datetimes, dates, numbers)."""
    return _filtered(select(*(events.c[name] for name in COLUMNS)), date_from, date_to, kinds)


# -- CSV: the database hands over text ------------------------------------------------------------
# Profiled (bench/export_bench.py), more than half of a CSV export went to Python work per cell:
# the stored text turned into datetime objects, formatted back into text, every cell checked for
# formulas. Here the database does that work in the query, in C, and Python hands whole rows to
# the csv module. The text is the same from SQLite and PostgreSQL (tests/test_export_format.py).

def _iso_utc(column, dialect: str):
    """A timestamp as ISO 8601 text in UTC with microseconds (``2026-11-21T09:30:00.000000+00:00``)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column),
                            'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"', type_=String)
    # SQLite: SQLAlchemy keeps a UTC time as the text 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return func.replace(type_coerce(column, String), " ", "T", type_=String).concat("+00:00")


def _iso_date(column, dialect: str):
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD", type_=String)
    return type_coerce(column, String)  # SQLite keeps a date as the text 'YYYY-MM-DD'


def _escaped(column):
    """:func:`escape_cell` in SQL: text starting with = + - @, tab or CR gets a leading quote."""
    return case((func.substr(column, 1, 1).in_(FORMULA_STARTS), literal("'").concat(column)),
                else_=column)


def _text_query(dialect: str, date_from=None, date_to=None, kinds=None):
    """The rows of :func:`_query` as the cells of a CSV file, made by the database."""
    cells = []
    for name in COLUMNS:
        column = events.c[name]
        if name == "occurred_at":
            cells.append(_iso_utc(column, dialect).label(name))
        elif name == "day":
            cells.append(_iso_date(column, dialect).label(name))
        elif isinstance(column.type, String):
            cells.append(_escaped(column).label(name))
        else:
            cells.append(column)  # numbers: nothing to escape
    return _filtered(select(*cells), date_from, date_to, kinds)


def count_events(engine: Engine, date_from=None, date_to=None, kinds=None) -> int:
    inner = _query(date_from, date_to, kinds).order_by(None).subquery()
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(inner)).scalar_one()


def _partitions(engine: Engine, query) -> Iterator[Sequence]:
    """The result in lists of at most CHUNK rows (a server-side cursor on PostgreSQL)."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
        yield from result.partitions(CHUNK)


def iter_rows(engine: Engine, date_from=None, date_to=None, kinds=None) -> Iterator[tuple]:
    """The matching events as plain tuples of Python values, fetched in chunks."""
    for partition in _partitions(engine, _query(date_from, date_to, kinds)):
        for row in partition:
            yield tuple(row)


def csv_chunks(engine: Engine, date_from=None, date_to=None, kinds=None,
               progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The CSV text in pieces of at most CHUNK rows, header first (for streaming responses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    query = _text_query(engine.dialect.name, date_from, date_to, kinds)
    for partition in _partitions(engine, query):
        writer.writerows(partition)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if progress:
            progress(len(partition))
    if buffer.tell():
        yield buffer.getvalue()


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


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A small table as UTF-8 CSV with a BOM (Excel), dates in ISO form, formulas escaped: a
    comment is shown, never run. For the audit trails and the record's tables."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell(_cell_text(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell_text(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return "" if value is None else value
