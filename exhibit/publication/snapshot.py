"""A panel version frozen at approval: the :class:`~exhibit.content.Panel` as JSON, its media
copied by hash. Decoding gives back the same frozen objects, so every surface renders a published
version through the same code as the files (nothing here knows about Flask).

The JSON mirrors the dataclasses of :mod:`exhibit.content.model`: each one as an object with
``"$type"``, localised texts as ``{"$localized": {...}}``, other mappings as ``{"$map": {...}}``,
tuples as lists. A media file keeps its path, size and SHA-256; where it lives is decided on
decoding (the content-addressed copy under ``PUBLISHED_MEDIA_DIR``), never stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..content import (
    Figure,
    FigureRow,
    Image,
    KeyFigure,
    Localized,
    MediaFile,
    Panel,
    Source,
    Video,
)

FORMAT = 1  # bump when the JSON changes in a way old readers cannot follow
# The only classes a snapshot may name: decoding never builds anything else.
TYPES = {cls.__name__: cls for cls in (Panel, Image, KeyFigure, Figure, FigureRow, Video, Source)}
COPY_CHUNK = 1 << 20


class SnapshotError(Exception):
    """A snapshot that cannot be taken or read back (a changed or missing media file)."""


# -- encoding -----------------------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, Localized):
        return {"$localized": dict(value)}
    if isinstance(value, MediaFile):
        return {"$type": "MediaFile", "path": value.path, "sha256": value.sha256,
                "size": value.size}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__name__ not in TYPES:
            raise TypeError(f"cannot snapshot a {type(value).__name__}")
        return {"$type": type(value).__name__,
                **{f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, Mapping):
        return {"$map": {str(k): _encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot snapshot a {type(value).__name__}")


def encode(panel: Panel) -> str:
    """The panel as JSON text (stable: the same panel always gives the same bytes). Keys keep
    their order: the order of languages and caption tracks is part of what is shown."""
    return json.dumps({"format": FORMAT, "panel": _encode(panel)}, ensure_ascii=False,
                      separators=(",", ":"))


# -- decoding -----------------------------------------------------------------------------------

def media_path(media_dir: Path, media: MediaFile) -> Path:
    """Where the copy of a media file lives: named by its hash (``ab/ab12…ef.png``)."""
    return Path(media_dir) / media.sha256[:2] / (media.sha256 + Path(media.path).suffix.lower())


def _decode(value: Any, media_dir: Path) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item, media_dir) for item in value)
    if not isinstance(value, dict):
        return value
    if "$localized" in value:
        return Localized(value["$localized"])
    if "$map" in value:
        return {k: _decode(v, media_dir) for k, v in value["$map"].items()}
    kind = value.get("$type")
    if kind == "MediaFile":
        media = MediaFile(value["path"], Path(), value["sha256"], value["size"])
        copy = media_path(media_dir, media)
        if not copy.is_file():
            raise SnapshotError(f"the published copy of {media.path} is missing ({copy})")
        return dataclasses.replace(media, absolute=copy)
    cls = TYPES.get(kind)
    if cls is None:
        raise SnapshotError(f"unknown type {kind!r} in a snapshot")
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: _decode(v, media_dir) for k, v in value.items() if k in known})


def decode(text: str, media_dir: Path) -> Panel:
    """The frozen :class:`Panel` of a snapshot, its media pointing at the published copies."""
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise SnapshotError(f"snapshot format {data.get('format')!r}; this version reads "
                                f"{FORMAT}")
        panel = _decode(data["panel"], Path(media_dir))
    except SnapshotError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(f"unreadable snapshot: {exc}") from exc
    if not isinstance(panel, Panel):
        raise SnapshotError("a snapshot must hold a panel")
    return panel


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- media ----------------------------------------------------------------------------------------

def keep_media(panel: Panel, media_dir: Path) -> None:
    """Copy the panel's media files into the content-addressed store (those not there yet).

    Each copy is checked against the hash the content was loaded with: a file changed on disk
    since then is refused, so what is kept is exactly what the reviewer saw.
    """
    for media in panel.media_files():
        target = media_path(media_dir, media)
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            sha = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, media.absolute.open("rb") as source:
                for chunk in iter(lambda: source.read(COPY_CHUNK), b""):
                    sha.update(chunk)
                    out.write(chunk)
            if sha.hexdigest() != media.sha256:
                raise SnapshotError(f"{media.path} changed on disk since the content was loaded")
            os.replace(tmp, target)
        except OSError as exc:
            raise SnapshotError(f"cannot keep a copy of {media.path}: {exc}") from exc
        finally:
            Path(tmp).unlink(missing_ok=True)
