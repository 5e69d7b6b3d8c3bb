"""The public topic page and panel pages: ``/<lang>/`` and ``/<lang>/panels/<slug>/``."""

from .blueprint import bp

__all__ = ["bp"]
