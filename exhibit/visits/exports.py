"""The visit log as CSV (streamed: memory stays flat whatever the size) and XLSX (openpyxl's
write-only mode). Cells that a spreadsheet would run as a formula are escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import Engine, String, case, func, literal, select, type_coerce

from .events import FIELDS
from .schema import events
from .xlsx import EXCEL_MAX_ROWS, XlsxWriter

COLUMNS = ("id", "kind", "occurred_at", "day", "surface", "lang", "panel", "kiosk_id",
           "session_id", "channel", "dwell_ms", "visitor", "data")
# Rows fetched per round trip: large enough to be fast, small enough to keep memory flat.
CHUNK = 5000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The zone of the times in an XLSX export when the app sets no TIMEZONE: the exhibitions' own.
DEFAULT_ZONE = "Asia/Shanghai"
XLSX_MAX_ROWS = EXCEL_MAX_ROWS - 1  # events per sheet: Excel's limit, less the header


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


# -- XLSX: a sheet a person can filter and read ---------------------------------------------------
# The fields events keep in their JSON `data` column (exhibit.visits.events.FIELDS less those with
# a column of their own), each split into a column of the sheet. Anything else found there (an
# older event) goes, as JSON, in the last column.
_OWN_COLUMNS = {"id", "kind", "surface", "at", "lang", "panel", "kiosk", "session", "dwell_ms"}
DATA_KEYS = tuple(k for k in FIELDS if k not in _OWN_COLUMNS)
# Column widths in characters, for a sheet that reads without resizing.
_WIDTHS = {"id": 38, "kind": 16, "occurred_at": 20, "day": 12, "surface": 9, "lang": 6,
           "panel": 22, "kiosk_id": 12, "session_id": 38, "channel": 12, "dwell_ms": 10,
           "visitor": 34, "path": 24, "referrer": 24, "panels": 30, "answer": 10, "other": 30}


def xlsx_header(zone: str) -> list[str]:
    """The visit sheet's header: the time and day columns say their zone (the day an event is
    counted on is the exhibition's day, ``TIMEZONE``, as on the dashboard and in the report)."""
    names = {"occurred_at": f"time ({zone})", "day": f"day ({zone})"}
    return ([names.get(c, c) for c in COLUMNS if c != "data"]
            + [f"data.{k}" for k in DATA_KEYS] + ["data (other)"])


def _xlsx_rows(rows: Iterator[tuple], zone: ZoneInfo) -> Iterator[list]:
    """The events as typed cells: times in ``zone`` (no zone in Excel: the header says it),
    numbers as numbers, the JSON split into columns, formulas escaped."""
    at = COLUMNS.index("occurred_at")
    data_at = COLUMNS.index("data")
    utc = dt.UTC
    for row in rows:
        cells = [escape_cell(v) if isinstance(v, str) else v for v in row[:data_at]]
        when = cells[at]
        if when.tzinfo is None:  # SQLite hands back naive datetimes: they are UTC
            when = when.replace(tzinfo=utc)
        cells[at] = when.astimezone(zone).replace(tzinfo=None)
        extra = {}
        if row[data_at]:
            try:
                extra = json.loads(row[data_at])
            except ValueError:
                extra = {"": row[data_at]}
            if not isinstance(extra, dict):
                extra = {"": extra}
        for key in DATA_KEYS:
            value = extra.pop(key, None)
            if isinstance(value, list):
                value = ", ".join(map(str, value))
            elif isinstance(value, dict):
                value = json.dumps(value, ensure_ascii=False)
            cells.append(escape_cell(value) if isinstance(value, str) else value)
        cells.append(escape_cell(json.dumps(extra, ensure_ascii=False)) if extra else None)
        yield cells


def _totals(engine: Engine, date_from, date_to, kinds) -> tuple[list[str], list[list]]:
    """Events per day (the exhibition's day) and kind, with a total per day and a row of
    totals."""
    query = select(events.c.day, events.c.kind, func.count()).group_by(
        events.c.day, events.c.kind).order_by(events.c.day)
    if date_from:
        query = query.where(events.c.day >= date_from)
    if date_to:
        query = query.where(events.c.day <= date_to)
    if kinds:
        query = query.where(events.c.kind.in_(list(kinds)))
    with engine.connect() as conn:
        counts = conn.execute(query).all()
    shown = sorted({kind for _day, kind, _n in counts})
    days: dict[dt.date, dict[str, int]] = {}
    for day, kind, n in counts:
        days.setdefault(day, {})[kind] = n
    rows = [[day, *(per.get(k, 0) for k in shown), sum(per.values())]
            for day, per in days.items()]
    rows.append(["total", *(sum(r[i + 1] for r in rows) for i in range(len(shown))),
                 sum(r[-1] for r in rows)])
    return ["day", *shown, "total"], rows


def write_xlsx(engine: Engine, target: Path, date_from=None, date_to=None, kinds=None,
               progress: Callable[[int], None] | None = None, *, zone: str | None = None,
               max_rows: int = XLSX_MAX_ROWS) -> None:
    """The visit log as an Excel workbook a person can filter and read: sheets "visits 1",
    "visits 2"... of at most ``max_rows`` events each (Excel's limit by default), then "totals".

    Times are in ``zone``, by default the app's ``TIMEZONE`` (the hall's local time). Streamed
    (exhibit.visits.xlsx): memory stays flat whatever the size of the log.
    """
    zone = zone or (current_app.config.get("TIMEZONE") if has_app_context() else None) \
        or DEFAULT_ZONE
    tz = ZoneInfo(zone)
    header = xlsx_header(zone)
    widths = [_WIDTHS.get(name, 14) for name in
              [c for c in COLUMNS if c != "data"] + list(DATA_KEYS) + ["other"]]
    book = XlsxWriter(target)
    try:
        sheet_number = 0
        done = 0
        for cells in _xlsx_rows(iter_rows(engine, date_from, date_to, kinds), tz):
            if sheet_number == 0 or book.rows_in_sheet > max_rows:
                sheet_number += 1
                book.add_sheet(f"visits {sheet_number}", header, widths)
            book.append(cells)
            done += 1
            if progress and done % CHUNK == 0:
                progress(CHUNK)
        if sheet_number == 0:
            book.add_sheet("visits 1", header, widths)
        totals_header, totals = _totals(engine, date_from, date_to, kinds)
        book.add_sheet("totals", totals_header, [12] + [14] * (len(totals_header) - 1))
        for row in totals:
            book.append(row)
        book.close()
    except BaseException:
        book.abort()
        raise
    if progress:
        progress(done % CHUNK)



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
