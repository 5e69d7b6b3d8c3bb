"""The version of exhibit, on its own so that any layer may name it (``exhibit.__version__``
re-exports it)."""

__version__ = "0.1.0"
