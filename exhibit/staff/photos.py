"""Photo records of the exhibition: only real images, re-encoded, never stored under the uploaded
name, and refused when too large in bytes or pixels (decompression bombs).

What is refused, each with a message saying why:

- anything but a JPEG, PNG or WebP image, recognised by its content (a PDF, an SVG, an HTML page
  named ``.jpg``, a GIF...), never by its name or the type the browser claims;
- an image with something else in it: bytes after the end of the image (another file appended,
  a phone's motion-photo video) or markup in its metadata (HTML, script, PHP, PDF) — the
  polyglots that some other program might open as something else;
- an image with more than ``max_pixels`` pixels: refused from its header, before it is decoded.

What is kept is a new JPEG encoded from the pixels alone: no metadata (EXIF, GPS position, camera
serial, comments) survives, and it is stored as ``<random uuid>.jpg``.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext
from PIL import Image, ImageOps

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Stored photos are at most this wide or high: plenty for a report and an archive of the show.
MAX_STORED_SIDE = 4000
# Markup that makes a file something a browser, a PHP interpreter or a PDF reader would run or
# open, looked for in the image's metadata only: in compressed pixels (and in the small compressed
# thumbnails of metadata) short byte strings turn up by chance, so the patterns are long enough
# for that to be about one in a million photos.
ACTIVE_CONTENT = re.compile(rb"<\s*(script|html|iframe)\b|<\?php|<!doctype|%PDF-|javascript:",
                            re.IGNORECASE)
# Other kinds of file people upload by mistake (or on purpose), named in the refusal.
OTHER_KINDS = ((b"%PDF-", "PDF"), (b"PK\x03\x04", "ZIP"), (b"GIF8", "GIF"),
               (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))


class PhotoError(ValueError):
    """Why an upload was refused, in words for the person who uploaded it."""


@dataclass(frozen=True)
class StoredPhoto:
    id: str
    width: int
    height: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class _Layout:
    """Where an image file ends by its own structure, and its metadata blocks."""

    end: int | None  # None: the structure could not be followed (the decoder decides)
    metadata: list[bytes]


def _jpeg_layout(data: bytes) -> _Layout:
    """Follow a JPEG's markers to its end (EOI); APPn and COM segments are metadata."""
    metadata: list[bytes] = []
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            return _Layout(None, metadata)
        while i < n and data[i] == 0xFF:  # fill bytes before a marker
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker == 0xD9:  # end of image
            return _Layout(i, metadata)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        if i + 2 > n:
            break
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2:
            break
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            metadata.append(data[i + 2:i + length])
        i += length
        if marker == 0xDA:  # start of scan: compressed data up to the next real marker
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    return _Layout(None, metadata)
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart
                    i = j + 2
                elif following == 0xFF:
                    i = j + 1
                else:
                    i = j
                    break
    return _Layout(None, metadata)


def _png_layout(data: bytes) -> _Layout:
    """Follow a PNG's chunks to IEND; every chunk but the pixels' is metadata."""
    metadata: list[bytes] = []
    i, n = 8, len(data)
    while i + 8 <= n:
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        end = i + 12 + length
        if end > n:
            break
        if kind not in (b"IDAT", b"fdAT"):
            metadata.append(data[i + 8:i + 8 + length])
        if kind == b"IEND":
            return _Layout(end, metadata)
        i = end
    return _Layout(None, metadata)


def _webp_layout(data: bytes) -> _Layout:
    """A WebP is one RIFF container: its size is in its header; EXIF and XMP are metadata."""
    size = int.from_bytes(data[4:8], "little")
    end = 8 + size + (size & 1)
    metadata: list[bytes] = []
    i = 12
    while i + 8 <= min(end, len(data)):
        kind = data[i:i + 4]
        length = int.from_bytes(data[i + 4:i + 8], "little")
        if kind in (b"EXIF", b"XMP ", b"ICCP"):
            metadata.append(data[i + 8:i + 8 + length])
        i += 8 + length + (length & 1)
    return _Layout(end, metadata)


LAYOUTS = {"JPEG": _jpeg_layout, "PNG": _png_layout, "WEBP": _webp_layout}


def _refuse_hidden_content(data: bytes, fmt: str) -> None:
    """Refuse a file that is also something else: data after the image, markup in metadata."""
    layout = LAYOUTS[fmt](data)
    if layout.end is not None and data[layout.end:].strip(b"\x00\xff"):
        raise PhotoError(gettext(
            "The file has %(num)d bytes of something else after the image (another file, or a "
            "phone's motion-photo video). Save it again as a plain JPEG, PNG or WebP photo.",
            num=len(data) - layout.end))
    if any(ACTIVE_CONTENT.search(block) for block in layout.metadata):
        raise PhotoError(gettext(
            "The image's metadata holds web page, script or PDF code, so it is refused. Save the "
            "photo again as a plain JPEG, PNG or WebP photo."))


def _not_a_photo(data: bytes) -> PhotoError:
    """The refusal for a file Pillow cannot open as an image, naming what it seems to be."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    kind = next((name for magic, name in OTHER_KINDS if data.startswith(magic)), None)
    if kind is None and head.startswith((b"<svg", b"<?xml")) and b"<svg" in head:
        kind = "SVG"
    elif kind is None and head.startswith((b"<!doctype html", b"<html", b"<head", b"<body",
                                           b"<script")):
        kind = "HTML"
    if kind:
        return PhotoError(gettext(
            "The file is of type %(kind)s, not a photo: upload a JPEG, PNG or WebP photo.",
            kind=kind))
    return PhotoError(gettext(
        "The file is not a readable image: upload a JPEG, PNG or WebP photo."))


def store_photo(data: bytes, folder: Path, *, max_bytes: int, max_pixels: int) -> StoredPhoto:
    """Check and re-encode an uploaded image as JPEG under a new random name."""
    if len(data) > max_bytes:
        raise PhotoError(gettext("The file is larger than %(num)s MB.",
                                 num=f"{max_bytes / 1_000_000:g}"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Opening reads the header only: the format and the size are known before any
            # pixel is decoded.
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (width, height) = probe.format, probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise PhotoError(gettext(
                        "%(format)s files are not accepted: upload a JPEG, PNG or WebP photo.",
                        format=fmt or "?"))
                if width * height > max_pixels:
                    raise PhotoError(gettext(
                        "The image has %(pixels)s pixels; the limit is %(limit)s.",
                        pixels=f"{width * height:,}", limit=f"{max_pixels:,}"))
                _refuse_hidden_content(data, fmt)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as source:
                image = ImageOps.exif_transpose(source).convert("RGB")
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(gettext("The image is too large to open safely.")) from None
    except Image.UnidentifiedImageError:
        raise _not_a_photo(data) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise PhotoError(gettext(
            "The file is not a readable image: upload a JPEG, PNG or WebP photo.")) from None
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    # Only the pixels: Pillow carries some metadata of the source over in `info` (a JPEG's
    # comment, its ICC profile...) and writes it again on save unless it is dropped here.
    image.info.clear()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    encoded = out.getvalue()
    photo_id = str(uuid.uuid4())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{photo_id}.jpg").write_bytes(encoded)
    return StoredPhoto(photo_id, image.width, image.height, len(encoded),
                       hashlib.sha256(encoded).hexdigest())
