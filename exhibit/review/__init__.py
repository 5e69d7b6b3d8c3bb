"""Review before publication: the reviewing organisations approve every panel version, and the
public sees only approved versions.

- :mod:`.state`: the rules (who must approve, what is published) over the review record;
- :mod:`.decisions`: recording a decision, with its checks; :mod:`.store`: the only writer;
- :mod:`.snapshot`: an approved version frozen (JSON, media by hash) and read back as a Panel;
- :mod:`.publication`: :func:`public_exhibition`, the one seam every public surface reads;
- :mod:`.diff`, :mod:`.audit`, :mod:`.blueprint`, :mod:`.commands`, :mod:`.demo`.

    from exhibit.review import public_exhibition
"""

from __future__ import annotations

from flask import Flask

from .publication import panel_version, public_exhibition

__all__ = ["init_app", "panel_version", "public_exhibition"]


def init_app(app: Flask) -> None:
    """The public exhibition's cache, the staff review screens, ``exhibit review``, and the
    review record as a part of the exhibition record."""
    from ..visits.record import register_record_part
    from ..visits.report import register_publication
    from . import publication
    from .audit import RECORD_PART
    from .blueprint import bp
    from .commands import review_cli
    from .report_source import published_for_report

    publication.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(review_cli)
    register_record_part(app, RECORD_PART)
    register_publication(app, published_for_report)
