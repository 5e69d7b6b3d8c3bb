"""Image derivatives and fingerprinted media, served by WhiteNoise under ``/media/``.

Every image becomes several widths in WebP with a JPEG fallback (EXIF orientation applied,
metadata dropped); videos, posters and captions are copied under a name that carries their content
hash. Names change when the source changes, so browsers and CDNs may keep them forever, and a file
is only ever built once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps

from .content import Exhibition, Image, MediaFile

log = logging.getLogger(__name__)
URL_PREFIX = "/media/"
FORMATS = (("webp", "image/webp"), ("jpg", "image/jpeg"))


@dataclass(frozen=True)
class Candidate:
    url: str
    width: int


@dataclass(frozen=True)
class Picture:
    """What a ``<picture>`` element needs: sources per format, a fallback, the intrinsic size."""

    webp: tuple[Candidate, ...]
    jpeg: tuple[Candidate, ...]
    width: int
    height: int

    @property
    def fallback(self) -> Candidate:
        return self.jpeg[min(1, len(self.jpeg) - 1)]

    @staticmethod
    def srcset(candidates: tuple[Candidate, ...]) -> str:
        return ", ".join(f"{c.url} {c.width}w" for c in candidates)


class MediaLibrary:
    """Builds derivatives into ``cache_dir`` and knows their URLs."""

    def __init__(self, cache_dir: Path, widths: tuple[int, ...], quality: int):
        self.cache_dir = Path(cache_dir)
        self.widths = tuple(sorted(widths))
        self.quality = quality
        # The settings are part of every derivative's name: change them and all are rebuilt.
        self._salt = hashlib.sha256(f"{self.widths}{quality}v1".encode()).hexdigest()[:6]

    # -- names and URLs ----------------------------------------------------------------------

    def _stem(self, media: MediaFile) -> str:
        return f"{media.sha256[:16]}{self._salt}"

    def widths_for(self, image: Image) -> tuple[int, ...]:
        """Derivative widths for an image: the configured ones it can fill, never upscaled."""
        widths = tuple(w for w in self.widths if w <= image.width)
        return widths or (image.width,)

    def _derivative_name(self, image: Image, width: int, ext: str) -> str:
        return f"{self._stem(image.media)}-{width}.{ext}"

    def picture(self, image: Image) -> Picture:
        """URLs and intrinsic size of an image's derivatives."""
        def candidates(ext: str) -> tuple[Candidate, ...]:
            return tuple(Candidate(URL_PREFIX + self._derivative_name(image, w, ext), w)
                         for w in self.widths_for(image))
        return Picture(candidates("webp"), candidates("jpg"), image.width, image.height)

    def url(self, media: MediaFile) -> str:
        """The fingerprinted URL of a media file served as it is (video, poster, captions)."""
        return URL_PREFIX + self._copy_name(media)

    def _copy_name(self, media: MediaFile) -> str:
        return f"{media.sha256[:16]}-{Path(media.path).name}"

    # -- building ---------------------------------------------------------------------------

    def build(self, exhibition: Exhibition) -> int:
        """Make every missing derivative and copy for this exhibition; returns how many."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        jobs = []
        for panel in exhibition.panels:
            for image in panel.images:
                for width in self.widths_for(image):
                    names = [self._derivative_name(image, width, ext) for ext, _ in FORMATS]
                    if not all((self.cache_dir / n).exists() for n in names):
                        jobs.append((self._make_derivatives, image, width))
            for media in panel.media_files():
                if not (self.cache_dir / self._copy_name(media)).exists() and \
                        media not in [i.media for i in panel.images]:
                    jobs.append((self._copy, media, 0))
        if not jobs:
            return 0
        started = time.perf_counter()
        # Pillow releases the GIL while resizing and encoding, so threads use every core.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(lambda job: job[0](job[1], job[2]), jobs))
        log.info("built %d media derivatives in %.1f s", len(jobs), time.perf_counter() - started)
        return len(jobs)

    def _make_derivatives(self, image: Image, width: int) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(image.media.absolute) as source:
                im = ImageOps.exif_transpose(source)
                if im.mode in ("RGBA", "LA", "P"):
                    im = im.convert("RGBA")
                    flat = PILImage.new("RGB", im.size, (255, 255, 255))
                    flat.paste(im, mask=im.getchannel("A"))
                    im = flat
                else:
                    im = im.convert("RGB")
                if im.width != width:
                    height = round(im.height * width / im.width)
                    im = im.resize((width, height), PILImage.Resampling.LANCZOS)
        # No exif= or icc_profile= arguments: the derivatives carry no camera or location data.
        self._write(self._derivative_name(image, width, "webp"),
                    lambda f: im.save(f, "WEBP", quality=self.quality, method=5))
        self._write(self._derivative_name(image, width, "jpg"),
                    lambda f: im.save(f, "JPEG", quality=self.quality, optimize=True,
                                      progressive=True))

    def _copy(self, media: MediaFile, _unused: int) -> None:
        def copy(target) -> None:
            with media.absolute.open("rb") as source:
                shutil.copyfileobj(source, target)

        self._write(self._copy_name(media), copy)

    def _write(self, name: str, writer) -> None:
        """Write atomically: a half-written file must never be served or taken as built."""
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                writer(fh)
            os.replace(tmp, self.cache_dir / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
