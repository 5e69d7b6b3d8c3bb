"""The live exhibition of a running app: loaded at start, reloaded when the files change.

A reload that fails for any reason (invalid content, or a fault in the loader itself) keeps the
last valid exhibition and logs why, so an author's half-saved edit never takes the site down; the
failure shows in ``/healthz`` as ``content_reload_error``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

from .content import Exhibition, InvalidContent, load_exhibition

log = logging.getLogger(__name__)


def _tree_signature(*roots: Path) -> tuple:
    """Cheap change detector: names, sizes and modification times of every file."""
    entries = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except OSError:
                    continue
                entries.append((dirpath, name, st.st_size, st.st_mtime_ns))
    return tuple(entries)


class ContentStore:
    """Holds the current :class:`Exhibition` and swaps it atomically on a valid reload."""

    def __init__(self, root: Path, reload_seconds: float):
        self.root = root
        self.reload_seconds = reload_seconds
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._listeners: list[Callable[[Exhibition], None]] = []
        self.exhibition = load_exhibition(root)  # raises InvalidContent: the app must not start
        self._signature = self._signature_now()
        self.last_error: str | None = None

    def _signature_now(self) -> tuple:
        return _tree_signature(self.root, self.exhibition.media_root)

    def on_change(self, listener: Callable[[Exhibition], None]) -> None:
        """Call ``listener(exhibition)`` now and after every successful reload."""
        self._listeners.append(listener)
        listener(self.exhibition)

    def current(self) -> Exhibition:
        """The exhibition to serve, reloading first if the files changed (at most every N s)."""
        if self.reload_seconds and time.monotonic() - self._checked_at >= self.reload_seconds:
            self.refresh()
        return self.exhibition

    def refresh(self) -> bool:
        """Reload if the files changed; True when a new valid exhibition is now served."""
        with self._lock:
            self._checked_at = time.monotonic()
            signature = self._signature_now()
            if signature == self._signature:
                return False
            self._signature = signature
            try:
                exhibition = load_exhibition(self.root)
            except InvalidContent as exc:
                self.last_error = exc.report()
                log.error("content reload failed; still serving the last valid version:\n%s",
                          self.last_error)
                return False
            except Exception as exc:  # noqa: BLE001 - a loader fault must not become a 500
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("content reload failed unexpectedly; still serving the last valid "
                              "version")
                return False
            self.exhibition = exhibition
            self.last_error = None
        log.info("content reloaded: version %s", exhibition.fingerprint)
        for listener in self._listeners:
            listener(exhibition)
        return True


def init_app(app: Flask) -> None:
    """Load the content (refusing to start on invalid content) and attach the store."""
    root = Path(app.config["CONTENT_DIR"])
    app.extensions["exhibit.content"] = ContentStore(root, app.config["CONTENT_RELOAD_SECONDS"])


def get_store(app: Flask | None = None) -> ContentStore:
    return (app or current_app).extensions["exhibit.content"]


def exhibition() -> Exhibition:
    """The exhibition for the current request."""
    return get_store().current()
