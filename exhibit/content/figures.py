"""A panel's key figures and its charts (``figures``, each with a CSV file in the panel folder)."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

from .model import CHART_TYPES, Figure, FigureRow, KeyFigure, Localized
from .rules import (
    CONTROL,
    DATE,
    Context,
    choice,
    flag,
    listing,
    localized,
    mapping,
    real_date,
    shorten,
)
from .textfile import read_text
from .yamlsource import LineDict, check_fields, describe

PANEL_FILE = "panel.yaml"
# A figure value as the format describes it: digits, one optional decimal point, optional minus.
# (Python's float() would also take "nan", "1e308", "1_000" and " 5 ".)
PLAIN_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
# Larger magnitudes are typing slips: no chart in an exhibition spans them.
MAX_FIGURE_VALUE = 1e15
# A figure is read at a glance; past this many rows it is a table, not a chart.
MAX_FIGURE_ROWS = 60
# Share charts are percentages; rounding in the source may leave them a little off 100.
SHARE_TOLERANCE = 0.5


def source_ref(ctx: Context, item: LineDict, path: Path, source_ids: set[str], what: str,
               illustrative: bool) -> str | None:
    """The ``source`` an item cites; it must name one of the panel's sources."""
    ref = item.get("source")
    if ref is None:
        if not illustrative:
            ctx.errors.add(path, item.line, f"{what} has no source: add 'source: <id>', or "
                                            f"'illustrative: true' if no public source exists")
        return None
    if not isinstance(ref, str):
        ctx.errors.add(path, item.line_of("source"), f"'source' must be a text (a source id), "
                                                     f"not {describe(ref)}")
        return None
    if ref not in source_ids:
        ctx.errors.add(path, item.line_of("source"),
                       f"{what} cites unknown source '{shorten(ref)}' "
                       f"(sources: {', '.join(sorted(source_ids)) or 'none'})")
        return None
    return ref


def key_figures(ctx: Context, data: LineDict, path: Path, source_ids: set[str]
                ) -> tuple[KeyFigure, ...]:
    """The panel's ``key_figures``: a value with a number in it, a label, a source."""
    result: list[KeyFigure] = []
    items = listing(ctx, data, "key_figures", path)
    for i, item in enumerate(items):
        where = f"key_figures[{i + 1}]"
        if not mapping(ctx, item, path, items.line_of(i), where):
            continue
        check_fields(item, path, ctx.errors, required=("value", "label"),
                     optional=("unit", "source", "illustrative"), where=where)
        value, values = _key_figure_value(ctx, item, path)
        if value is None:
            continue
        illustrative = flag(ctx, item, "illustrative", path)
        source = source_ref(ctx, item, path, source_ids, f"key figure '{shorten(value)}'",
                            illustrative)
        label = localized(ctx, item, "label", path)
        unit = localized(ctx, item, "unit", path)
        if label:
            result.append(KeyFigure(value, unit, label, source, illustrative, values))
    return tuple(result)


def _key_figure_value(ctx: Context, item: LineDict, path: Path
                      ) -> tuple[str | None, Localized | None]:
    """A key figure's ``value``: one text for every language, or one per language (every
    language given: {zh: "10%～12%", en: "10–12%", fr: "10–12 %"}); each with a number in it.

    Returns (the text, or the first language's; the texts by language or None), or (None, None)
    when the value is unusable (logged)."""
    value = item.get("value")
    if value is None:
        return None, None  # reported by check_fields
    line = item.line_of("value")
    if isinstance(value, LineDict):
        values = localized(ctx, item, "value", path, what="a key figure's value")
        if values is None:
            return None, None
        ok = True
        for lang in ctx.languages:
            if not re.search(r"\d", values[lang]):
                ctx.errors.add(path, value.line_of(lang),
                               f"key figure value '{shorten(values[lang])}' ({lang}) contains "
                               f"no number")
                ok = False
        return (values[ctx.languages[0]], values) if ok else (None, None)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        ctx.errors.add(path, line, f"a key figure's value must be a number, a short text like "
                                   f"'−50 %', or one text per language "
                                   f"({', '.join(ctx.languages)}), not {describe(value)}")
        return None, None
    value = str(value)
    if not re.search(r"\d", value):
        ctx.errors.add(path, line, f"key figure value '{shorten(value)}' contains no number")
    return value, None


def figures(ctx: Context, data: LineDict, path: Path, folder: Path, source_ids: set[str]
            ) -> tuple[Figure, ...]:
    """The panel's ``figures``: charts whose rows are read from a CSV file in the panel folder."""
    result: list[Figure] = []
    items = listing(ctx, data, "figures", path)
    for i, item in enumerate(items):
        where = f"figures[{i + 1}]"
        if not mapping(ctx, item, path, items.line_of(i), where):
            continue
        check_fields(item, path, ctx.errors, required=("data", "chart", "title"),
                     optional=("unit", "source", "illustrative", "note"), where=where)
        chart = choice(ctx, item, "chart", path, CHART_TYPES, what="chart")
        if "chart" in item and chart is None:
            continue
        illustrative = flag(ctx, item, "illustrative", path)
        title = localized(ctx, item, "title", path)
        unit = localized(ctx, item, "unit", path)
        note = localized(ctx, item, "note", path)
        if chart in ("bar", "line") and "unit" not in item:
            ctx.errors.add(path, item.line, f"a {chart} chart needs a 'unit'")
        source = None
        if "source" in item:
            source = source_ref(ctx, item, path, source_ids, "figure", illustrative)
        csv_name = item.get("data")
        if not isinstance(csv_name, str) or "/" in csv_name or "\\" in csv_name \
                or CONTROL.search(csv_name) or not csv_name.endswith(".csv"):
            if "data" in item:
                ctx.errors.add(path, item.line_of("data"),
                               f"'data' must name a .csv file in the panel folder, not "
                               f"'{shorten(csv_name)}'")
            continue
        csv_path = folder / csv_name
        if not csv_path.is_file() and not csv_path.is_symlink():
            ctx.errors.add(path, item.line_of("data"), f"missing data file {csv_name}")
            continue
        rows = _figure_rows(ctx, csv_path, chart, source_ids)
        if rows is None:
            continue
        if source is None and not illustrative and "source" not in item:
            missing = [n for n, row in rows if row.source is None]
            if missing:
                ctx.errors.add(csv_path, missing[0],
                               "figure data without a source: add 'source' to the figure "
                               f"in {PANEL_FILE} or a 'source' column, or mark it "
                               "'illustrative: true'")
        if chart == "share" and rows:
            total = sum(row.value for _, row in rows)
            if abs(total - 100) > SHARE_TOLERANCE:
                ctx.errors.add(csv_path, 2, f"share values add up to {total:g}, not 100")
        if chart == "timeline":
            dates = [row.date for _, row in rows]
            if dates != sorted(dates):
                ctx.errors.add(csv_path, 2, "timeline events must be in date order")
        if title:
            result.append(Figure(
                id=csv_path.stem, chart=chart, title=title, unit=unit, source=source,
                illustrative=illustrative, note=note, rows=tuple(r for _, r in rows),
                data_path=f"{folder.name}/{csv_name}"))
    return tuple(result)


def _figure_rows(ctx: Context, path: Path, chart: str, source_ids: set[str]):
    content = read_text(path, ctx.errors, within=ctx.root)
    if content is None:
        return None
    label_cols = [f"label.{lang}" for lang in ctx.languages]
    first = ["date"] if chart == "timeline" else []
    last = [] if chart == "timeline" else ["value"]
    required = first + label_cols + last
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        ctx.errors.add(path, 1, f"CSV syntax error: {exc}")
        return None
    if not header:
        ctx.errors.add(path, 1, "empty CSV file: expected a header row")
        return None
    header = [h.strip() for h in header]
    for col in header:
        if col not in required and col != "source":
            ctx.errors.add(path, 1, f"unknown column '{shorten(col)}'; expected: "
                                    f"{', '.join(required)}[, source]")
    for col in required:
        if col not in header:
            what = "missing translation" if col.startswith("label.") else "missing column"
            ctx.errors.add(path, 1, f"{what}: no '{col}' column")
    if len(set(header)) != len(header):
        ctx.errors.add(path, 1, "a column name appears twice")
    if any(col not in header for col in required) or len(set(header)) != len(header):
        return None
    records: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((reader.line_num, record))
    except csv.Error as exc:
        ctx.errors.add(path, reader.line_num, f"CSV syntax error: {exc}")
        return None
    if not records:
        ctx.errors.add(path, 1, "no data rows")
        return None
    if len(records) > MAX_FIGURE_ROWS:
        # Said once, before the rows are checked: 10,000 rows would give 10,000 messages.
        ctx.errors.add(path, 1, f"{len(records):,} rows; a chart holds at most {MAX_FIGURE_ROWS}")
        return None
    rows: list[tuple[int, FigureRow]] = []
    ok = True
    for line, record in records:
        if len(record) != len(header):
            ctx.errors.add(path, line, f"expected {len(header)} cells, found {len(record)}")
            ok = False
            continue
        cells = dict(zip(header, (c.strip() for c in record), strict=True))
        row = _figure_row(ctx, path, line, cells, chart, label_cols, source_ids)
        if row is None:
            ok = False
        else:
            rows.append((line, row))
    return rows if ok else None


def _figure_row(ctx: Context, path, line, cells, chart, label_cols, source_ids
                ) -> FigureRow | None:
    ok = True
    for col in label_cols:
        if not cells[col]:
            ctx.errors.add(path, line, f"missing translation: empty '{col}'")
            ok = False
    value = date = None
    if chart == "timeline":
        date = cells["date"]
        if not DATE.fullmatch(date):
            ctx.errors.add(path, line, f"date '{shorten(date)}' is not YYYY, YYYY-MM or YYYY-MM-DD")
            ok = False
        elif not real_date(date):
            ctx.errors.add(path, line, f"date '{date}' is not a real date")
            ok = False
    else:
        raw = cells["value"]
        if not PLAIN_NUMBER.fullmatch(raw):
            ctx.errors.add(path, line, f"value '{shorten(raw)}' is not a number (write plain "
                                       f"numbers like 5.8: a dot for decimals, no units, "
                                       f"spaces or exponents)")
            ok = False
        else:
            value = float(raw)
            if not math.isfinite(value) or abs(value) > MAX_FIGURE_VALUE:
                ctx.errors.add(path, line, f"value '{shorten(raw)}' is too large for a chart "
                                           f"(the limit is {MAX_FIGURE_VALUE:,.0f})")
                ok = False
            elif chart == "share" and value < 0:
                ctx.errors.add(path, line, "share values cannot be negative")
                ok = False
    source = cells.get("source") or None
    if source is not None and source not in source_ids:
        ctx.errors.add(path, line, f"unknown source '{shorten(source)}' "
                                   f"(sources: {', '.join(sorted(source_ids)) or 'none'})")
        ok = False
    if not ok:
        return None
    label = Localized({col.split(".", 1)[1]: cells[col] for col in label_cols})
    return FigureRow(label=label, value=value, date=date, source=source)
