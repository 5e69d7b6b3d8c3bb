"""The exhibition as frozen data objects.

Everything here is plain data: the parser builds it, the surfaces (kiosk, web, print) read it.
Nothing in this package imports Flask, so the checker, the print renderer and the tests can use it
on their own.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from .pending import PendingItem, find_pending

PANEL_KINDS = ("text", "figure", "timeline", "case-study", "video", "gallery")
CHART_TYPES = ("bar", "line", "share", "timeline")


class Localized(Mapping[str, str]):
    """A text in several languages, read-only: ``title["fr"]``."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]):
        self._values = MappingProxyType(dict(values))

    def __getitem__(self, lang: str) -> str:
        return self._values[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._values) == dict(other)

    def __repr__(self) -> str:
        return f"Localized({dict(self._values)!r})"


@dataclass(frozen=True)
class Organisation:
    id: str
    name: Localized


@dataclass(frozen=True)
class Contact:
    """Who the public writes to (exhibition.yaml: contact), shown in the footer of every page."""
    email: str
    name: Localized | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: Localized
    intro: Localized | None
    review_organisations: tuple[str, ...]


def pick_language(texts: Localized | None, plain: str | None, lang: str,
                  languages: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The text to show on a page in ``lang`` and its language: ``lang``'s own text, or else the
    first of ``languages`` (then of ``texts``) that has one; a plain text has no known language."""
    if texts is None:
        return plain, None
    for other in (lang, *languages, *texts):
        if other in texts:
            return texts[other], other
    return plain, None


class PerLanguageCredit:
    """``credit`` is one text, or ``credits`` one text per language (``credit`` then being the
    first language's)."""

    credit: str
    credits: Localized | None
    languages: tuple[str, ...]

    def credit_in(self, lang: str) -> str:
        return pick_language(self.credits, self.credit, lang, self.languages)[0] or self.credit

    def credit_lang(self, lang: str) -> str | None:
        """The language of ``credit_in(lang)`` when it is not ``lang`` (for a ``lang`` attribute)."""
        shown = pick_language(self.credits, self.credit, lang, self.languages)[1]
        return shown if shown and shown != lang else None


@dataclass(frozen=True)
class Source:
    """A cited source. ``title`` and ``note`` are plain texts (one for every language) or, in
    ``titles`` / ``notes``, one text per language: the official title of a document in each
    language it exists in. ``title`` is then the text for the exhibition's first language."""

    id: str
    title: str
    url: str | None = None
    note: str | None = None
    titles: Localized | None = None
    notes: Localized | None = None
    languages: tuple[str, ...] = ()  # the exhibition's languages, in order (for the fallback)

    def _pick(self, texts: Localized | None, plain: str | None, lang: str
              ) -> tuple[str | None, str | None]:
        return pick_language(texts, plain, lang, self.languages)

    def title_in(self, lang: str) -> str:
        """The title to show on a page in ``lang`` (another language's when it has none)."""
        return self._pick(self.titles, self.title, lang)[0] or self.title

    def title_lang(self, lang: str) -> str | None:
        """The language of ``title_in(lang)`` when it is not ``lang`` (for a ``lang`` attribute)."""
        shown = self._pick(self.titles, self.title, lang)[1]
        return shown if shown and shown != lang else None

    def note_in(self, lang: str) -> str | None:
        return self._pick(self.notes, self.note, lang)[0]

    def note_lang(self, lang: str) -> str | None:
        shown = self._pick(self.notes, self.note, lang)[1]
        return shown if shown and shown != lang else None


@dataclass(frozen=True)
class MediaFile:
    """A file under the exhibition's media folder, with its content hash (for caches and URLs)."""

    path: str  # relative to the media folder, with forward slashes
    absolute: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Image(PerLanguageCredit):
    media: MediaFile
    alt: Localized
    credit: str
    caption: Localized | None
    width: int
    height: int
    credits: Localized | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyFigure:
    value: str  # as written; with ``values``, the exhibition's first language's
    unit: Localized | None
    label: Localized
    source: str | None
    illustrative: bool
    # One text per language, when the panel gives them ({zh: "10%～12%", en: "10–12%"}):
    # languages write ranges, decimals and spaces differently.
    values: Localized | None = None

    def value_in(self, lang: str) -> str:
        """The value as shown on a page in ``lang``."""
        if self.values is not None and lang in self.values:
            return self.values[lang]
        return self.value


@dataclass(frozen=True)
class FigureRow:
    label: Localized
    value: float | None  # None for timeline events
    date: str | None  # YYYY, YYYY-MM or YYYY-MM-DD for timeline events
    source: str | None  # overrides the figure's source


@dataclass(frozen=True)
class Figure:
    id: str  # unique inside the panel, from the CSV file name
    chart: str
    title: Localized
    unit: Localized | None
    source: str | None
    illustrative: bool
    note: Localized | None
    rows: tuple[FigureRow, ...]
    data_path: str  # the CSV, relative to the content folder

    def row_sources(self) -> tuple[str, ...]:
        """Source ids used by this figure, figure-wide first, without duplicates."""
        ids = [self.source] if self.source else []
        ids += [row.source for row in self.rows if row.source]
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class Video(PerLanguageCredit):
    media: MediaFile
    poster: MediaFile | None
    captions: Mapping[str, MediaFile]
    credit: str
    credits: Localized | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Panel:
    slug: str
    section: str
    order: int
    kind: str
    title: Localized
    summary: Localized
    body: Localized  # sanitised HTML per language
    body_source: Localized  # the Markdown as written (hashing, diffs, search)
    images: tuple[Image, ...]
    key_figures: tuple[KeyFigure, ...]
    figures: tuple[Figure, ...]
    video: Video | None
    sources: tuple[Source, ...]
    folder: str  # relative to the content folder
    version: str  # hash of everything the panel shows (texts, data, media)
    # Recorded narration per language (not every language needed): the kiosk's access mode plays it.
    narration: Mapping[str, MediaFile] = field(default_factory=dict)

    def source(self, source_id: str) -> Source | None:
        """The source with this id, or None."""
        return next((s for s in self.sources if s.id == source_id), None)

    def source_number(self, source_id: str) -> int:
        """1-based position of a source in the panel's list (the number shown on screen)."""
        for number, source in enumerate(self.sources, start=1):
            if source.id == source_id:
                return number
        raise KeyError(source_id)

    @property
    def pending(self) -> tuple[PendingItem, ...]:
        """Every ``{{pending: what — who}}`` item in the panel's texts (see :mod:`.pending`),
        each with its ``path:line``: a panel with one cannot be approved or printed final."""
        return tuple(item for lang in sorted(self.body_source)
                     for item in find_pending(self.body_source[lang],
                                              f"{self.folder}/text.{lang}.md", lang))

    def media_files(self) -> tuple[MediaFile, ...]:
        """Every media file the panel shows (for precaching, hashing and derivatives)."""
        files = [image.media for image in self.images]
        if self.video:
            files.append(self.video.media)
            if self.video.poster:
                files.append(self.video.poster)
            files.extend(self.video.captions.values())
        files.extend(self.narration[lang] for lang in sorted(self.narration))
        return tuple(files)


@dataclass(frozen=True)
class Choice:
    id: str
    label: Localized


@dataclass(frozen=True)
class Question:
    id: str
    kind: str  # "rating" (choices 1..5, the ends labelled) or "choice"
    text: Localized
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Questionnaire:
    """The visitors' evaluation questionnaire, answered on the kiosk and online."""

    title: Localized
    intro: Localized | None
    thanks: Localized
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Exhibition:
    title: Localized
    subtitle: Localized
    languages: tuple[str, ...]
    organisations: tuple[Organisation, ...]
    review_enabled: bool
    review_organisations: tuple[str, ...]
    sections: tuple[Section, ...]
    panels: tuple[Panel, ...]  # in display order: by section order, then panel order, then slug
    root: Path
    media_root: Path
    fingerprint: str = field(default="")  # changes whenever any shown content changes
    questionnaire: Questionnaire | None = None
    # Hash of exhibition.yaml and questionnaire.yaml: the part of the fingerprint that is not panels.
    settings_digest: str = ""
    # Where and when the physical exhibition is shown (exhibition.yaml: venue, dates: {opens,
    # closes}, opening_hours, hall_layout); the summary report says "not set" for each missing one.
    venue: Localized | None = None
    opens: datetime.date | None = None
    closes: datetime.date | None = None
    opening_hours: Localized | None = None
    hall_layout: Localized | None = None
    # The province the exhibition is shown in (exhibition.yaml: host_province), what
    # {{host_province}} in a panel text becomes.
    host_province: Localized | None = None
    # The footer of every public page (exhibition.yaml: contact, copyright: {holders, year}).
    contact: Contact | None = None
    copyright_holders: tuple[str, ...] = ()  # organisation ids
    copyright_year: int | None = None

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def panel(self, slug: str) -> Panel | None:
        """The panel with this slug, or None."""
        return next((p for p in self.panels if p.slug == slug), None)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def organisation(self, org_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == org_id), None)

    def panels_in(self, section_id: str) -> tuple[Panel, ...]:
        return tuple(p for p in self.panels if p.section == section_id)

    def with_panels(self, panels: tuple[Panel, ...]) -> Exhibition:
        """The same exhibition showing other panels (e.g. only the published versions), with the
        fingerprint those panels give: equal to this one's when the panels are the same."""
        return replace(self, panels=tuple(panels),
                       fingerprint=exhibition_fingerprint(self.settings_digest, panels))

    def neighbours(self, slug: str) -> tuple[Panel | None, Panel | None]:
        """The panels before and after this one in display order."""
        slugs = [p.slug for p in self.panels]
        i = slugs.index(slug)
        before = self.panels[i - 1] if i > 0 else None
        after = self.panels[i + 1] if i + 1 < len(self.panels) else None
        return before, after


def exhibition_fingerprint(settings_digest: str, panels: tuple[Panel, ...]) -> str:
    """A short hash that changes whenever anything shown changes: the exhibition's own files
    (``settings_digest``) and the version of every panel, in display order."""
    digest = hashlib.sha256(settings_digest.encode())
    digest.update("".join(p.version for p in panels).encode())
    return digest.hexdigest()[:16]
