"""The JSON API: ``/api/v1/panels`` (the kiosk's manifest), ``/api/v1/openapi.json`` (the API's
OpenAPI description, docs/api.md in prose), JSON errors under ``/api/``, and ``/healthz``."""

from .blueprint import bp

__all__ = ["bp"]
