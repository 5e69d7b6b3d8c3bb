"""QR codes that lead from the hall to a panel's page online: printed on each panel
(``?src=print-qr``) and shown on the kiosk (``?src=kiosk-qr``), so the visit log can count the
readers each one brings. The code is drawn as one SVG path (vectors: sharp at any size), the same
for the print and the screen."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

import segno

# Error correction M (15 %): scratches and dust on a hall panel are survivable, and the symbol
# stays small enough (version 4–5 for our links) to scan from a step back.
ERROR_CORRECTION = "m"
QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def panel_url(base_url: str, lang: str, slug: str, src: str = "print-qr") -> str:
    """The address a QR code leads to: the panel online, tagged with where it was scanned."""
    return f"{base_url.rstrip('/')}/{quote(lang)}/panels/{quote(slug)}/?src={quote(src)}"


def qr_svg(data: str, dark: str = "#000000") -> str:
    """The QR code as an inline SVG (viewBox in modules, quiet zone included, no fixed size)."""
    code = segno.make(data, error=ERROR_CORRECTION, micro=False)
    size = code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    path = []
    for y, row in enumerate(code.matrix_iter(scale=1, border=QUIET_ZONE)):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                path.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'class="qr" role="img" aria-label="QR code: {escape(data)}" shape-rendering="crispEdges">'
            f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
            f'<path fill="{dark}" d="{"".join(path)}"/></svg>')
