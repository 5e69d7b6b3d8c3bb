"""What is public: the review record read with plain rules, approved versions frozen as snapshots,
and :func:`public_exhibition`, the one seam every public surface reads.

- :mod:`.state`: the rules (who must approve, what is published) over the review record;
- :mod:`.snapshot`: an approved version frozen (JSON, media by hash) and read back as a Panel;
- :mod:`.public`: :func:`public_exhibition` and :func:`panel_version`, cached per app.

It sits below every surface (web, kiosk, api, print) and below the review screens, which write the
decisions it reads: none of them is imported here.

    from exhibit.publication import public_exhibition
"""

from __future__ import annotations

from .public import init_app, panel_version, public_exhibition

__all__ = ["init_app", "panel_version", "public_exhibition"]
