"""The CSV export's cells are made by the database (bench/export_bench.py: twice as fast as
formatting them in Python). They must be exactly what Python's csv module writes for the escaped
values, and the same on SQLite and PostgreSQL, whatever odd text an event holds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import insert

from exhibit.visits import exports
from exhibit.visits.db import make_engine, upgrade
from exhibit.visits.exports import COLUMNS, csv_chunks, escape_cell, iter_rows, write_xlsx
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


def _xlsx_events() -> list[dict]:
    """Events of three kinds over two days, with their JSON extras."""
    base = dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC)  # 07:30 next morning in Shanghai
    rows = []
    for i in range(7):
        at = base + dt.timedelta(hours=i)
        kind = ("page_view", "session_end", "feedback_answer")[i % 3]
        data = {"page_view": {"path": "/zh/", "src": "wechat", "referrer": "=evil.example"},
                "session_end": {"duration_ms": 60_000 + i, "panels": ["story", "output"]},
                "feedback_answer": {"question": "useful", "answer": "5", "legacy": True}}[kind]
        rows.append({"id": str(uuid.UUID(int=100 + i)), "kind": kind, "occurred_at": at,
                     "received_at": at, "day": at.date(), "surface": "web", "lang": "zh",
                     "panel": "story", "dwell_ms": 1500 if i == 0 else None,
                     "data": json.dumps(data)})
    return rows


def test_xlsx_is_a_sheet_a_person_can_filter_and_read(database_url, tmp_path):
    engine = _engine(database_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(insert(events), _xlsx_events())
        out = tmp_path / "visits.xlsx"
        write_xlsx(engine, out, zone="Asia/Shanghai")
    finally:
        engine.dispose()
    book = load_workbook(out)
    assert book.sheetnames == ["visits 1", "totals"]
    sheet = book["visits 1"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["id", "kind", "time (Asia/Shanghai)", "day (Asia/Shanghai)"]
    assert "data" not in header and header[-1] == "data (other)"
    assert {"data.path", "data.src", "data.duration_ms", "data.panels", "data.answer"} <= set(header)
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}8"
    assert sheet.column_dimensions["A"].width >= 36  # a whole UUID is visible
    cells = {name: sheet.cell(row=2, column=header.index(name) + 1) for name in header}
    # Real dates and numbers, the time in Shanghai (UTC+8), the day as the log counts it.
    assert cells["time (Asia/Shanghai)"].value == dt.datetime(2026, 11, 21, 7, 30)
    assert cells["time (Asia/Shanghai)"].is_date and cells["day (Asia/Shanghai)"].is_date
    assert cells["day (Asia/Shanghai)"].value.date() == dt.date(2026, 11, 20)
    assert cells["dwell_ms"].value == 1500 and cells["dwell_ms"].data_type == "n"
    assert cells["data.referrer"].value == "'=evil.example"  # shown, never run
    row3 = {name: sheet.cell(row=3, column=i + 1).value for i, name in enumerate(header)}
    assert row3["data.duration_ms"] == 60_001 and row3["data.panels"] == "story, output"
    row4 = {name: sheet.cell(row=4, column=i + 1).value for i, name in enumerate(header)}
    assert row4["data.answer"] == "5" and json.loads(row4["data (other)"]) == {"legacy": True}

    totals = book["totals"]
    assert [c.value for c in totals[1]] == ["day", "feedback_answer", "page_view",
                                            "session_end", "total"]
    assert totals.freeze_panes == "A2" and totals["A1"].font.b
    values = [[c.value for c in row] for row in totals.iter_rows(min_row=2)]
    assert values[0][0].date() == dt.date(2026, 11, 20) and values[0][1:] == [0, 1, 0, 1]
    assert values[-1] == ["total", 2, 3, 2, 7]


def test_xlsx_continues_on_another_sheet_past_the_row_limit(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'log.sqlite3'}")
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(insert(events), _xlsx_events())
        out = tmp_path / "visits.xlsx"
        progress = []
        write_xlsx(engine, out, zone="Europe/Paris", max_rows=3, progress=progress.append)
    finally:
        engine.dispose()
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["visits 1", "visits 2", "visits 3", "totals"]
    ids = []
    for name in book.sheetnames[:3]:
        rows = list(book[name].iter_rows(values_only=True))
        assert rows[0][2] == "time (Europe/Paris)"  # every sheet has the header
        assert len(rows) - 1 <= 3
        ids += [r[0] for r in rows[1:]]
    assert ids == [str(uuid.UUID(int=100 + i)) for i in range(7)]  # in order, none lost
    assert sum(progress) == 7
