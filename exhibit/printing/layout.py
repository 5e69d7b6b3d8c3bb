"""The geometry of a printed panel, in millimetres, worked out from the page size.

Everything is designed once for A0 portrait read from 1–2 m and scaled with the page
(:attr:`PageSize.scale`), so A1 is the same panel at 71 %. The print CSS reads these numbers;
the preflight reads the safe area.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sizes import PageSize

# Type at A0, in points. Body: 28 pt has an x-height of about 5 mm, comfortable from 2 m;
# titles and key figures are read from further away, sources up close.
BODY_PT = 28
# Text columns aim at this width (mm at A0): about 45 Latin characters or 24 Chinese characters a
# line at the body size, a comfortable measure.
MEASURE_MM = 245
# The media column (images, charts) at A0. 210 mm keeps a 1600 px illustration near 190 ppi and a
# 1280 px video still above 150 ppi, at A0 and on a roll-up (1 % larger); figures get half the
# page (vectors do not blur).
MEDIA_MM = 210
# Posters of a gallery side by side, at most this wide (mm at A0): a 1200 px poster stays above
# 150 ppi.
POSTER_MM = 195
# Text may not come closer to the trim than this (mm at A0; never less than 10 mm): the cut can
# wander by a few millimetres, and a frame or a stand may cover the edge.
SAFE_MM = 30
MIN_SAFE_MM = 10
# Pages taller than this (height / width) stack the media under the text instead of beside it:
# a roll-up is read top to bottom, and a column beside the text would leave its lower half empty.
STACK_RATIO = 1.8
# Chart text is at least this fraction of the body size, at every page size and type scale. The
# charts (exhibit/charts.py) are drawn CHART_UNITS wide, or CHART_NARROW_UNITS for the narrow
# drawing (same text sizes, so relatively bigger text); their smallest text is CHART_MIN_TEXT units.
MIN_CHART_TEXT = 0.75
CHART_UNITS = 480
CHART_NARROW_UNITS = 260
CHART_MIN_TEXT = 12
PT_PER_MM = 72 / 25.4
# The media column may grow to this share of the content width to fill an empty page (render._fill).
MAX_MEDIA_SHARE = 0.6


@dataclass(frozen=True)
class Geometry:
    """Where things go on one page (all values in mm, measured from the trimmed page)."""

    size: PageSize
    bleed: float
    scale: float
    safe_top: float
    safe_right: float
    safe_bottom: float
    safe_left: float
    band: float  # height of the top band (bleeds off the top and the sides)
    foot: float  # height of the footer (QR code, organisations), above the hidden bottom
    qr: float  # side of the QR code
    margin_top: float  # the text flow's page margins
    margin_bottom: float
    margin_x: float
    media: float  # width of the media column
    image: float  # widest an image may be in the media column
    poster: float  # widest a poster of a gallery may be
    columns: int  # text columns beside (or above) the media
    stacked: bool  # media under the text, not beside it
    hero: float  # height of the hero photo (0 when there is none)
    type_scale: float  # 1.0, or more when the page has room for bigger type
    slug: float = 0.0  # room for printer's marks beyond the bleed (0: no marks)
    media_scale: float = 1.0  # 1.0, or more when the page has room for bigger figures and images
    spare: float = 0.0  # room (mm) left when nothing can grow more: shared out between the blocks

    def chart_text_mm(self, units: int) -> float:
        """Height (mm) of the smallest chart text when a drawing ``units`` wide fills the column."""
        return self.media * CHART_MIN_TEXT / units

    @property
    def chart_width(self) -> float:
        """How wide (mm) a chart is drawn: the column, or for the narrow drawing just wide enough
        for its smallest text to be about 0.85 of the body (wider, it would only be taller)."""
        if not self.chart_narrow:
            return self.media
        body_mm = self.body_pt / PT_PER_MM
        return round(min(self.media, 0.85 * body_mm * CHART_NARROW_UNITS / CHART_MIN_TEXT), 1)

    @property
    def chart_narrow(self) -> bool:
        """Draw charts narrow: the wide drawing's smallest text would be under 3/4 of the body."""
        return self.chart_text_mm(CHART_UNITS) * PT_PER_MM < MIN_CHART_TEXT * self.body_pt

    @property
    def width(self) -> float:
        return self.size.width_mm

    @property
    def height(self) -> float:
        return self.size.height_mm

    @property
    def body_pt(self) -> float:
        return round(BODY_PT * self.scale * self.type_scale, 2)

    @property
    def head_pt(self) -> float:
        """The unit of the title and the key figures: they grow less than the text when the
        page has room (they are big already, and must stay on one or two lines)."""
        return round(BODY_PT * self.scale * self.type_scale ** 0.5, 2)

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin_x


def geometry(size: PageSize, bleed: float, *, kind: str = "text", hero: bool = False,
             type_scale: float = 1.0, slug: float = 0.0, charts: bool = False,
             media_scale: float = 1.0, has_media: bool = True) -> Geometry:
    """The layout of a panel of ``kind`` on ``size``.

    ``has_media``: False when the panel has no chart, image or video: the text takes the whole
    width instead of leaving an empty column. ``charts``: the panel has charts, so the media
    column is at least wide enough for the narrow drawing's text to be 3/4 of the body size.
    ``media_scale`` widens the media column (and the widest image) to fill a page that has room
    left when the type cannot grow any more.
    """
    s = size.scale
    safe = max(MIN_SAFE_MM, SAFE_MM * s)
    safe_top = safe + size.hidden_top_mm
    safe_bottom = safe + size.hidden_bottom_mm
    band = safe_top + 38 * s  # the band's text sits inside the safe zone
    qr = max(25.0, 105 * s)  # about 1/10 of the distance it is scanned from: 1 m at A0
    foot = qr + 2 * 14 * s
    hero_h = round(min(size.height_mm * 0.36, size.width_mm * 0.62), 1) if hero else 0.0
    margin_x = max(safe, 45 * s)
    margin_top = (hero_h if hero else band) + 26 * s
    margin_bottom = safe_bottom + foot + 18 * s
    content = size.width_mm - 2 * margin_x
    gap = 22 * s
    stacked = size.height_mm / size.width_mm > STACK_RATIO
    if stacked:
        media = round(content * 0.7, 1) if kind in ("figure", "timeline") else 0.0
    elif kind == "figure":
        media = round(content * 0.5, 1)
    elif kind == "timeline":  # a tall drawing: narrower, or it runs off the page
        media = round(content * 0.4, 1)
    elif kind == "gallery":
        media = 0.0  # posters go in a row under the text
    else:
        media = round(min(MEDIA_MM * s, content * 0.42), 1)
    if not has_media:
        media = 0.0
    if media and media_scale > 1:
        media = round(max(media, min(media * media_scale, content * MAX_MEDIA_SHARE)), 1)
    if media and charts:
        body_mm = BODY_PT * s * type_scale / PT_PER_MM
        narrow_need = MIN_CHART_TEXT * body_mm * CHART_NARROW_UNITS / CHART_MIN_TEXT
        media = round(max(media, min(narrow_need, content * MAX_MEDIA_SHARE)), 1)
    text = content if stacked else content - media - (gap if media else 0)
    columns = max(1, round(text / (MEASURE_MM * s * type_scale)))
    return Geometry(size=size, bleed=bleed, scale=round(s, 4), safe_top=safe_top,
                    safe_right=safe, safe_bottom=safe_bottom, safe_left=safe, band=band,
                    foot=foot, qr=qr, margin_top=margin_top, margin_bottom=margin_bottom,
                    margin_x=margin_x, media=media, image=round(MEDIA_MM * s * media_scale, 1),
                    poster=round(POSTER_MM * s, 1), columns=columns, stacked=stacked, hero=hero_h,
                    type_scale=type_scale, slug=slug, media_scale=media_scale)


# Printer's marks, only when asked for (`--marks`): imposition software works from the TrimBox and
# the BleedBox and adds its own. They go in a slug outside the bleed, so no mark ever prints on
# the artwork: crop marks start MARK_OFFSET_MM from the trim (at least, and never inside the
# bleed), registration targets sit in the middle of each edge.
SLUG_MM = 12.0  # beyond the bleed: at least 10 mm, as shops ask
MARK_OFFSET_MM = 3.0
MARK_LENGTH_MM = 6.0
MARK_WIDTH_MM = 0.1  # the usual hairline for marks
TARGET_RADIUS_MM = 1.5


@dataclass(frozen=True)
class Marks:
    """Marks around a trimmed page, in mm from the trim's bottom left corner (y up, as in PDF)."""

    lines: tuple[tuple[float, float, float, float], ...]  # x0, y0, x1, y1
    circles: tuple[tuple[float, float, float], ...]  # cx, cy, r


def marks(width: float, height: float, bleed: float, slug: float = SLUG_MM) -> Marks:
    """Crop marks at the four corners and a registration target on each edge, all in the slug."""
    offset = max(MARK_OFFSET_MM, bleed)
    length = min(MARK_LENGTH_MM, bleed + slug - offset - 1)
    lines = []
    for x in (0.0, width):  # vertical crop marks, above and below the page
        lines += [(x, -offset, x, -offset - length), (x, height + offset, x, height + offset + length)]
    for y in (0.0, height):  # horizontal crop marks, left and right of the page
        lines += [(-offset, y, -offset - length, y), (width + offset, y, width + offset + length, y)]
    r = TARGET_RADIUS_MM
    away = bleed + slug / 2  # the targets' centres, from the trim
    centres = ((width / 2, -away), (width / 2, height + away), (-away, height / 2),
               (width + away, height / 2))
    circles = []
    for cx, cy in centres:
        circles.append((cx, cy, r))
        lines += [(cx - 2 * r, cy, cx + 2 * r, cy), (cx, cy - 2 * r, cx, cy + 2 * r)]
    return Marks(tuple(lines), tuple(circles))
