"""Review before publication: the reviewing organisations approve every panel version, and the
public sees only approved versions.

- :mod:`.decisions`: recording a decision, with its checks; :mod:`.store`: the only writer;
- :mod:`.diff`, :mod:`.audit`, :mod:`.blueprint`, :mod:`.commands`, :mod:`.demo`.

What is public (the rules, the snapshots, :func:`public_exhibition`) is :mod:`exhibit.publication`,
a layer below: every surface reads it without importing the review screens. The names below are
re-exported for the callers that know them from here.
"""

from __future__ import annotations

from flask import Flask

from ..publication import panel_version, public_exhibition

__all__ = ["init_app", "panel_version", "public_exhibition"]


def init_app(app: Flask) -> None:
    """The staff review screens and ``exhibit review`` (the public exhibition's cache is
    :func:`exhibit.publication.init_app`; the review record's part of the exhibition record is
    written by :mod:`exhibit.record`)."""
    from .blueprint import bp
    from .commands import review_cli

    app.register_blueprint(bp)
    app.cli.add_command(review_cli)
