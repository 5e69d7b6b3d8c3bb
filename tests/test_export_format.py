"""The CSV export's cells are made by the database (bench/export_bench.py: twice as fast as
formatting them in Python). They must be exactly what Python's csv module writes for the escaped
values, and the same on SQLite and PostgreSQL, whatever odd text an event holds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from sqlalchemy import insert

from exhibit.visits import exports
from exhibit.visits.db import make_engine, upgrade
from exhibit.visits.exports import COLUMNS, csv_chunks, escape_cell, iter_rows
from exhibit.visits.schema import events

ODD_TEXT = ["=1+1", "+33 1 23", "-cmd", "@SUM(A1)", "\tTAB", "\rCR", "a,b", 'say "hi"',
            "line\nbreak", "CR\r\nLF", "普通话，中文", "", " lead space", "'quoted", "=", "x=1"]


def _engine(database_url: str):
    return make_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))


def _rows() -> list[dict]:
    base = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    rows = []
    for i, text in enumerate(ODD_TEXT):
        occurred = base + dt.timedelta(minutes=i, microseconds=(i * 12_345) % 1_000_000)
        rows.append({"id": str(uuid.UUID(int=i + 1)), "kind": text or "page_view",
                     "occurred_at": occurred, "received_at": occurred, "day": occurred.date(),
                     "surface": text, "lang": text[:8], "panel": text, "kiosk_id": text,
                     "session_id": text[:36], "channel": text[:32],
                     "dwell_ms": i * 1000 if i % 2 else None, "visitor": text[:32],
                     "data": text if i % 3 else None})
    # A quiet one: NULL everywhere it may be, a whole second (isoformat would drop the zeros).
    rows.append({"id": str(uuid.UUID(int=999)), "kind": "session_start",
                 "occurred_at": dt.datetime(2026, 11, 21, 0, 0, tzinfo=dt.UTC),
                 "received_at": dt.datetime(2026, 11, 21, 0, 0, tzinfo=dt.UTC),
                 "day": dt.date(2026, 11, 21), "surface": "kiosk", "lang": None, "panel": None,
                 "kiosk_id": None, "session_id": None, "channel": None, "dwell_ms": None,
                 "visitor": None, "data": None})
    return rows


def _expected_csv(rows: list[dict]) -> str:
    """What the export must write: Python's csv module on the escaped values, ISO times in UTC."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in sorted(rows, key=lambda r: (r["occurred_at"], r["id"])):
        cells = []
        for name in COLUMNS:
            value = row[name]
            if name == "occurred_at":
                value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
            elif name == "day":
                value = value.isoformat()
            cells.append(escape_cell(value))
        writer.writerow(cells)
    return buffer.getvalue()


def test_csv_cells_made_by_the_database_match_pythons_csv(database_url, monkeypatch):
    engine = _engine(database_url)
    try:
        upgrade(engine)
        rows = _rows()
        with engine.begin() as conn:
            conn.execute(insert(events), rows)
        text = "".join(csv_chunks(engine))
        assert text == _expected_csv(rows)
        parsed = list(csv.reader(io.StringIO(text)))
        assert len(parsed) == len(rows) + 1 and all(len(r) == len(COLUMNS) for r in parsed)
        assert parsed[-1][2] == "2026-11-21T00:00:00.000000+00:00"
        # No cell a spreadsheet would run as a formula.
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                       for r in parsed[1:] for cell in r)
        # Filters and chunking: the same rows in small pieces, or a subset.
        progress = []
        monkeypatch.setattr(exports, "CHUNK", 4)
        pieces = list(csv_chunks(engine, progress=progress.append))
        assert "".join(pieces) == text and sum(progress) == len(rows) and len(pieces) > 3
        only_kiosk = list(csv.reader(io.StringIO("".join(
            csv_chunks(engine, kinds=["session_start"], date_from=dt.date(2026, 11, 21))))))
        assert [r[0] for r in only_kiosk[1:]] == [str(uuid.UUID(int=999))]
        # XLSX keeps typed values (Excel dates), from the same rows.
        assert len(list(iter_rows(engine))) == len(rows)
    finally:
        engine.dispose()


def test_csv_times_are_utc_whatever_the_session_time_zone(database_url):
    """PostgreSQL answers in the session's time zone; the export still writes UTC."""
    if database_url.startswith("postgresql"):
        database_url += "%20-cTimeZone%3DAsia%2FShanghai"
    engine = _engine(database_url)
    try:
        upgrade(engine)
        moment = dt.datetime(2026, 11, 20, 23, 30, 5, 120, tzinfo=dt.UTC)
        with engine.begin() as conn:
            conn.execute(insert(events), [{
                "id": str(uuid.UUID(int=7)), "kind": "page_view", "occurred_at": moment,
                "received_at": moment, "day": moment.date(), "surface": "web"}])
        rows = list(csv.reader(io.StringIO("".join(csv_chunks(engine)))))
        assert rows[1][2:4] == ["2026-11-20T23:30:05.000120+00:00", "2026-11-20"]
    finally:
        engine.dispose()
