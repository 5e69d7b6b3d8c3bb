"""WhiteNoise in front of the app: versioned assets and fingerprinted media, cached forever.

Media files come from the content, which is untrusted input: each is served with the type of what
it *is* (read from its first bytes when WhiteNoise indexes it, never from its name), and only
images, video, audio, captions and PDFs are shown inline; anything else is a download. The
security headers (``exhibit/security.py``) add ``nosniff`` and a sandboxing policy to every
``/media/`` answer, so a file opened as a document can never script this origin.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise

from .content.mediafiles import sniff
from .contentstore import get_store
from .media import URL_PREFIX, MediaBuildError, MediaLibrary

log = logging.getLogger(__name__)

# Both /static/<version>/ and /media/<hash>-... change name when their content changes.
IMMUTABLE_PREFIXES = ("/static/", URL_PREFIX)


#: Types a browser may show in the page (``Content-Disposition: inline``).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4",
                          "video/webm", "audio/mp4", "audio/webm", "audio/ogg", "audio/mpeg",
                          "text/vtt", "application/pdf"})
#: Every type a medium is served as; anything else (an HTML page, a script, a ZIP named .vtt)
#: is served as bytes to download. SVG is a download too: it is a document that can hold script.
SERVED_TYPES = INLINE_TYPES | {"image/svg+xml"}
UNKNOWN = "application/octet-stream"


def _content_type(path: str | Path) -> str:
    """The type a medium is served as, from what its bytes are (the content checker's own
    :func:`exhibit.content.mediafiles.sniff`), never from its name: a caption file called
    ``captions.html`` is text/vtt if it is WebVTT, and bytes to download otherwise."""
    kind = sniff(Path(path))
    return kind if kind in SERVED_TYPES else UNKNOWN


def media_headers(headers, path: str, url: str) -> None:
    """WhiteNoise's hook, once per file as it is indexed: a medium's type from its content,
    inline only for what a page shows; assets (the app's own files) keep their type."""
    if not url.startswith(URL_PREFIX):
        return
    mimetype = _content_type(path)
    # Text is UTF-8 (the checker reads captions as such); the header says so for the browser.
    headers["Content-Type"] = f"{mimetype}; charset=utf-8" if mimetype == "text/vtt" else mimetype
    # An SVG is a document that can hold script: it is never shown as a page of ours, even
    # sandboxed; <img> and poster= ignore the disposition and still draw it.
    disposition = "inline" if mimetype in INLINE_TYPES else "attachment"
    headers["Content-Disposition"] = disposition


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
                            mimetypes={".vtt": "text/vtt", ".webp": "image/webp"},
                            add_headers_function=media_headers)
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
