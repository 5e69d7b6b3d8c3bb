"""The demo exhibition's simulated life: ``exhibit demo record`` (a whole exhibition's visits,
channel figures and photos, stored through the real write paths). Above the staff and review
screens, beside the record: nothing imports it but the factory."""

from __future__ import annotations

from flask import Flask

from .record import demo_cli

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """``exhibit demo``."""
    app.cli.add_command(demo_cli)
