"""The print surface: registered beside the web and the kiosk, rendered from the same panel model.

Registered when the app is created (``exhibit.printing.init_app``); the wrapper template is
``print/_panel.html``, and the page around it ``print/page.html``.
"""

from __future__ import annotations

from ..surfaces import Surface, register_surface

PRINT = Surface(
    name="print", template="print/_panel.html",
    heading_level=1,  # the panel's title is the page's only h1
    outbound_links=False,  # paper has no links: the QR code leads online
    image_sizes="100vw",  # unused: print embeds the original files, not derivatives
    lazy_images=False)


def register() -> Surface:
    return register_surface(PRINT)
