"""What the content says about media: the media folder (``media_dir``), and each reference to an
image, a video, its poster and its captions, and a panel's recorded narration. One rule keeps
every path inside its folder: :func:`media_path_problem` for the text of the path, then
``link_problem`` for symbolic links.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from pathlib import Path

from PIL import Image as PILImage

from .mediafiles import MediaProblem, check_images, check_media, image_pixel_limit, sniff
from .mediafiles import describe as describe_type
from .model import Image, MediaFile, Video
from .rules import (
    CONTROL,
    Context,
    listing,
    localized,
    mapping,
    no_numbers,
    per_language,
    shorten,
)
from .textfile import LINK_LOOP, link_problem
from .yamlsource import LineDict, check_fields, describe

# A URL where a media path belongs: "https://host/x.png", "//host/x.png", "file:///etc/passwd".
URL_LIKE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//|\\\\)")
IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
VIDEO_SUFFIXES = {".mp4", ".webm"}
# Narration: what every browser plays in an <audio> element (the content is sniffed as well).
AUDIO_SUFFIXES = {".mp3", ".m4a", ".ogg", ".opus", ".oga", ".webm"}


def media_path_problem(rel: str, within: str = "the media folder") -> str | None:
    """What is wrong with a media reference (the end of a sentence starting "media path 'x'"),
    or None when it is a plain relative path that cannot leave ``within`` by itself."""
    parts = rel.replace("\\", "/").split("/")
    if CONTROL.search(rel):
        return "contains a control character"
    if re.match(r"^[a-zA-Z]:", rel):
        return f"names a drive; write it relative to {within}"
    if URL_LIKE.match(rel):
        return "is a URL; media are files in the media folder, never links to other hosts"
    if "\\" in rel:
        return "uses '\\'; separate folders with '/'"
    if rel.startswith("/"):
        return f"is absolute; write it relative to {within}"
    if ".." in parts:
        return f"contains '..'; media must stay inside {within}"
    if "%" in rel:
        return "contains '%'; write file names as they are, not URL-encoded"
    return None


def media_folder(ctx: Context, data: LineDict, path: Path) -> Path | None:
    """The media folder: ``media_dir`` inside the content folder, or by default the ``media``
    folder beside it (a layout the operator chose, not the content). None when unusable."""
    if "media_dir" not in data:
        folder = ctx.root.parent / "media"
    else:
        line = data.line_of("media_dir")
        rel = data["media_dir"]
        if not isinstance(rel, str) or not rel.strip():
            ctx.errors.add(path, line, f"'media_dir' must be a folder path inside the content "
                                       f"folder, not {describe(rel)}")
            return None
        problem = media_path_problem(rel, "the content folder")
        link = None if problem else link_problem(ctx.root / rel, ctx.root)
        if link == LINK_LOOP:
            problem = "is a symbolic link that loops back on itself"
        elif link:
            problem = "leads outside the content folder through a symbolic link"
        if problem:
            ctx.errors.add(path, line, f"'media_dir' {problem}")
            return None
        folder = ctx.root / rel
    try:
        return folder.resolve()
    except (RuntimeError, OSError):  # a symbolic link loop
        ctx.errors.add(path, data.line_of("media_dir"), "the media folder is a symbolic link that "
                                                        "loops back on itself")
        return None


def holds_media(ctx: Context, folder: Path) -> bool:
    """True for the folder (inside the content folder) that is or holds the media folder."""
    return not folder.is_symlink() and ctx.media_root.is_relative_to(folder.resolve())


def _declared_size(path: Path) -> tuple[int, int] | None:
    """Width and height written in a PNG, JPEG or WebP header, read without Pillow's
    decompression-bomb check (which ``Image.open`` applies) and without decoding a pixel."""
    from PIL import JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    for plugin in (PngImagePlugin.PngImageFile, JpegImagePlugin.JpegImageFile,
                   WebPImagePlugin.WebPImageFile):
        try:
            with plugin(str(path)) as im:
                return im.size
        except (OSError, SyntaxError, ValueError):
            continue
    return None


def _recognise(ctx: Context, found: MediaFile, role: str, path: Path, line: int) -> None:
    """Queue ``found`` to be recognised by its content as a file of ``role`` (image, poster,
    captions, video): :func:`recognise_media` checks the whole load's files at once, so that every
    image is decoded in one limited child process rather than one process per file."""
    ctx.media_checks.append((found, role, path, line))


# What recognising a file found, by its SHA-256 and role: a file is decoded once per process,
# not at every reload or for every app a test makes. Bounded, in case a long-running server sees
# many versions of many files.
_RECOGNISED: dict[tuple[str, str], tuple[MediaProblem, ...]] = {}
_RECOGNISED_MAX = 4096


def recognise_media(ctx: Context) -> None:
    """Every queued media file is what its role says, judged by its bytes (see
    :mod:`.mediafiles`): images and posters decoded to their end, captions parsed as WebVTT,
    videos by their container. A problem inside a caption file is logged at its own line; any
    other at the YAML line that names the file."""
    pending = [(found, role) for found, role, _, _ in ctx.media_checks
               if (found.sha256, role) not in _RECOGNISED]
    images = {found.absolute for found, role in pending if role in ("image", "poster")}
    decoded = check_images(sorted(images)) if images else {}
    if len(_RECOGNISED) > _RECOGNISED_MAX:
        _RECOGNISED.clear()
    for found, role in pending:
        if role in ("image", "poster"):
            problems = tuple(MediaProblem(0, m) for m in decoded[found.absolute])
        else:
            problems = tuple(check_media(found.absolute, role))
        _RECOGNISED[found.sha256, role] = problems
    for found, role, path, line in ctx.media_checks:
        for problem in _RECOGNISED[found.sha256, role]:
            if problem.line:
                ctx.errors.add(found.absolute, problem.line, problem.message)
            else:
                ctx.errors.add(path, line, f"media file {found.path} {problem.message}")
    ctx.media_checks.clear()


def media(ctx: Context, item: LineDict, key: str, path: Path, role: str) -> MediaFile | None:
    """A media reference, resolved strictly inside the media folder."""
    line = item.line_of(key)
    rel = item.get(key)
    if not isinstance(rel, str) or not rel.strip():
        ctx.errors.add(path, line, f"'{key}' must be a file path relative to the media folder")
        return None
    problem = media_path_problem(rel)
    if problem:
        ctx.errors.add(path, line, f"media path '{shorten(rel)}' {problem}")
        return None
    problem = link_problem(ctx.media_root / rel, ctx.media_root)
    if problem == LINK_LOOP:
        ctx.errors.add(path, line, f"media path '{shorten(rel)}' is a symbolic link that loops "
                                   f"back on itself")
        return None
    if problem:
        ctx.errors.add(path, line, f"media path '{shorten(rel)}' leads outside the media folder "
                                   f"through a symbolic link; links out are not followed")
        return None
    target = (ctx.media_root / rel).resolve()
    if not target.is_file():
        ctx.errors.add(path, line, f"missing media file {rel} in the media folder "
                                   f"({os.path.relpath(ctx.media_root, ctx.root)})")
        return None
    if target in ctx.hash_cache:
        found = ctx.hash_cache[target]
        if role not in ("image", "poster"):  # images are queued once their header is read
            _recognise(ctx, found, role, path, line)
        return found
    digest = hashlib.sha256()
    with target.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    result = MediaFile(rel, target, digest.hexdigest(), target.stat().st_size)
    ctx.hash_cache[target] = result
    if role not in ("image", "poster"):  # images are queued once their header is read
        _recognise(ctx, result, role, path, line)
    return result


def images(ctx: Context, data: LineDict, path: Path) -> tuple[Image, ...]:
    """The panel's ``images``: file, alt text in every language, credit, optional caption."""
    result: list[Image] = []
    items = listing(ctx, data, "images", path)
    for i, item in enumerate(items):
        where = f"images[{i + 1}]"
        if not mapping(ctx, item, path, items.line_of(i), where):
            continue
        check_fields(item, path, ctx.errors, required=("file", "alt", "credit"),
                     optional=("caption",), where=where)
        alt = localized(ctx, item, "alt", path, what="alt text")
        caption = localized(ctx, item, "caption", path)
        no_numbers(ctx, caption, path, item.line_of("caption"), "an image caption")
        ok, credit, credits = per_language(ctx, item, "credit", path, "an image's credit")
        found = media(ctx, item, "file", path, "image")
        if found is None:
            continue
        size = image_size(ctx, found, path, item.line_of("file"))
        if size and alt and credit:
            result.append(Image(found, alt, credit, caption, *size, credits, tuple(ctx.languages)))
    return tuple(result)


def image_size(ctx: Context, found: MediaFile, path: Path, line: int,
               role: str = "image") -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG or WebP image within the pixel limit (else logged); the
    image is then queued to be decoded to its end (:func:`recognise_media`)."""
    # The header's size is read first, so a decompression bomb is refused with its size
    # before Pillow (whose own limit is lower than ours and stops Image.open) touches it.
    declared = _declared_size(found.absolute)
    if declared and declared[0] * declared[1] > image_pixel_limit():
        _too_many_pixels(ctx, found, path, line, *declared)
        return None
    try:
        with warnings.catch_warnings():
            # Our limit is checked above; Pillow's warning below it would only be noise.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(found.absolute) as im:
                fmt, (width, height) = im.format, im.size
    except PILImage.DecompressionBombError:
        ctx.errors.add(path, line, f"{found.path} has more than the "
                                   f"{image_pixel_limit():,}-pixel limit")
        return None
    except PILImage.UnidentifiedImageError:
        kind = sniff(found.absolute)
        what = "an unreadable file" if kind is None else describe_type(kind)
        ctx.errors.add(path, line, f"{found.path} is {what}, not a PNG, JPEG or WebP image")
        return None
    except (OSError, SyntaxError, ValueError) as exc:
        reason = str(exc).replace(str(found.absolute), found.path)  # no absolute paths shown
        ctx.errors.add(path, line, f"{found.path} is not a readable image ({reason})")
        return None
    if fmt not in IMAGE_FORMATS:
        ctx.errors.add(path, line, f"{found.path} is {fmt}; use PNG, JPEG or WebP")
        return None
    if width * height > image_pixel_limit():
        _too_many_pixels(ctx, found, path, line, width, height)
        return None
    _recognise(ctx, found, role, path, line)
    return width, height


def _too_many_pixels(ctx: Context, found: MediaFile, path: Path, line: int, width: int,
                     height: int) -> None:
    ctx.errors.add(path, line, f"{found.path} is {width:,}×{height:,} pixels, more than the "
                               f"{image_pixel_limit():,}-pixel limit (a decompression bomb, "
                               f"or a mistake)")


def video(ctx: Context, data: LineDict, path: Path) -> Video | None:
    """The panel's ``video``: the file, its poster, WebVTT captions in every language, a credit."""
    item = data.get("video")
    if item is None or not mapping(ctx, item, path, data.line_of("video"), "video"):
        return None
    check_fields(item, path, ctx.errors, required=("file", "captions", "credit"),
                 optional=("poster",), where="video")
    found = media(ctx, item, "file", path, "video")
    if found and Path(found.path).suffix.lower() not in VIDEO_SUFFIXES:
        ctx.errors.add(path, item.line_of("file"), "a video must be .mp4 or .webm")
        found = None
    poster = None
    if "poster" in item:
        rel = item["poster"]
        if isinstance(rel, str) and Path(rel).suffix.lower() not in IMAGE_SUFFIXES:
            ctx.errors.add(path, item.line_of("poster"), "a poster must be an image (.png, .jpg, "
                                                         ".jpeg or .webp)")
        else:
            poster = media(ctx, item, "poster", path, "poster")
            if poster and not image_size(ctx, poster, path, item.line_of("poster"), "poster"):
                poster = None
    captions: dict[str, MediaFile] = {}
    raw = item.get("captions")
    if isinstance(raw, LineDict):
        for lang in raw:
            if lang not in ctx.languages:
                ctx.errors.add(path, raw.line_of(lang), f"'{shorten(lang)}' is not a language of "
                                                        f"this exhibition")
        for lang in ctx.languages:
            if lang not in raw:
                ctx.errors.add(path, raw.line,
                               f"missing translation: no {lang} captions for the video")
                continue
            track = media(ctx, raw, lang, path, "captions")
            if track:
                captions[lang] = track
    elif raw is not None:
        ctx.errors.add(path, item.line_of("captions"),
                       "'captions' must map each language to a WebVTT file")
    ok, credit, credits = per_language(ctx, item, "credit", path, "a video's credit")
    if not found or len(captions) != len(ctx.languages) or credit is None:
        return None
    return Video(found, poster, captions, credit, credits, tuple(ctx.languages))



def narration(ctx: Context, data: LineDict, path: Path) -> dict[str, MediaFile]:
    """The panel's optional ``narration``: a recorded reading per language (``{en: narration/x.en.opus}``),
    not every language needed (the kiosk offers speech synthesis where there is none). Each file
    stays inside the media folder and must really be audio (MP3, M4A, Ogg or WebM audio: its
    content is sniffed like a video's, never trusted by its name)."""
    raw = data.get("narration")
    if raw is None:
        if "narration" in data:
            ctx.errors.add(path, data.line_of("narration"), "'narration' is empty")
        return {}
    if not isinstance(raw, LineDict):
        ctx.errors.add(path, data.line_of("narration"), f"'narration' must map a language to an audio "
                                                        f"file, not {describe(raw)}")
        return {}
    result: dict[str, MediaFile] = {}
    for lang in raw:
        line = raw.line_of(lang)
        if lang not in ctx.languages:
            ctx.errors.add(path, line, f"narration: '{shorten(lang)}' is not a language of this "
                                       f"exhibition ({', '.join(ctx.languages)})")
            continue
        rel = raw[lang]
        if isinstance(rel, str) and Path(rel).suffix.lower() not in AUDIO_SUFFIXES:
            ctx.errors.add(path, line, "a narration must be an audio file (.mp3, .m4a, .ogg, "
                                       ".opus, .oga or .webm)")
            continue
        found = media(ctx, raw, lang, path, "narration")
        if found:
            result[lang] = found
    return result
