"""The visit log: events in, stored once, counted without knowing the visitor, exported."""

from __future__ import annotations

from flask import Flask

from . import crossorigin, db
from .ingest import SaltCache
from .timezone import local_time, zone


def init_app(app: Flask) -> None:
    from .blueprint import bp
    from .commands import export_cli
    from .importing import import_cli

    db.init_app(app)
    # The zone is read once: a wrong TIMEZONE stops the app at start, with its name.
    app.extensions["exhibit.salts"] = SaltCache(db.get_engine(app), zone(app))
    app.register_blueprint(bp)
    crossorigin.init_app(app)
    app.cli.add_command(export_cli)
    app.cli.add_command(import_cli)
    # Staff screens show moments on the exhibition's clock, and say which clock:
    # {{ at|exhibition_time }} under a heading made with exhibition_zone().
    tz = zone(app)
    app.add_template_filter(lambda at: local_time(at, tz).strftime("%Y-%m-%d %H:%M"),
                            "exhibition_time")
    app.add_template_global(lambda: str(tz), "exhibition_zone")
