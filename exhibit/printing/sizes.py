"""Page sizes for print: the named formats, custom sizes in mm, and what a PDF page can hold.

Pure data, no Flask, no WeasyPrint: the command line, the staff area and the renderer share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MM_PER_INCH = 25.4
# A PDF page may not be larger than 14,400 units (200 in, 5080 mm) on a side unless it uses
# UserUnit, which WeasyPrint does not write and many RIPs ignore.
PDF_MAX_MM = 200 * MM_PER_INCH

# The reference format of the layout: type and spacing are designed for A0 portrait read at
# 1–2 m, and scaled with the page (see PageSize.scale).
REFERENCE_MM = (841.0, 1189.0)


@dataclass(frozen=True)
class PageSize:
    """A trimmed page: what the visitor sees after the print shop has cut the bleed off."""

    name: str  # as typed on the command line and shown in file names
    width_mm: float
    height_mm: float
    # Extra room, beyond the safe margin, that the page's stand hides (roll-up cassette, rail).
    hidden_top_mm: float = 0.0
    hidden_bottom_mm: float = 0.0

    @property
    def landscape(self) -> bool:
        return self.width_mm > self.height_mm

    @property
    def scale(self) -> float:
        """How big type and spacing are, relative to A0 portrait (1.0): A1 is 0.71.

        Short side against 841 mm and long side against 1189 mm, whichever is smaller, so a
        landscape A0 keeps A0's type size and a tall roll-up does not get giant type.
        """
        short, long_ = sorted((self.width_mm, self.height_mm))
        return min(short / REFERENCE_MM[0], long_ / REFERENCE_MM[1])

    @property
    def slug(self) -> str:
        """The size as it appears in file names."""
        return self.name.replace(" ", "").replace("×", "x")

    def describe(self) -> str:
        return f"{self.name} ({self.width_mm:g} × {self.height_mm:g} mm)"


def _named(name: str, w: float, h: float, **extra) -> PageSize:
    return PageSize(name, w, h, **extra)


SIZES: dict[str, PageSize] = {
    size.name.lower(): size for size in (
        _named("A0", 841, 1189),
        _named("A0-landscape", 1189, 841),
        _named("A1", 594, 841),
        _named("A1-landscape", 841, 594),
        # The common roll-up banner; its cassette hides about the bottom 100 mm and its top rail
        # about 20 mm, so nothing to read goes there.
        _named("rollup", 850, 2000, hidden_top_mm=20, hidden_bottom_mm=100),
    )
}

_CUSTOM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[x×X*]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*$")


class SizeError(ValueError):
    """A size that is not a known name or a WIDTHxHEIGHT in millimetres."""


def parse_size(text: str) -> PageSize:
    """``A0``, ``A1-landscape``, ``rollup`` or a custom ``WIDTHxHEIGHT`` in mm (``600x900``)."""
    known = SIZES.get(text.strip().lower())
    if known:
        return known
    match = _CUSTOM.match(text)
    if not match:
        names = ", ".join(s.name for s in SIZES.values())
        raise SizeError(f"unknown size {text!r}: use one of {names}, or WIDTHxHEIGHT in mm "
                        f"(e.g. 600x900)")
    width, height = float(match.group(1)), float(match.group(2))
    if width < 50 or height < 50:
        raise SizeError(f"size {text!r} is too small for a panel: at least 50 × 50 mm")
    return PageSize(f"{width:g}x{height:g}mm", width, height)


def media_box_mm(size: PageSize, bleed_mm: float) -> tuple[float, float]:
    """The whole PDF page: the trimmed page plus the bleed on every side."""
    return size.width_mm + 2 * bleed_mm, size.height_mm + 2 * bleed_mm


def too_large_for_pdf(size: PageSize, bleed_mm: float) -> bool:
    """True when the page with its bleed is past 200 in on a side (see PDF_MAX_MM)."""
    return max(media_box_mm(size, bleed_mm)) > PDF_MAX_MM
