"""What the content says about media: the media folder (``media_dir``), and each reference to an
image, a video, its poster and its captions. One rule keeps every path inside its folder:
:func:`media_path_problem` for the text of the path, then ``link_problem`` for symbolic links.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from pathlib import Path

from PIL import Image as PILImage

from .errors import ErrorLog
from .model import Image, MediaFile, Video
from .rules import CONTROL, Context, listing, localized, mapping, no_numbers, shorten, text
from .textfile import LINK_LOOP, link_problem, read_text
from .yamlsource import LineDict, check_fields, describe

# A URL where a media path belongs: "https://host/x.png", "//host/x.png", "file:///etc/passwd".
URL_LIKE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//|\\\\)")
# Images larger than this are refused: a decompression bomb, or a mistake. It leaves room for a
# full-bleed A0 photo at 300 ppi (about 140 megapixels) for the print surface.
MAX_IMAGE_PIXELS = 250_000_000
IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
VIDEO_SUFFIXES = {".mp4", ".webm"}


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


def image_pixel_limit() -> int:
    """The most pixels an image may have: ours, or Pillow's refusal threshold (twice its
    ``MAX_IMAGE_PIXELS``) when that is lower, since the web and print surfaces decode with
    Pillow and would fail on an image the checker let through."""
    pillow = PILImage.MAX_IMAGE_PIXELS
    return min(MAX_IMAGE_PIXELS, 2 * pillow) if pillow else MAX_IMAGE_PIXELS


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


def _recognise(path: Path, role: str, log: ErrorLog, yaml_path: Path, line: int) -> bool:
    """Is the file at ``path`` what its ``role`` says ("image", "poster", "captions", "video",
    "narration")? Logs at ``yaml_path:line`` and returns False when it is not.

    The one place where a referenced file's role is known: recognition by content
    (exhibit/content/mediafiles.py) is to be called here. For now the checks are the ones the
    loader always made (image decoding and size, WebVTT header), which run beside it."""
    return True


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
    if not _recognise(target, role, ctx.errors, path, line):
        return None
    if target in ctx.hash_cache:
        return ctx.hash_cache[target]
    digest = hashlib.sha256()
    with target.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    result = MediaFile(rel, target, digest.hexdigest(), target.stat().st_size)
    ctx.hash_cache[target] = result
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
        credit = item.get("credit")
        if credit is not None and (not isinstance(credit, str) or not credit.strip()):
            ctx.errors.add(path, item.line_of("credit"), "an image's credit must be text")
            credit = None
        found = media(ctx, item, "file", path, "image")
        if found is None:
            continue
        size = image_size(ctx, found, path, item.line_of("file"))
        if size and alt and credit:
            result.append(Image(found, alt, credit.strip(), caption, *size))
    return tuple(result)


def image_size(ctx: Context, found: MediaFile, path: Path, line: int) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG or WebP image within the pixel limit (else logged)."""
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
        ctx.errors.add(path, line, f"{found.path} is not a readable image (not PNG, JPEG or WebP)")
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
            if poster and not image_size(ctx, poster, path, item.line_of("poster")):
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
            if track and _valid_vtt(ctx, track):
                captions[lang] = track
    elif raw is not None:
        ctx.errors.add(path, item.line_of("captions"),
                       "'captions' must map each language to a WebVTT file")
    credit = text(ctx, item, "credit", path, what="a video's credit")
    if not found or len(captions) != len(ctx.languages) or credit is None:
        return None
    return Video(found, poster, captions, credit)


def _valid_vtt(ctx: Context, track: MediaFile) -> bool:
    content = read_text(track.absolute, ctx.errors)
    if content is None:
        return False
    if not content.startswith("WEBVTT"):
        ctx.errors.add(track.absolute, 1, "a caption file must start with 'WEBVTT'")
        return False
    if "-->" not in content:
        ctx.errors.add(track.absolute, 1, "the caption file has no cues")
        return False
    return True
