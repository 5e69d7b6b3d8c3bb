#!/usr/bin/env python3
"""Draw the demo media of the exhibition: illustrations, posters, the project video and captions.

Everything is drawn with Pillow and encoded with ffmpeg, deterministically: run it again and the
PNG files come out byte for byte the same. From the repository root:

    .venv/bin/python media/_src/make_media.py            # everything
    .venv/bin/python media/_src/make_media.py images     # or: posters, video, captions

The app never runs this script; its output is committed next to it.

Conventions
- Illustrations are designed on a logical 1600 x 1000 grid and drawn at 2x, then downsampled with
  LANCZOS (anti-aliasing). Posters use a 1200 x 1700 grid the same way.
- Images carry no words: only shapes, icons, chemical formulas and element symbols, so one file
  serves every language. Posters are bilingual and cite their source in small print.
- Noto Sans CJK has no subscript digit glyphs (U+2080..2089 render as tofu), so formulas are typeset
  by `Canvas.formula`: write "C₂H₃Cl" and the digits are drawn smaller and lower.
"""

from __future__ import annotations

import math
import random
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

MEDIA = Path(__file__).resolve().parent.parent
IMAGES = MEDIA / "images"
POSTERS = MEDIA / "posters"
VIDEO = MEDIA / "video"

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {False: FONT_DIR / "NotoSansCJK-Regular.ttc", True: FONT_DIR / "NotoSansCJK-Bold.ttc"}
FONT_INDEX_SC = 2  # face 2 of the collection is "Noto Sans CJK SC": simplified Chinese glyph forms

CREDIT = "Illustration: exhibit project team, CC BY 4.0"

# The exhibition palette (docs: /tmp/demo-plan.md, "Media").
DEEP = "#0b5d3b"  # deep green
LEAF = "#2e9d5b"
MINT = "#d8f0e2"
SKY = "#1f6fb2"
SILVER = "#9aa5ad"  # mercury
WARM = "#f2a33a"  # warm accent, also gold
INK = "#1d2b24"
PAPER = "#fbfdfb"
WHITE = "#ffffff"

SS = 2  # supersampling factor for anti-aliasing
IMAGE_SIZE = (1600, 1000)
POSTER_SIZE = (1200, 1700)
VIDEO_SIZE = (1280, 720)
FPS = 25


# --------------------------------------------------------------------------------------------
# Colours and geometry
# --------------------------------------------------------------------------------------------


def rgb(c) -> tuple[int, int, int]:
    """'#rrggbb' or an (r, g, b) tuple -> (r, g, b)."""
    if isinstance(c, tuple):
        return c[:3]
    c = c.lstrip("#")
    return tuple(int(c[i : i + 2], 16) for i in (0, 2, 4))


def mix(a, b, t: float) -> tuple[int, int, int]:
    """Blend colour a towards b by t (0 = a, 1 = b)."""
    a, b = rgb(a), rgb(b)
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))


def tint(c, t: float):
    """A lighter version of c (t = share of paper)."""
    return mix(c, PAPER, t)


def shade(c, t: float):
    """A darker version of c (t = share of ink)."""
    return mix(c, INK, t)


# Derived tones used across images.
MINT_SOFT = tint(MINT, 0.45)
SKY_LIGHT = tint(SKY, 0.82)
SKY_SOFT = tint(SKY, 0.55)
SILVER_LIGHT = tint(SILVER, 0.6)
SILVER_DARK = shade(SILVER, 0.35)
WARM_LIGHT = tint(WARM, 0.7)
SAND = tint(WARM, 0.62)
SAND_LIGHT = tint(WARM, 0.8)
LEAF_LIGHT = tint(LEAF, 0.45)
DEEP_DARK = shade(DEEP, 0.35)
CARBON = mix(INK, "#3a3f3c", 0.5)
CARBON_LIGHT = mix(INK, SILVER, 0.35)


def arc_points(cx, cy, rx, ry, a0, a1, n=64):
    """Points along an ellipse arc, angles in degrees (0 = east, 90 = south)."""
    return [
        (
            cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
            cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / n)),
        )
        for i in range(n + 1)
    ]


def bezier(p0, p1, p2, p3, n=48):
    """Points along a cubic Bezier curve."""
    out = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        out.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return out


def smooth_closed(points, n=12):
    """A closed Catmull-Rom spline through the points (organic blobs: continents, dunes)."""
    out = []
    m = len(points)
    for i in range(m):
        p0, p1, p2, p3 = (points[(i + j) % m] for j in (-1, 0, 1, 2))
        for k in range(n):
            t = k / n
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(
                    0.5
                    * (
                        2 * p1[d]
                        + (-p0[d] + p2[d]) * t
                        + (2 * p0[d] - 5 * p1[d] + 4 * p2[d] - p3[d]) * t2
                        + (-p0[d] + 3 * p1[d] - 3 * p2[d] + p3[d]) * t3
                    )
                    for d in (0, 1)
                )
            )
    return out


def path_length(pts):
    return sum(math.dist(pts[i], pts[i + 1]) for i in range(len(pts) - 1))


def point_at(pts, f):
    """The point at fraction f (0..1) of a polyline's length."""
    total = path_length(pts)
    if f < 0 or f > 1:  # animations run past 1 to loop
        f %= 1.0
    target = f * total
    for i in range(len(pts) - 1):
        seg = math.dist(pts[i], pts[i + 1])
        if target <= seg and seg > 0:
            t = target / seg
            return (pts[i][0] + (pts[i + 1][0] - pts[i][0]) * t, pts[i][1] + (pts[i + 1][1] - pts[i][1]) * t)
        target -= seg
    return pts[-1]


def trim_end(pts, length):
    """The polyline without its last `length` units (to stop short of an arrow head)."""
    total = path_length(pts)
    n = 60
    return [point_at(pts, (total - length) / total * i / n) for i in range(n + 1)]


def rotate(pts, cx, cy, deg):
    a = math.radians(deg)
    ca, sa = math.cos(a), math.sin(a)
    return [(cx + (x - cx) * ca - (y - cy) * sa, cy + (x - cx) * sa + (y - cy) * ca) for x, y in pts]


# --------------------------------------------------------------------------------------------
# Fonts and formulas
# --------------------------------------------------------------------------------------------


@cache
def font(px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILES[bold]), px, index=FONT_INDEX_SC)


SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₙ", "0123456789n")


def formula_runs(s: str):
    """Split 'C₂H₃Cl' into runs [('C', 'n'), ('2', 'sub'), ...]; '⁻'/'⁺' become superscripts."""
    runs = []
    for ch in s:
        if ch in "₀₁₂₃₄₅₆₇₈₉ₙ":
            kind, ch = "sub", ch.translate(SUBSCRIPTS)
        elif ch in "⁻⁺":
            kind, ch = "sup", {"⁻": "−", "⁺": "+"}[ch]
        else:
            kind = "n"
        if runs and runs[-1][1] == kind:
            runs[-1] = (runs[-1][0] + ch, kind)
        else:
            runs.append((ch, kind))
    return runs


def check_glyphs(text: str, bold: bool = False):
    """Fail loudly if a character would render as a tofu box (missing glyph)."""
    f = font(40, bold)
    notdef = bytes(f.getmask("\uffff"))
    missing = {ch for ch in set(text) if not ch.isspace() and bytes(f.getmask(ch)) == notdef}
    if missing:
        raise ValueError(f"no glyph in Noto Sans CJK for {sorted(missing)!r} in {text!r}")


# --------------------------------------------------------------------------------------------
# Canvas: a logical coordinate grid drawn at a pixel scale
# --------------------------------------------------------------------------------------------


class Canvas:
    """Draws on `img` using logical coordinates: pixel = offset + logical * k.

    Images use k = 2 on a 3200 x 2000 bitmap (2x supersampling); the video maps the same 1600 x 1000
    design into a 16:9 frame with a horizontal offset. `view` is the visible logical area, used by
    drawings that fill the background to the edges.
    """

    def __init__(self, img: Image.Image, k: float, ox: float = 0.0, oy: float = 0.0, view=None):
        self.img = img
        self.d = ImageDraw.Draw(img)
        self.k, self.ox, self.oy = k, ox, oy
        w, h = img.size
        self.view = view or (-ox / k, -oy / k, (w - ox) / k, (h - oy) / k)

    @classmethod
    def new(cls, size, bg=PAPER, ss=SS):
        img = Image.new("RGB", (size[0] * ss, size[1] * ss), rgb(bg))
        return cls(img, ss, view=(0, 0, size[0], size[1]))

    # coordinates
    def P(self, x, y):
        return (self.ox + x * self.k, self.oy + y * self.k)

    def pts(self, pts):
        return [self.P(x, y) for x, y in pts]

    def W(self, w):
        return max(1, int(round(w * self.k)))

    def box(self, x0, y0, x1, y1):
        return [*self.P(x0, y0), *self.P(x1, y1)]

    # primitives
    def rect(self, box, fill=None, r=0, outline=None, width=0):
        b = self.box(*box)
        kw = dict(
            fill=rgb(fill) if fill else None,
            outline=rgb(outline) if outline else None,
            width=self.W(width) if width else 0,
        )
        if r:
            self.d.rounded_rectangle(b, radius=r * self.k, **kw)
        else:
            self.d.rectangle(b, **kw)

    def ellipse(self, box, fill=None, outline=None, width=0):
        self.d.ellipse(
            self.box(*box),
            fill=rgb(fill) if fill else None,
            outline=rgb(outline) if outline else None,
            width=self.W(width) if width else 0,
        )

    def circle(self, cx, cy, r, fill=None, outline=None, width=0):
        self.ellipse((cx - r, cy - r, cx + r, cy + r), fill, outline, width)

    def polygon(self, pts, fill=None, outline=None, width=0):
        self.d.polygon(
            self.pts(pts),
            fill=rgb(fill) if fill else None,
            outline=rgb(outline) if outline else None,
            width=self.W(width) if width else 0,
        )

    def line(self, pts, fill, width, cap=True):
        """A polyline with round joins and (optionally) round caps."""
        self.d.line(self.pts(pts), fill=rgb(fill), width=self.W(width), joint="curve")
        if cap:
            for x, y in (pts[0], pts[-1]):
                self.circle(x, y, width / 2 - 0.01, fill=fill)

    def dashed(self, pts, fill, width, dash=18, gap=14):
        total = path_length(pts)
        s = 0.0
        while s < total:
            seg = [point_at(pts, min(s, total) / total)]
            e = min(s + dash, total)
            steps = max(2, int((e - s) / 4))
            seg += [point_at(pts, (s + (e - s) * i / steps) / total) for i in range(1, steps + 1)]
            self.line(seg, fill, width)
            s += dash + gap

    def arrow(self, pts, fill, width, head=None, dashed=False):
        """A polyline ending in a filled triangular arrow head."""
        head = head or width * 2.8
        x1, y1 = pts[-1]
        # direction from a point a head length back along the path, so curves end smoothly
        back = pts[-2]
        acc = 0.0
        for i in range(len(pts) - 1, 0, -1):
            acc += math.dist(pts[i], pts[i - 1])
            back = pts[i - 1]
            if acc >= head:
                break
        ang = math.atan2(y1 - back[1], x1 - back[0])
        ca, sa = math.cos(ang), math.sin(ang)
        # the shaft stops (along the path) where the head begins, so it never pokes through
        cut = head * 0.8
        shaft = list(pts)
        while len(shaft) > 1 and math.dist(shaft[-2], (x1, y1)) <= cut:
            shaft.pop()
        (ax, ay) = shaft[-2] if len(shaft) > 1 else pts[0]
        seg = math.dist((ax, ay), (x1, y1)) or 1.0
        f = (seg - cut) / seg
        shaft = shaft[:-1] + [(ax + (x1 - ax) * f, ay + (y1 - ay) * f)]
        if dashed:
            self.dashed(shaft, fill, width)
        else:
            self.line(shaft, fill, width)
        hw = head * 0.62
        tri = [
            (x1, y1),
            (x1 - ca * head - sa * hw, y1 - sa * head + ca * hw),
            (x1 - ca * head + sa * hw, y1 - sa * head - ca * hw),
        ]
        self.polygon(tri, fill=fill)

    # text
    def text(self, xy, s, size, fill=INK, bold=False, anchor="la"):
        check_glyphs(s, bold)
        self.d.text(self.P(*xy), s, font=font(int(round(size * self.k)), bold), fill=rgb(fill), anchor=anchor)

    def text_width(self, s, size, bold=False):
        return font(int(round(size * self.k)), bold).getlength(s) / self.k

    def formula_width(self, s, size, bold=True):
        w = 0.0
        for part, kind in formula_runs(s):
            w += self.text_width(part, size * (0.64 if kind != "n" else 1), bold)
        return w

    def formula(self, xy, s, size, fill=INK, bold=True, anchor="mm", halo=None):
        """Typeset a chemical formula; anchor: l/m/r + m (cap-height middle) or s (baseline).

        `halo` draws a paper-coloured outline around the glyphs so they stay legible on top of a
        line (the slash of a "no" sign)."""
        check_glyphs(s.translate(SUBSCRIPTS).replace("⁻", "−").replace("⁺", "+"), bold)
        x, y = xy
        w = self.formula_width(s, size, bold)
        cap = size * 0.733  # cap height of Noto Sans CJK relative to the em
        if anchor[0] == "m":
            x -= w / 2
        elif anchor[0] == "r":
            x -= w
        base = y + cap / 2 if anchor[1] == "m" else y
        for part, kind in formula_runs(s):
            if kind == "n":
                sz, by = size, base
            elif kind == "sub":
                sz, by = size * 0.64, base + size * 0.2
            else:
                sz, by = size * 0.64, base - size * 0.42
            kw = dict(stroke_width=self.W(size * 0.09), stroke_fill=rgb(halo)) if halo else {}
            self.d.text(
                self.P(x, by),
                part,
                font=font(int(round(sz * self.k)), bold),
                fill=rgb(fill),
                anchor="ls",
                **kw,
            )
            x += self.text_width(part, sz, bold)
        return w

    def chip(self, cx, cy, s, size=40, fill=WHITE, color=INK, outline=None, pad=22, width=4):
        """A formula in a pill-shaped label; returns its box."""
        w = self.formula_width(s, size)
        h = size * 1.55
        box = (cx - w / 2 - pad, cy - h / 2, cx + w / 2 + pad, cy + h / 2)
        self.rect(box, fill=fill, r=h / 2, outline=outline, width=width if outline else 0)
        self.formula((cx, cy + size * 0.02), s, size, fill=color)
        return box

    # output
    def paste_layer(self, layer: Image.Image, mask: Image.Image | None = None):
        """Composite an RGBA layer (same pixel size) onto the canvas, optionally masked."""
        alpha = layer.getchannel("A")
        if mask is not None:
            alpha = ImageChops.multiply(alpha, mask)
        self.img.paste(layer.convert("RGB"), (0, 0), alpha)

    def layer(self):
        """A transparent layer with the same transform (for clipping and soft overlays)."""
        lay = Image.new("RGBA", self.img.size, (0, 0, 0, 0))
        return Canvas(lay, self.k, self.ox, self.oy, self.view)

    def mask_circle(self, cx, cy, r):
        m = Image.new("L", self.img.size, 0)
        ImageDraw.Draw(m).ellipse(self.box(cx - r, cy - r, cx + r, cy + r), fill=255)
        return m

    def result(self, size):
        return self.img.resize(size, Image.LANCZOS)


# --------------------------------------------------------------------------------------------
# Icons and shapes shared by the images, posters and video
# --------------------------------------------------------------------------------------------


def droplet_points(cx, cy, r, stretch=2.05, angle=0.0):
    """A teardrop: circle of radius r at (cx, cy) with its tip `stretch * r` above the centre."""
    d = stretch * r
    t = math.degrees(math.acos(r / d))  # tangent angle from the vertical
    pts = [(cx, cy - d)]
    pts += arc_points(cx, cy, r, r, -90 + t, 270 - t, 72)
    return rotate(pts, cx, cy, angle) if angle else pts


def hg_drop(c: Canvas, cx, cy, r, label=True, color=SILVER):
    """A mercury droplet: silver teardrop with a shadow, a highlight and the symbol Hg."""
    c.polygon(droplet_points(cx, cy, r), fill=color)
    # shading crescent on the lower right
    lay = c.layer()
    lay.polygon(droplet_points(cx, cy, r), fill=(0, 0, 0))
    mask = lay.img.getchannel("A")
    sh = c.layer()
    sh.circle(cx - r * 0.28, cy - r * 0.3, r * 1.02, fill=(0, 0, 0))
    crescent = ImageChops.subtract(mask, sh.img.getchannel("A"))
    dark = Image.new("RGB", c.img.size, rgb(shade(color, 0.28)))
    c.img.paste(dark, (0, 0), crescent)
    # highlight
    c.ellipse((cx - r * 0.62, cy - r * 0.72, cx - r * 0.3, cy - r * 0.18), fill=tint(color, 0.8))
    if label:
        c.formula((cx + r * 0.05, cy + r * 0.05), "Hg", r * 0.62, fill=INK)


def no_sign(c: Canvas, cx, cy, r, color=WARM, width=None):
    """A prohibition ring with a slash from top left to bottom right."""
    width = width or r * 0.16
    c.circle(cx, cy, r, outline=color, width=width)
    d = (r - width / 2) / math.sqrt(2)
    c.line([(cx - d, cy - d), (cx + d, cy + d)], color, width, cap=False)


def no_mercury(c: Canvas, cx, cy, r, color=WARM):
    """ "No mercury": an Hg droplet inside a prohibition sign; the symbol stays readable."""
    hg_drop(c, cx, cy + r * 0.2, r * 0.42, label=False)
    no_sign(c, cx, cy, r, color, width=r * 0.15)
    c.formula((cx + r * 0.02, cy + r * 0.22), "Hg", r * 0.3, fill=INK, halo=tint(SILVER, 0.2))


def leaf(c: Canvas, cx, cy, length, width, angle, fill=LEAF, vein=None):
    """A leaf centred on (cx, cy), pointing along `angle` degrees."""
    n = 40
    top = [(length * (i / n - 0.5), -width / 2 * math.sin(math.pi * i / n) ** 0.85) for i in range(n + 1)]
    bottom = [(x, -y) for x, y in reversed(top)]
    pts = [(cx + x, cy + y) for x, y in top + bottom]
    pts = rotate(pts, cx, cy, angle)
    c.polygon(pts, fill=fill)
    if vein:
        a = math.radians(angle)
        ex, ey = math.cos(a) * length * 0.42, math.sin(a) * length * 0.42
        c.line([(cx - ex * 1.1, cy - ey * 1.1), (cx + ex, cy + ey)], vein, max(2, width * 0.05))


def leaf_stem(c: Canvas, x, y, length, angle, fill=LEAF, vein=None, stem=DEEP):
    """A leaf whose base is at (x, y)."""
    a = math.radians(angle)
    c.line([(x, y), (x + math.cos(a) * length * 0.12, y + math.sin(a) * length * 0.12)], stem, length * 0.04)
    leaf(
        c,
        x + math.cos(a) * length * 0.6,
        y + math.sin(a) * length * 0.6,
        length,
        length * 0.42,
        angle,
        fill,
        vein,
    )


def cloud(c: Canvas, cx, cy, s, fill):
    c.rect((cx - 60 * s, cy - 4 * s, cx + 70 * s, cy + 30 * s), fill=fill, r=17 * s)
    c.circle(cx - 28 * s, cy + 2 * s, 28 * s, fill=fill)
    c.circle(cx + 10 * s, cy - 16 * s, 38 * s, fill=fill)
    c.circle(cx + 44 * s, cy + 4 * s, 25 * s, fill=fill)


def pellet(c: Canvas, cx, cy, r, fill=CARBON, specks=SILVER, n=5, seed=1, speck_r=0.16):
    """A catalyst pellet (activated carbon) with metal specks."""
    c.circle(cx, cy, r, fill=fill)
    c.ellipse((cx - r * 0.6, cy - r * 0.7, cx - r * 0.05, cy - r * 0.35), fill=mix(fill, WHITE, 0.16))
    rnd = random.Random(seed)
    for _ in range(n):
        a = rnd.uniform(0, 2 * math.pi)
        d = rnd.uniform(0.15, 0.68) * r
        c.circle(cx + math.cos(a) * d, cy + math.sin(a) * d, r * speck_r * rnd.uniform(0.8, 1.2), fill=specks)


def gold_pellet(c: Canvas, cx, cy, r, fill=CARBON, seed=31):
    """A carbon pellet with gold nanoparticles spread evenly over its face."""
    c.circle(cx, cy, r, fill=fill)
    c.ellipse((cx - r * 0.6, cy - r * 0.7, cx - r * 0.05, cy - r * 0.35), fill=mix(fill, WHITE, 0.16))
    rnd = random.Random(seed)
    golden = math.pi * (3 - math.sqrt(5))
    n = 15
    for i in range(n):
        d = r * 0.78 * math.sqrt((i + 0.5) / n)
        a = i * golden + rnd.uniform(-0.2, 0.2)
        gr = r * rnd.uniform(0.06, 0.1)
        c.circle(cx + math.cos(a) * d, cy + math.sin(a) * d, gr, fill=WARM)


def pellet_heap(c: Canvas, cx, base, w, rows, r, fill=CARBON, specks=SILVER, n=4, seed=3):
    """A triangular heap of pellets standing on y = base."""
    rnd = random.Random(seed)
    for row in range(rows):
        count = rows - row
        y = base - r - row * r * 1.7
        span = (count - 1) * r * 2.05
        for i in range(count):
            x = cx - span / 2 + i * r * 2.05 + rnd.uniform(-r * 0.1, r * 0.1)
            pellet(c, x, y, r, fill, specks, n, seed=rnd.randint(0, 9999))


def vessel(c: Canvas, cx, top, w, h, fill=DEEP, band=None):
    """An upright process vessel with elliptic heads (top, h are the straight body)."""
    e = w * 0.28
    c.ellipse((cx - w / 2, top - e, cx + w / 2, top + e), fill=fill)
    c.ellipse((cx - w / 2, top + h - e, cx + w / 2, top + h + e), fill=fill)
    c.rect((cx - w / 2, top, cx + w / 2, top + h), fill=fill)
    if band:
        c.rect((cx - w / 2, top + h * 0.15, cx + w / 2, top + h * 0.15 + max(4, h * 0.03)), fill=band)
        c.rect((cx - w / 2, top + h * 0.82, cx + w / 2, top + h * 0.82 + max(4, h * 0.03)), fill=band)


def multitube_reactor(
    c: Canvas, cx, top, w, h, shell=DEEP, inner=MINT, tubes=7, pellet_fill=CARBON, specks=SILVER, seed=5
):
    """A multi-tube fixed-bed reactor drawn as a cut-away: tubes filled with catalyst pellets."""
    vessel(c, cx, top, w, h, fill=shell)
    # nozzles
    c.rect((cx - w * 0.09, top - w * 0.28 - w * 0.16, cx + w * 0.09, top - w * 0.2), fill=shell)
    c.rect((cx - w * 0.09, top + h + w * 0.2, cx + w * 0.09, top + h + w * 0.28 + w * 0.16), fill=shell)
    # tube sheets and cut-away window
    m = w * 0.1
    c.rect((cx - w / 2 + m, top + h * 0.08, cx + w / 2 - m, top + h * 0.92), fill=inner, r=w * 0.04)
    inner_w = w - 2 * m
    pitch = inner_w / tubes
    tw = pitch * 0.62
    rnd = random.Random(seed)
    for i in range(tubes):
        tx = cx - inner_w / 2 + pitch * (i + 0.5)
        y0, y1 = top + h * 0.12, top + h * 0.88
        c.rect((tx - tw / 2, y0, tx + tw / 2, y1), fill=WHITE, r=tw * 0.3)
        pr = tw * 0.32
        y = y1 - pr * 1.25
        k = 0
        while y > y0 + pr * 1.2:
            off = (pr * 0.35) if k % 2 else -(pr * 0.35)
            c.circle(tx + off, y, pr, fill=pellet_fill)
            if rnd.random() < 0.55:
                c.circle(tx + off + pr * 0.25, y - pr * 0.2, pr * 0.28, fill=specks)
            y -= pr * 1.75
            k += 1
    c.rect(
        (cx - w / 2 + m * 0.6, top + h * 0.08, cx + w / 2 - m * 0.6, top + h * 0.08 + max(5, h * 0.018)),
        fill=shell,
    )
    c.rect(
        (cx - w / 2 + m * 0.6, top + h * 0.92 - max(5, h * 0.018), cx + w / 2 - m * 0.6, top + h * 0.92),
        fill=shell,
    )


def drum(c: Canvas, cx, base, w, h, fill=SKY, label=None, label_color=WHITE):
    """A barrel standing on y = base, optionally with a formula on it."""
    e = w * 0.14
    c.ellipse((cx - w / 2, base - e * 2, cx + w / 2, base), fill=shade(fill, 0.2))
    c.rect((cx - w / 2, base - h, cx + w / 2, base - e), fill=fill)
    c.ellipse((cx - w / 2, base - h - e, cx + w / 2, base - h + e), fill=tint(fill, 0.35))
    for f in (0.28, 0.72):
        y = base - h + (h - e) * f
        c.rect((cx - w / 2, y - 3, cx + w / 2, y + 3), fill=shade(fill, 0.18))
    c.rect(
        (cx - w / 2 + w * 0.08, base - h + e * 1.5, cx - w / 2 + w * 0.16, base - e * 2),
        fill=tint(fill, 0.25),
    )
    if label:
        c.formula((cx, base - h / 2 - e * 0.3), label, w * 0.24, fill=label_color)


def bin_box(c: Canvas, cx, base, w, h, fill=SILVER, pellets=CARBON, specks=SILVER_DARK, seed=7):
    """An open container with catalyst pellets heaped on top."""
    pellet_heap(c, cx, base - h + w * 0.08, w * 0.8, 3, w * 0.075, pellets, specks, 3, seed)
    c.polygon(
        [(cx - w / 2, base - h), (cx + w / 2, base - h), (cx + w * 0.42, base), (cx - w * 0.42, base)],
        fill=fill,
    )
    c.rect((cx - w / 2 - 6, base - h - 8, cx + w / 2 + 6, base - h + 10), fill=shade(fill, 0.15), r=6)
    c.rect((cx - w * 0.25, base - h * 0.62, cx + w * 0.25, base - h * 0.5), fill=tint(fill, 0.3), r=5)


def globe(c: Canvas, cx, cy, r, ocean=SKY, land=LEAF, seed=11):
    """A flat globe with stylised continents, meridians and a soft shadow."""
    c.circle(cx, cy, r, fill=ocean)
    lay = c.layer()
    grid = tint(ocean, 0.18)
    for f in (0.35, 0.7):
        lay.ellipse((cx - r * f, cy - r, cx + r * f, cy + r), outline=grid, width=max(2, r * 0.012))
    for f in (-0.5, 0, 0.5):
        lay.line([(cx - r, cy + r * f), (cx + r, cy + r * f)], grid, max(2, r * 0.012), cap=False)
    continents = [  # (centre, radius scale, lumps) in units of r, roughly Eurasia, Africa, Australia
        (
            (0.28, -0.28),
            0.55,
            [
                (-0.9, -0.1),
                (-0.4, -0.6),
                (0.3, -0.7),
                (0.95, -0.35),
                (1.0, 0.2),
                (0.5, 0.45),
                (0.1, 0.15),
                (-0.35, 0.55),
                (-0.8, 0.35),
            ],
        ),
        (
            (-0.32, 0.3),
            0.36,
            [(-0.7, -0.8), (0.1, -0.9), (0.7, -0.5), (0.6, 0.3), (0.15, 1.1), (-0.35, 0.6), (-0.9, 0.0)],
        ),
        ((0.6, 0.55), 0.18, [(-1, -0.4), (0.2, -0.9), (1.0, -0.3), (0.8, 0.6), (-0.4, 0.8)]),
        ((-0.78, -0.42), 0.16, [(-0.8, -0.8), (0.7, -0.6), (0.9, 0.5), (-0.6, 0.9)]),
    ]
    for (ux, uy), sc, lumps in continents:
        pts = [(cx + (ux + lx * sc) * r, cy + (uy + ly * sc) * r) for lx, ly in lumps]
        lay.polygon(smooth_closed(pts), fill=land)
    # shadow crescent on the lower right
    sh = c.layer()
    sh.circle(cx, cy, r, fill=(0, 0, 0))
    cut = c.layer()
    cut.circle(cx - r * 0.16, cy - r * 0.16, r * 1.02, fill=(0, 0, 0))
    crescent = ImageChops.subtract(sh.img.getchannel("A"), cut.img.getchannel("A"))
    crescent = crescent.point(lambda v: v * 0.18)
    mask = c.mask_circle(cx, cy, r)
    c.paste_layer(lay.img, mask)
    c.img.paste(Image.new("RGB", c.img.size, rgb(INK)), (0, 0), crescent)


def document(c: Canvas, x0, y0, x1, y1, header=DEEP, lines=SILVER_LIGHT, n_lines=7, fold=48):
    """A sheet of paper with a folded corner, a coloured header and placeholder text lines."""
    c.polygon(
        [
            (x0 + 14, y0 + 18),
            (x1 - fold + 14, y0 + 18),
            (x1 + 14, y0 + fold + 18),
            (x1 + 14, y1 + 18),
            (x0 + 14, y1 + 18),
        ],
        fill=tint(MINT, 0.0),
    )
    c.polygon([(x0, y0), (x1 - fold, y0), (x1, y0 + fold), (x1, y1), (x0, y1)], fill=WHITE)
    c.polygon([(x1 - fold, y0), (x1 - fold, y0 + fold), (x1, y0 + fold)], fill=MINT)
    pad = (x1 - x0) * 0.12
    c.rect((x0 + pad, y0 + pad, x1 - fold - pad * 0.4, y0 + pad + 26), fill=header, r=13)
    y = y0 + pad + 70
    step = 40
    for i in range(n_lines):
        end = x1 - pad - (i % 3) * (x1 - x0) * 0.09 - (60 if i == n_lines - 1 else 0)
        c.rect((x0 + pad, y, end, y + 14), fill=lines, r=7)
        y += step
    return y


def seal(c: Canvas, cx, cy, r, fill=WARM, ribbon=None):
    """A round seal with ribbon tails."""
    ribbon = ribbon or shade(fill, 0.15)
    for side in (-1, 1):
        c.polygon(
            [
                (cx + side * r * 0.15, cy + r * 0.5),
                (cx + side * r * 0.72, cy + r * 1.55),
                (cx + side * r * 0.45, cy + r * 1.4),
                (cx + side * r * 0.3, cy + r * 1.7),
                (cx + side * r * 0.0, cy + r * 0.6),
            ],
            fill=ribbon,
        )
    pts = []
    for i in range(48):
        rr = r if i % 2 == 0 else r * 0.9
        a = math.radians(i * 7.5)
        pts.append((cx + math.cos(a) * rr, cy + math.sin(a) * rr))
    c.polygon(pts, fill=fill)
    c.circle(cx, cy, r * 0.72, outline=tint(fill, 0.55), width=max(3, r * 0.06))
    c.circle(cx, cy, r * 0.3, fill=tint(fill, 0.55))


def factory(c: Canvas, x, ground, w, h, fill=DEEP, window=MINT, chimney=True, teeth=3):
    """A factory hall with a saw-tooth roof and an optional chimney; (x, ground) is the bottom-left."""
    if chimney:
        c.rect((x + w * 0.72, ground - h * 1.75, x + w * 0.84, ground - h * 0.6), fill=fill)
        c.rect((x + w * 0.7, ground - h * 1.75, x + w * 0.86, ground - h * 1.66), fill=shade(fill, 0.2))
    tw = w / teeth
    pts = [(x, ground)]
    for i in range(teeth):
        pts += [
            (x + i * tw, ground - h * 0.72),
            (x + (i + 1) * tw, ground - h),
            (x + (i + 1) * tw, ground - h * 0.72),
        ]
    pts += [(x + w, ground)]
    c.polygon(pts, fill=fill)
    ww = tw * 0.22
    for i in range(teeth):
        wx = x + i * tw + tw * 0.5
        c.rect((wx - ww, ground - h * 0.5, wx + ww, ground - h * 0.2), fill=window, r=4)


def column(c: Canvas, cx, ground, w, h, fill=DEEP, accent=None):
    """A distillation column with platforms and a ladder."""
    c.rect((cx - w / 2, ground - h, cx + w / 2, ground), fill=fill, r=w / 2)
    acc = accent or shade(fill, 0.2)
    for f in (0.25, 0.5, 0.75):
        y = ground - h * f
        c.rect((cx - w * 0.85, y - 4, cx + w * 0.85, y + 4), fill=acc)
    c.rect((cx + w * 0.55, ground - h * 0.9, cx + w * 0.62, ground), fill=acc)


def sphere_tank(c: Canvas, cx, ground, r, fill=SILVER, legs=DEEP):
    for f in (-0.7, -0.25, 0.25, 0.7):
        c.rect((cx + r * f - 5, ground - r * 1.1, cx + r * f + 5, ground), fill=legs)
    c.circle(cx, ground - r * 1.35, r, fill=fill)
    c.ellipse((cx - r * 0.6, ground - r * 2.05, cx - r * 0.1, ground - r * 1.7), fill=tint(fill, 0.5))
    c.rect((cx - r, ground - r * 1.38, cx + r, ground - r * 1.32), fill=shade(fill, 0.12))


def poplar(c: Canvas, x, ground, h, fill=LEAF, trunk=DEEP):
    c.rect((x - 4, ground - h * 0.3, x + 4, ground), fill=trunk)
    c.ellipse((x - h * 0.16, ground - h, x + h * 0.16, ground - h * 0.18), fill=fill)


def round_tree(c: Canvas, x, ground, h, fill=LEAF, trunk=DEEP):
    c.rect((x - 5, ground - h * 0.45, x + 5, ground), fill=trunk)
    c.circle(x, ground - h * 0.68, h * 0.32, fill=fill)


def flame(c: Canvas, cx, base, s, outer=WARM, inner=None):
    inner = inner or tint(WARM, 0.55)
    c.polygon(droplet_points(cx, base - 38 * s, 38 * s, 2.3), fill=outer)
    c.polygon(droplet_points(cx, base - 22 * s, 20 * s, 2.0), fill=inner)


def magnifier(c: Canvas, cx, cy, r, ring=INK, angle=45):
    a = math.radians(angle)
    sx, sy = cx + math.cos(a) * r * 1.05, cy + math.sin(a) * r * 1.05
    ex, ey = cx + math.cos(a) * r * 1.75, cy + math.sin(a) * r * 1.75
    c.line([(sx, sy), (ex, ey)], ring, r * 0.13)
    c.line([(cx + math.cos(a) * r * 1.35, cy + math.sin(a) * r * 1.35), (ex, ey)], shade(ring, 0.1), r * 0.2)
    c.circle(cx, cy, r, outline=ring, width=r * 0.09)


def foam_items(cx, cy, spread_x, spread_y, n, rmin, rmax, seed):
    rnd = random.Random(seed)
    return [
        (cx + rnd.gauss(0, spread_x), cy + rnd.gauss(0, spread_y), rnd.uniform(rmin, rmax)) for _ in range(n)
    ]


def foam(c: Canvas, items, fill=WHITE, outline=SILVER_LIGHT, width=4):
    """Foam as one cloud of bubbles: a shared outline, white fill, a few inner bubble rings."""
    for x, y, r in items:
        c.circle(x, y, r + width, fill=outline)
    for x, y, r in items:
        c.circle(x, y, r, fill=fill)
    for k, (x, y, r) in enumerate(items):
        if k % 3 == 0:
            c.circle(x + r * 0.2, y + r * 0.1, r * 0.45, outline=MINT, width=max(2, width * 0.6))
        c.circle(x - r * 0.4, y - r * 0.4, r * 0.14, fill=MINT_SOFT)


def bubbles(c: Canvas, cx, cy, spread_x, spread_y, n, rmin, rmax, seed, fill=WHITE, outline=SILVER_LIGHT):
    foam(c, foam_items(cx, cy, spread_x, spread_y, n, rmin, rmax, seed), fill, outline)


def flow_arrow(c: Canvas, pts, color=LEAF, width=12):
    c.arrow(pts, color, width)


def node_disc(c: Canvas, cx, cy, r, ring=MINT, fill=WHITE):
    c.circle(cx, cy + 8, r, fill=tint(MINT, 0.1))
    c.circle(cx, cy, r, fill=fill, outline=ring, width=r * 0.09)


# --------------------------------------------------------------------------------------------
# Illustrations (1600 x 1000, no words)
# --------------------------------------------------------------------------------------------


def draw_mercury_cycle(c: Canvas):
    """A globe inside the mercury cycle air -> water -> land, with the treaty document."""
    gx, gy, gr = 600, 560, 228
    ring = 330
    c.circle(gx, gy, 410, fill=MINT_SOFT)
    globe(c, gx, gy, gr)
    # cycle arrows: air (top) -> water (lower right) -> land (lower left) -> air
    stations = {"air": -90, "water": 30, "land": 150}
    gap = 21
    order = [("air", "water"), ("water", "land"), ("land", "air")]
    for a, b in order:
        a0, a1 = stations[a] + gap, stations[b] - gap
        if a1 < a0:
            a1 += 360
        pts = arc_points(gx, gy, ring, ring, a0, a1, 60)
        c.arrow(pts, DEEP, 13, head=40)
        mx, my = point_at(pts, 0.45)
        hg_drop(c, mx, my + 6, 15, label=False)
    for name, ang in stations.items():
        x = gx + ring * math.cos(math.radians(ang))
        y = gy + ring * math.sin(math.radians(ang))
        node_disc(c, x, y, 82)
        if name == "air":
            cloud(c, x - 4, y - 2, 0.82, SKY_SOFT)
            for i, dx in enumerate((-30, 2, 34)):
                c.line([(x + dx, y + 36), (x + dx - 8, y + 54 + (i % 2) * 6)], SKY, 6)
        elif name == "water":
            for i, dy in enumerate((-26, 2, 30)):
                pts = [
                    (x - 52 + t * 104 / 40, y + dy + 9 * math.sin(t / 40 * 2 * math.pi * 1.5 + i))
                    for t in range(41)
                ]
                c.line(pts, SKY if i != 1 else SKY_SOFT, 9)
        else:
            c.polygon(
                [(x - 62, y + 36)] + arc_points(x - 20, y + 36, 46, 48, 180, 360, 24) + [(x + 62, y + 36)],
                fill=LEAF_LIGHT,
            )
            c.polygon(
                [(x - 10, y + 36)] + arc_points(x + 26, y + 36, 38, 36, 180, 360, 24) + [(x + 62, y + 36)],
                fill=LEAF,
            )
            c.rect((x - 62, y + 34, x + 62, y + 40), fill=DEEP, r=3)
            leaf_stem(c, x - 20, y - 12, 40, -60, LEAF, None)
    # the mercury droplet in front of the globe
    hg_drop(c, gx + 112, gy + 70, 60)
    # treaty document with a seal and a pen
    x0, y0, x1, y1 = 1110, 250, 1430, 770
    document(c, x0, y0, x1, y1, n_lines=8)
    seal(c, x1 - 70, y1 - 120, 56)
    # pen
    px, py = 1180, 720
    pen = rotate(
        [(px - 10, py - 200), (px + 10, py - 200), (px + 10, py), (px, py + 26), (px - 10, py)], px, py, 28
    )
    c.polygon(pen, fill=INK)
    c.polygon(
        rotate(
            [(px - 10, py - 20), (px + 10, py - 20), (px + 10, py), (px, py + 26), (px - 10, py)], px, py, 28
        ),
        fill=WARM,
    )
    return {}


def draw_vcm_reactor(c: Canvas):
    """Carbide route: CaC2 + H2O -> C2H2; C2H2 + HCl -> C2H3Cl over HgCl2 pellets; then PVC."""
    ground = 860
    c.rect((60, ground, 1540, ground + 14), fill=MINT, r=7)
    # equation banner
    c.rect((440, 40, 1160, 134), fill=MINT_SOFT, r=47)
    c.formula((800, 87), "C₂H₂ + HCl", 44, anchor="rm")
    c.formula((1010, 87), "C₂H₃Cl", 44, anchor="lm")
    c.arrow([(825, 99), (985, 99)], DEEP, 8, head=26)
    c.formula((905, 68), "HgCl₂", 28, fill=DEEP)

    gas, acid, feed, product = SKY_SOFT, LEAF_LIGHT, mix(SKY_SOFT, LEAF_LIGHT, 0.5), WARM_LIGHT
    # 1. acetylene generator fed with carbide and water
    gx = 250
    vessel(c, gx, 560, 170, 230, fill=SKY)
    c.rect((gx - 50, 820, gx - 36, ground), fill=shade(SKY, 0.3))
    c.rect((gx + 36, 820, gx + 50, ground), fill=shade(SKY, 0.3))
    c.polygon([(gx - 70, 430), (gx + 70, 430), (gx + 22, 500), (gx - 22, 500)], fill=SILVER)  # hopper
    c.rect((gx - 22, 498, gx + 22, 520), fill=SILVER_DARK)
    rnd = random.Random(2)
    for x, y, sz in [
        (gx - 38, 414, 22),
        (gx - 4, 404, 26),
        (gx + 32, 416, 20),
        (gx + 12, 380, 18),
        (gx - 24, 382, 16),
    ]:
        pts = [
            (x + sz * math.cos(t) * rnd.uniform(0.7, 1.1), y + sz * math.sin(t) * rnd.uniform(0.7, 1.1))
            for t in [i * math.pi / 3 for i in range(6)]
        ]
        c.polygon(pts, fill=SILVER_DARK)
    c.chip(gx, 318, "CaC₂", 34, fill=WHITE, outline=SILVER)
    # water inlet
    c.line([(70, 690), (gx - 85, 690)], SKY, 18, cap=False)
    c.polygon(droplet_points(104, 632, 24), fill=SKY)
    c.ellipse((92, 622, 100, 638), fill=SKY_LIGHT)
    c.formula((104, 744), "H₂O", 30, fill=SKY)
    # pipes: C2H2 and HCl join and feed the top of the reactor
    pipe_c2h2 = [(gx + 85, 640), (470, 640), (470, 215), (620, 215)]
    c.line(pipe_c2h2, gas, 22)
    sphere_tank(c, 620, ground, 62, fill=acid, legs=DEEP)
    pipe_hcl = [(620, ground - 140), (620, 215)]
    c.line(pipe_hcl, acid, 22)
    pipe_feed = [(620, 215), (800, 215), (800, 250)]
    c.line(pipe_feed, feed, 22)
    avoid = [
        c.chip(470, 450, "C₂H₂", 34, fill=WHITE, outline=gas),
        c.chip(620, 450, "HCl", 34, fill=WHITE, outline=acid),
    ]

    # 2. multi-tube fixed-bed reactor
    rx, rtop, rw, rh = 800, 330, 230, 350
    multitube_reactor(c, rx, rtop, rw, rh, shell=DEEP, inner=MINT, tubes=6)
    for dx in (-80, 62):
        c.rect((rx + dx, rtop + rh + 40, rx + dx + 18, ground), fill=DEEP_DARK)
    # callout: pellets of activated carbon carrying HgCl2
    kx, ky, kr = 1110, 410, 118
    c.polygon(
        [(rx + 60, 450), (kx - kr * 0.5, ky - kr * 0.86), (kx - kr * 0.5, ky + kr * 0.86), (rx + 60, 490)],
        fill=MINT_SOFT,
    )
    c.circle(kx, ky, kr, fill=WHITE, outline=DEEP, width=9)
    rnd = random.Random(9)
    for px, py, pr in [
        (-52, -48, 34),
        (12, -62, 30),
        (62, -18, 33),
        (-60, 20, 31),
        (2, 0, 34),
        (50, 50, 30),
        (-18, 62, 29),
    ]:
        pellet(c, kx + px, ky + py, pr, CARBON, SILVER, n=6, seed=rnd.randint(0, 999), speck_r=0.17)
    c.chip(kx, ky + kr + 50, "HgCl₂", 34, fill=SILVER_LIGHT, color=INK)
    c.circle(rx + 60, 470, 8, fill=DEEP)

    # 3. product: C2H3Cl -> polymerisation -> PVC granules
    pipe_out = [(rx, rtop + rh + 100), (rx, 800), (1210, 800)]
    c.line(pipe_out, product, 22)
    avoid.append(c.chip(1010, 800, "C₂H₃Cl", 34, fill=WHITE, outline=WARM))
    c.arrow([(1200, 800), (1262, 800)], WARM, 12, head=34)
    rnd = random.Random(4)
    for row in range(5):
        count = 7 - row
        for i in range(count):
            x = 1405 - (count - 1) * 19 + i * 38 + rnd.uniform(-3, 3)
            y = ground - 17 - row * 29
            c.ellipse((x - 19, y - 15, x + 19, y + 15), fill=WHITE, outline=SILVER, width=3)
            c.ellipse((x - 11, y - 9, x - 3, y - 3), fill=MINT)
    c.chip(1405, 640, "(C₂H₃Cl)ₙ", 34, fill=WHITE, outline=SILVER)
    return {
        "paths": [
            (pipe_c2h2 + pipe_feed[1:], SKY),
            (pipe_hcl + pipe_feed[1:], LEAF),
            (pipe_out, WARM),
        ],
        "avoid": avoid,
    }


def draw_catalyst_recovery(c: Canvas):
    """Loop: fresh low-mercury catalyst -> reactor -> spent catalyst -> recovery -> mercury -> catalyst."""
    cx, cy, rx, ry = 640, 520, 400, 300
    c.ellipse((cx - rx - 70, cy - ry - 70, cx + rx + 70, cy + ry + 70), fill=MINT_SOFT)
    nodes = [-90, -18, 54, 126, 198]
    gap = 17
    loop_paths = []
    for i, a in enumerate(nodes):
        b = nodes[(i + 1) % len(nodes)]
        if b < a:
            b += 360
        pts = arc_points(cx, cy, rx, ry, a + gap, b - gap, 50)
        c.arrow(pts, LEAF, 14, head=40)
        loop_paths.append(pts)
    pos = [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a))) for a in nodes]
    r = 96
    for x, y in pos:
        node_disc(c, x, y, r)
    # fresh low-mercury catalyst: clean pellets with a few specks, and a sprout
    x, y = pos[0]
    pellet_heap(c, x, y + 52, 120, 3, 22, CARBON, SILVER, n=1, seed=21)
    leaf_stem(c, x + 46, y - 26, 52, -60, LEAF)
    # reactor
    x, y = pos[1]
    multitube_reactor(c, x, y - 45, 82, 92, shell=DEEP, inner=MINT, tubes=3)
    # spent catalyst: a bin of grey, used pellets
    x, y = pos[2]
    pellet_heap(c, x, y + 2, 120, 3, 17, CARBON_LIGHT, SILVER_DARK, n=3, seed=8)
    c.polygon([(x - 58, y - 4), (x + 58, y - 4), (x + 48, y + 56), (x - 48, y + 56)], fill=SILVER)
    c.rect((x - 64, y - 12, x + 64, y + 4), fill=SILVER_DARK, r=6)
    c.rect((x - 26, y + 18, x + 26, y + 28), fill=SILVER_LIGHT, r=5)
    # recovery plant: a retort furnace distilling mercury through a condenser
    x, y = pos[3]
    c.rect((x - 62, y - 30, x + 8, y + 56), fill=DEEP, r=8)
    c.rect((x - 46, y + 4, x - 8, y + 40), fill=DEEP_DARK, r=6)
    flame(c, x - 27, y + 38, 0.42)
    c.rect((x - 44, y - 76, x - 26, y - 30), fill=DEEP)
    c.line([(x + 8, y - 12), (x + 40, y - 12), (x + 40, y + 8)], SILVER_DARK, 9)
    for i in range(3):
        c.ellipse((x + 24, y + 6 + i * 12, x + 58, y + 18 + i * 12), outline=SILVER_DARK, width=5)
    c.polygon(droplet_points(x + 41, y + 58, 7), fill=SILVER)
    # mercury recovered: a flask of mercury
    x, y = pos[4]
    c.polygon(
        [
            (x - 16, y - 58),
            (x + 16, y - 58),
            (x + 16, y - 18),
            (x + 50, y + 48),
            (x - 50, y + 48),
            (x - 16, y - 18),
        ],
        fill=SKY_LIGHT,
        outline=SKY,
        width=5,
    )
    c.polygon([(x - 34, y + 18), (x + 34, y + 18), (x + 50, y + 48), (x - 50, y + 48)], fill=SILVER)
    c.rect((x - 22, y - 66, x + 22, y - 56), fill=SKY, r=4)
    hg_drop(c, x + 44, y - 22, 26)
    # side stream: waste acid from the reactor to treatment, clean water out
    x, y = pos[1]
    dx, dy = 1290, 420
    c.arrow([(x + r + 10, y + 20), (dx - 90, dy - 10)], SKY_SOFT, 12, head=36)
    drum(c, dx, dy + 70, 110, 150, fill=SKY, label="HCl")
    tx, ty = 1290, 760
    c.arrow([(dx, dy + 92), (tx, ty - 110)], SKY_SOFT, 12, head=36)
    c.rect((tx - 80, ty - 92, tx + 80, ty + 60), fill=MINT, r=18)
    for i in range(4):
        c.rect((tx - 58 + i * 32, ty - 66, tx - 40 + i * 32, ty + 34), fill=LEAF_LIGHT, r=6)
    c.rect((tx - 80, ty - 10, tx + 80, ty + 4), fill=LEAF, r=3)
    c.arrow([(tx + 90, ty), (tx + 170, ty)], SKY_SOFT, 12, head=36)
    c.polygon(droplet_points(tx + 218, ty + 6, 30), fill=SKY)
    c.ellipse((tx + 202, ty - 6, tx + 212, ty + 12), fill=SKY_LIGHT)
    # residues of the treatment go to the recovery plant too
    rx3, ry3 = pos[3]
    back = bezier((tx, ty + 70), (tx - 40, 960), (rx3 + 240, 960), (rx3 + 60, ry3 + r + 18), 60)
    c.arrow(back, SILVER, 9, head=30, dashed=True)
    return {
        "segments": [(trim_end(p, 44), DEEP) for p in loop_paths]
        + [([(x + r + 10, y + 20), (dx - 126, dy - 18)], SKY)]
    }


def draw_mercury_free_routes(c: Canvas):
    """Three mercury-free routes to C2H3Cl: gold catalyst, acetylene + EDC, ethylene."""
    lanes = [(225, WARM), (500, SKY), (775, LEAF)]
    x_prod, x_badge = 1200, 1430
    segments = []  # arrow shafts, for the moving dots of the video

    def arrow(x0, x1, y):
        c.arrow([(x0, y), (x1, y)], DEEP, 10, head=30)
        segments.append(([(x0, y), (x1 - 34, y)], DEEP))

    for y, col in lanes:
        c.rect((90, y - 105, 1510, y + 105), fill=MINT_SOFT, r=48)
        c.rect((90, y - 105, 114, y + 105), fill=col, r=12)
    # lane 1: C2H2 + HCl over gold on carbon
    y = lanes[0][0]
    c.chip(340, y, "C₂H₂ + HCl", 40, outline=WARM)
    arrow(520, 630, y)
    gold_pellet(c, 730, y, 66)
    c.chip(730, y + 78, "Au", 30, fill=WARM, color=INK, pad=16)
    arrow(830, 1070, y)
    # lane 2: C2H2 + EDC (1,2-dichloroethane)
    y = lanes[1][0]
    c.chip(370, y, "C₂H₂ + C₂H₄Cl₂", 40, outline=SKY)
    arrow(610, 680, y)
    multitube_reactor(c, 760, y - 60, 92, 120, shell=SKY, inner=SKY_LIGHT, tubes=3, specks=WARM_LIGHT)
    arrow(840, 1070, y)
    # lane 3: ethylene -> C2H4Cl2 (oxychlorination, CuCl2) -> cracking furnace
    y = lanes[2][0]
    c.chip(230, y, "C₂H₄", 40, outline=LEAF)
    arrow(310, 370, y)
    pellet(c, 430, y, 44, CARBON_LIGHT, SKY_SOFT, n=6, seed=5)
    c.chip(430, y + 72, "CuCl₂", 26, fill=WHITE, outline=SKY_SOFT, pad=12, width=3)
    arrow(490, 550, y)
    c.chip(680, y, "C₂H₄Cl₂", 40, outline=LEAF)
    arrow(810, 860, y)
    c.rect((880, y - 62, 990, y + 52), fill=DEEP, r=12)
    c.rect((896, y - 44, 974, y + 36), fill=MINT, r=8)
    flame(c, 935, y + 30, 0.9)
    arrow(1000, 1070, y)
    for y, col in lanes:
        c.chip(x_prod, y, "C₂H₃Cl", 42, fill=WHITE, outline=col, width=6)
        no_mercury(c, x_badge, y, 64)
    return {"segments": segments}


def draw_pvc_plant(c: Canvas, magnifier_on=True, clouds=True):
    """A PVC plant skyline among leaves; a magnifier over a reactor (field research).

    The video draws the clouds itself (they drift), hence `clouds`."""
    vx0, vy0, vx1, vy1 = c.view
    ground = 770
    c.circle(1300, 230, 100, fill=WARM_LIGHT)
    if clouds:
        cloud(c, 330, 200, 1.1, MINT_SOFT)
        cloud(c, 930, 150, 0.8, MINT_SOFT)
    # back layer
    back = tint(LEAF, 0.72)
    for x, w, h in [(120, 60, 330), (200, 44, 260), (560, 70, 380), (1010, 56, 300), (1460, 60, 340)]:
        column(c, x, ground, w, h, fill=back, accent=tint(LEAF, 0.6))
    factory(c, 250, ground, 260, 170, fill=back, window=MINT_SOFT, chimney=False)
    factory(c, 1090, ground, 300, 190, fill=back, window=MINT_SOFT, chimney=True)
    # ground with a path
    c.rect((vx0, ground, vx1, vy1), fill=MINT)
    c.rect((vx0, ground, vx1, ground + 10), fill=tint(LEAF, 0.55))
    c.polygon([(700, ground + 10), (900, ground + 10), (1060, vy1), (540, vy1)], fill=MINT_SOFT)
    # front layer
    column(c, 380, ground, 54, 300, fill=DEEP)
    column(c, 450, ground, 40, 230, fill=DEEP_DARK)
    sphere_tank(c, 610, ground, 66, fill=SILVER_LIGHT, legs=DEEP)
    # pipe rack
    c.rect((690, ground - 150, 1130, ground - 138), fill=DEEP_DARK)
    for x in (710, 830, 990, 1110):
        c.rect((x - 6, ground - 150, x + 6, ground), fill=DEEP_DARK)
    for i, col in enumerate((SKY_SOFT, LEAF_LIGHT, WARM_LIGHT)):
        c.rect((680, ground - 178 + i * 9, 1140, ground - 172 + i * 9), fill=col)
    # reactor row, standing on legs in front of the rack
    for x in (740, 850, 960):
        multitube_reactor(c, x, ground - 330, 78, 200, shell=DEEP, inner=MINT, tubes=3, seed=int(x))
        for dx in (-28, 21):
            c.rect((x + dx, ground - 120, x + dx + 7, ground), fill=DEEP)
    factory(c, 1160, ground, 230, 130, fill=DEEP, window=MINT, chimney=True, teeth=2)
    # a leaf instead of smoke from the chimney
    leaf(c, 1353, ground - 290, 110, 54, -55, LEAF, LEAF_LIGHT)
    # bushes along the ground line
    for x, r, col in [
        (250, 34, LEAF),
        (292, 24, LEAF_LIGHT),
        (520, 28, LEAF),
        (1230, 30, LEAF_LIGHT),
        (1270, 38, LEAF),
        (1410, 26, LEAF_LIGHT),
    ]:
        c.circle(x, ground + 4 - r * 0.55, r, fill=col)
    # foreground leaves framing the scene
    for x, y, L, a, col in [
        (vx0 + 40, vy1 + 30, 300, -72, LEAF),
        (vx0 + 140, vy1 + 40, 240, -42, DEEP),
        (vx0 - 10, vy1 - 60, 200, -18, LEAF_LIGHT),
        (vx1 - 40, vy1 + 30, 300, -108, DEEP),
        (vx1 - 140, vy1 + 40, 240, -138, LEAF),
        (vx1 + 10, vy1 - 60, 200, -162, LEAF_LIGHT),
    ]:
        leaf_stem(c, x, y, L, a, col, tint(col, 0.35))
    if magnifier_on:
        # the lens hangs over the middle reactor and shows its tubes full of catalyst pellets
        mx, my, mr = 850, 500, 112
        lay = c.layer()
        lay.rect((mx - mr, my - mr, mx + mr, my + mr), fill=DEEP)
        for i in range(5):
            tx = mx - 100 + i * 50
            lay.rect((tx - 19, my - mr, tx + 19, my + mr), fill=MINT)
            lay.rect((tx - 13, my - mr, tx + 13, my + mr), fill=WHITE, r=11)
            for j in range(12):
                yy = my - mr + 8 + j * 20
                ox = 3.5 if j % 2 else -3.5
                lay.circle(tx + ox, yy, 8, fill=CARBON)
                if (i * 5 + j) % 3 == 0:
                    lay.circle(tx + ox + 3, yy - 2, 3, fill=SILVER)
        c.paste_layer(lay.img, c.mask_circle(mx, my, mr))
        magnifier(c, mx, my, mr, ring=INK, angle=42)
        c.ellipse((mx - mr * 0.72, my - mr * 0.72, mx - mr * 0.4, my - mr * 0.55), fill=tint(MINT, 0.3))
    return {"clouds": [(330, 200, 1.1), (930, 150, 0.8)]}


def draw_case_tianye(c: Canvas):
    """A large plant in a desert oasis (Xinjiang) with a catalyst production line."""
    vx0, vy0, vx1, vy1 = c.view
    c.rect((vx0, vy0, vx1, vy1), fill=tint(SKY, 0.9))
    c.circle(1330, 190, 80, fill=WARM_LIGHT)
    cloud(c, 420, 170, 0.8, WHITE)
    # snow-capped mountains (Tianshan)
    for pts, col in [
        ([(vx0, 570), (200, 370), (330, 460), (520, 290), (760, 510), (vx0, 570)], tint(SKY, 0.62)),
        (
            [
                (360, 570),
                (700, 330),
                (860, 420),
                (1040, 270),
                (1300, 480),
                (1500, 370),
                (vx1, 460),
                (vx1, 570),
            ],
            tint(SKY, 0.5),
        ),
    ]:
        c.polygon(pts, fill=col)
    for px, py in [(520, 290), (1040, 270), (200, 370), (700, 330), (1500, 370)]:
        c.polygon(
            [
                (px, py),
                (px - 46, py + 44),
                (px - 16, py + 34),
                (px, py + 50),
                (px + 18, py + 36),
                (px + 48, py + 44),
            ],
            fill=WHITE,
        )
    # dunes
    c.polygon(
        smooth_closed(
            [
                (vx0 - 50, 600),
                (300, 510),
                (700, 580),
                (1100, 520),
                (vx1 + 50, 580),
                (vx1 + 50, 1100),
                (vx0 - 50, 1100),
            ],
            16,
        ),
        fill=SAND_LIGHT,
    )
    c.polygon(
        smooth_closed(
            [(vx0 - 50, 760), (250, 680), (640, 740), (vx1 + 50, 690), (vx1 + 50, 1100), (vx0 - 50, 1100)], 16
        ),
        fill=SAND,
    )
    # oasis on the left
    c.ellipse((vx0 - 40, 610, 520, 730), fill=LEAF_LIGHT)
    for x, h, col in [
        (60, 190, DEEP),
        (110, 230, LEAF),
        (170, 170, DEEP),
        (230, 210, LEAF),
        (300, 160, DEEP),
        (360, 200, LEAF),
        (420, 150, DEEP),
    ]:
        poplar(c, x, 690, h, col, DEEP_DARK)
    # the plant
    ground = 690
    c.rect((600, ground - 6, 1490, ground + 8), fill=shade(SAND, 0.15), r=6)
    for x, w, h in [(640, 46, 300), (700, 36, 240)]:
        column(c, x, ground, w, h, fill=DEEP)
    factory(c, 760, ground, 300, 170, fill=DEEP, window=MINT, chimney=True)
    for x in (1110, 1190):
        sphere_tank(c, x, ground, 44, fill=SILVER_LIGHT, legs=DEEP)
    for x in (1280, 1350, 1420):
        multitube_reactor(c, x, ground - 210, 56, 130, shell=DEEP, inner=MINT, tubes=2, seed=x)
        for dx in (-22, 16):
            c.rect((x + dx, ground - 70, x + dx + 6, ground), fill=DEEP)
    # foreground: the catalyst production line on a platform
    floor = 905
    c.rect((vx0, floor, vx1, vy1), fill=tint(MINT, 0.2))
    c.rect((vx0, floor - 4, vx1, floor + 8), fill=LEAF_LIGHT)
    # impregnation vessel with a hopper of carbon pellets
    hx = 280
    c.polygon([(hx - 90, 690), (hx + 90, 690), (hx + 30, 770), (hx - 30, 770)], fill=SILVER)
    pellet_heap(c, hx, 692, 160, 2, 14, CARBON, CARBON_LIGHT, n=1, seed=12)
    vessel(c, hx, 795, 160, 60, fill=SKY)
    c.rect((hx - 60, 880, hx - 48, floor), fill=shade(SKY, 0.3))
    c.rect((hx + 48, 880, hx + 60, floor), fill=shade(SKY, 0.3))
    # conveyor belt with finished pellets
    y = 830
    c.line([(hx + 80, 820), (420, 820)], SKY_SOFT, 12)
    c.rect((420, y, 1200, y + 26), fill=INK, r=13)
    for x in range(440, 1200, 46):
        c.circle(x, y + 13, 8, fill=SILVER)
    for x in (470, 820, 1160):
        c.rect((x - 7, y + 26, x + 7, floor), fill=INK)
    rnd = random.Random(8)
    for i in range(26):
        x = 450 + i * 28 + rnd.uniform(-4, 4)
        pellet(c, x, y - 11, 11, CARBON, SILVER, n=1, seed=i, speck_r=0.22)
    # bags and a drum at the end of the line
    for x in (1290, 1380):
        c.polygon(
            [
                (x - 42, floor),
                (x - 38, floor - 100),
                (x - 26, floor - 114),
                (x + 26, floor - 114),
                (x + 38, floor - 100),
                (x + 42, floor),
            ],
            fill=WHITE,
            outline=SILVER,
            width=4,
        )
        c.rect((x - 22, floor - 70, x + 22, floor - 40), fill=LEAF_LIGHT, r=6)
    drum(c, 1480, floor, 80, 110, fill=LEAF)
    return {}


def draw_case_dezhou(c: Canvas):
    """A plant on the inland plain of north-west Shandong (Dezhou) with a test unit highlighted."""
    vx0, vy0, vx1, vy1 = c.view
    horizon = 440
    c.rect((vx0, vy0, vx1, horizon + 2), fill=tint(SKY, 0.9))
    c.circle(240, 170, 70, fill=WARM_LIGHT)
    cloud(c, 620, 150, 0.9, WHITE)
    cloud(c, 1240, 120, 0.7, WHITE)
    # fields: gently curved bands of crops, with furrows
    bounds = [(horizon, 0), (530, 10), (610, 14), (720, 18), (860, 22), (vy1 + 40, 0)]
    colours = [tint(LEAF, 0.55), SAND_LIGHT, LEAF_LIGHT, MINT, tint(LEAF, 0.35)]

    def edge(base, amp, phase):
        return [(x, base + amp * math.sin(x / 260 + phase)) for x in range(int(vx0) - 20, int(vx1) + 40, 20)]

    for i, col in enumerate(colours):
        (b0, a0), (b1, a1) = bounds[i], bounds[i + 1]
        top, bottom = edge(b0, a0, i), edge(b1, a1, i + 1)
        c.polygon(top + list(reversed(bottom)), fill=col)
        for f in (0.33, 0.66):
            furrow = [(x, y0 + (y1 - y0) * f) for (x, y0), (_, y1) in zip(top, bottom, strict=True)]
            c.line(furrow, tint(col, 0.35) if col != tint(LEAF, 0.35) else tint(LEAF, 0.5), 4, cap=False)
    # inland: the fields run on to a distant line of trees (no coast, no sea)
    for k, x in enumerate(range(1080, int(vx1) + 40, 56)):
        round_tree(c, x, horizon + 18, 46, tint(LEAF, 0.2) if k % 2 else tint(DEEP, 0.25), DEEP)
    # a row of trees along a country road
    c.line([(vx0, 538), (980, 508)], SILVER_LIGHT, 10, cap=False)
    for k, x in enumerate(range(30, 900, 70)):
        round_tree(c, x, 534 - (x - vx0) * 0.03, 70, LEAF if k % 2 else DEEP, DEEP_DARK)
    # seedlings in the foreground fields
    for row, (y, size) in enumerate([(800, 26), (930, 34)]):
        for k in range(12):
            x = vx0 + 60 + k * 150 + (75 if row else 0)
            yy = y + 14 * math.sin(x / 260 + 3 + row)
            c.line([(x, yy), (x, yy - size * 0.6)], DEEP, 4)
            leaf(c, x - size * 0.38, yy - size * 0.7, size * 0.8, size * 0.4, -150, LEAF)
            leaf(c, x + size * 0.38, yy - size * 0.78, size * 0.8, size * 0.4, -30, LEAF)
    # the plant on a paved yard
    ground = 660
    c.polygon([(360, ground), (1020, ground), (1060, ground + 40), (320, ground + 40)], fill=SILVER_LIGHT)
    column(c, 430, ground, 50, 320, fill=DEEP)
    column(c, 500, ground, 38, 250, fill=DEEP_DARK)
    factory(c, 550, ground, 280, 160, fill=DEEP, window=MINT, chimney=True)
    sphere_tank(c, 900, ground, 50, fill=WHITE, legs=DEEP)
    sphere_tank(c, 980, ground, 36, fill=WHITE, legs=DEEP)
    # pilot unit, highlighted
    px = 1170
    c.circle(px, ground - 115, 150, fill=tint(WARM, 0.55))
    c.dashed(arc_points(px, ground - 115, 178, 178, 0, 360, 120), WARM, 8, 26, 18)
    c.rect((px - 100, ground - 6, px + 100, ground + 8), fill=DEEP_DARK, r=4)
    vessel(c, px - 45, ground - 190, 70, 130, fill=SKY, band=SKY_LIGHT)
    c.rect((px - 70, ground - 42, px - 60, ground), fill=shade(SKY, 0.3))
    c.rect((px - 30, ground - 42, px - 20, ground), fill=shade(SKY, 0.3))
    column(c, px + 40, ground, 34, 220, fill=DEEP)
    c.rect((px - 10, ground - 120, px + 26, ground - 108), fill=SILVER)
    # star marker
    sx, sy = px + 126, ground - 262
    star = []
    for i in range(10):
        rr = 34 if i % 2 == 0 else 14
        a = math.radians(-90 + i * 36)
        star.append((sx + math.cos(a) * rr, sy + math.sin(a) * rr))
    c.polygon(star, fill=WARM)
    return {}


def molecule(c: Canvas, atoms, bonds, scale=1.0):
    """Ball-and-stick molecule: atoms [(x, y, r, colour)], bonds [(i, j)]."""
    for i, j in bonds:
        c.line([atoms[i][:2], atoms[j][:2]], SILVER_DARK, 9 * scale)
    for x, y, r, col in atoms:
        c.circle(
            x,
            y,
            r,
            fill=col,
            outline=shade(col, 0.25) if col == WHITE else None,
            width=3 if col == WHITE else 0,
        )
        c.circle(x - r * 0.3, y - r * 0.3, r * 0.25, fill=tint(col, 0.55) if col != WHITE else MINT_SOFT)


def draw_case_gold(c: Canvas):
    """Gold nanoparticles on a carbon pellet, with the reaction on the surface."""
    c.circle(420, 560, 330, fill=MINT_SOFT)
    # pellet as a short cylinder (extrudate) lying diagonally
    cx, cy = 410, 580
    ang = -28
    L, R = 300, 95
    body = rotate(
        [(cx - L / 2, cy - R), (cx + L / 2, cy - R), (cx + L / 2, cy + R), (cx - L / 2, cy + R)], cx, cy, ang
    )
    c.polygon(body, fill=CARBON)
    top_band = rotate(
        [
            (cx - L / 2, cy - R),
            (cx + L / 2, cy - R),
            (cx + L / 2, cy - R * 0.55),
            (cx - L / 2, cy - R * 0.55),
        ],
        cx,
        cy,
        ang,
    )
    c.polygon(top_band, fill=CARBON_LIGHT)
    ex, ey = rotate([(cx + L / 2, cy)], cx, cy, ang)[0]
    end = rotate(arc_points(ex, ey, R * 0.42, R, 0, 360, 60), ex, ey, ang)
    c.polygon(end, fill=mix(CARBON, SILVER, 0.45))
    bx, by = rotate([(cx - L / 2, cy)], cx, cy, ang)[0]
    back = rotate(arc_points(bx, by, R * 0.42, R, 90, 270, 30), bx, by, ang)
    c.polygon(back, fill=CARBON)
    rnd = random.Random(13)
    for _ in range(70):
        u, v = rnd.uniform(-L / 2 + 10, L / 2 - 10), rnd.uniform(-R * 0.85, R * 0.85)
        ((px, py),) = rotate([(cx + u, cy + v)], cx, cy, ang)
        if rnd.random() < 0.5:
            c.circle(px, py, rnd.uniform(3, 6), fill=WARM)
        else:
            c.circle(px, py, rnd.uniform(3, 7), fill=shade(CARBON, 0.4))
    # zoom cone to the inset
    spot = (cx + 60, cy - 50)
    ix, iy, ir = 1090, 470, 330
    c.polygon(
        [spot, (ix - ir * 0.35, iy - ir * 0.94), (ix - ir * 0.62, iy + ir * 0.78)], fill=tint(MINT, 0.1)
    )
    c.circle(*spot, 22, outline=DEEP, width=6)
    # inset: the carbon surface with gold nanoparticles
    lay = c.layer()
    lay.rect((ix - ir, iy - ir, ix + ir, iy + ir), fill=tint(SKY, 0.92))
    surf = [(ix - ir, iy + 70)]
    for k in range(0, 61):
        x = ix - ir + k * ir * 2 / 60
        surf.append((x, iy + 70 + 14 * math.sin(k / 4.0) + 8 * math.sin(k / 1.7)))
    surf += [(ix + ir, iy + ir), (ix - ir, iy + ir)]
    lay.polygon(surf, fill=CARBON)
    for k in range(26):
        x = ix - ir + 30 + (k * 97) % (2 * ir - 60)
        y = iy + 130 + (k * 53) % 180
        lay.circle(x, y, 6 + (k % 4) * 3, fill=shade(CARBON, 0.45))
    # gold particles sitting on the surface
    golds = [(-210, 34), (-110, 28), (-10, 40), (95, 30), (200, 36), (-160, 22), (150, 20)]
    for gx, gr in golds:
        x = ix + gx
        y = iy + 70 + 14 * math.sin(((x - ix + ir) / (ir * 2 / 60)) / 4.0) - gr * 0.7
        lay.circle(x, y, gr, fill=WARM)
        lay.circle(x + gr * 0.2, y + gr * 0.25, gr * 0.78, fill=shade(WARM, 0.12))
        lay.circle(x - gr * 0.05, y - gr * 0.05, gr * 0.72, fill=WARM)
        lay.circle(x - gr * 0.35, y - gr * 0.35, gr * 0.25, fill=tint(WARM, 0.6))
    C, H, CL = INK, WHITE, LEAF
    # C2H2 (linear) arriving from the upper left
    mx, my = ix - 170, iy - 170
    molecule(
        lay,
        [(mx - 30, my, 20, C), (mx + 30, my, 20, C), (mx - 72, my, 13, H), (mx + 72, my, 13, H)],
        [(0, 1), (0, 2), (1, 3)],
    )
    # HCl arriving
    mx2, my2 = ix - 20, iy - 215
    molecule(lay, [(mx2, my2, 14, H), (mx2 + 46, my2 + 10, 26, CL)], [(0, 1)])
    # C2H3Cl leaving to the upper right
    vx, vy = ix + 160, iy - 120
    molecule(
        lay,
        [
            (vx - 26, vy, 20, C),
            (vx + 26, vy, 20, C),
            (vx - 56, vy - 30, 13, H),
            (vx - 56, vy + 30, 13, H),
            (vx + 50, vy - 34, 13, H),
            (vx + 62, vy + 36, 26, CL),
        ],
        [(0, 1), (0, 2), (0, 3), (1, 4), (1, 5)],
    )
    lay.arrow([(ix - 140, iy - 120), (ix - 90, iy - 30)], SILVER_DARK, 7, head=22)
    lay.arrow([(ix + 20, iy - 170), (ix + 0, iy - 70)], SILVER_DARK, 7, head=22)
    lay.arrow([(ix + 80, iy - 30), (ix + 125, iy - 80)], SILVER_DARK, 7, head=22)
    c.paste_layer(lay.img, c.mask_circle(ix, iy, ir))
    c.circle(ix, iy, ir, outline=DEEP, width=12)
    # labels
    c.chip(ix - 170, iy - 236, "C₂H₂", 32, fill=WHITE, outline=MINT)
    c.chip(ix + 14, iy - 275, "HCl", 32, fill=WHITE, outline=MINT)
    c.chip(ix + 172, iy - 198, "C₂H₃Cl", 32, fill=WHITE, outline=MINT)
    c.chip(ix - 10, iy + ir + 10, "Au", 40, fill=WARM, color=INK)
    return {}


def draw_green_transition(c: Canvas):
    """A factory turning into a leaf; mercury droplets shrinking under a falling arrow."""
    ground = 760
    c.circle(1120, 430, 360, fill=MINT_SOFT)
    c.rect((120, ground, 720, ground + 14), fill=MINT, r=7)
    factory(c, 170, ground, 360, 220, fill=DEEP, window=MINT, chimney=True)
    # transformation: small leaves rising from the chimney, growing to the big leaf
    stem_pts = bezier((450, ground - 390), (560, 80), (820, 120), (960, 300), 60)
    c.arrow(stem_pts, LEAF_LIGHT, 14, head=40)
    for f, L in ((0.18, 40), (0.42, 62), (0.68, 86)):
        x, y = point_at(stem_pts, f)
        leaf(c, x, y - 8, L, L * 0.45, -40, LEAF, None)
    # the big leaf with its veins
    lx, ly, L = 1150, 400, 540
    leaf(c, lx, ly, L, 290, -38, LEAF, None)
    a = math.radians(-38)
    ax, ay = math.cos(a), math.sin(a)
    for i in (-2, -1, 0, 1, 2):
        bx, by = lx + ax * i * 80 - ax * 40, ly + ay * i * 80 - ay * 40
        length = 112 - abs(i) * 24
        for side in (-1, 1):
            va = a + side * math.radians(42)
            c.line([(bx, by), (bx + math.cos(va) * length, by + math.sin(va) * length)], LEAF_LIGHT, 7)
    c.line([(lx - ax * L * 0.46, ly - ay * L * 0.46), (lx + ax * L * 0.4, ly + ay * L * 0.4)], LEAF_LIGHT, 10)
    c.line(
        [(lx - ax * L * 0.46, ly - ay * L * 0.46), (lx - ax * L * 0.56 - 10, ly - ay * L * 0.56 + 24)],
        DEEP,
        14,
    )
    # mercury use going down
    base = 930
    drops = [(880, 58), (1040, 42), (1180, 28), (1300, 16)]
    for x, r in drops:
        hg_drop(c, x, base - r, r, label=r > 30)
    c.polygon(droplet_points(1400, base - 12, 12), outline=SILVER, width=4)
    c.arrow([(800, 690), (1470, 850)], WARM, 12, head=38)
    return {}


def draw_pfos_foam(c: Canvas):
    """A foam nozzle putting out a fire; a PFOS chain struck through."""
    c.circle(1180, 700, 300, fill=MINT_SOFT)
    # PFOS molecule: 8 perfluorinated carbons and a sulfonate head
    y0 = 230
    x = 380
    step = 92
    carbons = []
    for i in range(8):
        carbons.append((x + i * step, y0 + (26 if i % 2 else -26)))
    sx, sy = x + 8 * step + 10, y0 - 26
    bonds = [(carbons[i], carbons[i + 1]) for i in range(7)] + [(carbons[-1], (sx, sy))]
    fl = tint(LEAF, 0.35)
    for cx_, cy_ in carbons:
        d = -1 if cy_ < y0 else 1
        for dx in (-26, 26):
            c.line([(cx_, cy_), (cx_ + dx, cy_ + d * 62)], SILVER_DARK, 8)
    c.line([carbons[0], (carbons[0][0] - 72, carbons[0][1] + 10)], SILVER_DARK, 8)
    for a, b in bonds:
        c.line([a, b], SILVER_DARK, 10)
    oxy = [(sx, sy - 74), (sx + 70, sy + 18), (sx + 14, sy + 76)]
    for ox, oy in oxy:
        c.line([(sx, sy), (ox, oy)], SILVER_DARK, 10)
    for cx_, cy_ in carbons:
        d = -1 if cy_ < y0 else 1
        for dx in (-26, 26):
            c.circle(cx_ + dx, cy_ + d * 62, 20, fill=fl)
            c.formula((cx_ + dx, cy_ + d * 62), "F", 20, fill=DEEP)
    c.circle(carbons[0][0] - 72, carbons[0][1] + 10, 20, fill=fl)
    c.formula((carbons[0][0] - 72, carbons[0][1] + 10), "F", 20, fill=DEEP)
    for cx_, cy_ in carbons:
        c.circle(cx_, cy_, 24, fill=INK)
    for ox, oy in oxy:
        c.circle(ox, oy, 22, fill=SKY)
        c.formula((ox, oy), "O", 20, fill=WHITE)
    c.circle(sx, sy, 30, fill=WARM)
    c.formula((sx, sy), "S", 26, fill=INK)
    c.chip(170, y0 + 10, "PFOS", 44, fill=WHITE, outline=SILVER, width=5)
    # struck through
    c.line([(290, 400), (1250, 80)], WARM, 22)
    # fire-fighting: hose, nozzle, foam over flames
    ground = 880
    c.rect((80, ground, 1540, ground + 12), fill=MINT, r=6)
    hose = bezier((60, 1000), (140, 760), (240, 700), (380, 640), 40)
    c.line(hose, SKY, 34)
    nx, ny = 380, 640
    noz = rotate(
        [(nx - 10, ny - 26), (nx + 150, ny - 18), (nx + 150, ny + 18), (nx - 10, ny + 26)], nx, ny, -14
    )
    c.polygon(noz, fill=SILVER_DARK)
    tip = rotate(
        [(nx + 150, ny - 24), (nx + 190, ny - 30), (nx + 190, ny + 30), (nx + 150, ny + 24)], nx, ny, -14
    )
    c.polygon(tip, fill=INK)
    grip = rotate(
        [(nx + 40, ny + 18), (nx + 74, ny + 18), (nx + 70, ny + 80), (nx + 44, ny + 80)], nx, ny, -14
    )
    c.polygon(grip, fill=INK)
    # flames under the foam
    for x, s in [(1080, 1.5), (1200, 2.0), (1320, 1.3), (1420, 1.1)]:
        flame(c, x, ground, s)
    # foam jet landing on the fire
    items = []
    for i in range(12):
        f = i / 11
        jx = 590 + f * 560
        jy = 600 - 130 * math.sin(f * math.pi * 0.85) + f * 170
        items += foam_items(jx, jy, 10 + f * 30, 8 + f * 18, 4 + i // 2, 9 + f * 8, 15 + f * 16, seed=100 + i)
    items += foam_items(1240, 840, 140, 22, 46, 16, 34, seed=7)
    foam(c, items)
    return {}


# --------------------------------------------------------------------------------------------
# Video-only scenes (same 1600 x 1000 grid, shown inside a 16:9 frame)
# --------------------------------------------------------------------------------------------


FLOWS = [  # where the mercury goes, 2009 (MIIT 2010): share and sink
    (36, "spent catalyst"),
    (8, "waste activated carbon"),
    (51, "waste hydrochloric acid"),
    (5, "waste alkali"),
]


def draw_mercury_flows(c: Canvas):
    """Mercury leaving the plant: ribbons as wide as each share (spent catalyst, carbon, acid, alkali)."""
    rx, rtop, rw, rh = 330, 330, 230, 380
    multitube_reactor(c, rx, rtop, rw, rh, shell=DEEP, inner=MINT, tubes=6)
    hg_drop(c, rx - 190, rtop + 40, 46)
    total_w = 330
    y = 500 - total_w / 2
    sinks = [260, 440, 640, 850]
    x0, x1 = rx + rw / 2 + 10, 1150
    centre_lines = []
    for (share, _), sy in zip(FLOWS, sinks, strict=True):
        w = total_w * share / 100
        top0, bot0 = y, y + w
        top1, bot1 = sy - w / 2, sy + w / 2
        upper = bezier((x0, top0), (x0 + 380, top0), (x1 - 380, top1), (x1, top1), 40)
        lower = bezier((x1, bot1), (x1 - 380, bot1), (x0 + 380, bot0), (x0, bot0), 40)
        c.polygon(upper + lower, fill=tint(SILVER, 0.45))
        centre_lines.append(
            bezier((x0, (top0 + bot0) / 2), (x0 + 380, (top0 + bot0) / 2), (x1 - 380, sy), (x1, sy), 60)
        )
        y += w + 0
    # sinks
    bin_box(c, 1290, 320, 170, 110, fill=SILVER, pellets=CARBON_LIGHT, specks=SILVER_DARK)
    pellet_heap(c, 1290, 475, 120, 2, 20, CARBON, CARBON_LIGHT, n=2, seed=4)
    drum(c, 1290, 730, 130, 170, fill=SKY, label="HCl")
    drum(c, 1290, 910, 90, 110, fill=LEAF, label="OH⁻")
    return {"flows": centre_lines}


def draw_treaty(c: Canvas):
    """The Minamata Convention: a globe ringed by ratifications, the treaty with its VCM target."""
    gx, gy, gr = 500, 520, 250
    c.circle(gx, gy, 400, fill=MINT_SOFT)
    globe(c, gx, gy, gr)
    for i in range(50):
        a = math.radians(-90 + i * 360 / 50)
        c.circle(gx + math.cos(a) * 315, gy + math.sin(a) * 315, 11, fill=SILVER_LIGHT)
    x0, y0, x1, y1 = 960, 140, 1400, 880
    document(c, x0, y0, x1, y1, n_lines=3)
    # the Annex B target drawn as two bars: 2010 = 100, 2020 = 50
    base, full = 630, 200
    c.rect((x0 + 60, base, x1 - 60, base + 6), fill=INK, r=3)
    c.rect((x0 + 100, base - full, x0 + 200, base), fill=SILVER, r=8)
    c.text((x0 + 150, base + 18), "2010", 30, INK, True, "ma")
    c.text((x0 + 300, base + 18), "2020", 30, INK, True, "ma")
    return {"dots": (gx, gy, 315), "bars": (x0, base, full), "doc": (x0, y0, x1, y1)}


# --------------------------------------------------------------------------------------------
# Posters (1200 x 1700, bilingual)
# --------------------------------------------------------------------------------------------


CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
NO_LINE_START = "，。、；：？！）》」』”’,.;:?!)%"
NO_LINE_END = "《（(「『“‘"


def wrap(c: Canvas, text: str, size: float, max_w: float, bold=False) -> list[str]:
    """Greedy line breaking for mixed Chinese / Latin text.

    CJK characters break anywhere, Latin words at ordinary spaces (a no-break space keeps
    "11 November" together); closing punctuation never starts a line and opening punctuation
    never ends one; "\n" forces a break."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens = re.findall(f"[{CJK}]|[^ {CJK}]+| +", para)
        merged: list[str] = []
        glue = False
        for t in tokens:
            if merged and (glue or (t[0] in NO_LINE_START and t[0] != " ")):
                merged[-1] += t
            else:
                merged.append(t)
            glue = t[-1] in NO_LINE_END
        cur = ""
        for t in merged:
            trial = cur + t
            if cur and c.text_width(trial.rstrip(), size, bold) > max_w:
                lines.append(cur.rstrip())
                cur = "" if t.isspace() else t
            else:
                cur = trial
        if cur.strip():
            lines.append(cur.rstrip())
    return lines


def text_block(c: Canvas, x, y, text, size, max_w, fill=INK, bold=False, leading=1.45) -> float:
    """Draw wrapped text from (x, y) (top); return the y below the block."""
    for line in wrap(c, text, size, max_w, bold):
        c.text((x, y), line, size, fill, bold, "la")
        y += size * leading
    return y


POSTER_CREDIT = {
    "en": "插图 Illustration: exhibit project team · CC BY 4.0",
    "fr": "插图 Illustration\u00a0: équipe du projet exhibit · CC BY 4.0",
}


def poster(name, kicker, title_zh, title_en, art, facts, source, accent=DEEP, lang="en"):
    """Common poster layout: headline band, illustration, fact cards, source line.

    ``title_en`` and the second text of each fact are in ``lang``, the poster's second language
    (English, or French for the Chinese–French edition)."""
    W, H = POSTER_SIZE
    c = Canvas.new(POSTER_SIZE)
    c.rect((0, 0, W, 430), fill=accent)
    leaf(c, W - 90, 80, 300, 130, -35, shade(accent, 0.15) if accent != LEAF else DEEP, None)
    leaf(c, W - 200, 40, 160, 70, 20, shade(accent, 0.15) if accent != LEAF else DEEP, None)
    c.rect((80, 84, 80 + c.text_width(kicker, 26, True) + 44, 132), fill=tint(accent, 0.15), r=24)
    c.text((102, 108), kicker, 26, WHITE, True, "lm")
    y = text_block(c, 80, 170, title_zh, 92, W - 160, WHITE, True, 1.2)
    text_block(c, 80, y + 10, title_en, 50, W - 160, MINT, True, 1.2)
    # illustration area
    art(c, 0, 430, W, 860)
    # the source line sets how much room is left for the fact cards
    src_size, src_lead = 18, 1.4
    src_lines = wrap(c, source, src_size, W - 120)
    credit_y = H - 34
    src_top = credit_y - 34 - len(src_lines) * src_size * src_lead
    cards_bottom = src_top - 34
    # fact cards
    y = 870
    gap = 20
    card_h = min(260, (cards_bottom - y - gap * (len(facts) - 1)) / len(facts))
    y += (cards_bottom - y - card_h * len(facts) - gap * (len(facts) - 1)) / 2
    for big, zh, en in facts:
        c.rect((60, y, W - 60, y + card_h), fill=WHITE, r=26, outline=MINT, width=4)
        c.rect((60, y, 80, y + card_h), fill=LEAF, r=10)
        bw = 300
        c.text((80 + bw / 2, y + card_h / 2), big, 72 if len(big) <= 5 else 58, accent, True, "mm")
        tx = 80 + bw
        zh_lines = wrap(c, zh, 32, W - 100 - tx)
        en_lines = wrap(c, en, 24, W - 100 - tx)
        block = len(zh_lines) * 32 * 1.4 + 10 + len(en_lines) * 24 * 1.4
        if block > card_h - 24:
            raise ValueError(f"{name}: fact does not fit its card: {zh!r}")
        ty = y + (card_h - block) / 2
        for line in zh_lines:
            c.text((tx, ty), line, 32, INK, False, "la")
            ty += 32 * 1.4
        ty += 10
        for line in en_lines:
            c.text((tx, ty), line, 24, shade(SILVER, 0.5), False, "la")
            ty += 24 * 1.4
        y += card_h + gap
    # source and credit
    c.rect((60, src_top - 18, W - 60, src_top - 15), fill=MINT)
    y = src_top
    for line in src_lines:
        c.text((60, y), line, src_size, shade(SILVER, 0.45), False, "la")
        y += src_size * src_lead
    c.text(
        (60, credit_y),
        POSTER_CREDIT[lang],
        17,
        shade(SILVER, 0.3),
        False,
        "ls",
    )
    save_png(c.result(POSTER_SIZE), POSTERS / name)


def art_mercury_free(c: Canvas, x0, y0, x1, y1):
    """A reactor with gold-dotted pellets between a crossed-out Hg droplet and a gold pellet."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 10
    c.circle(cx, cy, 190, fill=MINT)
    multitube_reactor(c, cx, cy - 95, 130, 170, shell=DEEP, inner=MINT_SOFT, tubes=4, specks=WARM)
    no_mercury(c, cx - 320, cy - 10, 92)
    gold_pellet(c, cx + 310, cy - 30, 70)
    c.chip(cx + 310, cy + 70, "Au", 32, fill=WARM, color=INK, pad=16)
    leaf_stem(c, cx + 95, cy + 150, 130, -50, LEAF, LEAF_LIGHT)
    leaf_stem(c, cx - 95, cy + 150, 110, -130, DEEP, LEAF)
    c.chip(cx, cy + 185, "C₂H₂ + HCl → C₂H₃Cl", 28, fill=WHITE, outline=LEAF)


def art_pfos_free(c: Canvas, x0, y0, x1, y1):
    """A foam nozzle putting out a fire, and PFOS crossed out."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    c.circle(cx, cy, 190, fill=MINT)
    ground = y1 - 50
    c.rect((x0 + 120, ground, x1 - 120, ground + 8), fill=LEAF_LIGHT, r=4)
    nx, ny = cx - 300, cy + 10
    hose = bezier((x0 + 110, ground), (x0 + 130, ny + 60), (nx - 90, ny + 20), (nx, ny), 30)
    c.line(hose, SKY, 26)
    noz = rotate(
        [(nx - 8, ny - 20), (nx + 110, ny - 14), (nx + 110, ny + 14), (nx - 8, ny + 20)], nx, ny, -10
    )
    c.polygon(noz, fill=SILVER_DARK)
    tip = rotate(
        [(nx + 110, ny - 19), (nx + 140, ny - 24), (nx + 140, ny + 24), (nx + 110, ny + 19)], nx, ny, -10
    )
    c.polygon(tip, fill=INK)
    for x, s_ in [(cx + 170, 1.3), (cx + 260, 1.7), (cx + 340, 1.1)]:
        flame(c, x, ground, s_)
    items = []
    for i in range(10):
        f = i / 9
        items += foam_items(
            nx + 170 + f * 330,
            ny - 26 - 70 * math.sin(f * math.pi * 0.8) + f * 120,
            6 + f * 20,
            5 + f * 12,
            3 + i // 2,
            7 + f * 6,
            12 + f * 10,
            seed=200 + i,
        )
    items += foam_items(cx + 250, ground - 22, 90, 12, 34, 12, 24, seed=9)
    foam(c, [(x, y, r) for x, y, r in items if x0 + 100 < x < x1 - 100])
    c.chip(cx - 290, y0 + 100, "PFOS", 40, fill=WHITE, outline=SILVER)
    no_sign(c, cx - 290, y0 + 100, 76, WARM, 11)


def art_pops_29(c: Canvas, x0, y0, x1, y1):
    """Phased-out POPs counted: 20 (Mar 2022), 23 (Jun 2023), 29 (May 2024); one dot per substance."""
    cx = (x0 + x1) / 2
    base = y1 - 75
    c.circle(cx, (y0 + y1) / 2, 190, fill=MINT)
    bars = [("2022.3", 20), ("2023.6", 23), ("2024.5", 29)]
    bw, gap = 130, 70
    left = cx - (3 * bw + 2 * gap) / 2
    c.rect((left - 50, base, left + 3 * bw + 2 * gap + 50, base + 6), fill=INK, r=3)
    for i, (date, n) in enumerate(bars):
        rows = math.ceil(n / 3)
        h = rows * 24 + 16
        x = left + i * (bw + gap)
        col = [LEAF_LIGHT, LEAF, DEEP][i]
        c.rect((x, base - h, x + bw, base), fill=col, r=12)
        for k in range(n):
            row, colm = divmod(k, 3)
            c.circle(x + 29 + colm * 36, base - 20 - row * 24, 8, fill=tint(col, 0.55))
        c.text((x + bw / 2, base - h - 14), str(n), 44, col if i < 2 else DEEP, True, "ms")
        c.text((x + bw / 2, base + 20), date, 26, INK, True, "ma")
    leaf_stem(c, left + 3 * bw + 2 * gap + 20, base - 2, 130, -60, LEAF, LEAF_LIGHT)
    leaf_stem(c, left - 20, base - 2, 110, -125, LEAF_LIGHT, LEAF)


def make_posters():
    """Each poster in two editions: Chinese–English (``poster-x.png``) and Chinese–French
    (``poster-x-fr.png``). The French texts say what the English ones say, with French
    typography: a no-break space before : ; ? ! and % and inside « ». (The apostrophe is the
    straight one: Noto Sans CJK draws ’ full-width, as a Chinese quotation mark.)"""
    POSTERS.mkdir(parents=True, exist_ok=True)
    nb = "\u00a0"  # keeps "16 August" and "11 November" on one line
    editions = {
        "en": {
            "mercury": (
                "《水俣公约》 Minamata Convention",
                "Towards mercury-free PVC",
                "−50%",
                f"Halve mercury use per unit of VCM production by 2020 against{nb}2010.",
                f"The Minamata Convention entered into force on 16{nb}August 2017.",
                "Parties support research on mercury-free catalysts and processes.",
                "资料来源 Sources：《关于汞的水俣公约》附件B第二部分 "
                "Minamata Convention on Mercury, Annex B Part II；"
                "联合国条约汇编 UN Treaty Collection, chapter XXVII-17.",
            ),
            "pfos": (
                "《斯德哥尔摩公约》 Stockholm Convention",
                "PFOS-free fire-fighting foam",
                "PFOS was listed in Annex B (restriction) of the Stockholm Convention in 2009.",
                "China had ceased PFOS production by 2021.",
                "Four foam makers completed R&D and trial production of PFOS-free foam; fire tests started.",
                "资料来源 Sources：《斯德哥尔摩公约》第SC-4/17号决定 Stockholm Convention, decision SC-4/17 (2009)；"
                "生态环境部对外合作与交流中心 Foreign Environmental Cooperation Center (FECO), MEE, December 2022 "
                "（与中国消防产品合格评定中心合作启动实体灭火试验 fire tests started with the China Certification "
                "Center for Fire Products）",
            ),
            "pops": (
                "《斯德哥尔摩公约》 Stockholm Convention",
                "29 POPs phased out",
                "As of May 2024, China has fully phased out 29 kinds of persistent organic pollutants.",
                f"The Stockholm Convention has been in force for China since 11{nb}November 2004.",
                "Phased out: 20 in March 2022, 23 in June 2023, 29 in May 2024.",
                "资料来源 Source：生态环境部《中国持久性有机污染物控制（2004—2024年）》，2024年5月（转载） "
                "Ministry of Ecology and Environment, POPs control in China 2004–2024, May 2024 (reprint).",
            ),
        },
        "fr": {
            "mercury": (
                "《水俣公约》 Convention de Minamata",
                "Vers un PVC sans mercure",
                f"−50{nb}%",
                f"Diviser par deux le mercure utilisé par unité de CVM produite d'ici 2020, "
                f"par rapport à{nb}2010.",
                f"La convention de Minamata est entrée en vigueur le 16{nb}août 2017.",
                "Les Parties soutiennent la recherche sur les catalyseurs et procédés sans mercure.",
                f"资料来源 Sources{nb}: 《关于汞的水俣公约》附件B第二部分 "
                f"Convention de Minamata sur le mercure, annexe B, partie II{nb}; "
                "联合国条约汇编 Collection des traités des Nations Unies, chapitre XXVII-17.",
            ),
            "pfos": (
                "《斯德哥尔摩公约》 Convention de Stockholm",
                "Mousses anti-incendie sans PFOS",
                "Le PFOS a été inscrit à l'annexe B (restriction) de la convention de Stockholm "
                "en 2009.",
                "En 2021, la Chine avait cessé de produire du PFOS.",
                f"Quatre fabricants ont mis au point et produit à l'essai des mousses sans "
                f"PFOS{nb}; essais d'extinction commencés.",
                f"资料来源 Sources{nb}: 《斯德哥尔摩公约》第SC-4/17号决定 Convention de Stockholm, "
                f"décision SC-4/17 (2009){nb}; "
                "生态环境部对外合作与交流中心 Centre de coopération environnementale avec l'étranger "
                "(FECO), MEE, décembre 2022 "
                "（与中国消防产品合格评定中心合作启动实体灭火试验 essais d'extinction commencés avec le "
                "Centre chinois de certification des produits de lutte contre l'incendie）",
            ),
            "pops": (
                "《斯德哥尔摩公约》 Convention de Stockholm",
                "29 POP éliminés",
                "En mai 2024, la Chine avait totalement éliminé 29 types de polluants organiques "
                "persistants.",
                f"La convention de Stockholm est en vigueur pour la Chine depuis le 11{nb}novembre "
                f"2004.",
                f"Éliminés{nb}: 20 en mars 2022, 23 en juin 2023, 29 en mai 2024.",
                f"资料来源 Source{nb}: 生态环境部《中国持久性有机污染物控制（2004—2024年）》，2024年5月（转载） "
                "Ministère de l'Écologie et de l'Environnement, Le contrôle des polluants organiques "
                "persistants en Chine (2004-2024), mai 2024 (reprise).",
            ),
        },
    }
    for lang, texts in editions.items():
        suffix = "" if lang == "en" else f"-{lang}"
        kicker, title, big, fact1, fact2, fact3, source = texts["mercury"]
        poster(
            f"poster-mercury-free{suffix}.png",
            kicker,
            "迈向无汞聚氯乙烯",
            title,
            art_mercury_free,
            [
                (big, "到2020年，单位氯乙烯产量的用汞量\n比2010年减少50%。", fact1),
                ("2017", "《水俣公约》于2017年8月16日生效。", fact2),
                ("无汞", "缔约方应支持研发无汞催化剂和无汞工艺。", fact3),
            ],
            source,
            lang=lang,
        )
        kicker, title, fact1, fact2, fact3, source = texts["pfos"]
        poster(
            f"poster-pfos-free-foam{suffix}.png",
            kicker,
            "无PFOS泡沫",
            title,
            art_pfos_free,
            [
                ("2009", "PFOS被列入《斯德哥尔摩公约》附件B\n（限制类）。", fact1),
                ("2021", "到2021年，中国已停止生产PFOS。", fact2),
                ("4", "四家企业完成无PFOS泡沫的研发和\n试生产，并已启动实体灭火试验。", fact3),
            ],
            source,
            accent=SKY,
            lang=lang,
        )
        kicker, title, fact1, fact2, fact3, source = texts["pops"]
        poster(
            f"poster-pops-29{suffix}.png",
            kicker,
            "29种类已全面淘汰",
            title,
            art_pops_29,
            [
                ("29", "截至2024年5月，中国已全面淘汰\n29种类持久性有机污染物。", fact1),
                ("2004", "《斯德哥尔摩公约》自2004年11月11日\n起对中国生效。", fact2),
                ("20→29", "已淘汰：2022年3月20种类，\n2023年6月23种类，2024年5月29种类。", fact3),
            ],
            source,
            accent=LEAF,
            lang=lang,
        )


# --------------------------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------------------------


MAX_PNG_BYTES = 400_000


def save_png(img: Image.Image, path: Path):
    """Optimised PNG; quantised to 256 colours only when the full-colour file would be too big."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True)
    if path.stat().st_size > MAX_PNG_BYTES:
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, optimize=True
        )
    print(f"{path.relative_to(MEDIA)}  {path.stat().st_size // 1024} KB")


IMAGE_FUNCS = {
    "mercury-cycle.png": draw_mercury_cycle,
    "vcm-reactor.png": draw_vcm_reactor,
    "catalyst-recovery.png": draw_catalyst_recovery,
    "mercury-free-routes.png": draw_mercury_free_routes,
    "pvc-plant.png": draw_pvc_plant,
    "case-tianye.png": draw_case_tianye,
    "case-dezhou.png": draw_case_dezhou,
    "case-gold.png": draw_case_gold,
    "green-transition.png": draw_green_transition,
    "pfos-foam.png": draw_pfos_foam,
}


def make_images(only=None):
    for name, func in IMAGE_FUNCS.items():
        if only and only not in name:
            continue
        c = Canvas.new(IMAGE_SIZE)
        func(c)
        save_png(c.result(IMAGE_SIZE), IMAGES / name)


# --------------------------------------------------------------------------------------------
# Video
# --------------------------------------------------------------------------------------------


def video_canvas(img=None):
    """A 2x 16:9 frame with the 1600 x 1000 design centred (k = 1.44, 89 logical units each side)."""
    W, H = VIDEO_SIZE[0] * SS, VIDEO_SIZE[1] * SS
    img = img or Image.new("RGB", (W, H), rgb(PAPER))
    k = H / 1000
    return Canvas(img, k, ox=(W - 1600 * k) / 2, oy=0)


def ease(t):
    return 0.5 - 0.5 * math.cos(math.pi * max(0.0, min(1.0, t)))


def flow_dots(c: Canvas, segments, t, avoid=(), spacing=80.0, speed=55.0, r=9.0, min_length=100.0):
    """Dots streaming along each segment at `speed` units/s, hidden under labels (`avoid` boxes)."""
    for pts, col in segments:
        total = path_length(pts)
        if total < min_length:  # short arrows stay clean
            continue
        k = 0
        while True:
            d = (t * speed) % spacing + k * spacing
            k += 1
            if d > total:
                break
            x, y = point_at(pts, d / total)
            if any(b[0] - r < x < b[2] + r and b[1] - r < y < b[3] + r for b in avoid):
                continue
            c.circle(x, y, r + 3, fill=WHITE)
            c.circle(x, y, r, fill=col)


def overlay_reactor(c, t, dur, info):
    flow_dots(c, info["paths"], t, info["avoid"], spacing=95, speed=70, r=9)


def overlay_flows(c, t, dur, info):
    for pts in info["flows"]:
        flow_dots_drops(c, pts, t)


def flow_dots_drops(c: Canvas, pts, t, spacing=110.0, speed=60.0, r=11):
    total = path_length(pts) - 30
    k = 0
    while True:
        d = (t * speed) % spacing + k * spacing
        k += 1
        if d > total:
            break
        x, y = point_at(pts, d / path_length(pts))
        c.polygon(droplet_points(x, y, r, angle=90), fill=SILVER_DARK)
        c.circle(x - r * 0.3, y - r * 0.3, r * 0.3, fill=tint(SILVER, 0.7))


def overlay_treaty(c, t, dur, info):
    """Ratifications light up one by one (the 50th in the warm accent), the 2020 bar halves,
    then the treaty is sealed with its year of entry into force."""
    gx, gy, rr = info["dots"]
    lit = int(min(50, max(0, (t - 0.6) / 4.0 * 50)))
    for i in range(lit):
        a = math.radians(-90 + i * 360 / 50)
        c.circle(gx + math.cos(a) * rr, gy + math.sin(a) * rr, 11, fill=LEAF if i < 49 else WARM)
    x0, base, full = info["bars"]
    f = ease((t - 4.8) / 1.6)
    h = full - full / 2 * f
    c.rect((x0 + 250, base - h, x0 + 350, base), fill=LEAF, r=8)
    if f > 0.3:
        c.arrow([(x0 + 300, base - full - 10), (x0 + 300, base - h - 12)], WARM, 9, head=26)
    dx0, dy0, dx1, dy1 = info["doc"]
    s = ease((t - 6.6) / 0.6)
    if s > 0:
        r = 64 * (1.25 - 0.25 * s)
        seal(c, dx1 - 90, dy1 - 120, r, fill=WARM)
        c.text((dx1 - 90, dy1 - 120), "2017", r * 0.36, INK, True, "mm")


def overlay_segments(c, t, dur, info):
    flow_dots(c, info["segments"], t, spacing=70, speed=45, r=8)


def overlay_plant(c, t, dur, info):
    for x, y, sc in info["clouds"]:
        cloud(c, x + t * 9, y, sc, MINT_SOFT)


SCENES = [  # (seconds, draw, overlay, zoom centre in logical units); captions follow these scenes
    (10.0, draw_vcm_reactor, overlay_reactor, (800, 430)),
    (10.0, draw_mercury_flows, overlay_flows, (760, 500)),
    (10.0, draw_treaty, overlay_treaty, (800, 500)),
    (10.0, draw_catalyst_recovery, overlay_segments, (700, 500)),
    (10.0, draw_mercury_free_routes, overlay_segments, (800, 500)),
    (10.0, lambda c: draw_pvc_plant(c, magnifier_on=False, clouds=False), overlay_plant, (800, 560)),
]
FADE = 0.6  # crossfade between scenes, seconds


def render_scene_frame(base: Image.Image, info, overlay, t, dur, centre, zoom_to=1.06):
    """One 1280 x 720 frame: overlay drawn at 2x on a copy of the scene, slow zoom, downsample."""
    img = base.copy()
    c = video_canvas(img)
    overlay(c, t, dur, info)
    z = 1 + (zoom_to - 1) * ease(t / dur)
    W, H = img.size
    cw, ch = W / z, H / z
    px, py = c.P(*centre)
    x0 = min(max(px - cw / 2, 0), W - cw)
    y0 = min(max(py - ch / 2, 0), H - ch)
    return img.resize(VIDEO_SIZE, Image.LANCZOS, box=(x0, y0, x0 + cw, y0 + ch))


def video_frames():
    """Yield every frame of the video (RGB, 1280 x 720)."""
    bases = []
    for dur, draw, overlay, centre in SCENES:
        c = video_canvas()
        info = draw(c) or {}
        bases.append((c.img, info, overlay, dur, centre))
    starts = []
    t = 0.0
    for b in bases:
        starts.append(t)
        t += b[3]
    total = t
    paper = Image.new("RGB", VIDEO_SIZE, rgb(PAPER))
    for n in range(int(round(total * FPS))):
        t = n / FPS
        i = max(k for k, s in enumerate(starts) if s <= t)
        base, info, overlay, dur, centre = bases[i]
        frame = render_scene_frame(base, info, overlay, t - starts[i], dur, centre)
        # crossfade into the next scene during the last FADE seconds
        end = starts[i] + dur
        if i + 1 < len(bases) and t > end - FADE:
            nb = bases[i + 1]
            nxt = render_scene_frame(nb[0], nb[1], nb[2], 0.0, nb[3], nb[4])
            frame = Image.blend(frame, nxt, ease((t - (end - FADE)) / FADE))
        if t < 0.5:
            frame = Image.blend(paper, frame, ease(t / 0.5))
        if t > total - 1.0:
            frame = Image.blend(frame, paper, ease((t - (total - 1.0)) / 1.0))
        yield n, frame


def make_video():
    VIDEO.mkdir(parents=True, exist_ok=True)
    out = VIDEO / "mercury-free-pvc.mp4"
    cmd = [
        "ffmpeg",
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{VIDEO_SIZE[0]}x{VIDEO_SIZE[1]}",
        "-r",
        str(FPS),
        "-i",
        "-",
        "-c:v",
        "libx264",
        "-preset",
        "slow",
        "-tune",
        "animation",
        "-crf",
        "30",
        "-pix_fmt",
        "yuv420p",
        "-threads",
        "2",  # a fixed thread count keeps x264 output reproducible
        "-movflags",
        "+faststart",
        "-fflags",
        "+bitexact",
        "-map_metadata",
        "-1",
        str(out),
    ]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    poster_at = int(POSTER_TIME * FPS)
    for n, frame in video_frames():
        proc.stdin.write(frame.tobytes())
        if n == poster_at:
            frame.save(VIDEO / "mercury-free-pvc.jpg", quality=85, optimize=True)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("ffmpeg failed")
    print(f"{out.relative_to(MEDIA)}  {out.stat().st_size // 1024} KB")


POSTER_TIME = 45.0  # the poster frame: the mercury-free routes


# --------------------------------------------------------------------------------------------
# Captions (WebVTT)
# --------------------------------------------------------------------------------------------


# Facts and sources: /work/shared/content-brief.md. Short source tags: MIIT 2010 = the MIIT plan on
# mercury in carbide PVC (31 May 2010); UN = UN Treaty Collection XXVII-17; MEE = Ministry of Ecology and
# Environment (first national report, Dec 2021). Scene changes at 10, 20, 30, 40 and 50 s.
CAPTIONS = {  # (start, end, text); lines separated by "\n"
    "en": [
        (0.5, 5.0, "In 2009, 94 of China's 104 PVC producers\nused the carbide route [MIIT 2010]."),
        (5.0, 9.7, "Acetylene and HCl react on a catalyst of\nabout 10–12% HgCl₂ on carbon [MIIT 2010]."),
        (10.3, 15.0, "In 2009 the catalyst used about 570 t\nof mercury [MIIT 2010]."),
        (15.0, 19.7, "Most left with waste acid (51%) and\nspent catalyst (36%) [MIIT 2010]."),
        (20.3, 25.0, "The Minamata Convention on Mercury came\ninto force on 16 August 2017 [UN]."),
        (25.0, 29.7, "Annex B: −50% mercury per unit of VCM\nby 2020, against 2010."),
        (30.3, 35.0, "Low-mercury catalysts, and mercury\nrecovered from spent catalyst and acid."),
        (35.0, 39.7, "China's 2021 report: mercury per unit of\nPVC down more than 50% from 2010 [MEE]."),
        (40.3, 45.0, "Mercury-free routes: a gold catalyst,\nacetylene + EDC, or ethylene."),
        (45.0, 49.7, "The Convention asks Parties to support\nresearch on mercury-free catalysts."),
        (50.3, 55.0, "The industry's goal, set in 2010:\nreduce, then eliminate mercury."),
        (55.0, 59.4, "A GEF–UNIDO–FECO project, launched in\nBeijing in January 2018, supports it."),
    ],
    "fr": [
        (0.5, 5.0, "En 2009, 94 des 104 producteurs chinois\nde PVC employaient le carbure [MIIT 2010]."),
        (5.0, 9.7, "L'acétylène et le HCl réagissent sur un\ncatalyseur à 10–12 % de HgCl₂ [MIIT 2010]."),
        (10.3, 15.0, "En 2009, le catalyseur a absorbé environ\n570 t de mercure [MIIT 2010]."),
        (15.0, 19.7, "Il partait avec l'acide usé (51 %)\net le catalyseur usé (36 %) [MIIT 2010]."),
        (20.3, 25.0, "La Convention de Minamata est entrée\nen vigueur le 16 août 2017 [ONU]."),
        (25.0, 29.7, "Annexe B : −50 % de mercure par unité\nde CVM d'ici 2020 par rapport à 2010."),
        (30.3, 35.0, "Catalyseurs pauvres en mercure, mercure\nrécupéré du catalyseur et de l'acide usés."),
        (35.0, 39.7, "Rapport chinois 2021 : mercure par unité\nréduit de plus de 50 % depuis 2010 [MEE]."),
        (40.3, 45.0, "Voies sans mercure : catalyseur à l'or,\nacétylène + dichloroéthane, ou éthylène."),
        (45.0, 49.7, "La Convention demande de soutenir la\nrecherche de catalyseurs sans mercure."),
        (50.3, 55.0, "Objectif du secteur, fixé en 2010 :\nréduire, puis éliminer le mercure."),
        (55.0, 59.4, "Un projet FEM–ONUDI–FECO, lancé à Pékin\nen janvier 2018, accompagne ce virage."),
    ],
    "zh": [
        (0.5, 5.0, "2009年，中国104家PVC企业中\n94家采用电石法（工信部，2010）"),
        (5.0, 9.7, "乙炔与氯化氢在催化剂上反应，\n氯化汞含量约10%～12%（工信部）"),
        (10.3, 15.0, "2009年，催化剂用汞约570吨\n（工信部，2010）"),
        (15.0, 19.7, "汞主要流向废盐酸（51%）\n和废催化剂（36%）（工信部）"),
        (20.3, 25.0, "《关于汞的水俣公约》\n于2017年8月16日生效（联合国）"),
        (25.0, 29.7, "附件B：到2020年，单位氯乙烯\n用汞量比2010年减少50%"),
        (30.3, 35.0, "推广低汞催化剂，\n从废催化剂和废酸中回收汞"),
        (35.0, 39.7, "2021年国家报告：单位产品用汞量\n比2010年下降50%以上（生态环境部）"),
        (40.3, 45.0, "无汞路线：金催化剂、\n乙炔—二氯乙烷法、乙烯法"),
        (45.0, 49.7, "公约要求缔约方\n支持无汞催化剂的研发"),
        (50.3, 55.0, "行业2010年提出目标：\n“减量化、无汞化”"),
        (55.0, 59.4, "2018年1月在北京启动的\nGEF–UNIDO–FECO项目助力转型"),
    ],
}
MAX_LINE = {"en": 42, "fr": 42, "zh": 20}


def vtt_time(s: float) -> str:
    ms = int(round(s * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    sec, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{sec:02d}.{ms:03d}"


def french_spacing(s: str) -> str:
    """Narrow no-break space before ; ? ! and no-break space before : and % (French typography)."""
    s = re.sub(r" ?([;?!])", "\u202f\\1", s)
    s = re.sub(r" ?:", "\u00a0:", s)
    return re.sub(r" %", "\u00a0%", s)


def make_captions():
    VIDEO.mkdir(parents=True, exist_ok=True)
    for lang, cues in CAPTIONS.items():
        out = ["WEBVTT", ""]
        for i, (a, b, text) in enumerate(cues, 1):
            if lang == "fr":
                text = french_spacing(text)
            lines = text.split("\n")
            if len(lines) > 2 or any(len(line) > MAX_LINE[lang] for line in lines):
                raise ValueError(f"{lang} cue {i} too long: {lines!r}")
            out += [str(i), f"{vtt_time(a)} --> {vtt_time(b)}", *lines, ""]
        path = VIDEO / f"mercury-free-pvc.{lang}.vtt"
        path.write_text("\n".join(out), encoding="utf-8")
        print(f"{path.relative_to(MEDIA)}  {path.stat().st_size} B")


def main(argv):
    what = set(argv) or {"images", "posters", "video", "captions"}
    if "images" in what:
        make_images()
    if "posters" in what:
        make_posters()
    if "captions" in what:
        make_captions()
    if "video" in what:
        make_video()


if __name__ == "__main__":
    main(sys.argv[1:])
