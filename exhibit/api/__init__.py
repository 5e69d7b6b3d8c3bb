"""The JSON API: ``/api/v1/panels`` (the kiosk's manifest) and ``/healthz``."""

from .blueprint import bp

__all__ = ["bp"]
