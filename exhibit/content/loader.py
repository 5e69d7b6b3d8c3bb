"""Load and validate an exhibition folder into frozen data objects.

``load_exhibition(path)`` returns an :class:`Exhibition` or raises :class:`InvalidContent` with
every problem found (each ``path:line: message``). It never stops at the first problem, so one run
of ``exhibit check`` shows an author everything to fix.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import math
import os
import re
import warnings
from pathlib import Path
from typing import Any

from PIL import Image as PILImage

from .errors import ErrorLog, InvalidContent
from .markdown import RenderEnv, render_markdown
from .model import (
    CHART_TYPES,
    PANEL_KINDS,
    Choice,
    Exhibition,
    Figure,
    FigureRow,
    Image,
    KeyFigure,
    Localized,
    MediaFile,
    Organisation,
    Panel,
    Question,
    Questionnaire,
    Section,
    Source,
    Video,
    exhibition_fingerprint,
)
from .textfile import LINK_LOOP, link_problem, read_text
from .yamlsource import LineDict, LineList, check_fields, describe, load_yaml

EXHIBITION_FILE = "exhibition.yaml"
QUESTIONNAIRE_FILE = "questionnaire.yaml"
QUESTION_KINDS = ("rating", "choice")
RATING_SCALE = ("1", "2", "3", "4", "5")
PANEL_FILE = "panel.yaml"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IDENT = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANG = re.compile(r"^[a-z]{2,3}$")
TEXT_FILE = re.compile(r"^text\.([^.]+)\.md$")
DIGIT = re.compile(r"\d")
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
# A figure value as the format describes it: digits, one optional decimal point, optional minus.
# (Python's float() would also take "nan", "1e308", "1_000" and " 5 ".)
PLAIN_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
# Larger magnitudes are typing slips: no chart in an exhibition spans them.
MAX_FIGURE_VALUE = 1e15
# A URL where a media path belongs: "https://host/x.png", "//host/x.png", "file:///etc/passwd".
URL_LIKE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//|\\\\)")

# Images larger than this are refused: a decompression bomb, or a mistake. It leaves room for a
# full-bleed A0 photo at 300 ppi (about 140 megapixels) for the print surface.
MAX_IMAGE_PIXELS = 250_000_000
IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
VIDEO_SUFFIXES = {".mp4", ".webm"}
# A figure is read at a glance; past this many rows it is a table, not a chart.
MAX_FIGURE_ROWS = 60
# A panel is read standing up: 100 kB is some 15,000 words, far more than any panel holds. The
# limit also bounds the Markdown parser's time on pathological input (it is linear, not instant).
MAX_PANEL_TEXT_BYTES = 100_000
# Share charts are percentages; rounding in the source may leave them a little off 100.
SHARE_TOLERANCE = 0.5


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def media_path_problem(rel: str) -> str | None:
    """What is wrong with a media reference (the end of a sentence starting "media path 'x'"),
    or None when it is a plain relative path that cannot leave the media folder by itself."""
    parts = rel.replace("\\", "/").split("/")
    if CONTROL.search(rel):
        return "contains a control character"
    if re.match(r"^[a-zA-Z]:", rel):
        return "names a drive; write it relative to the media folder"
    if URL_LIKE.match(rel):
        return "is a URL; media are files in the media folder, never links to other hosts"
    if "\\" in rel:
        return "uses '\\'; separate folders with '/'"
    if rel.startswith("/"):
        return "is absolute; write it relative to the media folder"
    if ".." in parts:
        return "contains '..'; media must stay inside the media folder"
    if "%" in rel:
        return "contains '%'; write file names as they are, not URL-encoded"
    return None


def shorten(value: object, limit: int = 80) -> str:
    """A value as shown in a message: long ones cut, so one bad field cannot flood the report."""
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _real_date(date: str) -> bool:
    """A YYYY, YYYY-MM or YYYY-MM-DD that the calendar has (no year 0000, no 30 February)."""
    parts = [int(p) for p in date.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


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


def load_exhibition(root: str | os.PathLike[str]) -> Exhibition:
    """Load the exhibition in ``root``; raise :class:`InvalidContent` listing every problem."""
    return _ExhibitionLoader(Path(root)).load()


def check_exhibition(root: str | os.PathLike[str]) -> list:
    """Every problem in the exhibition in ``root`` (an empty list when it is valid)."""
    try:
        load_exhibition(root)
    except InvalidContent as exc:
        return exc.errors
    return []


class _ExhibitionLoader:
    def __init__(self, root: Path):
        self.root = root.resolve() if root.exists() else root
        self.errors = ErrorLog()
        self.languages: tuple[str, ...] = ()
        self.media_root: Path = self.root.parent / "media"
        self.hash_cache: dict[Path, MediaFile] = {}
        self.slug_lines: dict[Path, int] = {}  # panel folder → line of its slug, for messages

    # -- the whole exhibition ------------------------------------------------------------

    def load(self) -> Exhibition:
        path = self.root / EXHIBITION_FILE
        if not self.root.is_dir():
            self.errors.add(self.root, 0, "content folder does not exist")
            raise InvalidContent(self.errors.errors)
        if not path.is_file() and not path.is_symlink():
            self.errors.add(path, 0, f"missing {EXHIBITION_FILE}: every exhibition folder needs one")
            raise InvalidContent(self.errors.errors)
        data = load_yaml(path, self.errors, within=self.root)
        if data is None:
            raise InvalidContent(self.errors.errors)
        check_fields(data, path, self.errors,
                     required=("title", "languages", "sections"),
                     optional=("subtitle", "organisations", "review", "media_dir"))
        self.languages = self._languages(data, path)
        if not self.languages:
            raise InvalidContent(self.errors.errors)
        if isinstance(data.get("media_dir"), str) and CONTROL.search(data["media_dir"]):
            self.errors.add(path, data.line_of("media_dir"), "'media_dir' contains a control character")
        elif isinstance(data.get("media_dir"), str):
            # The media folder may be anywhere (the demo's is beside the content folder).
            self.media_root = self.root / data["media_dir"]
        try:
            self.media_root = self.media_root.resolve()
        except (RuntimeError, OSError):  # a symbolic link loop
            self.errors.add(path, data.line_of("media_dir"), "the media folder is a symbolic link "
                                                             "that loops back on itself")
            raise InvalidContent(self.errors.errors) from None

        organisations = self._organisations(data, path)
        org_ids = {o.id for o in organisations}
        review_enabled, review_orgs = self._review(data, path, org_ids)
        sections = self._sections(data, path, org_ids, review_orgs)
        panels = self._panels({s.id for s in sections}, path)
        title = self._localized(data, "title", path)
        subtitle = self._localized(data, "subtitle", path, required=False)
        self._no_numbers(subtitle, path, data.line_of("subtitle"), "the subtitle")
        questionnaire = self._questionnaire()

        if self.errors:
            raise InvalidContent(self.errors.errors)
        section_order = {s.id: i for i, s in enumerate(sections)}
        panels.sort(key=lambda p: (section_order[p.section], p.order, p.slug))
        digest = hashlib.sha256(path.read_bytes())
        if (self.root / QUESTIONNAIRE_FILE).is_file():
            digest.update((self.root / QUESTIONNAIRE_FILE).read_bytes())
        settings_digest = digest.hexdigest()
        return Exhibition(
            title=title,
            subtitle=subtitle or Localized({lang: "" for lang in self.languages}),
            languages=self.languages,
            organisations=tuple(organisations),
            review_enabled=review_enabled,
            review_organisations=review_orgs,
            sections=tuple(sections),
            panels=tuple(panels),
            root=self.root,
            media_root=self.media_root,
            fingerprint=exhibition_fingerprint(settings_digest, tuple(panels)),
            questionnaire=questionnaire,
            settings_digest=settings_digest,
        )

    def _languages(self, data: LineDict, path: Path) -> tuple[str, ...]:
        value = data.get("languages")
        if not isinstance(value, list) or not value:
            if "languages" in data:
                self.errors.add(path, data.line_of("languages"),
                                "'languages' must be a list of language codes, e.g. [zh, en, fr]")
            return ()
        langs: list[str] = []
        for i, lang in enumerate(value):
            if not isinstance(lang, str) or not LANG.match(lang):
                self.errors.add(path, value.line_of(i),
                                f"'{lang}' is not a language code (two or three lowercase letters)")
            elif lang in langs:
                self.errors.add(path, value.line_of(i), f"language '{lang}' is listed twice")
            else:
                langs.append(lang)
        return tuple(langs)

    def _organisations(self, data: LineDict, path: Path) -> list[Organisation]:
        result: list[Organisation] = []
        items = self._list(data, "organisations", path, required=False)
        for i, item in enumerate(items):
            where = f"organisations[{i + 1}]"
            if not self._mapping(item, path, items.line_of(i), where):
                continue
            check_fields(item, path, self.errors, required=("id", "name"), where=where)
            org_id = self._ident(item, "id", path)
            name = self._localized(item, "name", path)
            if org_id and any(o.id == org_id for o in result):
                self.errors.add(path, item.line_of("id"), f"organisation '{org_id}' is defined twice")
            elif org_id and name:
                result.append(Organisation(org_id, name))
        return result

    def _review(self, data: LineDict, path: Path, org_ids: set[str]) -> tuple[bool, tuple[str, ...]]:
        review = data.get("review")
        if review is None:
            return True, ()
        if not self._mapping(review, path, data.line_of("review"), "review"):
            return True, ()
        check_fields(review, path, self.errors, required=(),
                     optional=("enabled", "organisations"), where="review")
        enabled = review.get("enabled", True)
        if not isinstance(enabled, bool):
            self.errors.add(path, review.line_of("enabled"), "'enabled' must be true or false")
            enabled = True
        orgs = self._org_refs(review, "organisations", path, org_ids)
        if enabled and not orgs:
            self.errors.add(path, review.line, "review is enabled but names no organisations; "
                                               "add 'organisations: [...]' or 'enabled: false'")
        return enabled, orgs

    def _org_refs(self, data: LineDict, key: str, path: Path, org_ids: set[str]) -> tuple[str, ...]:
        items = self._list(data, key, path, required=False)
        refs: list[str] = []
        for i, ref in enumerate(items):
            if ref not in org_ids:
                known = ", ".join(sorted(org_ids)) or "none defined"
                self.errors.add(path, items.line_of(i),
                                f"unknown organisation '{ref}' (organisations: {known})")
            elif ref not in refs:
                refs.append(ref)
        return tuple(refs)

    def _sections(self, data: LineDict, path: Path, org_ids: set[str],
                  review_orgs: tuple[str, ...]) -> list[Section]:
        sections: list[Section] = []
        items = self._list(data, "sections", path)
        for i, item in enumerate(items):
            where = f"sections[{i + 1}]"
            if not self._mapping(item, path, items.line_of(i), where):
                continue
            check_fields(item, path, self.errors, required=("id", "title"),
                         optional=("intro", "review_organisations"), where=where)
            section_id = self._ident(item, "id", path)
            title = self._localized(item, "title", path)
            intro = self._localized(item, "intro", path, required=False)
            self._no_numbers(intro, path, item.line_of("intro"), "a section introduction")
            orgs = self._org_refs(item, "review_organisations", path, org_ids) or review_orgs
            if section_id and any(s.id == section_id for s in sections):
                self.errors.add(path, item.line_of("id"), f"section '{section_id}' is listed twice")
            elif section_id and title:
                sections.append(Section(section_id, title, intro, orgs))
        return sections

    # -- panels --------------------------------------------------------------------------

    def _panels(self, section_ids: set[str], exhibition_path: Path) -> list[Panel]:
        panels: list[Panel] = []
        seen: dict[str, Path] = {}
        for folder in sorted(p for p in self.root.iterdir() if not p.name.startswith((".", "_"))):
            if folder.name == QUESTIONNAIRE_FILE or self._holds_media(folder):
                continue
            if folder.is_symlink():
                self.errors.add(folder, 0, link_problem(folder, self.root)
                                or "panel folders may not be symbolic links")
                continue
            if not folder.is_dir():
                if folder.name != EXHIBITION_FILE and folder.suffix not in (".md", ".txt"):
                    self.errors.add(folder, 0, f"unexpected file; panels are folders with a "
                                               f"{PANEL_FILE}")
                continue
            if not (folder / PANEL_FILE).is_file() and not (folder / PANEL_FILE).is_symlink():
                self.errors.add(folder / PANEL_FILE, 0,
                                f"missing {PANEL_FILE}: every panel folder needs one")
                continue
            panel = self._panel(folder, section_ids)
            if panel is None:
                continue
            if panel.slug in seen:
                first = seen[panel.slug]
                self.errors.add(folder / PANEL_FILE, self.slug_lines.get(folder, 1),
                                f"duplicate slug '{panel.slug}': also used by "
                                f"{first.parent.name}/{PANEL_FILE}")
                continue
            seen[panel.slug] = folder / PANEL_FILE
            panels.append(panel)
        if not panels and not self.errors:
            self.errors.add(exhibition_path, 0, "the exhibition has no panels")
        return panels

    def _panel(self, folder: Path, section_ids: set[str]) -> Panel | None:
        path = folder / PANEL_FILE
        for file in sorted(folder.iterdir()):
            # Any file of the panel may be read (the version hashes them all): none may lead out.
            problem = link_problem(file, self.root) if file.is_symlink() else None
            if problem:
                self.errors.add(file, 0, problem)
        data = load_yaml(path, self.errors, within=self.root)
        if data is None:
            return None
        before = len(self.errors)
        check_fields(data, path, self.errors,
                     required=("slug", "section", "order", "kind", "title", "summary", "sources"),
                     optional=("images", "key_figures", "figures", "video"))
        slug = data.get("slug")
        self.slug_lines[folder] = data.line_of("slug")
        if not isinstance(slug, str) or not SLUG.match(slug):
            if "slug" in data:
                self.errors.add(path, data.line_of("slug"),
                                f"slug '{slug}' must be lowercase letters, digits and single hyphens")
            slug = None
        section = data.get("section")
        if "section" in data and section not in section_ids:
            known = ", ".join(sorted(section_ids))
            self.errors.add(path, data.line_of("section"),
                            f"unknown section '{section}' (sections in {EXHIBITION_FILE}: {known})")
        order = data.get("order", 0)
        if not isinstance(order, int) or isinstance(order, bool):
            self.errors.add(path, data.line_of("order"), f"'order' must be a whole number, "
                                                         f"not {describe(order)}")
            order = 0
        kind = data.get("kind")
        if "kind" in data and kind not in PANEL_KINDS:
            self.errors.add(path, data.line_of("kind"),
                            f"unknown kind '{kind}'; use one of: {', '.join(PANEL_KINDS)}")
        title = self._localized(data, "title", path)
        summary = self._localized(data, "summary", path)
        self._no_numbers(summary, path, data.line_of("summary"), "the summary")
        sources = self._sources(data, path)
        source_ids = {s.id for s in sources}
        images = self._images(data, path)
        key_figures = self._key_figures(data, path, source_ids)
        figures = self._figures(data, path, folder, source_ids)
        video = self._video(data, path)
        self._kind_requirements(data, path, kind, images, figures, video)
        body, body_source = self._texts(folder, slug or "panel", sources)

        if len(self.errors) > before or not (slug and title and summary and body):
            return None
        return Panel(
            slug=slug, section=section, order=order, kind=kind, title=title, summary=summary,
            body=body, body_source=body_source, images=images, key_figures=key_figures,
            figures=figures, video=video, sources=sources,
            folder=folder.name, version=self._version(folder, images, video),
        )

    def _kind_requirements(self, data, path, kind, images, figures, video) -> None:
        line = data.line_of("kind")
        if kind in ("figure", "timeline") and not figures and "figures" not in data:
            self.errors.add(path, line, f"a {kind} panel needs 'figures'")
        if kind in ("figure", "timeline") and data.get("figures") == []:
            self.errors.add(path, data.line_of("figures"), f"a {kind} panel needs at least one "
                                                           f"figure; 'figures' is empty")
        if kind == "timeline" and figures and not any(f.chart == "timeline" for f in figures):
            self.errors.add(path, line, "a timeline panel needs a figure with 'chart: timeline'")
        if kind == "video" and video is None and "video" not in data:
            self.errors.add(path, line, "a video panel needs 'video'")
        if kind == "gallery" and len(images) < 2 and "images" not in data:
            self.errors.add(path, line, "a gallery panel needs at least two 'images'")
        if kind == "gallery" and isinstance(data.get("images"), list) and len(data["images"]) < 2:
            self.errors.add(path, data.line_of("images"),
                            "a gallery panel needs at least two 'images'")
        if kind != "video" and "video" in data:
            self.errors.add(path, data.line_of("video"), "'video' is only for panels of kind video")

    def _texts(self, folder: Path, slug: str, sources: tuple[Source, ...]):
        numbers = {s.id: n for n, s in enumerate(sources, start=1)}
        html: dict[str, str] = {}
        markdown: dict[str, str] = {}
        for file in sorted(folder.glob("text.*.md")):
            lang = TEXT_FILE.match(file.name).group(1)
            if lang not in self.languages:
                self.errors.add(file, 0, f"'{lang}' is not a language of this exhibition "
                                         f"({', '.join(self.languages)})")
        for lang in self.languages:
            file = folder / f"text.{lang}.md"
            if not file.is_file() and not file.is_symlink():
                self.errors.add(file, 0, f"missing translation: no {lang} text for this panel")
                continue
            text = read_text(file, self.errors, within=self.root, max_bytes=MAX_PANEL_TEXT_BYTES,
                             kind="panel texts")
            if text is None:
                continue
            if not text.strip():
                self.errors.add(file, 1, f"the {lang} text is empty")
                continue
            env = RenderEnv(lang=lang, anchor_prefix=f"src-{slug}-", source_numbers=numbers)
            html[lang] = render_markdown(text, env)
            markdown[lang] = text
            for line, cid in env.unknown_citations:
                self.errors.add(file, line, f"citation [@{cid}] names no source in {PANEL_FILE} "
                                            f"(sources: {', '.join(numbers) or 'none'})")
            for line in env.uncited_lines:
                self.errors.add(file, line, "a number without a source: cite one with "
                                            "[@source-id], or mark it [@illustrative]")
        if len(html) != len(self.languages):
            return None, None
        return Localized(html), Localized(markdown)

    def _sources(self, data: LineDict, path: Path) -> tuple[Source, ...]:
        sources: list[Source] = []
        items = self._list(data, "sources", path, required=False)
        for i, item in enumerate(items):
            where = f"sources[{i + 1}]"
            if not self._mapping(item, path, items.line_of(i), where):
                continue
            check_fields(item, path, self.errors, required=("id", "title"),
                         optional=("url", "note"), where=where)
            source_id = self._ident(item, "id", path)
            title = item.get("title")
            url = item.get("url")
            note = item.get("note")
            if title is not None and (not isinstance(title, str) or not title.strip()):
                self.errors.add(path, item.line_of("title"), "a source's title must be text")
                continue
            if url is not None and (not isinstance(url, str)
                                    or not re.match(r"^https?://[^\s]+$", url)):
                self.errors.add(path, item.line_of("url"),
                                "a source's url must start with http:// or https://")
                continue
            if source_id in {s.id for s in sources}:
                self.errors.add(path, item.line_of("id"), f"source '{source_id}' is listed twice")
                continue
            if source_id and title:
                sources.append(Source(source_id, title.strip(), url,
                                      str(note) if note is not None else None))
        if not sources and "sources" in data:
            self.errors.add(path, data.line_of("sources"), "a panel needs at least one source")
        return tuple(sources)

    def _source_ref(self, item: LineDict, path: Path, source_ids: set[str], what: str,
                    illustrative: bool) -> str | None:
        ref = item.get("source")
        if ref is None:
            if not illustrative:
                self.errors.add(path, item.line, f"{what} has no source: add 'source: <id>', or "
                                                 f"'illustrative: true' if no public source exists")
            return None
        if ref not in source_ids:
            self.errors.add(path, item.line_of("source"),
                            f"{what} cites unknown source '{ref}' "
                            f"(sources: {', '.join(sorted(source_ids)) or 'none'})")
            return None
        return ref

    def _flag(self, item: LineDict, key: str, path: Path) -> bool:
        value = item.get(key, False)
        if not isinstance(value, bool):
            self.errors.add(path, item.line_of(key), f"'{key}' must be true or false")
            return False
        return value

    def _images(self, data: LineDict, path: Path) -> tuple[Image, ...]:
        images: list[Image] = []
        items = self._list(data, "images", path, required=False)
        for i, item in enumerate(items):
            where = f"images[{i + 1}]"
            if not self._mapping(item, path, items.line_of(i), where):
                continue
            check_fields(item, path, self.errors, required=("file", "alt", "credit"),
                         optional=("caption",), where=where)
            alt = self._localized(item, "alt", path, what="alt text")
            caption = self._localized(item, "caption", path, required=False)
            self._no_numbers(caption, path, item.line_of("caption"), "an image caption")
            credit = item.get("credit")
            if credit is not None and (not isinstance(credit, str) or not credit.strip()):
                self.errors.add(path, item.line_of("credit"), "an image's credit must be text")
                credit = None
            media = self._media(item, "file", path)
            if media is None:
                continue
            size = self._image_size(media, path, item.line_of("file"))
            if size and alt and credit:
                images.append(Image(media, alt, credit.strip(), caption, *size))
        return tuple(images)

    def _image_size(self, media: MediaFile, path: Path, line: int) -> tuple[int, int] | None:
        # The header's size is read first, so a decompression bomb is refused with its size
        # before Pillow (whose own limit is lower than ours and stops Image.open) touches it.
        declared = _declared_size(media.absolute)
        if declared and declared[0] * declared[1] > image_pixel_limit():
            self._too_many_pixels(media, path, line, *declared)
            return None
        try:
            with warnings.catch_warnings():
                # Our limit is checked above; Pillow's warning below it would only be noise.
                warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
                with PILImage.open(media.absolute) as im:
                    fmt, (width, height) = im.format, im.size
        except PILImage.DecompressionBombError:
            self.errors.add(path, line, f"{media.path} has more than the "
                                        f"{image_pixel_limit():,}-pixel limit")
            return None
        except PILImage.UnidentifiedImageError:
            self.errors.add(path, line, f"{media.path} is not a readable image (not PNG, JPEG or "
                                        f"WebP)")
            return None
        except (OSError, SyntaxError, ValueError) as exc:
            reason = str(exc).replace(str(media.absolute), media.path)  # no absolute paths shown
            self.errors.add(path, line, f"{media.path} is not a readable image ({reason})")
            return None
        if fmt not in IMAGE_FORMATS:
            self.errors.add(path, line, f"{media.path} is {fmt}; use PNG, JPEG or WebP")
            return None
        if width * height > image_pixel_limit():
            self._too_many_pixels(media, path, line, width, height)
            return None
        return width, height

    def _too_many_pixels(self, media: MediaFile, path: Path, line: int, width: int,
                         height: int) -> None:
        self.errors.add(path, line, f"{media.path} is {width:,}×{height:,} pixels, more than the "
                                    f"{image_pixel_limit():,}-pixel limit (a decompression bomb, "
                                    f"or a mistake)")

    def _key_figures(self, data: LineDict, path: Path, source_ids: set[str]):
        result: list[KeyFigure] = []
        items = self._list(data, "key_figures", path, required=False)
        for i, item in enumerate(items):
            where = f"key_figures[{i + 1}]"
            if not self._mapping(item, path, items.line_of(i), where):
                continue
            check_fields(item, path, self.errors, required=("value", "label"),
                         optional=("unit", "source", "illustrative"), where=where)
            value = item.get("value")
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.errors.add(path, item.line_of("value"), "a key figure's value must be a "
                                                             "number or a short text like '−50 %'")
                continue
            value = str(value)
            if not re.search(r"\d", value):
                self.errors.add(path, item.line_of("value"),
                                f"key figure value '{value}' contains no number")
            illustrative = self._flag(item, "illustrative", path)
            source = self._source_ref(item, path, source_ids, f"key figure '{value}'",
                                      illustrative)
            label = self._localized(item, "label", path)
            unit = self._localized(item, "unit", path, required=False)
            if label:
                result.append(KeyFigure(value, unit, label, source, illustrative))
        return tuple(result)

    def _figures(self, data: LineDict, path: Path, folder: Path, source_ids: set[str]):
        figures: list[Figure] = []
        items = self._list(data, "figures", path, required=False)
        for i, item in enumerate(items):
            where = f"figures[{i + 1}]"
            if not self._mapping(item, path, items.line_of(i), where):
                continue
            check_fields(item, path, self.errors, required=("data", "chart", "title"),
                         optional=("unit", "source", "illustrative", "note"), where=where)
            chart = item.get("chart")
            if "chart" in item and chart not in CHART_TYPES:
                self.errors.add(path, item.line_of("chart"),
                                f"unknown chart '{chart}'; use one of: {', '.join(CHART_TYPES)}")
                continue
            illustrative = self._flag(item, "illustrative", path)
            title = self._localized(item, "title", path)
            unit = self._localized(item, "unit", path, required=False)
            note = self._localized(item, "note", path, required=False)
            if chart in ("bar", "line") and "unit" not in item:
                self.errors.add(path, item.line, f"a {chart} chart needs a 'unit'")
            source = None
            if "source" in item:
                source = self._source_ref(item, path, source_ids, "figure", illustrative)
            csv_name = item.get("data")
            if not isinstance(csv_name, str) or "/" in csv_name or "\\" in csv_name \
                    or CONTROL.search(csv_name) or not csv_name.endswith(".csv"):
                if "data" in item:
                    self.errors.add(path, item.line_of("data"),
                                    f"'data' must name a .csv file in the panel folder, not "
                                    f"'{shorten(csv_name)}'")
                continue
            csv_path = folder / csv_name
            if not csv_path.is_file() and not csv_path.is_symlink():
                self.errors.add(path, item.line_of("data"), f"missing data file {csv_name}")
                continue
            rows = self._figure_rows(csv_path, chart, source_ids)
            if rows is None:
                continue
            if source is None and not illustrative and "source" not in item:
                missing = [n for n, row in rows if row.source is None]
                if missing:
                    self.errors.add(csv_path, missing[0],
                                    "figure data without a source: add 'source' to the figure "
                                    f"in {PANEL_FILE} or a 'source' column, or mark it "
                                    "'illustrative: true'")
            if chart == "share" and rows:
                total = sum(row.value for _, row in rows)
                if abs(total - 100) > SHARE_TOLERANCE:
                    self.errors.add(csv_path, 2, f"share values add up to {total:g}, not 100")
            if chart == "timeline":
                dates = [row.date for _, row in rows]
                if dates != sorted(dates):
                    self.errors.add(csv_path, 2, "timeline events must be in date order")
            if title:
                figures.append(Figure(
                    id=csv_path.stem, chart=chart, title=title, unit=unit, source=source,
                    illustrative=illustrative, note=note, rows=tuple(r for _, r in rows),
                    data_path=f"{folder.name}/{csv_name}"))
        return tuple(figures)

    def _figure_rows(self, path: Path, chart: str, source_ids: set[str]):
        text = read_text(path, self.errors, within=self.root)
        if text is None:
            return None
        label_cols = [f"label.{lang}" for lang in self.languages]
        first = ["date"] if chart == "timeline" else []
        last = [] if chart == "timeline" else ["value"]
        required = first + label_cols + last
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            self.errors.add(path, 1, f"CSV syntax error: {exc}")
            return None
        if not header:
            self.errors.add(path, 1, "empty CSV file: expected a header row")
            return None
        header = [h.strip() for h in header]
        for col in header:
            if col not in required and col != "source":
                self.errors.add(path, 1, f"unknown column '{col}'; expected: "
                                         f"{', '.join(required)}[, source]")
        for col in required:
            if col not in header:
                what = "missing translation" if col.startswith("label.") else "missing column"
                self.errors.add(path, 1, f"{what}: no '{col}' column")
        if len(set(header)) != len(header):
            self.errors.add(path, 1, "a column name appears twice")
        if any(col not in header for col in required) or len(set(header)) != len(header):
            return None
        records: list[tuple[int, list[str]]] = []
        try:
            for record in reader:
                if any(cell.strip() for cell in record):
                    records.append((reader.line_num, record))
        except csv.Error as exc:
            self.errors.add(path, reader.line_num, f"CSV syntax error: {exc}")
            return None
        if not records:
            self.errors.add(path, 1, "no data rows")
            return None
        if len(records) > MAX_FIGURE_ROWS:
            # Said once, before the rows are checked: 10,000 rows would give 10,000 messages.
            self.errors.add(path, 1, f"{len(records):,} rows; a chart holds at most "
                                     f"{MAX_FIGURE_ROWS}")
            return None
        rows: list[tuple[int, FigureRow]] = []
        ok = True
        for line, record in records:
            if len(record) != len(header):
                self.errors.add(path, line, f"expected {len(header)} cells, found {len(record)}")
                ok = False
                continue
            cells = dict(zip(header, (c.strip() for c in record), strict=True))
            row = self._figure_row(path, line, cells, chart, label_cols, source_ids)
            if row is None:
                ok = False
            else:
                rows.append((line, row))
        return rows if ok else None

    def _figure_row(self, path, line, cells, chart, label_cols, source_ids) -> FigureRow | None:
        ok = True
        for col in label_cols:
            if not cells[col]:
                self.errors.add(path, line, f"missing translation: empty '{col}'")
                ok = False
        value = date = None
        if chart == "timeline":
            date = cells["date"]
            if not DATE.match(date):
                self.errors.add(path, line, f"date '{shorten(date)}' is not YYYY, YYYY-MM or "
                                            f"YYYY-MM-DD")
                ok = False
            elif not _real_date(date):
                self.errors.add(path, line, f"date '{date}' is not a real date")
                ok = False
        else:
            raw = cells["value"]
            if not PLAIN_NUMBER.match(raw):
                self.errors.add(path, line, f"value '{shorten(raw)}' is not a number (write plain "
                                            f"numbers like 5.8: a dot for decimals, no units, "
                                            f"spaces or exponents)")
                ok = False
            else:
                value = float(raw)
                if not math.isfinite(value) or abs(value) > MAX_FIGURE_VALUE:
                    self.errors.add(path, line, f"value '{shorten(raw)}' is too large for a chart "
                                                f"(the limit is {MAX_FIGURE_VALUE:,.0f})")
                    ok = False
                elif chart == "share" and value < 0:
                    self.errors.add(path, line, "share values cannot be negative")
                    ok = False
        source = cells.get("source") or None
        if source is not None and source not in source_ids:
            self.errors.add(path, line, f"unknown source '{source}' "
                                        f"(sources: {', '.join(sorted(source_ids)) or 'none'})")
            ok = False
        if not ok:
            return None
        label = Localized({col.split(".", 1)[1]: cells[col] for col in label_cols})
        return FigureRow(label=label, value=value, date=date, source=source)

    def _video(self, data: LineDict, path: Path) -> Video | None:
        item = data.get("video")
        if item is None or not self._mapping(item, path, data.line_of("video"), "video"):
            return None
        check_fields(item, path, self.errors, required=("file", "captions", "credit"),
                     optional=("poster",), where="video")
        media = self._media(item, "file", path)
        if media and Path(media.path).suffix.lower() not in VIDEO_SUFFIXES:
            self.errors.add(path, item.line_of("file"), "a video must be .mp4 or .webm")
            media = None
        poster = self._media(item, "poster", path) if "poster" in item else None
        captions: dict[str, MediaFile] = {}
        raw = item.get("captions")
        if isinstance(raw, dict):
            for lang in raw:
                if lang not in self.languages:
                    self.errors.add(path, raw.line_of(lang), f"'{lang}' is not a language of "
                                                             f"this exhibition")
            for lang in self.languages:
                if lang not in raw:
                    self.errors.add(path, raw.line,
                                    f"missing translation: no {lang} captions for the video")
                    continue
                track = self._media(raw, lang, path)
                if track and self._valid_vtt(track, path, raw.line_of(lang)):
                    captions[lang] = track
        elif raw is not None:
            self.errors.add(path, item.line_of("captions"),
                            "'captions' must map each language to a WebVTT file")
        credit = item.get("credit")
        if not media or len(captions) != len(self.languages) or not isinstance(credit, str):
            return None
        return Video(media, poster, captions, credit)

    def _valid_vtt(self, track: MediaFile, path: Path, line: int) -> bool:
        text = read_text(track.absolute, self.errors)
        if text is None:
            return False
        if not text.startswith("WEBVTT"):
            self.errors.add(track.absolute, 1, "a caption file must start with 'WEBVTT'")
            return False
        if "-->" not in text:
            self.errors.add(track.absolute, 1, "the caption file has no cues")
            return False
        return True

    def _questionnaire(self) -> Questionnaire | None:
        """The optional questionnaire.yaml: questions with choices, in every language."""
        path = self.root / QUESTIONNAIRE_FILE
        if not path.is_file() and not path.is_symlink():
            return None
        data = load_yaml(path, self.errors, within=self.root)
        if data is None:
            return None
        check_fields(data, path, self.errors, required=("title", "thanks", "questions"),
                     optional=("intro",))
        title = self._localized(data, "title", path)
        intro = self._localized(data, "intro", path, required=False)
        thanks = self._localized(data, "thanks", path)
        questions: list[Question] = []
        items = self._list(data, "questions", path)
        for i, item in enumerate(items):
            where = f"questions[{i + 1}]"
            if not self._mapping(item, path, items.line_of(i), where):
                continue
            check_fields(item, path, self.errors, required=("id", "kind", "text"),
                         optional=("choices", "low", "high"), where=where)
            question_id = self._ident(item, "id", path)
            kind = item.get("kind")
            if "kind" in item and kind not in QUESTION_KINDS:
                self.errors.add(path, item.line_of("kind"), f"unknown question kind '{kind}'; "
                                                            f"use one of: {', '.join(QUESTION_KINDS)}")
                continue
            text = self._localized(item, "text", path)
            choices: list[Choice] = []
            if kind == "rating":
                for end in ("low", "high"):
                    if end not in item:
                        self.errors.add(path, item.line, f"missing field '{end}' in {where}: a "
                                                         f"rating labels its ends (1 and 5)")
                low = self._localized(item, "low", path, what="'low' (label of 1)")
                high = self._localized(item, "high", path, what="'high' (label of 5)")
                for value in RATING_SCALE:
                    label = low if value == "1" else high if value == "5" else None
                    choices.append(Choice(value, label or Localized(
                        {lang: value for lang in self.languages})))
                if low is None or high is None:
                    continue
            elif kind == "choice":
                raw = self._list(item, "choices", path)
                if len(raw) < 2:
                    self.errors.add(path, item.line_of("choices") if "choices" in item
                                    else item.line, "a choice question needs at least two choices")
                for j, choice in enumerate(raw):
                    if not self._mapping(choice, path, raw.line_of(j), f"{where}.choices[{j + 1}]"):
                        continue
                    check_fields(choice, path, self.errors, required=("id", "label"),
                                 where=f"{where}.choices[{j + 1}]")
                    choice_id = self._ident(choice, "id", path)
                    label = self._localized(choice, "label", path)
                    if choice_id and label:
                        choices.append(Choice(choice_id, label))
            if question_id and any(q.id == question_id for q in questions):
                self.errors.add(path, item.line_of("id"), f"question '{question_id}' is listed twice")
            elif question_id and text and choices:
                questions.append(Question(question_id, kind, text, tuple(choices)))
        if not (title and thanks and questions):
            return None
        return Questionnaire(title, intro, thanks, tuple(questions))

    def _no_numbers(self, text: Localized | None, path: Path, line: int, what: str) -> None:
        """Texts shown without their sources (cards, share previews) may not carry numbers."""
        if text is None:
            return
        for lang, value in text.items():
            if DIGIT.search(value):
                self.errors.add(path, line, f"{what} ({lang}) contains a number, but it is shown "
                                            f"without sources (cards, share previews): move the "
                                            f"number into the text, where it can be cited")
                return

    # -- shared field readers --------------------------------------------------------------

    def _media(self, item: LineDict, key: str, path: Path) -> MediaFile | None:
        """A media reference, resolved strictly inside the media folder."""
        line = item.line_of(key)
        rel = item.get(key)
        if not isinstance(rel, str) or not rel.strip():
            self.errors.add(path, line, f"'{key}' must be a file path relative to the media folder")
            return None
        problem = media_path_problem(rel)
        if problem:
            self.errors.add(path, line, f"media path '{shorten(rel)}' {problem}")
            return None
        problem = link_problem(self.media_root / rel, self.media_root)
        if problem == LINK_LOOP:
            self.errors.add(path, line, f"media path '{shorten(rel)}' is a symbolic link that loops "
                                        f"back on itself")
            return None
        if problem:
            self.errors.add(path, line, f"media path '{shorten(rel)}' leads outside the media folder "
                                        f"through a symbolic link; links out are not followed")
            return None
        target = (self.media_root / rel).resolve()
        if not target.is_file():
            self.errors.add(path, line, f"missing media file {rel} in the media folder "
                                        f"({os.path.relpath(self.media_root, self.root)})")
            return None
        if target in self.hash_cache:
            return self.hash_cache[target]
        digest = hashlib.sha256()
        with target.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        media = MediaFile(rel, target, digest.hexdigest(), target.stat().st_size)
        self.hash_cache[target] = media
        return media

    def _holds_media(self, folder: Path) -> bool:
        """True for the folder (inside the content folder) that is or holds the media folder."""
        return not folder.is_symlink() and self.media_root.is_relative_to(folder.resolve())

    def _version(self, folder: Path, images, video) -> str:
        """A hash of everything the panel shows: its files and the media they reference."""
        digest = hashlib.sha256()
        for file in sorted(folder.iterdir()):
            if file.is_file() and not file.name.startswith(".") and not link_problem(file, self.root):
                digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
        media = [i.media for i in images]
        if video:
            media += [video.media, *([video.poster] if video.poster else []),
                      *video.captions.values()]
        for m in media:
            digest.update(f"{m.path}\0{m.sha256}\0".encode())
        return digest.hexdigest()[:16]

    def _list(self, data: LineDict, key: str, path: Path, required: bool = True) -> LineList:
        value = data.get(key)
        if value is None:
            empty = LineList()
            empty.line, empty.item_lines = data.line_of(key), []
            return empty
        if not isinstance(value, LineList):
            self.errors.add(path, data.line_of(key), f"'{key}' must be a list, not "
                                                     f"{describe(value)}")
            empty = LineList()
            empty.line, empty.item_lines = data.line_of(key), []
            return empty
        return value

    def _mapping(self, value: Any, path: Path, line: int, where: str) -> bool:
        if not isinstance(value, LineDict):
            self.errors.add(path, line, f"{where} must be a mapping of fields, not "
                                        f"{describe(value)}")
            return False
        return True

    def _ident(self, item: LineDict, key: str, path: Path) -> str | None:
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not IDENT.match(value):
            self.errors.add(path, item.line_of(key), f"'{key}' must be a lowercase identifier "
                                                     f"(letters, digits, '-' or '_'), not '{value}'")
            return None
        return value

    def _localized(self, data: LineDict, key: str, path: Path, *, required: bool = True,
                   what: str | None = None) -> Localized | None:
        """A field with one text per language; every language must be there."""
        what = what or f"'{key}'"
        value = data.get(key)
        if value is None:
            return None  # a missing required field was reported by check_fields
        line = data.line_of(key)
        if isinstance(value, str) and len(self.languages) == 1:
            value = {self.languages[0]: value}
        if not isinstance(value, dict):
            self.errors.add(path, line, f"{what} must give one text per language "
                                        f"({', '.join(self.languages)})")
            return None
        ok = True
        for lang in value:
            if lang not in self.languages:
                ok = False
                self.errors.add(path, value.line_of(lang) if isinstance(value, LineDict) else line,
                                f"{what}: '{lang}' is not a language of this exhibition "
                                f"({', '.join(self.languages)})")
        for lang in self.languages:
            text = value.get(lang)
            if text is None or (isinstance(text, str) and not text.strip()):
                ok = False
                self.errors.add(path, line, f"missing translation: {what} has no {lang} text")
            elif isinstance(text, bool):
                ok = False
                self.errors.add(path, line, f"{what} in {lang} must be text; YAML reads yes, no, "
                                            f"on and off as true/false, so put it in quotes")
            elif not isinstance(text, str | int | float):
                ok = False
                self.errors.add(path, line, f"{what} in {lang} must be text")
        if not ok:
            return None
        return Localized({lang: str(value[lang]).strip() for lang in self.languages})
