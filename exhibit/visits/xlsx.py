"""A streaming XLSX writer for large tables: rows go straight into the ZIP as sheet XML.

openpyxl (even write-only, even with lxml) makes a Python cell object and its XML for every value,
about 15 µs a cell: three minutes for a million events, far from the one minute PRODUCT.md asks
(bench/export_bench.py). This writer formats a row as one string, so a cell costs about a
microsecond. It writes only what an export needs: inline strings, numbers, dates and times as
Excel serial numbers with a date format, a bold frozen header row with an auto-filter, column
widths, and several sheets. Memory stays flat: a sheet is written as it comes, then closed.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# Excel's limit of rows per sheet, the header row included.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
ONE_DAY = dt.timedelta(days=1)
# Characters XML 1.0 cannot hold at all (a control character in a referrer, say): dropped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Rows formatted before they are written to the ZIP: few large writes are faster than many.
_BATCH = 2000
# Style ids of styles.xml below: 0 plain, 1 bold header, 2 date, 3 date and time.
_HEADER, _DATE, _DATETIME = 1, 2, 3
# Deflate level 1: the sheet XML is repetitive, level 1 already shrinks it ~10 times, and the
# default level 6 takes about three times as long for a few per cent less.
COMPRESS_LEVEL = 1

_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = _XML + """<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""  # noqa: E501


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    if not value.isprintable():
        value = _ILLEGAL.sub("", value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f'<c t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


def _cell(value: Any) -> str:
    """One cell's XML (no reference: cells without one follow each other, as the format allows)."""
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value!r}</v></c>"
    if isinstance(value, dt.datetime):
        return f'<c s="{_DATETIME}"><v>{(value.replace(tzinfo=None) - EXCEL_EPOCH) / ONE_DAY!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c s="{_DATE}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    return _text(str(value))


@dataclass
class _Sheet:
    name: str
    path: str
    columns: int
    rows: int = 0


@dataclass
class XlsxWriter:
    """Write a workbook sheet by sheet: ``add_sheet``, ``append`` rows, ``close``.

    Only one sheet is open at a time (the ZIP is written in one pass); opening the next closes
    the one before.
    """

    target: Path
    sheets: list[_Sheet] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._zip = zipfile.ZipFile(self.target, "w", zipfile.ZIP_DEFLATED,
                                    compresslevel=COMPRESS_LEVEL, allowZip64=True)
        self._stream = None
        self._pending: list[str] = []

    def add_sheet(self, name: str, header: Sequence[str], widths: Sequence[float] = ()) -> None:
        """Start a sheet with a bold, frozen header row, an auto-filter and column widths."""
        self._close_sheet()
        sheet = _Sheet(name[:31], f"xl/worksheets/sheet{len(self.sheets) + 1}.xml", len(header))
        self.sheets.append(sheet)
        self._stream = self._zip.open(sheet.path, "w", force_zip64=True)
        cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                       for i, w in enumerate(widths, start=1))
        head = "".join(f'<c s="{_HEADER}" t="inlineStr"><is><t>{escape(h)}</t></is></c>'
                       for h in header)
        self._write(f"{_XML}<worksheet {_NS}><sheetViews><sheetView workbookViewId=\"0\">"
                    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
                    '</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                    + (f"<cols>{cols}</cols>" if cols else "")
                    + f'<sheetData><row r="1">{head}</row>')
        sheet.rows = 1

    def append(self, row: Iterable[Any]) -> None:
        """Add a row of values to the open sheet (str, int, float, date, datetime, None)."""
        sheet = self.sheets[-1]
        sheet.rows += 1
        self._pending.append(f'<row r="{sheet.rows}">{"".join(map(_cell, row))}</row>')
        if len(self._pending) >= _BATCH:
            self._flush()

    @property
    def rows_in_sheet(self) -> int:
        """Rows in the open sheet, its header included."""
        return self.sheets[-1].rows if self.sheets else 0

    def _write(self, text: str) -> None:
        self._stream.write(text.encode("utf-8"))

    def _flush(self) -> None:
        if self._pending:
            self._write("".join(self._pending))
            self._pending.clear()

    def _close_sheet(self) -> None:
        if self._stream is None:
            return
        self._flush()
        sheet = self.sheets[-1]
        last = column_letter(sheet.columns - 1)
        self._write(f'</sheetData><autoFilter ref="A1:{last}{sheet.rows}"/></worksheet>')
        self._stream.close()
        self._stream = None

    def close(self) -> None:
        """Finish the open sheet and write the workbook's parts."""
        self._close_sheet()
        sheets = "".join(f'<sheet name={quoteattr(s.name)} sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(self.sheets, start=1))
        # The auto-filter's range as Excel itself names it, per sheet.
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{escape(quote_sheet(s.name))}!$A$1:${column_letter(s.columns - 1)}${s.rows}"
            "</definedName>" for i, s in enumerate(self.sheets))
        parts = {
            "[Content_Types].xml": _XML + (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                + "".join(f'<Override PartName="/{s.path}" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                          for s in self.sheets) + "</Types>"),
            "_rels/.rels": _XML + (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"),
            "xl/workbook.xml": _XML + (
                f"<workbook {_NS}><bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>"
                + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>"),
            "xl/_rels/workbook.xml.rels": _XML + (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships">' + "".join(
                    f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                    f'officeDocument/2006/relationships/worksheet" Target="{s.path[3:]}"/>'
                    for i, s in enumerate(self.sheets, start=1))
                + f'<Relationship Id="rId{len(self.sheets) + 1}" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/styles" '
                'Target="styles.xml"/></Relationships>'),
            "xl/styles.xml": _STYLES,
        }
        for name, text in parts.items():
            self._zip.writestr(name, text.encode("utf-8"))
        self._zip.close()

    def abort(self) -> None:
        """Give up: close the file as it is (the caller removes it)."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        self._zip.close()


def quote_sheet(name: str) -> str:
    """A sheet name as a formula writes it: 'visits 1'."""
    return "'" + name.replace("'", "''") + "'"
