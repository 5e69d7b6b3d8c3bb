"""Colour for print: the exhibition palette in CMYK, through the output-intent ICC profile.

The screens are designed in sRGB hex colours (the CSS and :mod:`exhibit.charts`). For a CMYK
PDF/X every one of them becomes a ``device-cmyk()`` value computed with the output-intent profile
(relative colorimetric), except near-greys, which become black ink only: small type and hairlines
in four-colour black would show colour fringes when the plates are not perfectly in register.
For the RGB screen proof, the hex values stay as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageCms

DEFAULT_PROFILE = Path(__file__).resolve().parent / "icc" / "exhibit-FOGRA39L.icc"
# Greys (RGB channels less than NEUTRAL_SPREAD apart, out of 255) darker than NEUTRAL_LIGHTNESS
# (L*) are printed in black ink only: they are type and rules. Paler greys are tints of a
# background and keep their hue.
NEUTRAL_SPREAD = 24
NEUTRAL_LIGHTNESS = 80

# The exhibition palette (the same values as static/css/panel.css and charts.py).
PALETTE = {
    "deep": "#0b5d3b",
    "green": "#1f7a4d",
    "leaf": "#2e9d5b",
    "mint": "#d8f0e2",
    "mint-50": "#f1f9f4",
    "sky": "#1f6fb2",
    "amber": "#f2a33a",
    "ink": "#1d2b24",
    "muted": "#4a5a52",
    "line": "#d5e3da",
    "white": "#ffffff",
    "black": "#000000",
    "draft": "#c8102e",
}

# An <svg> element without its own fill: SVG's default fill is black, which WeasyPrint draws as
# DeviceRGB (a chart's lines, filled and stroked, would put RGB into the PDF/X).
_SVG_ROOT_WITHOUT_FILL = re.compile(r"<svg\b(?![^>]*\sfill=)")
_SVG_COLOUR = re.compile(r'\b(fill|stroke|stop-color)="(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})"')


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class Inks:
    """Turns sRGB colours into the CMYK of one output-intent profile (cached per profile)."""

    def __init__(self, profile: Path):
        cmyk = ImageCms.getOpenProfile(str(profile))
        srgb = ImageCms.createProfile("sRGB")
        intent = ImageCms.Intent.RELATIVE_COLORIMETRIC
        self._to_cmyk = ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK", renderingIntent=intent)
        to_lab = ImageCms.buildTransform(cmyk, ImageCms.createProfile("LAB"), "CMYK", "LAB",
                                         renderingIntent=intent)
        # Lightness of black ink alone, 0–100 %, to match a grey's lightness with K only.
        ramp = Image.new("CMYK", (101, 1))
        for k in range(101):
            ramp.putpixel((k, 0), (0, 0, 0, round(k * 2.55)))
        lab = ImageCms.applyTransform(ramp, to_lab)
        self._k_lightness = [lab.getpixel((k, 0)) for k in range(101)]
        self._srgb_to_lab = ImageCms.buildTransform(srgb, ImageCms.createProfile("LAB"), "RGB",
                                                    "LAB", renderingIntent=intent)

    @lru_cache(maxsize=256)  # noqa: B019 - one Inks per profile, kept for the process
    def cmyk(self, hex_colour: str) -> tuple[float, float, float, float]:
        """The colour as C, M, Y, K fractions (0–1), rounded to whole percent."""
        rgb = _rgb(hex_colour)
        pixel = Image.new("RGB", (1, 1), rgb)
        # Pillow's LAB mode stores L* as 0–255.
        lightness = ImageCms.applyTransform(pixel, self._srgb_to_lab).getpixel((0, 0))[0]
        if max(rgb) - min(rgb) < NEUTRAL_SPREAD and lightness < NEUTRAL_LIGHTNESS * 2.55:
            k = min(range(101), key=lambda i: abs(self._k_lightness[i][0] - lightness))
            return 0.0, 0.0, 0.0, k / 100
        c, m, y, k = ImageCms.applyTransform(pixel, self._to_cmyk).getpixel((0, 0))
        return tuple(round(v / 2.55) / 100 for v in (c, m, y, k))  # type: ignore[return-value]

    def css(self, hex_colour: str) -> str:
        """``device-cmyk(c m y k)`` for CSS and SVG."""
        return "device-cmyk({:g} {:g} {:g} {:g})".format(*self.cmyk(hex_colour))


@lru_cache(maxsize=4)
def inks(profile: Path = DEFAULT_PROFILE) -> Inks:
    return Inks(Path(profile))


class Palette:
    """The palette for one PDF: CMYK values for print, or the hex values for an RGB proof."""

    def __init__(self, cmyk: bool, profile: Path = DEFAULT_PROFILE):
        self.cmyk = cmyk
        self._inks = inks(Path(profile)) if cmyk else None

    def __getitem__(self, name: str) -> str:
        return self.colour(PALETTE[name])

    @property
    def registration(self) -> str:
        """The colour of crop marks: every plate at 100 %, so they show on each film."""
        return "device-cmyk(1 1 1 1)" if self.cmyk else "#000000"

    def colour(self, hex_colour: str) -> str:
        return self._inks.css(hex_colour) if self._inks else hex_colour

    def svg(self, markup: str) -> str:
        """Every fill, stroke and stop colour of inline SVG markup in this palette."""
        if not self._inks:
            return markup
        markup = _SVG_ROOT_WITHOUT_FILL.sub(f'<svg fill="{self._inks.css("#000000")}"', markup)
        return _SVG_COLOUR.sub(lambda m: f'{m.group(1)}="{self._inks.css(m.group(2))}"', markup)
