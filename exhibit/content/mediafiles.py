"""Media files are what they claim: recognised by their content, never by their name.

A draft's files are untrusted. A caption file may be an HTML page with ``WEBVTT`` on top, a poster
may be an SVG with a script, a JPEG may stop half-way. This module says what a file really is
(:func:`sniff`, for serving it with the type of what it is) and whether it is a good file for its
role (:func:`check_media_file`), with a line number inside the file where one applies::

    from exhibit.content.mediafiles import check_media_file, check_media_files, sniff

    sniff(Path("media/video/intro.mp4"))              # "video/mp4"
    check_media_file(Path("intro.fr.vtt"), "captions")  # ["line 7: cue end 00:00:05.000 is ..."]
    check_media_files([(poster, "poster"), (track, "captions")])  # {path: [problems]}

Roles: ``image`` and ``poster`` (JPEG, PNG or WebP), ``captions`` (WebVTT), ``video`` (MP4 or
WebM with a video track), ``narration`` (MP3, M4A, Ogg Vorbis/Opus or WebM audio).

SVG is refused everywhere: an SVG is a document that can carry scripts and links, and a raster
export of it does everything an exhibition needs. Images are fully decoded (not just their
header) in one child process per batch, with an address-space ceiling and a time limit, so a
truncated file is caught here and a decompression bomb never reaches the server. Nothing here
imports Flask.
"""

from __future__ import annotations

import html
import html.entities
import json
import os
import re
import resource
import selectors
import struct
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image as PILImage

from ..settings import DEFAULTS
from .rules import shorten
from .textfile import MAX_TEXT_FILE_BYTES

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
VIDEO_TYPES = ("video/mp4", "video/webm")
AUDIO_TYPES = ("audio/mpeg", "audio/mp4", "audio/ogg", "audio/webm")
ROLES: dict[str, tuple[str, ...]] = {
    "image": IMAGE_TYPES,
    "poster": IMAGE_TYPES,  # shown before a video plays: an image like any other
    "captions": ("text/vtt",),
    "video": VIDEO_TYPES,
    "narration": AUDIO_TYPES,
}
ROLE_NAMES = {
    "image": "a JPEG, PNG or WebP image",
    "poster": "a JPEG, PNG or WebP image",
    "captions": "WebVTT captions",
    "video": "an MP4 or WebM video",
    "narration": "MP3, M4A, Ogg (Vorbis or Opus) or WebM audio",
}
# What a file is, in the words of a message ("is an HTML document, not WebVTT captions").
DESCRIPTIONS = {
    "image/jpeg": "a JPEG image", "image/png": "a PNG image", "image/webp": "a WebP image",
    "image/gif": "a GIF image", "image/bmp": "a BMP image", "image/tiff": "a TIFF image",
    "image/avif": "an AVIF image", "image/heic": "a HEIC image",
    "image/vnd.microsoft.icon": "an icon file", "image/svg+xml": "an SVG image",
    "text/vtt": "WebVTT captions", "text/html": "an HTML document",
    "text/xml": "an XML document", "text/javascript": "JavaScript", "text/plain": "plain text",
    "application/pdf": "a PDF document", "application/postscript": "a PostScript document",
    "application/zip": "a ZIP archive (or an Office document)",
    "application/gzip": "a gzip archive", "application/x-executable": "a program",
    "application/octet-stream": "binary data of no known media type",
    "video/mp4": "an MP4 video", "video/webm": "a WebM video",
    "video/x-matroska": "a Matroska (MKV) video", "video/quicktime": "a QuickTime (MOV) video",
    "video/3gpp": "a 3GP video", "video/x-msvideo": "an AVI video", "video/ogg": "an Ogg video",
    "audio/mpeg": "MP3 audio", "audio/mp4": "MP4 (M4A) audio", "audio/ogg": "Ogg audio",
    "audio/webm": "WebM audio", "audio/wav": "WAV audio", "audio/flac": "FLAC audio",
    "audio/aac": "raw AAC audio (ADTS)",
}
SVG_REFUSED = ("SVG is refused in content because it can carry scripts and links; "
               "export it as PNG")
# One broken file can hold thousands of mistakes; the first ones are enough to fix it.
MAX_PROBLEMS_PER_FILE = 20
# Enough of a file's start to recognise every type below (an XML prologue, an ID3 tag's size).
SNIFF_BYTES = 4096

# Images larger than this are refused: a decompression bomb, or a mistake. It leaves room for a
# full-bleed A0 photo at 300 ppi (about 140 megapixels) for the print surface.
MAX_IMAGE_PIXELS = 250_000_000


def image_pixel_limit() -> int:
    """The most pixels an image may have: ours, or Pillow's refusal threshold (twice its
    ``MAX_IMAGE_PIXELS``) when that is lower, since the web and print surfaces decode with
    Pillow and would fail on an image the checker let through."""
    pillow = PILImage.MAX_IMAGE_PIXELS
    return min(MAX_IMAGE_PIXELS, 2 * pillow) if pillow else MAX_IMAGE_PIXELS


@dataclass(frozen=True)
class MediaProblem:
    """One problem of a media file: ``line`` inside the file (0: the file as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def describe(media_type: str | None) -> str:
    """A media type in the words of a message: ``"text/html"`` → ``"an HTML document"``."""
    if media_type is None:
        return DESCRIPTIONS["application/octet-stream"]
    return DESCRIPTIONS.get(media_type, media_type)


# -- recognising a file ----------------------------------------------------------------------

# The WHATWG MIME sniffing standard's list of tags that make text an HTML document, plus a few
# that only matter for a script: each must be followed by a space or ">".
HTML_START = re.compile(rb"\s*<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|"
                        rb"title|b|body|br|p|img|svg|object|embed|meta|link|form|!--)[\s>/]",
                        re.IGNORECASE)
SCRIPT_START = re.compile(rb"\s*(//|/\*|\"use strict\"|'use strict'|\(function|function\s|"
                          rb"(var|let|const|import|export)\s|window\.|document\.|alert\()")
WEBVTT_MAGIC = re.compile(rb"(\xef\xbb\xbf)?WEBVTT([ \t\r\n]|$)")


def sniff(path: Path) -> str | None:
    """The media type of what ``path`` really holds (``image/jpeg``, ``text/vtt``, ``video/mp4``,
    ``audio/mpeg``, ``text/html``, ...), from its bytes; None when it cannot be read or is empty."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
            if not head:
                return None
            return _sniff(f, head)
    except OSError:
        return None


def _sniff(f: BinaryIO, head: bytes) -> str:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}[head[8:12]]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"BM") and len(head) > 18 and \
            struct.unpack("<I", head[14:18])[0] in (12, 40, 52, 56, 64, 108, 124):
        return "image/bmp"
    if head.startswith(b"\x00\x00\x01\x00") and len(head) > 6 and head[4] > 0:
        return "image/vnd.microsoft.icon"
    if head[4:8] == b"ftyp":
        return _sniff_ftyp(f, head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _sniff_ebml(f)
    if head.startswith(b"OggS"):
        return _sniff_ogg(head)
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3") or _mpeg_frame(head, 0, need_next=True):
        return "audio/mpeg"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "audio/aac"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"%!PS-Adobe-"):
        return "application/postscript"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if head.startswith((b"\x7fELF", b"MZ", b"#!")):
        return "application/x-executable"
    if WEBVTT_MAGIC.match(head):
        return "text/vtt"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if re.match(rb"\s*<svg[\s>]", text, re.IGNORECASE) or (
            re.match(rb"\s*<\?xml", text) and re.search(rb"<svg[\s>]", head, re.IGNORECASE)):
        return "image/svg+xml"
    if HTML_START.match(text):
        return "text/html"
    if re.match(rb"\s*<\?xml", text):
        return "text/xml"
    if SCRIPT_START.match(text):
        return "text/javascript"
    if _is_text(text):
        return "text/plain"
    return "application/octet-stream"


def _is_text(data: bytes) -> bool:
    """UTF-8 (a character cut at the end of the sample aside) without control characters."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 3:
            return False
        text = data[: exc.start].decode("utf-8")
    return not re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text)


# -- MP4 (ISO base media file format) --------------------------------------------------------

AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class _Broken(Exception):
    """The container's structure is broken; the message says where."""


def _sniff_ftyp(f: BinaryIO, head: bytes) -> str:
    size = struct.unpack(">I", head[:4])[0]
    brands = [head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)] + [head[8:12]]
    major = head[8:12]
    if major in (b"avif", b"avis"):
        return "image/avif"
    if major in HEIC_BRANDS:
        return "image/heic"
    if major == b"qt  ":
        return "video/quicktime"
    if major.startswith(b"3g"):
        return "video/3gpp"
    if major in AUDIO_BRANDS:
        return "audio/mp4"
    handlers = _mp4_handlers(f)
    if handlers and b"vide" not in handlers and b"soun" in handlers:
        return "audio/mp4"
    if not handlers and any(b in AUDIO_BRANDS for b in brands):
        return "audio/mp4"
    return "video/mp4"


def _boxes(f: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """The ISO boxes between ``start`` and ``end``: (type, payload start, box end)."""
    pos = start
    while pos < end:
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            raise _Broken(f"is truncated: it ends inside a box header at byte {pos:,}")
        size, kind = struct.unpack(">I4s", header)
        payload = pos + 8
        if size == 1:
            large = f.read(8)
            if len(large) < 8:
                raise _Broken(f"is truncated: it ends inside a box header at byte {pos:,}")
            size = struct.unpack(">Q", large)[0]
            payload += 8
        elif size == 0:  # "to the end of the file", allowed for the last box
            size = end - pos
        if size < payload - pos:
            raise _Broken(f"has a broken {_box_name(kind)} box at byte {pos:,} "
                          f"(size {size} is smaller than its header)")
        if pos + size > end:
            raise _Broken(f"is truncated: its {_box_name(kind)} box at byte {pos:,} needs "
                          f"{pos + size - end:,} more bytes than the file has")
        yield kind, payload, pos + size
        pos += size


def _box_name(kind: bytes) -> str:
    return "'" + kind.decode("latin-1").translate({c: "?" for c in range(32)}) + "'"


def _mp4_handlers(f: BinaryIO) -> list[bytes]:
    """The handler types of the tracks (``vide``, ``soun``, ...); empty when there is no moov
    or the structure is broken (the check says so)."""
    try:
        end = f.seek(0, os.SEEK_END)
        return _handlers(f, end)
    except (_Broken, OSError, struct.error):
        return []


def _handlers(f: BinaryIO, end: int) -> list[bytes]:
    handlers = []
    for kind, payload, box_end in _boxes(f, 0, end):
        if kind != b"moov":
            continue
        for trak, t_payload, t_end in _boxes(f, payload, box_end):
            if trak != b"trak":
                continue
            for mdia, m_payload, m_end in _boxes(f, t_payload, t_end):
                if mdia != b"mdia":
                    continue
                for hdlr, h_payload, h_end in _boxes(f, m_payload, m_end):
                    if hdlr == b"hdlr" and h_end - h_payload >= 12:
                        f.seek(h_payload + 8)  # version and flags, pre_defined
                        handlers.append(f.read(4))
    return handlers


def _check_mp4(f: BinaryIO, size: int) -> tuple[list[str], list[bytes]]:
    """Problems of an MP4's structure (its boxes must tile the file; a moov must hold the
    tracks), and its track handler types."""
    kinds = [kind for kind, _, _ in _boxes(f, 0, size)]  # raises _Broken
    if b"moov" not in kinds:
        return ["has no 'moov' box: it holds no playable tracks (an MP4 header only?)"], []
    handlers = _handlers(f, size)
    if not handlers:
        return ["has no tracks"], []
    return [], handlers


# -- WebM / Matroska (EBML) ------------------------------------------------------------------

EBML_HEADER, DOC_TYPE = 0x1A45DFA3, 0x4282
SEGMENT, TRACKS, TRACK_ENTRY, TRACK_TYPE, CLUSTER = 0x18538067, 0x1654AE6B, 0xAE, 0x83, 0x1F43B675
TRACK_TYPES = {1: "video", 2: "audio"}


def _vint(f: BinaryIO, *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-size integer: (value, length); None for an unknown size (all ones)."""
    first = f.read(1)
    if not first:
        raise _Broken("is truncated inside an EBML element header")
    length = 8 - first[0].bit_length() + 1
    if first[0] == 0 or length > 8:
        raise _Broken(f"has an invalid EBML element header at byte {f.tell() - 1:,}")
    rest = f.read(length - 1)
    if len(rest) < length - 1:
        raise _Broken("is truncated inside an EBML element header")
    value = int.from_bytes(first + rest, "big")
    if keep_marker:
        return value, length
    value &= (1 << (7 * length)) - 1
    if value == (1 << (7 * length)) - 1:
        return None
    return value, length


def _element(f: BinaryIO) -> tuple[int, int, int | None]:
    """The next element: (id, data start, data size or None when unknown)."""
    ident = _vint(f, keep_marker=True)
    assert ident is not None
    size = _vint(f, keep_marker=False)
    return ident[0], f.tell(), None if size is None else size[0]


def _ebml_children(f: BinaryIO, start: int, end: int) -> Iterator[tuple[int, int, int | None]]:
    pos = start
    while pos < end:
        f.seek(pos)
        ident, data, size = _element(f)
        yield ident, data, size
        if size is None:
            return
        pos = data + size


def _ebml_info(f: BinaryIO) -> tuple[str, list[str], list[str]]:
    """(DocType, track types, structural problems) of an EBML file."""
    file_end = f.seek(0, os.SEEK_END)
    f.seek(0)
    ident, data, size = _element(f)
    if ident != EBML_HEADER or size is None or data + size > file_end:
        raise _Broken("has a broken EBML header")
    doc_type = ""
    for child, c_data, c_size in _ebml_children(f, data, data + size):
        if child == DOC_TYPE and c_size is not None and c_size < 64:
            f.seek(c_data)
            doc_type = f.read(c_size).rstrip(b"\x00").decode("ascii", "replace")
    f.seek(data + size)
    if data + size >= file_end:
        return doc_type, [], ["has no Segment after its EBML header (a header only?)"]
    ident, s_data, s_size = _element(f)
    if ident != SEGMENT:
        return doc_type, [], ["has no Segment after its EBML header"]
    problems = []
    s_end = file_end if s_size is None else s_data + s_size
    if s_end > file_end:
        problems.append(f"is truncated: its Segment needs {s_end - file_end:,} more bytes "
                        f"than the file has")
        s_end = file_end
    tracks: list[str] = []
    for child, c_data, c_size in _ebml_children(f, s_data, s_end):
        if child == CLUSTER or c_size is None:
            break  # the media data: the tracks are described before it
        if child == TRACKS:
            for entry, e_data, e_size in _ebml_children(f, c_data, c_data + c_size):
                if entry != TRACK_ENTRY or e_size is None:
                    continue
                for field, f_data, f_size in _ebml_children(f, e_data, e_data + e_size):
                    if field == TRACK_TYPE and f_size and f_size <= 8:
                        f.seek(f_data)
                        number = int.from_bytes(f.read(f_size), "big")
                        tracks.append(TRACK_TYPES.get(number, "other"))
    return doc_type, tracks, problems


def _sniff_ebml(f: BinaryIO) -> str:
    try:
        doc_type, tracks, _ = _ebml_info(f)
    except (_Broken, OSError):
        return "application/octet-stream"
    if doc_type != "webm":
        return "video/x-matroska" if doc_type == "matroska" else "application/octet-stream"
    return "audio/webm" if tracks and "video" not in tracks else "video/webm"


# -- Ogg and MP3 -----------------------------------------------------------------------------

def _sniff_ogg(head: bytes) -> str:
    if len(head) < 27:
        return "application/octet-stream"
    body = head[27 + head[26]:]
    if body.startswith((b"\x80theora", b"fishead")):
        return "video/ogg"
    return "audio/ogg"


def _check_ogg(f: BinaryIO, size: int) -> list[str]:
    """Follow the Ogg pages to the end of the file; a page cut short is a truncated file."""
    pos, pages = 0, 0
    while pos < size:
        f.seek(pos)
        header = f.read(27)
        if len(header) < 27 or header[:4] != b"OggS":
            return [f"is broken: no Ogg page where one should start (byte {pos:,})"] if \
                len(header) == 27 else [f"is truncated inside the page at byte {pos:,}"]
        table = f.read(header[26])
        body = sum(table)
        if len(table) < header[26] or pos + 27 + len(table) + body > size:
            return [f"is truncated: the Ogg page at byte {pos:,} needs more bytes than the "
                    f"file has"]
        if pages == 0:
            codec = f.read(8)
            if not codec.startswith((b"OpusHead", b"\x01vorbis", b"\x7fFLAC")):
                return ["is an Ogg file of an unknown codec; use Vorbis or Opus"]
        pos += 27 + len(table) + body
        pages += 1
    return []


MPEG_BITRATES = {  # kbit/s by (MPEG-1?, layer), index 1 to 14
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_frame(data: bytes, pos: int, *, need_next: bool) -> int:
    """The length of the MPEG audio frame at ``pos`` (0: no valid frame there); with
    ``need_next``, the frame after it must be valid too (a lone sync word is a coincidence)."""
    if len(data) < pos + 4 or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return 0
    version, layer_bits = (data[pos + 1] >> 3) & 3, (data[pos + 1] >> 1) & 3
    bitrate_index, rate_index = data[pos + 2] >> 4, (data[pos + 2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return 0
    layer = 4 - layer_bits
    mpeg1 = version == 3
    bitrate = MPEG_BITRATES[(True, layer) if mpeg1 else (False, 1 if layer == 1 else 2)]
    bitrate_bps = bitrate[bitrate_index - 1] * 1000
    rate = MPEG_RATES[version][rate_index]
    padding = (data[pos + 2] >> 1) & 1
    if layer == 1:
        length = (12 * bitrate_bps // rate + padding) * 4
    else:
        length = (144 if mpeg1 or layer == 2 else 72) * bitrate_bps // rate + padding
    if need_next and not _mpeg_frame(data, pos + length, need_next=False):
        return 0
    return length


def _check_mp3(f: BinaryIO, size: int) -> list[str]:
    f.seek(0)
    data = f.read(min(size, 1 << 16))
    pos = 0
    if data.startswith(b"ID3") and len(data) >= 10:
        tag = data[6:10]
        if any(b & 0x80 for b in tag):
            return ["has a broken ID3 tag (its size is not a sync-safe integer)"]
        pos = 10 + ((tag[0] << 21) | (tag[1] << 14) | (tag[2] << 7) | tag[3])
        pos += 10 if data[5] & 0x10 else 0  # a footer
        if pos >= size:
            return ["holds an ID3 tag and no audio"]
        f.seek(pos)
        data = f.read(1 << 16)
        pos = len(data) - len(data.lstrip(b"\x00"))  # padding some taggers leave
    length = _mpeg_frame(data, pos, need_next=False)
    # The frame after the first must be one too, when the file goes on that far.
    if not length or (len(data) >= pos + length + 4 and
                      not _mpeg_frame(data, pos + length, need_next=False)):
        return ["has no MPEG audio frame where the audio should start"]
    return []


# -- checking a file for its role ------------------------------------------------------------

def check_media_file(path: Path, role: str) -> list[str]:
    """What is wrong with ``path`` as a file of ``role`` (image, poster, captions, video,
    narration): messages, empty when the file is fine. Messages about a place inside the file
    start with ``line N:``."""
    return [str(p) for p in check_media(path, role)]


def check_media_files(items: Iterable[tuple[Path, str]], **limits) -> dict[Path, list[str]]:
    """:func:`check_media_file` for many files at once: every image is decoded in one child
    process (``limits``: see :func:`check_images`). Returns every file's problems, by path."""
    items = list(items)
    result: dict[Path, list[str]] = {}
    images = [path for path, role in items if role in ("image", "poster")]
    result.update(check_images(images, **limits))
    for path, role in items:
        if path not in result:
            result[path] = check_media_file(path, role)
    return result


def check_media(path: Path, role: str) -> list[MediaProblem]:
    """:func:`check_media_file` with the line numbers apart, for a loader that reports
    ``path:line: message``."""
    if role not in ROLES:
        raise ValueError(f"unknown media role {role!r}; one of {', '.join(ROLES)}")
    if role in ("image", "poster"):
        return [MediaProblem(0, m) for m in check_images([path])[path]]
    if role == "captions":
        return check_captions(path)
    kind, problems = _kind_problems(path, role)
    if problems:
        return problems
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            messages = _check_container(f, size, kind, role)
    except _Broken as exc:
        messages = [str(exc)]
    except OSError as exc:
        messages = [f"cannot be read: {exc.strerror}"]
    return [MediaProblem(0, m) for m in messages]


def _kind_problems(path: Path, role: str) -> tuple[str | None, list[MediaProblem]]:
    """The file's real type, and a problem when it is not one its role accepts."""
    try:
        if path.is_dir():
            return None, [MediaProblem(0, "is a folder, not a file")]
        if path.stat().st_size == 0:
            return None, [MediaProblem(0, "is empty")]
    except OSError as exc:
        return None, [MediaProblem(0, f"cannot be read: {exc.strerror}")]
    kind = sniff(path)
    if kind is None:
        return None, [MediaProblem(0, "cannot be read")]
    if kind in ROLES[role]:
        return kind, []
    message = f"is {describe(kind)}, not {ROLE_NAMES[role]}"
    if kind == "image/svg+xml":
        message += f"; {SVG_REFUSED}"
    elif role == "narration" and kind in ("audio/wav", "audio/flac", "audio/aac"):
        message += "; convert it to MP3 or M4A"
    elif role == "video" and kind in ("video/quicktime", "video/x-matroska", "video/x-msvideo"):
        message += "; browsers play MP4 (H.264) and WebM: convert it"
    return kind, [MediaProblem(0, message)]


def _check_container(f: BinaryIO, size: int, kind: str | None, role: str) -> list[str]:
    if kind in ("video/mp4", "audio/mp4"):
        problems, handlers = _check_mp4(f, size)
        if problems:
            return problems
        if role == "video" and b"vide" not in handlers:
            return ["is MP4 audio (it has no video track), not a video"]
        if role == "narration" and b"vide" in handlers:
            return ["is an MP4 video, not audio; give narration as an audio file (M4A or MP3)"]
        return []
    if kind in ("video/webm", "audio/webm"):
        _, tracks, problems = _ebml_info(f)
        if problems:
            return problems
        if not tracks:
            return ["has no tracks"]
        if role == "video" and "video" not in tracks:
            return ["is WebM audio (it has no video track), not a video"]
        if role == "narration" and "video" in tracks:
            return ["is a WebM video, not audio"]
        return []
    if kind == "audio/ogg":
        return _check_ogg(f, size)
    if kind == "audio/mpeg":
        return _check_mp3(f, size)
    return []


# -- images: fully decoded in a limited child process ----------------------------------------

def check_images(paths: Iterable[Path], *, max_pixels: int | None = None,
                 memory_mb: int | None = None,
                 timeout_seconds: float | None = None) -> dict[Path, list[str]]:
    """Decode every image completely, in ONE child process; returns each path's problems.

    Each file must be a JPEG, PNG or WebP by its bytes, at most ``max_pixels`` pixels (default:
    the content checker's limit, read from the header before a pixel is decoded: a decompression
    bomb is refused without the memory it asks for), still, and decode to its end. The child has
    an address-space ceiling (``memory_mb``, default ``MEDIA_MEMORY_MB``) and each image a time
    limit (``timeout_seconds``, default ``MEDIA_TIMEOUT_SECONDS``; 0: none); an image that kills
    the child or runs out of time is reported, and the rest go on in a fresh child.
    """
    paths = list(dict.fromkeys(Path(p) for p in paths))
    result: dict[Path, list[str]] = {}
    to_decode: list[Path] = []
    for path in paths:
        _, problems = _kind_problems(path, "image")
        result[path] = [p.message for p in problems]
        if not problems:
            to_decode.append(path)
    limits = {
        "max_pixels": image_pixel_limit() if max_pixels is None else max_pixels,
        "memory_mb": DEFAULTS["MEDIA_MEMORY_MB"] if memory_mb is None else memory_mb,
    }
    timeout = DEFAULTS["MEDIA_TIMEOUT_SECONDS"] if timeout_seconds is None else timeout_seconds
    limits["cpu_seconds"] = timeout
    start = 0
    while start < len(to_decode):
        start = _decode_in_child(to_decode, start, result, limits, timeout)
    return result


def _decode_in_child(paths: list[Path], start: int, result: dict[Path, list[str]],
                     limits: dict, timeout: float) -> int:
    """One child for ``paths[start:]``; returns the index of the first image it did not finish
    (after reporting that image when the child died on it)."""
    request = {**limits, "paths": [str(p) for p in paths[start:]]}
    env = dict(os.environ)
    # The child imports this package by name: make sure it finds the same copy as this process.
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    # A fresh interpreter (not a fork): the caller may be a threaded server. Its stderr comes
    # through a pipe read beside stdout (no temporary file: the checker opens nothing outside
    # the content folder).
    proc = subprocess.Popen(
        [sys.executable, "-c", "from exhibit.content.mediafiles import _child; _child()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdin.write(json.dumps(request).encode())
    proc.stdin.close()
    next_index, failure = start, None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    selector.register(proc.stderr, selectors.EVENT_READ)
    buffer, errors, open_pipes = b"", b"", 2
    deadline = time.monotonic() + (timeout or float("inf"))
    try:
        while open_pipes:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                failure = (f"took longer than {timeout:g} s to decode "
                           f"(MEDIA_TIMEOUT_SECONDS); the decoder was stopped")
                proc.kill()
                break
            for key, _ in selector.select(min(remaining, 60)):
                chunk = os.read(key.fileobj.fileno(), 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_pipes -= 1
                elif key.fileobj is proc.stderr:
                    errors = (errors + chunk)[-4096:]  # the end says why a child died
                else:
                    buffer += chunk
                    while b"\n" in buffer:
                        line, buffer = buffer.split(b"\n", 1)
                        event = json.loads(line)
                        index = start + event["index"]
                        result[paths[index]] = event["problems"]
                        next_index = index + 1
                        deadline = time.monotonic() + (timeout or float("inf"))
    finally:
        selector.close()
        proc.stdout.close()
        proc.stderr.close()
        code = proc.wait()
    if next_index >= len(paths):
        return next_index
    if failure is None:
        tail = errors.decode("utf-8", "replace").strip().splitlines()[-1:]
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        failure = (f"could not be decoded: the decoder {how}, probably out of memory "
                   f"(MEDIA_MEMORY_MB = {limits['memory_mb']})"
                   + (f": {tail[0][:200]}" if tail else ""))
    result[paths[next_index]] = [failure]
    return next_index + 1


def _lower_limit(kind: int, value: int) -> None:
    """Limit this process to ``value`` of ``kind``, or to the limit it already has when that is
    lower: a checker started inside a limited process (the print child loads the content too)
    inherits its ceiling and may not raise it."""
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def _child() -> None:
    """The decoding child: limits itself, then decodes each image of the request on stdin and
    writes one JSON line per image on stdout."""
    request = json.load(sys.stdin)
    memory_mb = int(request["memory_mb"])
    if memory_mb > 0:
        _lower_limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
    if request["cpu_seconds"]:
        # A second line behind the parent's clock: a decoder stuck in a loop stops by itself
        # even when the parent that would kill it is gone.
        _lower_limit(resource.RLIMIT_CPU, int(request["cpu_seconds"] * len(request["paths"])) + 10)
    # The protocol gets the real stdout; anything a library prints goes to stderr instead.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    from PIL import Image, ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a cut-off file is an error, never grey pixels
    # Our own limit is checked on the header's size before decoding; Pillow's would stop some
    # print-size photos the exhibition allows.
    Image.MAX_IMAGE_PIXELS = None
    for index, path in enumerate(request["paths"]):
        try:
            problems = _decode(path, int(request["max_pixels"]))
        except MemoryError:
            problems = [f"needs more than {memory_mb} MB to decode (MEDIA_MEMORY_MB); "
                        f"make the image smaller"]
        protocol.write(json.dumps({"index": index, "problems": problems}) + "\n")
        protocol.flush()


def _decode(path: str, max_pixels: int) -> list[str]:
    """Open (the header), check the size, verify (PNG chunk checksums), then decode it all."""
    from PIL import Image

    formats = ["JPEG", "PNG", "WEBP"]
    try:
        with Image.open(path, formats=formats) as im:
            width, height = im.size
            if width * height > max_pixels:
                return [f"is {width:,}×{height:,} pixels, more than the {max_pixels:,}-pixel "
                        f"limit (a decompression bomb, or a mistake)"]
            if getattr(im, "n_frames", 1) > 1:
                return [f"is an animated {im.format} image; use a still image"]
            im.verify()
        with Image.open(path, formats=formats) as im:
            im.load()
    except MemoryError:
        raise
    except Image.UnidentifiedImageError:
        return ["is not a readable image"]
    except Exception as exc:  # a decoder's error: its words, without the absolute path
        reason = str(exc).replace(path, Path(path).name) or type(exc).__name__
        return [f"cannot be decoded: {reason} (a truncated or damaged file?)"]
    return []


# -- WebVTT ----------------------------------------------------------------------------------

LINE_BREAK = re.compile(r"\r\n|\r|\n")
HEADER = re.compile(r"WEBVTT([ \t][^\r\n]*)?")
TIMESTAMP = re.compile(r"(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})")
TIMING = re.compile(r"(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+(.*))?")
NOTE = re.compile(r"NOTE([ \t]|$)")
PERCENT = re.compile(r"\d+(?:\.\d+)?%")
CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MARKUP = re.compile(r"<[A-Za-z!/?]")
START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)((?:\.[^\s.&<>]+)*)(?:[ \t]([^>\r\n]*))?>")
END_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9]*)>")
TIMESTAMP_TAG = re.compile(r"<([0-9:.]+)>")
ANY_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9_-]*)")
CHAR_REF = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,8})|([A-Za-z][A-Za-z0-9]{0,31}));")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
CUE_TAGS = ("c", "i", "b", "u", "ruby", "rt", "v", "lang")
CUE_TAGS_TEXT = "<c>, <i>, <b>, <u>, <ruby>, <rt>, <v>, <lang> and timestamps"
CUE_SETTINGS = ("vertical", "line", "position", "size", "align", "region")
# Reading pace (issue 17; common subtitling practice): at most 15 characters a second for Latin
# scripts, 7 for Chinese (a cue with any CJK character counts as Chinese); line breaks are not
# counted, spaces and punctuation are. Between two cues, at least two frames at 25 fps, so the eye
# sees one caption go before the next comes.
MAX_CPS_LATIN = 15
MAX_CPS_CJK = 7
MIN_GAP_SECONDS = 0.080
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
ANY_TAG = re.compile(r"<[^>\n]*>")
REGION_SETTINGS = ("id", "width", "lines", "regionanchor", "viewportanchor", "scroll")


def check_captions(path: Path) -> list[MediaProblem]:
    """Parse a WebVTT file completely (W3C WebVTT): header, blocks, cue timings and settings,
    cue text tags and character references. Problems carry their line in the file."""
    kind, problems = _kind_problems(path, "captions")
    if kind == "application/octet-stream" and _utf16(path):
        return [MediaProblem(0, "is UTF-16 text; save it as UTF-8")]
    if kind == "text/plain":
        return [MediaProblem(1, "is plain text without the 'WEBVTT' first line, not WebVTT "
                                "captions")]
    if problems:
        return problems
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_FILE_BYTES:
            return [MediaProblem(0, f"is {size:,} bytes; caption files are limited to "
                                    f"{MAX_TEXT_FILE_BYTES:,} bytes")]
        raw = path.read_bytes()
    except OSError as exc:
        return [MediaProblem(0, f"cannot be read: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [MediaProblem(line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                   f"save the file as UTF-8")]
    return parse_webvtt(text.removeprefix("\ufeff"))


def _utf16(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(2) in (b"\xff\xfe", b"\xfe\xff")
    except OSError:
        return False


def parse_webvtt(text: str) -> list[MediaProblem]:
    """The problems of a WebVTT document (its text, without a byte-order mark)."""
    return _WebVTT(text).problems()


@dataclass
class _Cue:
    line: int
    start: float
    end: float


class _WebVTT:
    def __init__(self, text: str):
        self.lines = LINE_BREAK.split(text)
        self.found: list[MediaProblem] = []
        self.regions: set[str] = set()
        self.identifiers: dict[str, int] = {}
        self.previous: _Cue | None = None
        self.finished: _Cue | None = None  # the last cue whose pace was checked
        self.paced: list[tuple[_Cue | None, list[str]]] = []  # cues to check for pace
        self.cues = 0

    def add(self, line: int, message: str) -> None:
        self.found.append(MediaProblem(line, message))

    def problems(self) -> list[MediaProblem]:
        lines = self.lines
        for number, line in enumerate(lines, 1):
            control = CONTROL_CHAR.search(line)
            if control:
                self.add(number, f"control character U+{ord(control.group()):04X} in the text")
        if not HEADER.fullmatch(lines[0]):
            self.add(1, "the first line must be 'WEBVTT', optionally followed by a space or a "
                        "tab and a title")
            return self._capped()
        self._no_markup(1, lines[0], "the header line")
        index = 1
        # Lines right under WEBVTT are old-style header fields ("Kind: captions"), ignored by
        # browsers; a cue there would be ignored too.
        while index < len(lines) and lines[index].strip():
            if "-->" in lines[index]:
                self.add(index + 1, "a blank line must separate the 'WEBVTT' line from the "
                                    "first cue (browsers ignore this one)")
                break
            self._no_markup(index + 1, lines[index], "a header field")
            index += 1
        for start, block in self._blocks(index):
            self._block(start, block)
        if self.cues == 0 and not self.found:
            self.add(1, "the caption file has no cues")
        if not self.found:
            for cue, payload in self.paced:
                self._pace(cue, payload)
        return self._capped()

    def _capped(self) -> list[MediaProblem]:
        found = sorted(self.found, key=lambda p: p.line)
        if len(found) > MAX_PROBLEMS_PER_FILE:
            more = len(found) - MAX_PROBLEMS_PER_FILE
            found = found[:MAX_PROBLEMS_PER_FILE] + [MediaProblem(0, f"… and {more} more "
                                                                     f"problem(s)")]
        return found

    def _blocks(self, index: int) -> Iterator[tuple[int, list[str]]]:
        """Blocks separated by blank lines: (first line number, lines)."""
        block: list[str] = []
        for number in range(index, len(self.lines)):
            line = self.lines[number]
            if line == "":
                if block:
                    yield number - len(block) + 1, block
                    block = []
                continue
            if not line.strip(" \t"):
                # Not a separator for WebVTT (it would be a line of cue text): a slip, surely.
                self.add(number + 1, "a line of only spaces; a line between blocks must be empty")
                continue
            block.append(line)
        if block:
            yield len(self.lines) - len(block) + 1, block

    def _block(self, start: int, block: list[str]) -> None:
        first = block[0]
        if NOTE.match(first):
            for offset, line in enumerate(block):
                if "-->" in line:
                    self.add(start + offset, "a NOTE cannot contain '-->'; end the note with a "
                                             "blank line before the next cue")
                self._no_markup(start + offset, line, "a NOTE")
        elif re.fullmatch(r"STYLE[ \t]*", first):
            self._style(start, block)
        elif re.fullmatch(r"REGION[ \t]*", first):
            self._region(start, block)
        else:
            self._cue(start, block)

    def _no_markup(self, number: int, line: str, where: str) -> None:
        markup = MARKUP.search(line)
        if markup:
            tag = ANY_TAG_NAME.match(line, markup.start())
            shown = f"<{tag.group(1)}>" if tag else markup.group()
            self.add(number, f"markup ({shown}) in {where}; a caption file holds no HTML")

    def _style(self, start: int, block: list[str]) -> None:
        if self.cues:
            self.add(start, "a STYLE block must come before the first cue (browsers ignore it "
                            "here)")
        for offset, line in enumerate(block[1:], 1):
            if "-->" in line:
                self.add(start + offset, "a STYLE block cannot contain '-->'")
            if "<" in line:
                self.add(start + offset, "'<' in a STYLE block; a caption file holds no HTML")
            if re.search(r"url\s*\(|@import", line, re.IGNORECASE):
                self.add(start + offset, "a STYLE block may not load anything (url(), @import): "
                                         "the exhibition makes no request to other files or "
                                         "hosts")

    def _region(self, start: int, block: list[str]) -> None:
        if self.cues:
            self.add(start, "a REGION block must come before the first cue (browsers ignore it "
                            "here)")
        seen: set[str] = set()
        region_id = None
        for offset, line in enumerate(block[1:], 1):
            number = start + offset
            if "-->" in line:
                self.add(number, "a REGION block cannot contain '-->'")
                continue
            for token in line.split():
                name, colon, value = token.partition(":")
                if not colon or not name or not value:
                    self.add(number, f"region setting '{shorten(token, 40)}' must be "
                                     f"'name:value'")
                    continue
                if name not in REGION_SETTINGS:
                    self.add(number, f"unknown region setting '{shorten(name, 40)}' "
                                     f"(one of {', '.join(REGION_SETTINGS)})")
                    continue
                if name in seen:
                    self.add(number, f"region setting '{name}' is given twice")
                seen.add(name)
                if name == "id":
                    region_id = value
                elif name == "width" and not self._percent(value):
                    self.add(number, f"region width '{shorten(value, 40)}' must be a "
                                     f"percentage from 0% to 100%")
                elif name == "lines" and not value.isdigit():
                    self.add(number, f"region lines '{shorten(value, 40)}' must be a whole "
                                     f"number")
                elif name.endswith("anchor") and not (
                        len(value.split(",")) == 2 and all(map(self._percent, value.split(",")))):
                    self.add(number, f"region {name} '{shorten(value, 40)}' must be two "
                                     f"percentages, 'x%,y%'")
                elif name == "scroll" and value != "up":
                    self.add(number, "region scroll can only be 'up'")
        if region_id is None:
            self.add(start, "a REGION needs an id: 'id:name'")
        elif region_id in self.regions:
            self.add(start, f"region id '{shorten(region_id, 40)}' is used twice")
        else:
            self.regions.add(region_id)

    @staticmethod
    def _percent(value: str) -> bool:
        return bool(PERCENT.fullmatch(value)) and float(value[:-1]) <= 100

    def _cue(self, start: int, block: list[str]) -> None:
        timing_at = 0
        if "-->" not in block[0]:
            if len(block) < 2 or "-->" not in block[1]:
                self.add(start, f"'{shorten(block[0], 40)}' is neither a cue timing line "
                                f"('00:00:01.000 --> 00:00:04.000') nor a cue identifier "
                                f"followed by one")
                return
            identifier = block[0]
            if identifier in self.identifiers:
                self.add(start, f"cue identifier '{shorten(identifier, 40)}' is used twice "
                                f"(first on line {self.identifiers[identifier]})")
            else:
                self.identifiers[identifier] = start
            timing_at = 1
        cue = self._timing(start + timing_at, block[timing_at])
        self.cues += 1
        payload = block[timing_at + 1:]
        for offset, line in enumerate(payload):
            if "-->" in line:  # the parser would start a new cue here
                number = start + timing_at + 1 + offset
                self.add(number, "'-->' in cue text; a blank line must separate two cues")
                self._cue_text(cue, payload[:offset], start + timing_at + 1)
                self._cue(number, payload[offset:])
                return
        self._cue_text(cue, payload, start + timing_at + 1)
        self.paced.append((cue, payload))

    def _pace(self, cue: _Cue | None, payload: list[str]) -> None:
        """Too many characters a second to read, or no gap after the cue before. Checked once
        the file is valid WebVTT (a broken file's timings are not worth timing)."""
        if cue is None or cue.end <= cue.start:
            return
        text = html.unescape(ANY_TAG.sub("", "".join(line.strip() for line in payload)))
        chinese = bool(CJK.search(text))
        limit = MAX_CPS_CJK if chinese else MAX_CPS_LATIN
        seconds = cue.end - cue.start
        cps = len(text) / seconds
        if cps > limit + 1e-9:
            need = len(text) / limit
            self.add(cue.line, f"{len(text)} characters in {seconds:.2f} s is {cps:.1f} "
                               f"characters a second; at most {limit} for "
                               f"{'Chinese' if chinese else 'Latin scripts'} (show the cue for "
                               f"at least {need:.2f} s, or shorten it)")
        before = self.finished
        if before is not None and before.start <= cue.start:
            gap = cue.start - before.end
            if gap < MIN_GAP_SECONDS - 1e-9:
                self.add(cue.line, f"{'overlaps' if gap < 0 else 'starts'} "
                                   f"{abs(gap) * 1000:.0f} ms {'into' if gap < 0 else 'after'} "
                                   f"the cue on line {before.line}; leave a gap of at least "
                                   f"{MIN_GAP_SECONDS * 1000:.0f} ms (two frames at 25 fps)")
        self.finished = cue

    def _timestamp(self, number: int, text: str) -> float | None:
        match = TIMESTAMP.fullmatch(text)
        if not match:
            self.add(number, f"'{shorten(text, 30)}' is not a WebVTT timestamp "
                             f"(hh:mm:ss.ttt or mm:ss.ttt)")
            return None
        hours, minutes, seconds, millis = match.groups()
        if int(minutes) > 59 or int(seconds) > 59:
            self.add(number, f"'{text}' has more than 59 minutes or seconds")
            return None
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000

    def _timing(self, number: int, line: str) -> _Cue | None:
        match = TIMING.fullmatch(line)
        if not match:
            self.add(number, "a cue timing line is 'start --> end', with a space or a tab on "
                             "each side of '-->'")
            return None
        start_text, end_text, settings = match.groups()
        start = self._timestamp(number, start_text)
        end = self._timestamp(number, end_text)
        self._settings(number, settings or "")
        if start is None or end is None:
            return None
        if end < start:
            self.add(number, f"cue end {end_text} is before its start {start_text}")
        elif end == start:
            self.add(number, f"cue end {end_text} is the same as its start")
        cue = _Cue(number, start, end)
        if self.previous and start < self.previous.start:
            self.add(number, f"cue starts at {start_text}, before the cue on line "
                             f"{self.previous.line}; cues must be in order of start time")
        self.previous = cue
        return cue

    def _settings(self, number: int, text: str) -> None:
        seen: set[str] = set()
        for token in text.split():
            name, colon, value = token.partition(":")
            if not colon or not name or not value:
                self.add(number, f"cue setting '{shorten(token, 40)}' must be 'name:value'")
                continue
            if name not in CUE_SETTINGS:
                self.add(number, f"unknown cue setting '{shorten(name, 40)}' "
                                 f"(one of {', '.join(CUE_SETTINGS)})")
                continue
            if name in seen:
                self.add(number, f"cue setting '{name}' is given twice")
            seen.add(name)
            problem = self._setting_problem(name, value)
            if problem:
                self.add(number, problem)
        if "region" in seen and seen & {"vertical", "line", "size"}:
            self.add(number, "a cue with a region cannot also set vertical, line or size")

    def _setting_problem(self, name: str, value: str) -> str | None:
        shown = shorten(value, 40)
        if name == "vertical" and value not in ("rl", "lr"):
            return f"vertical:{shown} must be 'rl' or 'lr'"
        if name == "line":
            where, _, align = value.partition(",")
            if not (re.fullmatch(r"-?\d+", where) or self._percent(where)) or \
                    ("," in value and align not in ("start", "center", "end")):
                return f"line:{shown} must be a line number or a percentage, optionally " \
                       f"followed by ',start', ',center' or ',end'"
        if name == "position":
            where, _, align = value.partition(",")
            if not self._percent(where) or \
                    ("," in value and align not in ("line-left", "center", "line-right")):
                return f"position:{shown} must be a percentage, optionally followed by " \
                       f"',line-left', ',center' or ',line-right'"
        if name == "size" and not self._percent(value):
            return f"size:{shown} must be a percentage from 0% to 100%"
        if name == "align" and value not in ("start", "center", "end", "left", "right"):
            return f"align:{shown} must be start, center, end, left or right"
        if name == "region" and value not in self.regions:
            return f"region:{shown} names no REGION defined above"
        return None

    def _cue_text(self, cue: _Cue | None, lines: list[str], first: int) -> None:
        open_tags: list[tuple[str, int]] = []
        last_time = cue.start if cue else None
        for offset, line in enumerate(lines):
            number = first + offset
            pos = 0
            while pos < len(line):
                lt, amp = line.find("<", pos), line.find("&", pos)
                found = [i for i in (lt, amp) if i >= 0]
                if not found:
                    break
                pos = min(found)
                if pos == amp:
                    pos = self._reference(number, line, pos)
                    continue
                timestamp = TIMESTAMP_TAG.match(line, pos)
                if timestamp:
                    moment = self._timestamp(number, timestamp.group(1))
                    if moment is not None and cue is not None and last_time is not None:
                        if not cue.start < moment < cue.end or moment <= last_time:
                            self.add(number, f"timestamp <{timestamp.group(1)}> must be inside "
                                             f"the cue's time and after the timestamps before it")
                        last_time = moment
                    pos = timestamp.end()
                    continue
                end = END_TAG.match(line, pos)
                if end:
                    self._close(number, end.group(1), open_tags)
                    pos = end.end()
                    continue
                tag = START_TAG.match(line, pos)
                if tag and tag.group(1) in CUE_TAGS:
                    self._open(number, tag, open_tags)
                    pos = tag.end()
                    continue
                name = ANY_TAG_NAME.match(line, pos)
                if name:
                    self.add(number, f"<{name.group(1)}> is not a WebVTT tag; cue text may use "
                                     f"only {CUE_TAGS_TEXT}")
                else:
                    self.add(number, "a '<' that starts no WebVTT tag; write '&lt;'")
                pos += 1
        for name, number in open_tags:
            # A voice span may run to the end of its cue ("<v Ana>Hello"); ruby text ends with
            # its ruby.
            if name not in ("v", "rt"):  # an open <rt> sits in an open <ruby>, reported
                self.add(number, f"<{name}> is never closed in its cue")

    def _reference(self, number: int, line: str, pos: int) -> int:
        ref = CHAR_REF.match(line, pos)
        if not ref:
            self.add(number, "an '&' that starts no character reference; write '&amp;'")
            return pos + 1
        decimal, hexadecimal, name = ref.groups()
        if name is not None and name + ";" not in html.entities.html5:
            self.add(number, f"'&{name};' is not a character reference")
        elif name is None:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or \
                    (code < 0x20 and code not in (9, 10, 13)) or 0x7F <= code <= 0x9F:
                self.add(number, f"'{ref.group()}' is not a character")
        return ref.end()

    def _open(self, number: int, tag: re.Match, open_tags: list[tuple[str, int]]) -> None:
        name, _, annotation = tag.groups()
        annotation = (annotation or "").strip(" \t")
        if name in ("v", "lang") and not annotation:
            example = "<v Ana>" if name == "v" else "<lang fr>"
            self.add(number, f"<{name}> needs an annotation, as in {example}")
        elif name not in ("v", "lang") and annotation:
            self.add(number, f"<{name}> takes no annotation ('{shorten(annotation, 30)}')")
        if name == "lang" and annotation and not LANGUAGE_TAG.fullmatch(annotation):
            self.add(number, f"'{shorten(annotation, 30)}' is not a language tag")
        if "&" in annotation:
            pos = annotation.find("&")
            while pos >= 0:
                pos = self._reference(number, annotation, pos)
                pos = annotation.find("&", pos)
        if name == "rt" and (not open_tags or open_tags[-1][0] != "ruby"):
            self.add(number, "<rt> must be directly inside <ruby>")
        if name == "ruby" and any(t == "ruby" for t, _ in open_tags):
            self.add(number, "<ruby> cannot be inside another <ruby>")
        open_tags.append((name, number))

    def _close(self, number: int, name: str, open_tags: list[tuple[str, int]]) -> None:
        if name not in CUE_TAGS:
            self.add(number, f"</{name}> is not a WebVTT tag; cue text may use only "
                             f"{CUE_TAGS_TEXT}")
            return
        names = [t for t, _ in open_tags]
        if name not in names:
            self.add(number, f"</{name}> closes no open <{name}>")
            return
        while open_tags:
            top, opened = open_tags.pop()
            if top == name:
                return
            if not (top == "rt" and name == "ruby"):  # </rt> may be left out before </ruby>
                self.add(number, f"</{name}> closes <{name}> before the <{top}> opened on "
                                 f"line {opened}")
