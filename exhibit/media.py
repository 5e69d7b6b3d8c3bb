"""Image derivatives and fingerprinted media, served by WhiteNoise under ``/media/``.

Every image becomes several widths in WebP with a JPEG fallback (EXIF orientation applied,
metadata dropped); a poster (an image of a gallery panel) is also kept at its full width as a
JPEG and as a one-page PDF (Pillow), for the topic page's "full size" and "PDF" links; videos,
posters and captions are copied under a name that carries their content hash. Names change when
the source changes, so browsers and CDNs may keep them forever, and a file is only ever built once.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import resource
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps

from .content import Exhibition, Image, MediaFile

log = logging.getLogger(__name__)
URL_PREFIX = "/media/"
FORMATS = (("webp", "image/webp"), ("jpg", "image/jpeg"))
PDF_PPI = 150.0


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


class MediaBuildError(Exception):
    """A derivative could not be made (the image is too large for the limits, or broken)."""


def _limit_child(memory_mb: int) -> None:
    """In each building child: an address-space ceiling, so a huge image fails with a
    MemoryError there instead of pushing the server into swap. The content checker already
    refuses images over its pixel limit; this is the second line."""
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    PILImage.MAX_IMAGE_PIXELS = None  # the ceiling above is the guard (see exhibit.printworker)


class MediaLibrary:
    """Builds derivatives into ``cache_dir`` and knows their URLs.

    Images are decoded and resized in child processes with a memory ceiling and a time limit per
    image (``MEDIA_MEMORY_MB``, ``MEDIA_TIMEOUT_SECONDS``): the server that asked only waits.
    """

    def __init__(self, cache_dir: Path, widths: tuple[int, ...], quality: int,
                 memory_mb: int = 0, timeout_seconds: float = 0):
        self.cache_dir = Path(cache_dir)
        self.widths = tuple(sorted(widths))
        self.quality = quality
        self.memory_mb = memory_mb
        self.timeout_seconds = timeout_seconds
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

    def full_size(self, image: Image) -> tuple[str, str]:
        """URLs of an image at full resolution: a JPEG and a one-page PDF (built for posters)."""
        return (URL_PREFIX + self._derivative_name(image, image.width, "jpg"),
                URL_PREFIX + self._derivative_name(image, image.width, "pdf"))

    def url(self, media: MediaFile) -> str:
        """The fingerprinted URL of a media file served as it is (video, poster, captions)."""
        return URL_PREFIX + self._copy_name(media)

    def _copy_name(self, media: MediaFile) -> str:
        return f"{media.sha256[:16]}-{Path(media.path).name}"

    # -- building ---------------------------------------------------------------------------

    def build(self, exhibition: Exhibition) -> int:
        """Make every missing derivative and copy for this exhibition; returns how many.

        Raises :class:`MediaBuildError` naming each image that could not be resized.
        """
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        resizes: list[ResizeJob] = []
        copies: list[MediaFile] = []
        for panel in exhibition.panels:
            for image in panel.images:
                for width in self.widths_for(image):
                    webp, jpg = (self._derivative_name(image, width, ext) for ext, _ in FORMATS)
                    if not ((self.cache_dir / webp).exists() and (self.cache_dir / jpg).exists()):
                        resizes.append(ResizeJob(str(image.media.absolute), image.media.path,
                                                 width, str(self.cache_dir / webp),
                                                 str(self.cache_dir / jpg), self.quality))
                if panel.kind == "gallery":  # a poster: its full size, as JPEG and PDF
                    webp, jpg, pdf = (self._derivative_name(image, image.width, ext)
                                      for ext in ("webp", "jpg", "pdf"))
                    if not all((self.cache_dir / name).exists() for name in (webp, jpg, pdf)):
                        resizes.append(ResizeJob(str(image.media.absolute), image.media.path,
                                                 image.width, str(self.cache_dir / webp),
                                                 str(self.cache_dir / jpg), self.quality,
                                                 str(self.cache_dir / pdf)))
            for media in panel.media_files():
                if not (self.cache_dir / self._copy_name(media)).exists() and \
                        media not in [i.media for i in panel.images] and media not in copies:
                    copies.append(media)
        if not resizes and not copies:
            return 0
        started = time.perf_counter()
        for media in copies:  # videos, posters, captions: copied as they are, here
            _write_atomic(self.cache_dir / self._copy_name(media),
                          lambda target, media=media: _copy_into(media.absolute, target))
        if resizes:
            self._resize_in_children(resizes)
        count = len(resizes) + len(copies)
        log.info("built %d media derivatives in %.1f s", count, time.perf_counter() - started)
        return count

    def _resize_in_children(self, jobs: list[ResizeJob]) -> None:
        """Resize in a pool of limited child processes, one per core; raise
        :class:`MediaBuildError` naming every image that failed (the others still finish)."""
        # spawn, not fork: the server may have threads (a reload runs inside a request), and a
        # forked child would inherit their locks.
        context = multiprocessing.get_context("spawn")
        timeout = self.timeout_seconds or None
        failures: list[str] = []
        with context.Pool(min(len(jobs), os.cpu_count() or 2), initializer=_limit_child,
                          initargs=(self.memory_mb,)) as pool:
            pending = [(job, pool.apply_async(make_derivatives, (job,))) for job in jobs]
            for job, result in pending:
                try:
                    result.get(timeout)
                except multiprocessing.TimeoutError:
                    pool.terminate()  # the stuck child with it; the rest are built next time
                    failures.append(f"{job.label}: took longer than {self.timeout_seconds:g} s "
                                    f"to resize (MEDIA_TIMEOUT_SECONDS)")
                    break
                except MemoryError:
                    failures.append(f"{job.label}: needs more than {self.memory_mb} MB to resize "
                                    f"(MEDIA_MEMORY_MB); make the image smaller")
                except Exception as exc:  # a broken file: say which and why
                    failures.append(f"{job.label}: cannot make the {job.width} px derivative: "
                                    f"{type(exc).__name__}: {exc}")
        if failures:
            raise MediaBuildError("media derivatives failed:\n  " + "\n  ".join(failures))


@dataclass(frozen=True)
class ResizeJob:
    """One image at one width, in plain values a child process can receive."""

    source: str  # absolute path of the original
    label: str  # its path in the content, for messages
    width: int
    webp: str  # where the derivatives go
    jpg: str
    quality: int
    pdf: str = ""  # also a one-page PDF of it (posters), if named


def make_derivatives(job: ResizeJob) -> None:
    """Decode, orient, flatten and resize one image; write its WebP and JPEG (in a child)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        with PILImage.open(job.source) as source:
            im = ImageOps.exif_transpose(source)
            if im.mode in ("RGBA", "LA", "P"):
                im = im.convert("RGBA")
                flat = PILImage.new("RGB", im.size, (255, 255, 255))
                flat.paste(im, mask=im.getchannel("A"))
                im = flat
            else:
                im = im.convert("RGB")
            if im.width != job.width:
                height = round(im.height * job.width / im.width)
                im = im.resize((job.width, height), PILImage.Resampling.LANCZOS)
    # No exif= or icc_profile= arguments: the derivatives carry no camera or location data.
    _write_atomic(Path(job.webp), lambda f: im.save(f, "WEBP", quality=job.quality, method=5))
    _write_atomic(Path(job.jpg), lambda f: im.save(f, "JPEG", quality=job.quality, optimize=True,
                                                   progressive=True))
    if job.pdf:  # the page is the poster, at 150 ppi; Pillow embeds it as a JPEG
        _write_atomic(Path(job.pdf), lambda f: im.save(f, "PDF", resolution=PDF_PPI,
                                                       quality=max(job.quality, 90)))


def _copy_into(source: Path, target) -> None:
    with source.open("rb") as fh:
        shutil.copyfileobj(fh, target)


def _write_atomic(path: Path, writer) -> None:
    """Write atomically: a half-written file must never be served or taken as built."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
