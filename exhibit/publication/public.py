"""The one seam that decides what the public sees: :func:`public_exhibition`.

The topic page, the panel pages, the sitemap, ``/api/v1/panels``, the kiosk (page, precache list,
manifests) and final print files all ask it. It returns the exhibition with, for each panel, its
newest published version (see :mod:`.state`): the files' panel when the files hold a published
version, else the snapshot taken at approval, decoded into the same frozen objects; a panel with
no published version is left out. With review off (``review: enabled: false``) it is the files.

It is cached, and computed again when the content reloads, when this process records a decision,
or when the database shows another process did (checked every ``REVIEW_RECHECK_SECONDS``).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import Flask, current_app

from ..content import Exhibition, Panel
from ..contentstore import get_store
from ..visits.db import get_engine
from .snapshot import SnapshotError, decode
from .state import ReviewState, load_decisions, load_sections, load_snapshot, record_mark

log = logging.getLogger(__name__)


class Publication:
    """The public exhibition of one app, cached; the decoded snapshots, kept (they never change)."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.RLock()
        self._public: Exhibition | None = None
        self._made_from: Exhibition | None = None  # the files' exhibition it was made from
        self._mark: tuple[int, int] | None = None
        self._checked_at = 0.0
        self._snapshots: dict[tuple[str, str], Panel | None] = {}

    def invalidate(self, _exhibition: Exhibition | None = None) -> None:
        """Compute again on the next request (a decision was recorded, the content reloaded)."""
        with self._lock:
            self._public = None
            self._mark = None

    def exhibition(self) -> Exhibition:
        files = get_store(self.app).current()
        if not files.review_enabled:
            return files
        with self._lock:
            self._check_record()
            if self._public is None or self._made_from is not files:
                self._public = self._compute(files)
                self._made_from = files
            return self._public

    def _check_record(self) -> None:
        seconds = float(self.app.config["REVIEW_RECHECK_SECONDS"])
        now = time.monotonic()
        if self._public is not None and self._mark is not None and seconds \
                and now - self._checked_at < seconds:
            return
        self._checked_at = now
        mark = record_mark(get_engine(self.app))
        if mark != self._mark:
            self._mark = mark
            self._public = None

    def _compute(self, files: Exhibition) -> Exhibition:
        engine = get_engine(self.app)
        state = ReviewState(files, load_decisions(engine), load_sections(engine))
        sections = {s.id: i for i, s in enumerate(files.sections)}
        panels: list[Panel] = []
        from_snapshots = False
        for panel in files.panels:
            published = state.published(panel)
            if published is None:
                continue
            if published.version == panel.version:
                panels.append(panel)
                continue
            shown = self.snapshot(panel.slug, published.version)
            if shown is None:
                continue
            if shown.section not in sections or not all(
                    lang in shown.title and lang in shown.body for lang in files.languages):
                # The exhibition changed around it (a section removed, a language added): the
                # old version cannot be shown as it was approved.
                log.warning("published version %s of %s no longer fits the exhibition (section "
                            "or languages); not shown", published.version, panel.slug)
                continue
            panels.append(shown)
            from_snapshots = True
        if len(panels) == len(files.panels) and all(
                a is b for a, b in zip(panels, files.panels, strict=True)):
            return files  # everything in the files is published: the same object, same fingerprint
        panels.sort(key=lambda p: (sections[p.section], p.order, p.slug))
        public = files.with_panels(tuple(panels))
        if from_snapshots:
            build = self.app.extensions.get("exhibit.media_build")
            if build:  # derivatives of images that are no longer in the files
                build(public)
        return public

    def snapshot(self, slug: str, version: str) -> Panel | None:
        """The panel as it was approved, from its snapshot; None when there is none (or it
        cannot be read: logged)."""
        key = (slug, version)
        with self._lock:
            if key in self._snapshots:
                return self._snapshots[key]
            data = load_snapshot(get_engine(self.app), slug, version)
            if data is None:
                return None  # not remembered: another process may take it later
            try:
                panel = decode(data, Path(self.app.config["PUBLISHED_MEDIA_DIR"]))
            except SnapshotError as exc:
                # Remembered as unreadable, so the log says it once, not on every request.
                log.error("cannot show published version %s of %s: %s", version, slug, exc)
                panel = None
            self._snapshots[key] = panel
            return panel

def publication(app: Flask | None = None) -> Publication:
    return (app or current_app).extensions["exhibit.publication"]


def public_exhibition(app: Flask | None = None) -> Exhibition:
    """What the public sees: each panel's newest published version (the files, when review is
    off). Every public surface renders from this."""
    return publication(app).exhibition()


def panel_version(app: Flask | None, slug: str, version: str) -> Panel | None:
    """One exact version of a panel: the files' panel when it is that version, else its snapshot."""
    app = app or current_app._get_current_object()
    panel = get_store(app).current().panel(slug)
    if panel is not None and panel.version == version:
        return panel
    return publication(app).snapshot(slug, version)


def init_app(app: Flask) -> None:
    app.extensions["exhibit.publication"] = Publication(app)
    get_store(app).on_change(app.extensions["exhibit.publication"].invalidate)
