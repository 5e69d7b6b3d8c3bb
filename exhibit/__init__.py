"""exhibit: one exhibition, written once, shown on a kiosk, on the web and on paper."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .version import __version__

__all__ = ["__version__", "create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, languages, content, media, templates, blueprints.

    Raises :class:`exhibit.content.InvalidContent` when the content is invalid: the server must not
    start on a broken exhibition.
    """
    # The factory is the top of the layer graph (tests/test_layers.py): it may import every
    # package, and nothing imports it but the programs that start an app (cli, wsgi, printworker).
    # Its imports stay in here so that importing a lower piece (exhibit.content, pure) does not
    # load the whole app, and the print child limits its memory before WeasyPrint is imported.
    from . import (
        assets,
        contentstore,
        demo,
        errors,
        i18n,
        limits,
        media_serving,
        printing,
        publication,
        record,
        review,
        security,
        staff,
        views,
        visits,
    )
    from . import config as configuration

    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    configuration.load(app, config)
    i18n.init_app(app)
    contentstore.init_app(app)
    assets.init_app(app)
    media_serving.init_app(app)
    limits.init_app(app)
    views.init_app(app)
    errors.init_app(app)
    visits.init_app(app)
    staff.init_app(app)
    printing.init_app(app)
    publication.init_app(app)
    review.init_app(app)
    record.init_app(app)
    demo.init_app(app)
    security.init_app(app)  # last: its middleware wraps WhiteNoise, ProxyFix wraps everything
    return app
