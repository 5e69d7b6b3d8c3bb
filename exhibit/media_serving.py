"""WhiteNoise in front of the app: versioned assets and fingerprinted media, cached forever."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise

from .contentstore import get_store
from .media import URL_PREFIX, MediaLibrary

# Both /static/<version>/ and /media/<hash>-... change name when their content changes.
IMMUTABLE_PREFIXES = ("/static/", URL_PREFIX)


def _immutable(path: str, url: str) -> bool:
    return url.startswith(IMMUTABLE_PREFIXES)


def init_app(app: Flask) -> None:
    """Build the media derivatives for the current content and serve them with the assets."""
    library = MediaLibrary(Path(app.config["MEDIA_CACHE_DIR"]),
                           tuple(app.config["IMAGE_WIDTHS"]), int(app.config["IMAGE_QUALITY"]))
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
        library.build(exhibition)
        # WhiteNoise indexes files when they are added; index the new derivatives.
        whitenoise.add_files(str(library.cache_dir), prefix=URL_PREFIX.strip("/") + "/")

    get_store(app).on_change(rebuild)
    # The review's published versions may show media the files no longer have: it builds them too.
    app.extensions["exhibit.media_build"] = rebuild


def media_library() -> MediaLibrary:
    return current_app.extensions["exhibit.media"]
