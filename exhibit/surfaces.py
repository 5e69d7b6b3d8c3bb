"""The surfaces a panel is rendered on, as a registry.

A surface is data (its wrapper template and a few switches); the panel partials under
``templates/panel/`` are shared by all of them. Adding a surface (print, an embed) is one
:func:`register_surface` call and one wrapper template, never an ``if surface == ...``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from .content import Panel, shift_headings, strip_links


@dataclass(frozen=True)
class Surface:
    name: str
    template: str  # wraps the shared panel partials
    heading_level: int  # the level of the panel's title; text headings go one below
    outbound_links: bool  # False on the kiosk: a visitor must have no way out
    image_sizes: str  # the <img sizes> attribute: how wide images are shown on this surface
    lazy_images: bool  # below-the-fold images load lazily on scrolling surfaces
    # A narrow version of each chart beside the wide one, shown when the figure is narrower than
    # 500 CSS px (panel.css): on a phone, chart text is not scaled below 12 px.
    narrow_charts: bool = False


SURFACES: dict[str, Surface] = {}


def register_surface(surface: Surface) -> Surface:
    """Make a surface available to :func:`render_panel` by its name."""
    SURFACES[surface.name] = surface
    return surface


def panel_body(panel: Panel, lang: str, surface: Surface) -> Markup:
    """The panel's text for a surface: headings nested under the title, links as allowed."""
    html = shift_headings(panel.body[lang], surface.heading_level - 1)
    if not surface.outbound_links:
        html = strip_links(html)
    return Markup(html)  # sanitised by nh3 when the content was loaded


def render_panel(panel: Panel, lang: str, surface_name: str, **context) -> Markup:
    """Render one panel on the named surface."""
    surface = SURFACES[surface_name]
    html = render_template(surface.template, panel=panel, lang=lang, surface=surface,
                           body=panel_body(panel, lang, surface), **context)
    return Markup(html.strip())


register_surface(Surface(
    name="web", template="web/_panel.html", heading_level=1, outbound_links=True,
    image_sizes="(min-width: 960px) 880px, 100vw", lazy_images=True, narrow_charts=True))
register_surface(Surface(
    name="kiosk", template="kiosk/_panel.html", heading_level=2, outbound_links=False,
    image_sizes="(orientation: portrait) 100vw, 50vw", lazy_images=False))
