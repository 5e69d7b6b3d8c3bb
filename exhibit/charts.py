"""Figures as accessible SVG, drawn on the server from the panel's data.

One function, :func:`render_chart`, serves every surface (kiosk, topic page, print): the SVG carries
its own title, unit, source line and "illustrative" mark, so it can be shown, embedded in a PDF or
saved on its own without losing what makes it honest. Screen readers get ``<title>``/``<desc>``;
the surfaces add the data as a table (:func:`table_rows`).

No Flask here: only the content model and Babel's number formatting.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from html import escape

from babel.numbers import format_decimal

from .content import Figure, Panel
from .content.vocabulary import word

# The drawing is 480 units wide: on a 360 px phone a 15-unit label is still 11 px, and on a kiosk
# the SVG scales up. Text sizes are chosen for that range.
WIDTH = 480
# The narrow drawing, for a phone (a figure narrower than 500 CSS px: the surfaces switch by a
# container query). At 320 px the figure is 280 px wide, so 260 units are drawn at least 1:1 and the
# smallest label (12 units) is at least 12 CSS px; wider figures scale it up.
NARROW = 260
PAD = 16
FONT_ZH = ("'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC',"
           "'Microsoft YaHei',system-ui,sans-serif")
# Latin first elsewhere: CJK fonts set quotes and apostrophes full-width.
FONT_LATIN = ("system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,"
              "'Noto Sans CJK SC',sans-serif")
PALETTE = ("#0b5d3b", "#2e9d5b", "#1f6fb2", "#f2a33a", "#7a8b94", "#8fd0a8", "#5aa0d8")
INK = "#1d2b24"
MUTED = "#4a5a52"  # 7:1 on white, for small type
GRID = "#d5e3da"

WORDS = {
    "chart_bar": {"zh": "条形图", "en": "Bar chart", "fr": "Diagramme en barres"},
    "chart_line": {"zh": "折线图", "en": "Line chart", "fr": "Graphique linéaire"},
    "chart_share": {"zh": "构成图", "en": "Share chart", "fr": "Graphique de répartition"},
    "chart_timeline": {"zh": "时间线", "en": "Timeline", "fr": "Frise chronologique"},
    "unit": {"zh": "单位", "en": "Unit", "fr": "Unité"},
    "sources": {"zh": "来源", "en": "Sources", "fr": "Sources"},
}


_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


def element_id(*parts: str) -> str:
    """A safe id token from content-derived parts (a slug, a figure's CSV file name).

    Whatever the parts hold, the result is only ASCII letters, digits, ``_`` and ``-``, so it
    cannot leave an attribute, and ``aria-labelledby`` (a space-separated list) reads it as one
    id. When a part had to be changed, a short hash of the original keeps two different names
    from becoming the same id on one page.
    """
    raw = "-".join(parts)
    token = _UNSAFE_ID.sub("-", raw).strip("-") or "x"
    if token != raw:
        token += "-" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    return token


def _attr(value: str) -> str:
    """An attribute value, escaped (quotes included) even when it is believed safe."""
    return escape(str(value), quote=True)


def _w(key: str, lang: str) -> str:
    entry = WORDS[key]
    return entry.get(lang, entry["en"])


def labelled(label: str, text: str, lang: str) -> str:
    """"Label: text" with the language's punctuation (French puts a space before the colon)."""
    if lang == "zh":
        return f"{label}：{text}"
    if lang == "fr":
        return f"{label}\u202f: {text}"
    return f"{label}: {text}"


def number(value: float, lang: str) -> str:
    """A value formatted for the language (thousands separator, decimal comma in French)."""
    return format_decimal(value, format="#,##0.##", locale=lang)


def percent(value: float, lang: str) -> str:
    """A percentage as the language writes it: 36% in Chinese and English, 36 % in French."""
    return f"{number(value, lang)}\u202f%" if lang == "fr" else f"{number(value, lang)}%"


def text_width(text: str, size: float) -> float:
    """Estimated rendered width: CJK glyphs are square, Latin ones about half as wide."""
    total = 0.0
    for ch in text:
        if ord(ch) >= 0x2E80:
            total += 1.0
        elif ch in "il.,:;'|!()[] ":
            total += 0.3
        elif ch.isupper() or ch in "mwMW%":
            total += 0.68
        else:
            total += 0.54
    return total * size


# Chinese line-breaking rules (kinsoku, W3C clreq): no line starts with closing punctuation and
# none ends with opening punctuation.
NO_LINE_START = set("，。、；：？！）》」』〕】〉”’…—%％,.;:?!)]")
NO_LINE_END = set("（《「『〔【〈“‘([")


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break text into lines that fit ``width`` (at spaces, or anywhere between CJK glyphs, but
    never before closing or after opening punctuation)."""
    lines: list[str] = []
    current = ""
    tokens: list[str] = []
    word_ = ""
    opening = ""  # opening punctuation waiting for the glyph it belongs with
    for ch in text:
        if ord(ch) >= 0x2E80 or ch in "“‘”’…—":
            if ch in NO_LINE_START and (word_ or tokens) and not opening:
                if word_:
                    word_ += ch
                else:
                    tokens[-1] += ch
                continue
            if word_:
                tokens.append(word_)
                word_ = ""
            if ch in NO_LINE_END:
                opening += ch
                continue
            tokens.append(opening + ch)
            opening = ""
        elif ch == " ":
            tokens.append(opening + word_ + " ")
            word_ = opening = ""
        else:
            if opening and not word_:
                word_, opening = opening, ""
            if ch in NO_LINE_START and not word_ and tokens and not tokens[-1].endswith(" "):
                tokens[-1] += ch
                continue
            word_ += ch
    if word_ or opening:
        tokens.append(opening + word_)
    for token in tokens:
        if current and text_width((current + token).rstrip(), size) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


@dataclass
class _Canvas:
    """Collects SVG elements while the layout walks down the drawing."""

    parts: list[str]
    y: float = PAD
    width: int = WIDTH

    def text(self, x, y, content, size=15, weight=400, fill=INK, anchor="start", extra=""):
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
            f'fill="{_attr(fill)}" text-anchor="{anchor}"{extra}>{escape(content)}</text>')

    def lines(self, content, size=15, weight=400, fill=INK, width=None, gap=1.35):
        for line in wrap(content, size, width or self.width - 2 * PAD):
            self.y += size * gap
            self.text(PAD, self.y - size * 0.3, line, size, weight, fill)

    def rect(self, x, y, w, h, fill, extra=""):
        self.parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" '
                          f'height="{h:.1f}" fill="{_attr(fill)}"{extra}/>')


def _source_line(figure: Figure, panel: Panel | None, lang: str) -> str:
    ids = figure.row_sources()
    if not ids or panel is None:
        return ""
    joiner = {"zh": "；", "fr": "\u202f; "}.get(lang, "; ")
    refs = joiner.join(f"[{panel.source_number(i)}] {panel.source(i).title_in(lang)}" for i in ids)
    label = word("source", lang) if len(ids) == 1 else _w("sources", lang)
    return labelled(label, refs, lang)


def _illustrative_pattern(uid: str) -> str:
    return (f'<pattern id="{_attr(uid)}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#e8f3ec"/>'
            f'<rect width="3" height="8" fill="#7fb894"/></pattern>')


def describe(figure: Figure, lang: str) -> str:
    """The data in one sentence, for ``<desc>`` (screen readers), punctuated as the language is."""
    zh = lang == "zh"
    unit = ""
    if figure.unit:
        unit = f"（{figure.unit[lang]}）" if zh else f" ({figure.unit[lang]})"
    if figure.chart == "timeline":
        pairs = [(row.date, row.label[lang]) for row in figure.rows]
    else:
        shown = percent if figure.chart == "share" else number
        pairs = [(row.label[lang], shown(row.value, lang)) for row in figure.rows]
    joiner = {"zh": "；", "fr": "\u202f; "}.get(lang, "; ")
    items = joiner.join(labelled(label, value, lang) for label, value in pairs)
    stop = "。" if zh else "."
    note = ""
    if figure.illustrative:
        note = word("illustrative_long", lang) + stop
        note = note if zh else " " + note
    sep = "" if zh else " "
    return f"{_w('chart_' + figure.chart, lang)}{unit}{stop}{sep}{items}{stop}{note}"


def table_rows(figure: Figure, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs for the data table that surfaces show beside the chart."""
    if figure.chart == "timeline":
        return [(row.date, row.label[lang]) for row in figure.rows]
    shown = percent if figure.chart == "share" else number
    return [(row.label[lang], shown(row.value, lang)) for row in figure.rows]


def render_chart(figure: Figure, panel: Panel | None, lang: str, narrow: bool = False) -> str:
    """The figure as a self-contained, accessible SVG document fragment.

    ``panel`` numbers the sources in the source line; figures made from the visit log (the staff
    dashboard, the summary report) have none. ``narrow`` draws it :data:`NARROW` units wide, for
    phones (the same text sizes on a narrower drawing, so they are not scaled down); its ids differ,
    so both drawings can be on one page.
    """
    # The figure id is the CSV file's name, chosen by the author: never put it in markup as is.
    uid = "fig-" + element_id(panel.slug if panel else "log", figure.id) + ("-n" if narrow else "")
    width = NARROW if narrow else WIDTH
    canvas = _Canvas(parts=[], width=width)
    canvas.lines(figure.title[lang], size=17, weight=700)
    if figure.illustrative:
        canvas.y += 6
        label_lines = wrap(word("illustrative_long", lang), 12, width - 2 * PAD - 16)
        w = min(max(text_width(line, 12) for line in label_lines) + 16, width - 2 * PAD)
        h = 22 + 16 * (len(label_lines) - 1)
        canvas.rect(PAD, canvas.y, w, h, f"url(#{uid}-hatch)", ' rx="4"')
        for j, line in enumerate(label_lines):
            canvas.text(PAD + 8, canvas.y + 15.5 + 16 * j, line, size=12, weight=700, fill=INK)
        canvas.y += h
    if figure.unit and figure.chart != "share":
        canvas.lines(labelled(_w("unit", lang), figure.unit[lang], lang), size=14, fill=MUTED)
    canvas.y += 10
    draw = {"bar": _bars, "line": _line, "share": _share, "timeline": _timeline}[figure.chart]
    draw(canvas, figure, lang, uid)
    if figure.note:
        canvas.y += 4
        canvas.lines(figure.note[lang], size=13, fill=MUTED)
    source = _source_line(figure, panel, lang)
    if source:
        canvas.y += 4
        canvas.lines(source, size=12, fill=MUTED)
    height = math.ceil(canvas.y + PAD)
    defs = f"<defs>{_illustrative_pattern(uid)}</defs>" if figure.illustrative else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'class="chart chart-{_attr(figure.chart)} {"chart-narrow" if narrow else "chart-wide"}" '
        f'aria-labelledby="{_attr(uid)}-title {_attr(uid)}-desc" '
        f'font-family="{_attr(FONT_ZH if lang == "zh" else FONT_LATIN)}" lang="{_attr(lang)}">'
        f'<title id="{_attr(uid)}-title">{escape(figure.title[lang])}</title>'
        f'<desc id="{_attr(uid)}-desc">{escape(describe(figure, lang))}</desc>{defs}'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
        + "".join(canvas.parts) + "</svg>"
    )


def render_list(figure: Figure, panel: Panel | None, lang: str) -> str:
    """A timeline as an HTML list, for phones: its text wraps and is sized like the page's own
    text, instead of being drawn small. It carries what the SVG carries (title, illustrative mark,
    unit, note, source line), so it can replace it."""
    parts = [f'<div class="chart-list chart-narrow chart-{_attr(figure.chart)}" lang="{_attr(lang)}">',
             f'<p class="chart-list-title">{escape(figure.title[lang])}</p>']
    if figure.illustrative:
        parts.append(f'<p class="chart-list-mark">{escape(word("illustrative_long", lang))}</p>')
    if figure.unit and figure.chart != "share":
        parts.append(f'<p class="chart-list-meta">'
                     f'{escape(labelled(_w("unit", lang), figure.unit[lang], lang))}</p>')
    parts.append("<ol>")
    for label, value in table_rows(figure, lang):
        if figure.chart == "timeline":
            parts.append(f'<li><time datetime="{_attr(label)}">{escape(label)}</time> '
                         f'<span>{escape(value)}</span></li>')
        else:
            parts.append(f'<li><span>{escape(label)}</span> <b>{escape(value)}</b></li>')
    parts.append("</ol>")
    if figure.note:
        parts.append(f'<p class="chart-list-meta">{escape(figure.note[lang])}</p>')
    source = _source_line(figure, panel, lang)
    if source:
        parts.append(f'<p class="chart-list-meta">{escape(source)}</p>')
    parts.append("</div>")
    return "".join(parts)


def _bar_fill(figure: Figure, uid: str, index: int) -> str:
    return f"url(#{uid}-hatch)" if figure.illustrative else PALETTE[index % 2]


def _bars(canvas: _Canvas, figure: Figure, lang: str, uid: str) -> None:
    """Horizontal bars, label above each bar: labels of any length and script fit a phone."""
    top = max(row.value for row in figure.rows)
    low = min(0.0, min(row.value for row in figure.rows))
    span = (top - low) or 1.0
    inner = canvas.width - 2 * PAD - 70  # room for the value at the end of the longest bar
    for i, row in enumerate(figure.rows):
        canvas.lines(row.label[lang], size=14, weight=600, width=canvas.width - 2 * PAD)
        canvas.y += 4
        x0 = PAD + (-low / span) * inner
        w = abs(row.value) / span * inner
        x = x0 if row.value >= 0 else x0 - w
        canvas.rect(x, canvas.y, max(w, 2), 22, _bar_fill(figure, uid, i), ' rx="3"')
        canvas.text(x + max(w, 2) + 6 if row.value >= 0 else x0 + 6, canvas.y + 16,
                    number(row.value, lang), size=14, weight=700)
        canvas.y += 30


def _line(canvas: _Canvas, figure: Figure, lang: str, uid: str) -> None:
    """Points joined by a line, each labelled with its value; the x labels under the axis."""
    values = [row.value for row in figure.rows]
    top = max(values)
    low = min(0.0, min(values))
    plot_h = 180.0
    left, right = PAD + 10, canvas.width - PAD - 10
    y0 = canvas.y + 18
    for frac in (0, 0.25, 0.5, 0.75, 1):
        gy = y0 + plot_h * (1 - frac)
        canvas.parts.append(f'<line x1="{left}" x2="{right}" y1="{gy:.1f}" y2="{gy:.1f}" '
                            f'stroke="{GRID}" stroke-width="1"/>')
    n = len(values)
    step = (right - left) / max(n - 1, 1)
    points = []
    for i, value in enumerate(values):
        x = left + i * step if n > 1 else (left + right) / 2
        y = y0 + plot_h * (1 - (value - low) / ((top - low) or 1))
        points.append((x, y))
    stroke = "#2e9d5b"
    dash = ' stroke-dasharray="7 5"' if figure.illustrative else ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    canvas.parts.append(f'<polyline points="{path}" fill="none" stroke="{stroke}" '
                        f'stroke-width="3"{dash}/>')
    for (x, y), row in zip(points, figure.rows, strict=True):
        canvas.parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#0b5d3b"/>')
        anchor = "start" if x < left + 5 else "end" if x > right - 5 else "middle"
        canvas.text(x, y - 10, number(row.value, lang), size=13, weight=700, anchor=anchor)
        canvas.text(x, y0 + plot_h + 20, row.label[lang], size=13, fill=MUTED, anchor=anchor)
    canvas.y = y0 + plot_h + 30


def _share(canvas: _Canvas, figure: Figure, lang: str, uid: str) -> None:
    """One bar of 100 % split into parts, and a legend with the percentages."""
    total = sum(row.value for row in figure.rows) or 1.0
    x = PAD
    inner = canvas.width - 2 * PAD
    for i, row in enumerate(figure.rows):
        w = row.value / total * inner
        fill = f"url(#{uid}-hatch)" if figure.illustrative else PALETTE[i % len(PALETTE)]
        canvas.rect(x, canvas.y, w, 34, fill)
        if w > 44:
            canvas.text(x + w / 2, canvas.y + 23, percent(row.value, lang), size=14,
                        weight=700, fill="#ffffff" if i in (0, 2) else INK, anchor="middle")
        x += w
    canvas.y += 46
    for i, row in enumerate(figure.rows):
        fill = PALETTE[i % len(PALETTE)]
        canvas.rect(PAD, canvas.y + 3, 16, 16, fill, ' rx="2"')
        canvas.text(PAD + 24, canvas.y + 17, percent(row.value, lang), size=16, weight=700)
        label_lines = wrap(row.label[lang], 16, canvas.width - 2 * PAD - 96)
        for j, line in enumerate(label_lines):
            canvas.text(PAD + 92, canvas.y + 17 + j * 21, line, size=16)
        canvas.y += 9 + 21 * len(label_lines)


def _timeline(canvas: _Canvas, figure: Figure, lang: str, uid: str) -> None:
    """A vertical line of dated events; dates in bold, labels wrapped beside them."""
    x_line = PAD + 8
    start = canvas.y
    for i, row in enumerate(figure.rows):
        canvas.parts.append(f'<circle cx="{x_line}" cy="{canvas.y + 10:.1f}" r="6" '
                            f'fill="{PALETTE[i % 2]}"/>')
        canvas.text(x_line + 18, canvas.y + 15, row.date, size=14, weight=700,
                    fill=PALETTE[0])
        canvas.y += 18
        for line in wrap(row.label[lang], 14, canvas.width - 2 * PAD - 30):
            canvas.y += 19
            canvas.text(x_line + 18, canvas.y - 4, line, size=14)
        canvas.y += 12
    canvas.parts.insert(0, f'<line x1="{x_line}" x2="{x_line}" y1="{start + 10}" '
                           f'y2="{canvas.y - 20:.1f}" stroke="{GRID}" stroke-width="3"/>')


def render_series(figure_id: str, title: str, unit: str, labels: list[str],
                  series: list[tuple[str, list[float]]], lang: str) -> str:
    """Several lines over the same points (visits per day: kiosk sessions and online reads), as
    an accessible SVG: a legend, a value axis, and only as many x labels as fit without touching
    (the surfaces show every value in the data table beside it)."""
    uid = f"fig-log-{figure_id}"
    canvas = _Canvas(parts=[])
    canvas.lines(title, size=17, weight=700)
    if unit:
        canvas.lines(labelled(_w("unit", lang), unit, lang), size=14, fill=MUTED)
    canvas.y += 8
    for i, (name, _values) in enumerate(series):  # the legend: a line sample and the name
        colour = PALETTE[(2 * i) % len(PALETTE)]
        canvas.parts.append(f'<line x1="{PAD}" x2="{PAD + 24}" y1="{canvas.y + 10:.1f}" '
                            f'y2="{canvas.y + 10:.1f}" stroke="{colour}" stroke-width="4"'
                            f'{_SERIES_DASH[i % len(_SERIES_DASH)]}/>')
        canvas.text(PAD + 32, canvas.y + 15, name, size=14)
        canvas.y += 22
    values = [v for _name, vs in series for v in vs] or [0.0]
    top = max(max(values), 1.0)
    left, right, plot_h = PAD + 44, WIDTH - PAD - 6, 170.0
    y0 = canvas.y + 12
    for frac in (0, 0.5, 1):
        gy = y0 + plot_h * (1 - frac)
        canvas.parts.append(f'<line x1="{left}" x2="{right}" y1="{gy:.1f}" y2="{gy:.1f}" '
                            f'stroke="{GRID}" stroke-width="1"/>')
        canvas.text(left - 6, gy + 4, number(round(top * frac), lang), size=12, fill=MUTED,
                    anchor="end")
    n = max(len(labels), 1)
    step = (right - left) / max(n - 1, 1)

    def x_of(i: int) -> float:
        return left + i * step if n > 1 else (left + right) / 2

    for i, (_name, vs) in enumerate(series):
        colour = PALETTE[(2 * i) % len(PALETTE)]
        points = " ".join(f"{x_of(j):.1f},{y0 + plot_h * (1 - v / top):.1f}"
                          for j, v in enumerate(vs))
        canvas.parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                            f'stroke-width="2.5"{_SERIES_DASH[i % len(_SERIES_DASH)]}/>')
    widest = max((text_width(label, 12) for label in labels), default=0) + 8
    every = max(1, math.ceil(widest / step)) if n > 1 else 1
    for j, label in enumerate(labels):
        if j % every == 0:
            canvas.text(x_of(j), y0 + plot_h + 18, label, size=12, fill=MUTED, anchor="middle")
    canvas.y = y0 + plot_h + 28
    height = math.ceil(canvas.y + PAD)
    items = "; ".join(f"{name}: " + ", ".join(f"{label} {number(v, lang)}"
                                              for label, v in zip(labels, vs, strict=False))
                      for name, vs in series)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" class="chart chart-line" '
        f'aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{FONT_ZH if lang == "zh" else FONT_LATIN}" lang="{lang}">'
        f'<title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(_w("chart_line", lang) + ". " + items)}.</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        + "".join(canvas.parts) + "</svg>"
    )


# The second series is dashed, so the lines differ without colour too (WCAG 1.4.1).
_SERIES_DASH = ("", ' stroke-dasharray="7 4"', ' stroke-dasharray="2 3"')
