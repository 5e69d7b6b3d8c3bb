"""Preflight: what a print shop would phone about, found before any file is written.

Two passes. :func:`check_content` needs only the content model and the page size (missing
translations, numbers without a source, a page too large for PDF); it runs in the calling process.
:func:`check_layout` reads WeasyPrint's laid-out document in the rendering child process (image
resolution at the size it is really printed, text past the page or out of the safe zone); the PDF
is written only when neither pass found an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from ..content import Exhibition, Localized, Panel
from .sizes import PDF_MAX_MM, PageSize, media_box_mm

# Effective resolution of a raster image at its printed size. Below 150 ppi a panel read from
# 1 m looks soft and jagged edges show: refuse. Below 300 ppi (the offset-print norm) it is
# acceptable for a hall panel, but say so.
MIN_PPI = 150
GOOD_PPI = 300
CSS_PX_PER_INCH = 96  # WeasyPrint lays out in CSS pixels
MM_PER_PX = 25.4 / CSS_PX_PER_INCH


@dataclass(frozen=True)
class Problem:
    level: str  # "error": no file is written; "warning": the file is written, read the message
    message: str
    slug: str = ""
    lang: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        where = " ".join(part for part in (self.slug, f"[{self.lang}]" if self.lang else "") if part)
        return f"{where}: {self.level}: {self.message}" if where else f"{self.level}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level, "message": self.message, "slug": self.slug, "lang": self.lang}


def error(message: str, panel: Panel | None = None, lang: str = "") -> Problem:
    return Problem("error", message, panel.slug if panel else "", lang)


def warning(message: str, panel: Panel | None = None, lang: str = "") -> Problem:
    return Problem("warning", message, panel.slug if panel else "", lang)


# -- before rendering: the content and the page -----------------------------------------------

def check_page(size: PageSize, bleed_mm: float) -> list[Problem]:
    """A page PDF cannot describe without UserUnit, or a bleed that makes no sense."""
    problems = []
    width, height = media_box_mm(size, bleed_mm)
    if max(width, height) > PDF_MAX_MM:
        problems.append(error(
            f"the page with its bleed is {width:g} × {height:g} mm: past the 200 in "
            f"({PDF_MAX_MM:g} mm) a PDF page can have without UserUnit, which print software "
            f"often ignores; print at a smaller size and scale up at the print shop"))
    if bleed_mm < 0 or bleed_mm > 25:
        problems.append(error(f"a bleed of {bleed_mm:g} mm: use 0 to 25 mm (3 mm is usual)"))
    return problems


def _localized_fields(panel: Panel) -> Iterator[tuple[str, Localized | None]]:
    """Every text of a panel that has one value per language, with a name for messages."""
    yield "title", panel.title
    yield "summary", panel.summary
    yield "text", panel.body
    for n, kf in enumerate(panel.key_figures, start=1):
        yield f"key figure {n} label", kf.label
        yield f"key figure {n} unit", kf.unit
        yield f"key figure {n} value", kf.values
    for fig in panel.figures:
        yield f"figure {fig.id} title", fig.title
        yield f"figure {fig.id} unit", fig.unit
        yield f"figure {fig.id} note", fig.note
        for row in fig.rows:
            yield f"figure {fig.id} label", row.label
    for image in panel.images:
        yield f"image {image.media.path} alt text", image.alt
        yield f"image {image.media.path} caption", image.caption


def check_content(exhibition: Exhibition, panel: Panel, lang: str, *, final: bool = False
                  ) -> list[Problem]:
    """Missing translations for ``lang`` and numbers without a source, for one panel; for a
    ``final`` (not draft) file, pending data too."""
    if lang not in exhibition.languages:
        return [error(f"no {lang} translation: the exhibition is written in "
                      f"{', '.join(exhibition.languages)}", panel, lang)]
    problems = []
    if final and panel.pending:
        items = "; ".join(f"{item.where}: {item.what} (supplied by {item.who})"
                          for item in panel.pending)
        problems.append(error(f"the panel has pending data, so it cannot be printed final: "
                              f"{items}. Fill it in, or print a draft (--draft)", panel, lang))
    for name, text in _localized_fields(panel):
        if text is not None and not (text.get(lang) or "").strip():
            problems.append(error(f"missing {lang} translation of the {name}", panel, lang))
    known = {source.id for source in panel.sources}
    for kf in panel.key_figures:
        shown = f"“{kf.value_in(lang)}{' ' + kf.unit[lang] if kf.unit and lang in kf.unit else ''}”"
        if kf.illustrative:
            continue
        if not kf.source:
            problems.append(error(f"key figure {shown} has no source (add `source:` or "
                                  f"`illustrative: true`)", panel, lang))
        elif kf.source not in known:
            problems.append(error(f"key figure {shown} cites {kf.source!r}, which is not in the "
                                  f"panel's sources", panel, lang))
    for fig in panel.figures:
        if fig.illustrative:
            continue
        ids = fig.row_sources()
        unsourced = [row for row in fig.rows if not (row.source or fig.source)]
        if not ids or unsourced:
            problems.append(error(f"figure {fig.id} has values without a source", panel, lang))
        for source_id in ids:
            if source_id not in known:
                problems.append(error(f"figure {fig.id} cites {source_id!r}, which is not in the "
                                      f"panel's sources", panel, lang))
    return problems


# -- after layout, before writing: what the page really looks like ----------------------------

@dataclass(frozen=True)
class SafeArea:
    """Where text may go on the trimmed page, in CSS px from the trim's top left corner."""

    left: float
    top: float
    right: float
    bottom: float


def _walk(box) -> Iterator[object]:
    """Every box under ``box``, depth first."""
    for child in getattr(box, "children", ()):
        yield child
        yield from _walk(child)


def image_ppi(box) -> float | None:
    """Effective resolution of a laid-out raster image box, or None for vectors."""
    image = getattr(box, "replacement", None)
    width_px, height_px = getattr(image, "width", None), getattr(image, "height", None)
    if not width_px or not height_px or type(image).__name__ != "RasterImage":
        return None
    if box.width <= 0 or box.height <= 0:
        return None
    ppi_x = width_px / (box.width / CSS_PX_PER_INCH)
    ppi_y = height_px / (box.height / CSS_PX_PER_INCH)
    # fill and cover stretch the image to the box: the more enlarged axis decides;
    # contain and scale-down fit it inside: the less enlarged axis is the one drawn edge to edge.
    fit = box.style["object_fit"] if hasattr(box, "style") else "fill"
    return max(ppi_x, ppi_y) if fit in ("contain", "scale-down") else min(ppi_x, ppi_y)


def check_layout(document, safe: SafeArea, image_names: dict[str, str],
                 panel: Panel | None = None, lang: str = "") -> list[Problem]:
    """Overflow, text out of the safe zone and image resolution, from a rendered document.

    ``image_names`` maps image URLs to the names shown in messages (their path under media/).
    """
    problems: list[Problem] = []
    pages = document.pages
    if len(pages) > 1:
        problems.append(error(
            f"the text does not fit on the page: it runs onto {len(pages) - 1} more page(s). "
            f"Shorten the text, or print larger (a bigger --size, a portrait page, or the "
            f"roll-up)", panel, lang))
    seen_images: set[str] = set()
    past_safe: list[str] = []
    for page in pages[:1]:
        for box in _walk(page._page_box):
            ppi = image_ppi(box)
            if ppi is not None:
                url = box.element.get("src", "") if box.element is not None else ""
                name = image_names.get(url, url.rsplit("/", 1)[-1])
                if name in seen_images:
                    continue
                seen_images.add(name)
                problems.extend(_resolution(box, ppi, name, panel, lang))
            if type(box).__name__ == "TextBox" and box.text.strip():
                x, y = box.position_x, box.position_y
                if (x < safe.left - 1 or y < safe.top - 1 or x + box.width > safe.right + 1
                        or y + box.height > safe.bottom + 1):
                    past_safe.append(box.text.strip())
    if past_safe:
        sample = " ".join(past_safe)[:60]
        problems.append(error(f"text outside the safe zone (it may be cut off at the trim): "
                              f"“{sample}…”", panel, lang))
    return problems


def _resolution(box, ppi: float, name: str, panel, lang) -> list[Problem]:
    width_mm, height_mm = box.width * MM_PER_PX, box.height * MM_PER_PX
    need_w = round(width_mm / 25.4 * GOOD_PPI)
    need_h = round(height_mm / 25.4 * GOOD_PPI)
    image = box.replacement
    size = f"{image.width} × {image.height} px printed {width_mm:.0f} × {height_mm:.0f} mm"
    if ppi < MIN_PPI:
        return [error(f"image {name}: {math.floor(ppi)} ppi at its printed size ({size}); at least "
                      f"{MIN_PPI} ppi is needed, {GOOD_PPI} is best: supply about "
                      f"{need_w} × {need_h} px", panel, lang)]
    if ppi < GOOD_PPI:
        return [warning(f"image {name}: {math.floor(ppi)} ppi at its printed size ({size}); fine from "
                        f"a metre away, {GOOD_PPI} ppi ({need_w} × {need_h} px) would be "
                        f"sharp up close", panel, lang)]
    return []
