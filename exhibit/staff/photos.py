"""Photo records of the exhibition: only real images, re-encoded, never stored under the uploaded
name, and refused when too large in bytes or pixels (decompression bombs)."""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Stored photos are at most this wide or high: plenty for a report and an archive of the show.
MAX_STORED_SIDE = 4000


class PhotoError(ValueError):
    """Why an upload was refused, in words for the person who uploaded it."""


@dataclass(frozen=True)
class StoredPhoto:
    id: str
    width: int
    height: int
    bytes: int
    sha256: str


def store_photo(data: bytes, folder: Path, *, max_bytes: int, max_pixels: int) -> StoredPhoto:
    """Check and re-encode an uploaded image as JPEG under a new random name."""
    if len(data) > max_bytes:
        raise PhotoError(f"the file is larger than {max_bytes // 1_000_000} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (width, height) = probe.format, probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise PhotoError(f"{fmt or 'this'} files are not accepted; upload a JPEG, "
                                     f"PNG or WebP photo")
                if width * height > max_pixels:
                    raise PhotoError(f"the image has {width * height:,} pixels; the limit is "
                                     f"{max_pixels:,}")
                probe.verify()
            with Image.open(io.BytesIO(data)) as source:
                image = ImageOps.exif_transpose(source).convert("RGB")
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("the image is too large to open safely") from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoError("the file is not a readable image") from None
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)  # no EXIF: no location data kept
    encoded = out.getvalue()
    photo_id = str(uuid.uuid4())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{photo_id}.jpg").write_bytes(encoded)
    return StoredPhoto(photo_id, image.width, image.height, len(encoded),
                       hashlib.sha256(encoded).hexdigest())
