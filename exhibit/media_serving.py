"""WhiteNoise in front of the app: versioned assets and fingerprinted media, cached forever."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise

from .contentstore import get_store
from .media import URL_PREFIX, MediaBuildError, MediaLibrary

log = logging.getLogger(__name__)

# Both /static/<version>/ and /media/<hash>-... change name when their content changes.
IMMUTABLE_PREFIXES = ("/static/", URL_PREFIX)


def _immutable(path: str, url: str) -> bool:
    return url.startswith(IMMUTABLE_PREFIXES)


def init_app(app: Flask) -> None:
    """Build the media derivatives for the current content and serve them with the assets."""
    library = MediaLibrary(Path(app.config["MEDIA_CACHE_DIR"]),
                           tuple(app.config["IMAGE_WIDTHS"]), int(app.config["IMAGE_QUALITY"]),
                           memory_mb=int(app.config["MEDIA_MEMORY_MB"]),
                           timeout_seconds=float(app.config["MEDIA_TIMEOUT_SECONDS"]))
    app.extensions["exhibit.media"] = library
    whitenoise = WhiteNoise(app.wsgi_app, immutable_file_test=_immutable,
                            # Unversioned files (none today) may be cached for a minute.
                            max_age=60, allow_all_origins=False,
                            # Captions must be text/vtt: browsers may refuse another type.
                            mimetypes={".vtt": "text/vtt", ".webp": "image/webp"})
    whitenoise.add_files(str(app.extensions["exhibit.static_dir"]),
                         prefix=f"static/{app.extensions['exhibit.static_version']}/")
    app.wsgi_app = whitenoise

    def rebuild(exhibition) -> None:
        try:
            library.build(exhibition)
        finally:
            # WhiteNoise indexes files when they are added; index the new derivatives (those
            # that were made, even when another failed).
            whitenoise.add_files(str(library.cache_dir), prefix=URL_PREFIX.strip("/") + "/")

    def rebuild_on_reload(exhibition) -> None:
        # At start a failure stops the server (like invalid content); on a live reload the site
        # stays up and the log names the image: its derivatives are missing until it is fixed.
        try:
            rebuild(exhibition)
        except MediaBuildError as exc:
            log.error("%s", exc)

    store = get_store(app)
    at_start = store.exhibition
    rebuild(at_start)  # raises MediaBuildError: refuse to start, as for invalid content

    def on_change(exhibition) -> None:
        if exhibition is not at_start:  # on_change also calls back at once, with this one
            rebuild_on_reload(exhibition)

    store.on_change(on_change)
    # The review's published versions may show media the files no longer have: it builds them too.
    app.extensions["exhibit.media_build"] = rebuild


def media_library() -> MediaLibrary:
    return current_app.extensions["exhibit.media"]
