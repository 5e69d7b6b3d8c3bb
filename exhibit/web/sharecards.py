"""Share images: a 1200×630 card for every public page, for Open Graph and Twitter cards.

A shared link shows a picture before anyone opens it, so every page gets one, drawn with Pillow
from the content itself: the panel's title in the page's language, the exhibition's name and its
organisers. A chart panel draws its first chart from the same figures the SVG charts use (with its
source line: every number shown carries its source); a video panel lays its title over the
video's poster; a panel with pictures shows the first one; the topic page, the questionnaire and
any other page of the web layout get a title card.

A card is a media derivative: its file name is a hash of everything drawn on it (and of this
module's drawing version), so it is made once, kept on disk beside the other derivatives, and
served forever under ``/media/share/``. It is made when a page first names it (under a lock,
written atomically), so a fresh installation needs no build step and an unchanged card is never
drawn twice.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import math
import os
import re
import tempfile
import threading
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont, ImageOps

from ..charts import PALETTE, WORDS, labelled, number, percent
from ..content import Exhibition, Figure, Panel
from ..content.vocabulary import word

WIDTH, HEIGHT = 1200, 630
#: Part of every card's name: change the drawing, bump it, and every card is drawn again.
DRAWING_VERSION = "4"
SUBDIR = "share"
log = logging.getLogger(__name__)

GREEN = (11, 93, 59)  # the site's theme colour (#0b5d3b)
GREEN_LIGHT = (232, 243, 236)
INK = (29, 43, 36)
MUTED = (74, 90, 82)
WHITE = (255, 255, 255)
BAND_TEXT = (214, 236, 222)
GRID = (213, 227, 218)

MARGIN = 64
ACCENT_H = 12  # the green rule along the top

# -- fonts ------------------------------------------------------------------------------------

# The print and kiosk fonts (scripts/setup installs fonts-noto-cjk and fonts-noto-core): Noto Sans
# CJK SC for Chinese, Noto Sans for Latin text (CJK fonts set quotes and apostrophes full width).
_CJK_FILES = {False: ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf"),
              True: ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf")}
_LATIN_FILES = {False: ("NotoSans-Regular.ttf",), True: ("NotoSans-Bold.ttf",)}
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"))
_SC_INDEX = 2  # Simplified Chinese in the Noto Sans CJK collection (JP, KR, SC, TC, HK)


@cache
def _font_file(names: tuple[str, ...]) -> str | None:
    for name in names:
        for folder in _FONT_DIRS:
            found = sorted(glob.glob(os.path.join(folder, "**", name), recursive=True))
            if found:
                return found[0]
    return None


@lru_cache(maxsize=256)
def _font(cjk: bool, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """A font at a pixel size; Latin falls back to the CJK face, and both to Pillow's own."""
    path = _font_file(_CJK_FILES[bold] if cjk else _LATIN_FILES[bold])
    if path is None and not cjk:
        return _font(True, bold, size)
    if path is None:
        return ImageFont.load_default(size)
    index = _SC_INDEX if path.endswith(".ttc") else 0
    return ImageFont.truetype(path, size, index=index)


def fonts_digest() -> str:
    """The font files in use, for the card names (other fonts, other pictures)."""
    return ",".join(str(_font_file(names)) for names in
                    (*_CJK_FILES.values(), *_LATIN_FILES.values()))


# -- text: runs of one font, and line breaking that never cuts a word --------------------------

# Closing punctuation never starts a line, opening punctuation never ends one (GB/T 15834, W3C
# clreq 3.1.7 "kinsoku"); ASCII and full width.
CLOSING = set("，。、；：？！）」』》〉】〕”’…—·％,.;:?!)]}%»\u00a0\u202f")
OPENING = set("（「『《〈【〔“‘([{«")
HALF_AT_LINE_START = set("（「『《〈【〔")
BOOK_TITLE_MAX = 12  # characters: a longer title in 《》 may be broken like any text


def _wide(ch: str) -> bool:
    """A character set in the CJK font (Han, kana, CJK and full-width punctuation)."""
    return ord(ch) >= 0x2E80 and unicodedata.east_asian_width(ch) in ("W", "F")


def _runs(text: str, lang: str) -> list[tuple[str, bool]]:
    """The text in runs, each with whether it is set in the CJK font. Chinese text is all CJK
    (its quotes are full width); other languages use the Latin font but for CJK characters."""
    if lang == "zh":
        return [(text, True)] if text else []
    runs: list[tuple[str, bool]] = []
    for ch in text:
        cjk = _wide(ch)
        if runs and runs[-1][1] == cjk:
            runs[-1] = (runs[-1][0] + ch, cjk)
        else:
            runs.append((ch, cjk))
    return runs


@dataclass(frozen=True)
class Style:
    size: int
    bold: bool = False
    fill: tuple[int, int, int] = INK


def text_length(text: str, lang: str, style: Style) -> float:
    return sum(_font(cjk, style.bold, style.size).getlength(run) for run, cjk in _runs(text, lang))


def _atoms(text: str) -> list[str]:
    """Latin words (with the space after them) and single CJK characters."""
    atoms: list[str] = []
    buf = ""
    for ch in text:
        if ch == " ":
            if buf:
                atoms.append(buf + " ")
            elif atoms:
                atoms[-1] += " "
            buf = ""
        elif _wide(ch):
            if buf:
                atoms.append(buf)
                buf = ""
            atoms.append(ch)
        else:
            buf += ch
    if buf:
        atoms.append(buf)
    return atoms


def _may_break(before: str, after: str) -> bool:
    """Whether a line may end after ``before`` and start with ``after``."""
    if after[0] in CLOSING or (after.strip() and all(c in CLOSING for c in after.strip())):
        return False  # no line starts with closing punctuation (nor "»" after a space)
    # No line ends with opening punctuation; otherwise a break may come after a space or beside
    # a CJK character (clreq: between any two Han characters).
    return before.rstrip(" ")[-1:] not in OPENING


def _units(text: str, keep_titles: bool = True) -> list[str]:
    """The pieces a line may break between: a Latin word with its trailing space, or one CJK
    character; closing punctuation stays with what is before it, opening with what follows, and
    a run of Latin letters or digits inside Chinese ("2009", "PVC") is never split."""
    units: list[str] = []
    for atom in _atoms(text):
        if units and not _may_break(units[-1], atom):
            units[-1] += atom
        else:
            units.append(atom)
    return _keep_titles(units) if keep_titles else units


def _keep_titles(units: list[str]) -> list[str]:
    """A short title in book-title marks (《水俣公约》) is one unit: it moves to the next line
    whole rather than being cut in two."""
    kept: list[str] = []
    i = 0
    while i < len(units):
        if units[i].lstrip().startswith(("《", "〈")):
            for j in range(i, min(len(units), i + BOOK_TITLE_MAX)):
                if "》" in units[j] or "〉" in units[j]:
                    kept.append("".join(units[i:j + 1]))
                    i = j + 1
                    break
            else:
                kept.append(units[i])
                i += 1
        else:
            kept.append(units[i])
            i += 1
    return kept


def wrap(text: str, lang: str, style: Style, width: float) -> list[str]:
    """Greedy line breaking between :func:`_units`. A book title wider than a line is broken
    between its own pieces; a single word wider than a line (never in real titles) is the only
    thing split between characters, and never before closing punctuation."""
    lines: list[str] = []
    current = ""
    queue = _units(re.sub(r"[ \t\r\n]+", " ", text).strip())
    while queue:
        unit = queue.pop(0)
        if text_length(unit.rstrip(), lang, style) > width:
            pieces = _units(unit, keep_titles=False)
            if len(pieces) > 1:
                queue[:0] = pieces
                continue
        candidate = current + unit
        if not current or text_length(candidate.rstrip(), lang, style) <= width:
            current = candidate
        else:
            lines.append(current.rstrip())
            current = unit
        while text_length(current.rstrip(), lang, style) > width and len(current.strip()) > 1:
            cut = len(current)
            while cut > 1 and text_length(current[:cut], lang, style) > width:
                cut -= 1
            while cut > 1 and current[cut] in CLOSING:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip():
        lines.append(current.rstrip())
    return _no_orphan(lines, lang, style, width)


def _no_orphan(lines: list[str], lang: str, style: Style, width: float) -> list[str]:
    """No last line of one or two Chinese characters ("成果" / "展"): the previous line gives
    it its last piece when that fits."""
    if len(lines) < 2 or not lines[-1] or len(lines[-1]) > 2 or not _wide(lines[-1][0]):
        return lines
    units = _units(lines[-2])
    if len(units) < 3:
        return lines
    moved = units[-1] + lines[-1]
    if text_length(moved, lang, style) > width:
        return lines
    return [*lines[:-2], "".join(units[:-1]).rstrip(), moved]


def ellipsize(line: str, lang: str, style: Style, width: float) -> str:
    """The line, cut at a unit boundary if need be, ending in an ellipsis within ``width``."""
    units = _units(line)
    while units:
        candidate = "".join(units).rstrip(" ,.;:，。、；：\u00a0\u202f") + "…"
        if text_length(candidate, lang, style) <= width:
            return candidate
        units.pop()
    return "…"


def fit(text: str, lang: str, sizes: Sequence[int], width: float, max_lines: int,
        bold: bool = False, fill=INK) -> tuple[Style, list[str]]:
    """The largest size at which the text fits in ``max_lines``; at the smallest, the last
    line ends in an ellipsis."""
    for size in sizes:
        style = Style(size, bold, fill)
        lines = wrap(text, lang, style, width)
        if len(lines) <= max_lines:
            return style, lines
    lines = lines[:max_lines]
    lines[-1] = ellipsize(lines[-1], lang, style, width)
    return style, lines


# -- the canvas ---------------------------------------------------------------------------------

LINE_GAP = 1.28


@dataclass
class Card:
    """A drawn card, with the box of every text drawn on it (for the tests: nothing clipped)."""

    image: PILImage.Image
    text_boxes: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)

    bottom: float = HEIGHT  # the top of the band along the bottom

    def __post_init__(self):
        self.draw = ImageDraw.Draw(self.image)

    def line(self, x: float, baseline: float, text: str, lang: str, style: Style,
             anchor_right: bool = False) -> float:
        """One line of text from its left end (or right end) at a baseline; returns its width."""
        width = text_length(text, lang, style)
        if anchor_right:
            x -= width
        left = x
        top = bottom = baseline
        for run, cjk in _runs(text, lang):
            font = _font(cjk, style.bold, style.size)
            self.draw.text((x, baseline), run, font=font, fill=style.fill, anchor="ls")
            box = self.draw.textbbox((x, baseline), run, font=font, anchor="ls")
            top, bottom = min(top, box[1]), max(bottom, box[3])
            x += font.getlength(run)
        self.text_boxes.append((text, (left, top, x, bottom)))
        return width

    def block(self, x: float, top: float, lines: list[str], lang: str, style: Style) -> float:
        """Lines set from ``top`` (the top of the first line's em box); returns the y below."""
        step = style.size * LINE_GAP
        for i, text in enumerate(lines):
            # A full-width opening bracket at the start of a line is set half width (clreq
            # 3.1.6): its blank half would otherwise look like an indent.
            hang = style.size * 0.5 if text[:1] in HALF_AT_LINE_START else 0
            self.line(x - hang, top + style.size * 0.95 + i * step, text, lang, style)
        return top + len(lines) * step


# -- what a card shows --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartData:
    """A figure reduced to what a card draws: plain values, hashable for the card's name."""

    chart: str
    title: str
    unit: str
    rows: tuple[tuple[str, str, float], ...]  # label, value as shown (or a date), value
    source: str  # the source line, "Source: [1] ..."
    illustrative: str  # the "illustrative" mark, or ""


@dataclass(frozen=True)
class CardSpec:
    """Everything a card shows; its hash names the file."""

    lang: str  # a content language, or "mul" for a card in every language
    layout: str  # "title", "chart", "picture", "video", "languages"
    eyebrow: str
    title: str
    summary: str
    exhibition: str
    organisers: str
    chart: ChartData | None = None
    picture: str = ""  # an image file to show (a derivative, or a video's poster)
    picture_hash: str = ""  # its content hash (the path alone says nothing of a change)
    alt: str = ""  # the og:image:alt text
    titles: tuple[tuple[str, str], ...] = ()  # (lang, title) for the "languages" card

    def digest(self) -> str:
        data = json.dumps([DRAWING_VERSION, fonts_digest(), self.lang, self.layout, self.eyebrow,
                           self.title, self.summary, self.exhibition, self.organisers,
                           self.chart.__dict__ if self.chart else None, self.picture_hash,
                           self.titles], ensure_ascii=False, default=list)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:20]

    def file_name(self, page: str) -> str:
        return f"{self.lang}-{page}-{self.digest()}.png"


def organisers_line(ex: Exhibition, lang: str) -> str:
    sep = "、" if lang == "zh" else " · "
    return sep.join(org.name[lang] for org in ex.organisations)


def chart_data(figure: Figure, panel: Panel, lang: str) -> ChartData:
    """The figure as a card draws it: values formatted as the SVG chart formats them."""
    if figure.chart == "timeline":
        rows = tuple((row.label[lang], row.date or "", 0.0) for row in figure.rows)
    else:
        shown = percent if figure.chart == "share" else number
        rows = tuple((row.label[lang], shown(row.value, lang), float(row.value))
                     for row in figure.rows)
    ids = figure.row_sources()
    source = ""
    if ids:
        refs = "; ".join(f"[{panel.source_number(i)}] {panel.source(i).title_in(lang)}"
                         for i in ids)
        label = word("source", lang) if len(ids) == 1 else WORDS["sources"].get(lang, "Sources")
        source = labelled(label, refs, lang)
    unit = figure.unit[lang] if figure.unit and figure.chart != "share" else ""
    return ChartData(figure.chart, figure.title[lang], unit, rows, source,
                     word("illustrative_long", lang) if figure.illustrative else "")


# -- drawing ------------------------------------------------------------------------------------


def render(spec: CardSpec) -> Card:
    """Draw the card (1200×630, RGB)."""
    card = Card(PILImage.new("RGB", (WIDTH, HEIGHT), WHITE))
    lang = spec.lang if spec.lang != "mul" else "en"  # each title below has its own
    band = _band_layout(spec, lang)
    card.bottom = HEIGHT - band[0]
    if spec.layout == "video" and spec.picture:
        _video(card, spec, lang)
    else:
        card.draw.rectangle((0, 0, WIDTH, ACCENT_H), fill=GREEN)
        if spec.layout == "languages":
            _languages(card, spec)
        elif spec.layout == "chart" and spec.chart:
            _headline(card, spec, lang, 0, 450, title_sizes=(50, 44, 38, 34), max_title=4,
                      summary=True, summary_sizes=(24, 22, 20))
            _chart(card, spec.chart, lang, (590, 56, WIDTH - 48, card.bottom - 28))
        elif spec.layout == "picture" and spec.picture:
            left = 660
            _picture(card, spec.picture, (left, ACCENT_H, WIDTH, int(card.bottom)))
            _headline(card, spec, lang, 0, left - MARGIN - 40, title_sizes=(56, 50, 44, 38, 34),
                      max_title=4, summary=True)
        else:
            _headline(card, spec, lang, 0, WIDTH - 2 * MARGIN, title_sizes=(72, 64, 56, 50, 44),
                      max_title=3, summary=True, decorate=True)
    _band(card, band, lang)
    return card


def _headline(card: Card, spec: CardSpec, lang: str, x: float, width: float,
              title_sizes: Sequence[int], max_title: int, summary: bool,
              decorate: bool = False, summary_sizes: Sequence[int] = (30, 28, 26)) -> None:
    """Eyebrow, title and summary in the card's upper part, from the left margin."""
    x += MARGIN
    bottom = card.bottom - 32
    y = 60.0
    if decorate:  # the title cards: a quiet motif on the right, under the text
        for i, r in enumerate((250, 190, 130)):
            card.draw.ellipse((WIDTH - 140 - r, 150 - r, WIDTH - 140 + r, 150 + r),
                              outline=GREEN_LIGHT, width=18 - 4 * i)
    if spec.eyebrow:
        style, lines = fit(spec.eyebrow, lang, (26, 24, 22), width, 1, bold=True, fill=GREEN)
        if lines[-1].endswith("…"):  # a long section title: two lines rather than cut
            style, lines = fit(spec.eyebrow, lang, (24, 22), width, 2, bold=True, fill=GREEN)
        y = card.block(x, y, lines, lang, style) + 14
    title_style, title_lines = fit(spec.title, lang, title_sizes, width, max_title, bold=True)
    y = card.block(x, y, title_lines, lang, title_style)
    if summary and spec.summary:
        y += 18
        room = int((bottom - y) // (summary_sizes[-1] * LINE_GAP))
        if room >= 1:
            style, lines = fit(spec.summary, lang, summary_sizes, width, min(room, 4), fill=MUTED)
            card.block(x, y, lines, lang, style)


def _band_layout(spec: CardSpec, lang: str):
    """The band's height and text: the exhibition's name (one line if it fits at a good size,
    else two) and its organisers (up to two lines)."""
    width = WIDTH - 2 * MARGIN
    if not spec.exhibition:  # the exhibition's own card: its title is the headline
        name = (Style(28), [])
        orgs = fit(spec.organisers, lang, (24, 22, 20, 18), width, 2, bold=True, fill=WHITE)
        height = 20 + len(orgs[1]) * orgs[0].size * LINE_GAP + 20
        return math.ceil(height), name, orgs
    name = fit(spec.exhibition, lang, (28, 26, 24), width, 1, bold=True, fill=WHITE)
    if len(wrap(spec.exhibition, lang, name[0], width)) > 1:
        name = fit(spec.exhibition, lang, (26, 24, 22), width, 2, bold=True, fill=WHITE)
    orgs = fit(spec.organisers, lang, (20, 19, 18, 17), width, 2, fill=BAND_TEXT)
    height = 20 + sum(len(lines) * style.size * LINE_GAP for style, lines in (name, orgs)) + 6 + 16
    return math.ceil(height), name, orgs


def _band(card: Card, band, lang: str) -> None:
    """The exhibition's name and its organisers in a dark band along the bottom."""
    height, (name_style, name_lines), (org_style, org_lines) = band
    top = HEIGHT - height
    card.draw.rectangle((0, top, WIDTH, HEIGHT), fill=GREEN)
    y = card.block(MARGIN, top + 20, name_lines, lang, name_style) + (6 if name_lines else 0)
    card.block(MARGIN, y, org_lines, lang, org_style)


def _open_picture(path: str, box: tuple[int, int]) -> PILImage.Image:
    """An image file scaled and cropped to cover ``box`` (JPEGs decoded at a reduced scale)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        with PILImage.open(path) as source:
            source.draft("RGB", (box[0] * 2, box[1] * 2))
            im = ImageOps.exif_transpose(source)
            if im.mode in ("RGBA", "LA", "P"):
                im = im.convert("RGBA")
                flat = PILImage.new("RGB", im.size, WHITE)
                flat.paste(im, mask=im.getchannel("A"))
                im = flat
            # A tall picture (a poster) shows its top, where its heading is; others their middle.
            tall = im.height / im.width > 1.3 * box[1] / box[0]
            return ImageOps.fit(im.convert("RGB"), box, PILImage.Resampling.LANCZOS,
                                centering=(0.5, 0.0 if tall else 0.5))


def _picture(card: Card, path: str, box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = box
    card.image.paste(_open_picture(path, (x1 - x0, y1 - y0)), (x0, y0))


def _video(card: Card, spec: CardSpec, lang: str) -> None:
    """The poster over the whole card, darkened below for the title, and a play mark."""
    area = int(card.bottom)
    card.image.paste(_open_picture(spec.picture, (WIDTH, area)), (0, 0))
    shade = PILImage.new("L", (1, area))
    for y in range(area):  # clear at the top, 90 % dark behind the title
        t = max(0.0, (y - 90) / (area * 0.55 - 90))
        shade.putpixel((0, y), int(230 * min(1.0, t) ** 0.8))
    dark = PILImage.new("RGB", (WIDTH, area), (4, 32, 21))
    card.image.paste(dark, (0, 0), shade.resize((WIDTH, area)))
    cx, cy, r = WIDTH - 150, 140, 62
    card.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255), outline=GREEN,
                      width=4)
    card.draw.polygon([(cx - 20, cy - 32), (cx - 20, cy + 32), (cx + 34, cy)], fill=GREEN)
    width = WIDTH - 2 * MARGIN - 40
    style, lines = fit(spec.title, lang, (60, 54, 48, 42), width, 2, bold=True, fill=WHITE)
    step = style.size * LINE_GAP
    top = card.bottom - 30 - len(lines) * step
    if spec.eyebrow:
        e_style, e_lines = fit(spec.eyebrow, lang, (26, 24), width, 1, bold=True,
                               fill=(190, 235, 205))
        card.block(MARGIN, top - 26 * LINE_GAP - 6, e_lines, lang, e_style)
    card.block(MARGIN, top, lines, lang, style)


def _languages(card: Card, spec: CardSpec) -> None:
    """The language chooser: the exhibition's title in each of its languages."""
    y = 56.0
    room = card.bottom - 40 - y
    per = room / max(len(spec.titles), 1)
    for lang, title in spec.titles:
        for size in (44, 40, 36, 32, 28, 26):  # the largest size whose lines fit the slot
            style, lines = fit(title, lang, (size,), WIDTH - 2 * MARGIN,
                               max(1, int((per - 10) // (size * LINE_GAP))), bold=True)
            if len(lines) * size * LINE_GAP <= per - 10 and not lines[-1].endswith("…"):
                break
        card.block(MARGIN, y, lines, lang, style)
        y += per


def _chart(card: Card, chart: ChartData, lang: str, box: tuple[float, float, float, float]
           ) -> None:
    """The figure in ``box``: its title, unit, the drawing, the source line at the bottom."""
    x0, y0, x1, y1 = box
    card.draw.rounded_rectangle((x0 - 24, y0 - 20, x1 + 20, y1 + 12), radius=14,
                                fill=(247, 250, 248), outline=GRID, width=2)
    width = x1 - x0
    style, lines = fit(chart.title, lang, (24, 22, 20), width, 2, bold=True)
    y = card.block(x0, y0, lines, lang, style)
    if chart.unit:
        style, lines = fit(labelled(WORDS["unit"].get(lang, "Unit"), chart.unit, lang), lang,
                           (18, 17), width, 1, fill=MUTED)
        y = card.block(x0, y + 2, lines, lang, style)
    if chart.illustrative:
        style, lines = fit(chart.illustrative, lang, (16, 15), width - 16, 1, bold=True)
        w = text_length(lines[0], lang, style) + 16
        card.draw.rounded_rectangle((x0, y + 6, x0 + w, y + 32), radius=4, fill=(232, 243, 236),
                                    outline=(127, 184, 148), width=2)
        card.block(x0 + 8, y + 8, lines, lang, style)
        y += 36
    bottom = y1
    if chart.source:
        style, lines = fit(chart.source, lang, (16, 15, 14), width, 3, fill=MUTED)
        bottom = y1 - len(lines) * style.size * LINE_GAP
        card.block(x0, bottom, lines, lang, style)
        bottom -= 12
    area = (x0, y + 14, x1, bottom)
    {"bar": _bars, "line": _line, "share": _share, "timeline": _timeline}.get(
        chart.chart, _bars)(card, chart, lang, area)


def _bars(card: Card, chart: ChartData, lang: str, area) -> None:
    x0, y0, x1, y1 = area
    label_style = Style(18, True)
    rows = chart.rows
    row_h = 56
    shown = max(1, min(len(rows), int((y1 - y0) // row_h)))
    rows = rows[:shown]
    row_h = min(92, (y1 - y0) / shown)
    values = [v for _l, _s, v in rows]
    low = min(0.0, *values)
    span = (max(values) - low) or 1.0
    value_room = max(text_length(s, lang, Style(20, True)) for _l, s, _v in rows) + 14
    inner = (x1 - x0) - value_room
    y = y0
    bar_h = max(12, min(40, row_h - 34))
    for i, (label, shown_value, value) in enumerate(rows):
        line = ellipsize(label, lang, label_style, x1 - x0) \
            if text_length(label, lang, label_style) > x1 - x0 else label
        card.line(x0, y + 18, line, lang, label_style)
        top = y + 26
        zero = x0 + (-low / span) * inner
        w = max(3.0, abs(value) / span * inner)
        left = zero if value >= 0 else zero - w
        card.draw.rounded_rectangle((left, top, left + w, top + bar_h), radius=3,
                                    fill=PALETTE[i % 2])
        card.line((left + w + 8) if value >= 0 else zero + 8, top + bar_h / 2 + 7, shown_value,
                  lang, Style(20, True))
        y += row_h


def _line(card: Card, chart: ChartData, lang: str, area) -> None:
    x0, y0, x1, y1 = area
    values = [v for _l, _s, v in chart.rows]
    low, top = min(0.0, *values), max(values)
    label_style, value_style = Style(16, fill=MUTED), Style(17, True)
    left, right = x0 + 20, x1 - 20
    plot_top, plot_bottom = y0 + 26, y1 - 30
    for frac in (0, 0.5, 1):
        gy = plot_bottom - (plot_bottom - plot_top) * frac
        card.draw.line((left, gy, right, gy), fill=GRID, width=2)
    n = len(values)
    step = (right - left) / max(n - 1, 1)
    points = [(left + i * step if n > 1 else (left + right) / 2,
               plot_bottom - (plot_bottom - plot_top) * (v - low) / ((top - low) or 1))
              for i, v in enumerate(values)]
    card.draw.line(points, fill=PALETTE[1], width=5, joint="curve")
    every = max(1, math.ceil(n / 6))
    for i, ((x, y), (label, shown_value, _v)) in enumerate(zip(points, chart.rows, strict=True)):
        card.draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=GREEN)
        if i % every == 0 or i == n - 1:
            for text, style, base in ((shown_value, value_style, y - 14),
                                      (label, label_style, plot_bottom + 24)):
                w = text_length(text, lang, style)
                card.line(min(max(x - w / 2, x0), x1 - w), base, text, lang, style)


def _share(card: Card, chart: ChartData, lang: str, area) -> None:
    x0, y0, x1, y1 = area
    total = sum(v for _l, _s, v in chart.rows) or 1.0
    x = x0
    for i, (_label, _shown, value) in enumerate(chart.rows):
        w = value / total * (x1 - x0)
        card.draw.rectangle((x, y0, x + w, y0 + 40), fill=PALETTE[i % len(PALETTE)])
        x += w
    y = y0 + 58
    style, bold = Style(18), Style(18, True)
    rows = chart.rows[:max(1, int((y1 - y) // 30))]
    label_x = x0 + 28 + max(text_length(shown, lang, bold) for _l, shown, _v in rows) + 16
    for i, (label, shown, _value) in enumerate(rows):
        card.draw.rounded_rectangle((x0, y + 2, x0 + 18, y + 20), radius=3,
                                    fill=PALETTE[i % len(PALETTE)])
        card.line(x0 + 28, y + 18, shown, lang, bold)
        room = x1 - label_x
        text = ellipsize(label, lang, style, room) if text_length(label, lang, style) > room \
            else label
        card.line(label_x, y + 18, text, lang, style)
        y += 30


def _timeline(card: Card, chart: ChartData, lang: str, area) -> None:
    x0, y0, x1, y1 = area
    step = 50
    rows = chart.rows[:max(1, int((y1 - y0) // step))]
    step = min(64, (y1 - y0) / len(rows))
    card.draw.line((x0 + 9, y0 + 10, x0 + 9, y0 + step * (len(rows) - 1) + 10), fill=GRID,
                   width=4)
    for i, (label, date, _v) in enumerate(rows):
        y = y0 + i * step
        card.draw.ellipse((x0, y + 1, x0 + 18, y + 19), fill=PALETTE[i % 2])
        date_style = Style(18, True, GREEN)
        w = card.line(x0 + 32, y + 17, date, lang, date_style)
        style = Style(18)
        room = x1 - x0 - 32 - w - 14
        text = ellipsize(label, lang, style, room) if text_length(label, lang, style) > room \
            else label
        card.line(x0 + 32 + w + 14, y + 17, text, lang, style)


# -- files --------------------------------------------------------------------------------------

_lock = threading.Lock()


def ensure(spec: CardSpec, page: str, cache_dir: Path) -> str:
    """The card's file name under ``cache_dir/share``; drawn and written first if missing."""
    name = spec.file_name(page)
    target = Path(cache_dir) / SUBDIR / name
    if target.is_file():
        return name
    with _lock:  # one card at a time in this process; across processes, the write is atomic
        if target.is_file():
            return name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            image = render(spec).image
        except Exception:  # a broken poster or picture: the page still gets a title card
            log.exception("share image %s: drawn as a title card instead", name)
            image = render(replace(spec, layout="title", chart=None, picture="")).image
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                image.save(fh, "PNG", optimize=True)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return name
