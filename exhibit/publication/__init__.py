"""What is public: the review record read with plain rules, approved versions frozen as snapshots,
and :func:`public_exhibition`, the one seam every public surface reads.

- :mod:`.state`: the rules (who must approve, what is published) over the review record;
- :mod:`.snapshot`: an approved version frozen (JSON, media by hash) and read back as a Panel;
- :mod:`.public`: :func:`public_exhibition` and :func:`panel_version`, cached per app;
- :mod:`.report_source`: the published panels with their approvals, for the summary report.

It sits below every surface (web, kiosk, api, print) and below the review screens, which write the
decisions it reads: none of them is imported here.

    from exhibit.publication import public_exhibition
"""

from __future__ import annotations

from flask import Flask

from ..visits.report import register_publication
from . import public
from .public import panel_version, public_exhibition
from .report_source import published_for_report

__all__ = ["init_app", "panel_version", "public_exhibition"]


def init_app(app: Flask) -> None:
    """The public exhibition's cache (invalidated on every content change), and what is
    published told to the summary report, which sits below and cannot ask."""
    public.init_app(app)
    register_publication(app, published_for_report)
