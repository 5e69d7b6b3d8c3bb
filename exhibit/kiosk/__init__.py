"""The touch-screen kiosk: ``/kiosk/?kiosk=<id>``."""

from .blueprint import bp

__all__ = ["bp"]
