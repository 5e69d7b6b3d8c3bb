"""Print-ready panels: the third surface of the panel model, as PDF files a print shop accepts.

    from exhibit.printing import render_set, PrintOptions

The pieces: :mod:`.sizes` (A0, A1, roll-up, custom), :mod:`.layout` (geometry scaled from A0),
:mod:`.colour` (CMYK through the output-intent profile), :mod:`exhibit.qr`, :mod:`.preflight`,
:mod:`.render` (WeasyPrint), :mod:`exhibit.printworker` and :mod:`.runner` (the rendering child process with
its time and memory limits), :mod:`.cli` (``exhibit print``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from .address import PlaceholderAddress, require_public_address
from .render import PrintOptions
from .runner import PrintFailed, RenderReport, render_set
from .sizes import SIZES, PageSize, SizeError, parse_size

__all__ = ["SIZES", "PageSize", "PlaceholderAddress", "PrintFailed", "PrintOptions", "RenderReport",
           "SizeError", "init_app", "parse_size", "render_set", "require_public_address"]

# No routes: the blueprint only lends its templates/ folder (print/...) to the app.
bp = Blueprint("print", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the print surface, its templates and the ``exhibit print`` command."""
    from . import surface
    from .cli import print_command
    from .render import image_max_mm, orientation

    surface.register()
    app.register_blueprint(bp)
    app.add_template_global(orientation, "print_orientation")
    app.add_template_global(image_max_mm, "print_image_max_mm")
    app.cli.add_command(print_command)
