"""The exhibition record: one ZIP with the summary report, the visit log, the channel figures, the
photos, the print files and the review record (:mod:`.archive`), its staff downloads
(:mod:`.views`) and ``exhibit export record`` (:mod:`.commands`).

The highest layer: it gathers the parts of every domain (visits, printing, review) and nothing
imports it but the app factory.
"""

from __future__ import annotations

from flask import Flask

# Its routes join the staff blueprint, so they are added when this package is imported: before
# staff.init_app registers that blueprint.
from . import views  # noqa: F401
from .commands import export_record

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """``exhibit export record`` (in the ``export`` group of the visit log)."""
    from ..visits.commands import export_cli

    export_cli.add_command(export_record)
