"""WhiteNoise in front of the app: versioned assets and fingerprinted media, cached forever.

Media files come from the content, which is untrusted input: each is served with the type of what
it *is* (read from its first bytes when WhiteNoise indexes it, never from its name), and only
images, video, audio, captions and PDFs are shown inline; anything else is a download. The
security headers (``exhibit/security.py``) add ``nosniff`` and a sandboxing policy to every
``/media/`` answer, so a file opened as a document can never script this origin.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise

from .contentstore import get_store
from .media import URL_PREFIX, MediaBuildError, MediaLibrary

log = logging.getLogger(__name__)

# Both /static/<version>/ and /media/<hash>-... change name when their content changes.
IMMUTABLE_PREFIXES = ("/static/", URL_PREFIX)


#: What media files may be served as, by their leading bytes (offset, bytes). Only types the
#: content uses; the order matters where one signature is a prefix of another's container.
SIGNATURES: tuple[tuple[str, tuple[tuple[int, bytes], ...]], ...] = (
    ("image/jpeg", ((0, b"\xff\xd8\xff"),)),
    ("image/png", ((0, b"\x89PNG\r\n\x1a\n"),)),
    ("image/webp", ((0, b"RIFF"), (8, b"WEBP"))),
    ("image/gif", ((0, b"GIF8"),)),
    ("video/mp4", ((4, b"ftyp"),)),
    ("video/webm", ((0, b"\x1a\x45\xdf\xa3"),)),
    ("audio/ogg", ((0, b"OggS"),)),
    ("audio/mpeg", ((0, b"ID3"),)),
    ("application/pdf", ((0, b"%PDF-"),)),
)
#: Types a browser may show in the page (``Content-Disposition: inline``); the rest download.
INLINE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/webm",
                "audio/ogg", "audio/mpeg", "text/vtt", "application/pdf")
UNKNOWN = "application/octet-stream"
SNIFF_BYTES = 512  # enough for every signature above and an XML prolog before <svg
_VTT_HEADER = re.compile(rb"^(?:\xef\xbb\xbf)?WEBVTT(?:[ \t\r\n]|$)")
_SVG = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]",
                  re.IGNORECASE | re.DOTALL)


def _content_type(path: str | Path) -> str | None:
    """The media type of the file at ``path`` from its content (magic bytes), or None when it
    is none of the types media are served as. The name is never looked at: a caption file
    called ``captions.html`` is text/vtt if it is WebVTT, and unknown otherwise.

    The content checker's ``exhibit.content.mediafiles.sniff`` answers the same question; this
    function is where serving asks it."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    for mimetype, parts in SIGNATURES:
        if all(head[offset:offset + len(magic)] == magic for offset, magic in parts):
            return mimetype
    if head[:1] == b"\xff" and len(head) > 1 and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"  # an MPEG audio frame without an ID3 tag
    if _VTT_HEADER.match(head):
        return "text/vtt"
    if _SVG.match(head):
        return "image/svg+xml"
    return None


def media_headers(headers, path: str, url: str) -> None:
    """WhiteNoise's hook, once per file as it is indexed: a medium's type from its content,
    inline only for what a page shows; assets (the app's own files) keep their type."""
    if not url.startswith(URL_PREFIX):
        return
    mimetype = _content_type(path) or UNKNOWN
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
