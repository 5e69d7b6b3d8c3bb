"""The touch-screen kiosk: ``/kiosk/?kiosk=<id>``."""

from .blueprint import bp, init_app

__all__ = ["bp", "init_app"]
