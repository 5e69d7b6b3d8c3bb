"""Load and validate an exhibition folder into frozen data objects.

``load_exhibition(path)`` returns an :class:`Exhibition` or raises :class:`InvalidContent` with
every problem found (each ``path:line: message``). It never stops at the first problem, so one run
of ``exhibit check`` shows an author everything to fix. This module reads ``exhibition.yaml``; the
other files have their own modules (:mod:`.panel`, :mod:`.media_refs`, :mod:`.figures`,
:mod:`.questionnaire`), and the rules they share are in :mod:`.rules` and :mod:`.identifiers`.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from . import media_refs
from .errors import ContentError, InvalidContent
from .identifiers import is_lang
from .model import Contact, Exhibition, Localized, Organisation, Panel, Section, exhibition_fingerprint
from .panel import PANEL_FILE, panel
from .questionnaire import QUESTIONNAIRE_FILE, questionnaire
from .rules import (
    Context,
    calendar_date,
    flag,
    ident,
    listing,
    localized,
    mapping,
    no_numbers,
    reference,
    shorten,
    text,
)
from .textfile import link_problem
from .yamlsource import LineDict, check_fields, load_yaml

EXHIBITION_FILE = "exhibition.yaml"
# Per-language texts about the exhibition in the hall, for the summary report.
HALL_TEXTS = ("venue", "opening_hours", "hall_layout")
HOST_PROVINCE = "host_province"


def load_exhibition(root: str | os.PathLike[str]) -> Exhibition:
    """Load the exhibition in ``root``; raise :class:`InvalidContent` listing every problem."""
    root = Path(root)
    ctx = Context(root=root.resolve() if root.exists() else root)
    exhibition = _load(ctx)
    if exhibition is None or ctx.errors:
        raise InvalidContent(ctx.errors.errors)
    return exhibition


def check_exhibition(root: str | os.PathLike[str]) -> list[ContentError]:
    """Every problem in the exhibition in ``root`` (an empty list when it is valid)."""
    try:
        load_exhibition(root)
    except InvalidContent as exc:
        return exc.errors
    return []


def _load(ctx: Context) -> Exhibition | None:
    path = ctx.root / EXHIBITION_FILE
    if not ctx.root.is_dir():
        ctx.errors.add(ctx.root, 0, "content folder does not exist")
        return None
    if not path.is_file() and not path.is_symlink():
        ctx.errors.add(path, 0, f"missing {EXHIBITION_FILE}: every exhibition folder needs one")
        return None
    data = load_yaml(path, ctx.errors, within=ctx.root)
    if data is None:
        return None
    check_fields(data, path, ctx.errors,
                 required=("title", "languages", "sections"),
                 optional=("subtitle", "organisations", "review", "media_dir", "venue", "dates",
                           "opening_hours", "hall_layout", HOST_PROVINCE, "contact",
                           "copyright"))
    ctx.languages = _languages(ctx, data, path)
    if not ctx.languages:
        return None
    media_root = media_refs.media_folder(ctx, data, path)
    if media_root is None:
        return None
    ctx.media_root = media_root

    organisations = _organisations(ctx, data, path)
    org_ids = {o.id for o in organisations}
    review_enabled, review_orgs = _review(ctx, data, path, org_ids)
    sections = _sections(ctx, data, path, org_ids, review_orgs)
    ctx.host_province = localized(ctx, data, HOST_PROVINCE, path, what="'host_province'")
    ctx.host_province_given = HOST_PROVINCE in data
    no_numbers(ctx, ctx.host_province, path, data.line_of(HOST_PROVINCE), "the host province")
    if ctx.host_province and any(set(v) & set("{}[]*_`<>#\\") for v in ctx.host_province.values()):
        ctx.errors.add(path, data.line_of(HOST_PROVINCE), "'host_province' is a plain name: no "
                                                          "Markdown, braces or angle brackets")
        ctx.host_province = None
    panels = _panels(ctx, {s.id for s in sections}, path)
    title = localized(ctx, data, "title", path)
    subtitle = localized(ctx, data, "subtitle", path)
    no_numbers(ctx, subtitle, path, data.line_of("subtitle"), "the subtitle")
    hall = {key: localized(ctx, data, key, path) for key in HALL_TEXTS}
    opens, closes = _dates(ctx, data, path)
    contact = _contact(ctx, data, path)
    holders, year = _copyright(ctx, data, path, org_ids)
    feedback = questionnaire(ctx)
    media_refs.recognise_media(ctx)

    if ctx.errors:
        return None
    section_order = {s.id: i for i, s in enumerate(sections)}
    panels.sort(key=lambda p: (section_order[p.section], p.order, p.slug))
    digest = hashlib.sha256(path.read_bytes())
    if (ctx.root / QUESTIONNAIRE_FILE).is_file():
        digest.update((ctx.root / QUESTIONNAIRE_FILE).read_bytes())
    settings_digest = digest.hexdigest()
    return Exhibition(
        title=title,
        subtitle=subtitle or Localized({lang: "" for lang in ctx.languages}),
        languages=ctx.languages,
        organisations=tuple(organisations),
        review_enabled=review_enabled,
        review_organisations=review_orgs,
        sections=tuple(sections),
        panels=tuple(panels),
        root=ctx.root,
        media_root=ctx.media_root,
        fingerprint=exhibition_fingerprint(settings_digest, tuple(panels)),
        questionnaire=feedback,
        settings_digest=settings_digest,
        venue=hall["venue"],
        opens=opens,
        closes=closes,
        opening_hours=hall["opening_hours"],
        hall_layout=hall["hall_layout"],
        host_province=ctx.host_province,
        contact=contact,
        copyright_holders=holders,
        copyright_year=year or (opens.year if opens else None),
    )


def _languages(ctx: Context, data: LineDict, path: Path) -> tuple[str, ...]:
    value = data.get("languages")
    if not isinstance(value, list) or not value:
        if "languages" in data:
            ctx.errors.add(path, data.line_of("languages"),
                           "'languages' must be a list of language codes, e.g. [zh, en, fr]")
        return ()
    langs: list[str] = []
    for i, lang in enumerate(value):
        if not is_lang(lang):
            ctx.errors.add(path, value.line_of(i), f"'{shorten(lang)}' is not a language code "
                                                   f"(two or three lowercase letters)")
        elif lang in langs:
            ctx.errors.add(path, value.line_of(i), f"language '{lang}' is listed twice")
        else:
            langs.append(lang)
    return tuple(langs)


def _dates(ctx: Context, data: LineDict, path: Path):
    """``dates: {opens: YYYY-MM-DD, closes: YYYY-MM-DD}``: when the hall is open."""
    dates = data.get("dates")
    if dates is None or not mapping(ctx, dates, path, data.line_of("dates"), "dates"):
        return None, None
    check_fields(dates, path, ctx.errors, required=("opens", "closes"), where="dates")
    opens = calendar_date(ctx, dates, "opens", path)
    closes = calendar_date(ctx, dates, "closes", path)
    if opens and closes and closes < opens:
        ctx.errors.add(path, dates.line_of("closes"), f"the exhibition closes ({closes}) before "
                                                      f"it opens ({opens})")
        return None, None
    return opens, closes


def _organisations(ctx: Context, data: LineDict, path: Path) -> list[Organisation]:
    result: list[Organisation] = []
    items = listing(ctx, data, "organisations", path)
    for i, item in enumerate(items):
        where = f"organisations[{i + 1}]"
        if not mapping(ctx, item, path, items.line_of(i), where):
            continue
        check_fields(item, path, ctx.errors, required=("id", "name"), where=where)
        org_id = ident(ctx, item, "id", path)
        name = localized(ctx, item, "name", path)
        if org_id and any(o.id == org_id for o in result):
            ctx.errors.add(path, item.line_of("id"), f"organisation '{org_id}' is defined twice")
        elif org_id and name:
            result.append(Organisation(org_id, name))
    return result


# An e-mail address as people write it: one @, a dot in the domain, no spaces or angle brackets.
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*"
                    r"[a-z0-9])?)+", re.IGNORECASE)


def _contact(ctx: Context, data: LineDict, path: Path) -> Contact | None:
    """``contact: {email: ..., name: {zh: ..., en: ...}}``: shown in the footer of every page."""
    item = data.get("contact")
    if item is None or not mapping(ctx, item, path, data.line_of("contact"), "contact"):
        return None
    check_fields(item, path, ctx.errors, required=("email",), optional=("name",), where="contact")
    email = text(ctx, item, "email", path, what="'contact: email'")
    name = localized(ctx, item, "name", path, what="'contact: name'")
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        ctx.errors.add(path, item.line_of("email"), f"'contact: email' is not an e-mail address: "
                                                    f"'{shorten(email)}' (e.g. expo@example.org)")
        return None
    return Contact(email, name) if email else None


def _copyright(ctx: Context, data: LineDict, path: Path, org_ids: set[str]
               ) -> tuple[tuple[str, ...], int | None]:
    """``copyright: {holders: [feco], year: 2026}``: the © line of the footer. The year defaults
    to the year the exhibition opens."""
    item = data.get("copyright")
    if item is None or not mapping(ctx, item, path, data.line_of("copyright"), "copyright"):
        return (), None
    check_fields(item, path, ctx.errors, required=("holders",), optional=("year",),
                 where="copyright")
    holders = _org_refs(ctx, item, "holders", path, org_ids)
    year = item.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)
                             or not 1900 <= year <= 2200):
        ctx.errors.add(path, item.line_of("year"), f"'copyright: year' must be a year like 2026, "
                                                   f"not '{shorten(year)}'")
        year = None
    return holders, year


def _review(ctx: Context, data: LineDict, path: Path, org_ids: set[str]
            ) -> tuple[bool, tuple[str, ...]]:
    review = data.get("review")
    if review is None:
        return True, ()
    if not mapping(ctx, review, path, data.line_of("review"), "review"):
        return True, ()
    check_fields(review, path, ctx.errors, required=(), optional=("enabled", "organisations"),
                 where="review")
    enabled = flag(ctx, review, "enabled", path, default=True)
    orgs = _org_refs(ctx, review, "organisations", path, org_ids)
    if enabled and not orgs:
        ctx.errors.add(path, review.line, "review is enabled but names no organisations; "
                                          "add 'organisations: [...]' or 'enabled: false'")
    return enabled, orgs


def _org_refs(ctx: Context, data: LineDict, key: str, path: Path, org_ids: set[str]
              ) -> tuple[str, ...]:
    items = listing(ctx, data, key, path)
    refs: list[str] = []
    for i, ref in enumerate(items):
        found = reference(ctx, ref, path, items.line_of(i), org_ids, "organisation",
                          "organisations")
        if found and found not in refs:
            refs.append(found)
    return tuple(refs)


def _sections(ctx: Context, data: LineDict, path: Path, org_ids: set[str],
              review_orgs: tuple[str, ...]) -> list[Section]:
    sections: list[Section] = []
    items = listing(ctx, data, "sections", path)
    for i, item in enumerate(items):
        where = f"sections[{i + 1}]"
        if not mapping(ctx, item, path, items.line_of(i), where):
            continue
        check_fields(item, path, ctx.errors, required=("id", "title"),
                     optional=("intro", "review_organisations"), where=where)
        section_id = ident(ctx, item, "id", path)
        title = localized(ctx, item, "title", path)
        intro = localized(ctx, item, "intro", path)
        no_numbers(ctx, intro, path, item.line_of("intro"), "a section introduction")
        orgs = _org_refs(ctx, item, "review_organisations", path, org_ids) or review_orgs
        if section_id and any(s.id == section_id for s in sections):
            ctx.errors.add(path, item.line_of("id"), f"section '{section_id}' is listed twice")
        elif section_id and title:
            sections.append(Section(section_id, title, intro, orgs))
    return sections


def _panels(ctx: Context, section_ids: set[str], exhibition_path: Path) -> list[Panel]:
    panels: list[Panel] = []
    seen: dict[str, Path] = {}
    for folder in sorted(p for p in ctx.root.iterdir() if not p.name.startswith((".", "_"))):
        if folder.name == QUESTIONNAIRE_FILE or media_refs.holds_media(ctx, folder):
            continue
        if folder.is_symlink():
            ctx.errors.add(folder, 0, link_problem(folder, ctx.root)
                           or "panel folders may not be symbolic links")
            continue
        if not folder.is_dir():
            if folder.name != EXHIBITION_FILE and folder.suffix not in (".md", ".txt"):
                ctx.errors.add(folder, 0, f"unexpected file; panels are folders with a {PANEL_FILE}")
            continue
        if not (folder / PANEL_FILE).is_file() and not (folder / PANEL_FILE).is_symlink():
            ctx.errors.add(folder / PANEL_FILE, 0, f"missing {PANEL_FILE}: every panel folder "
                                                   f"needs one")
            continue
        found, slug_line = panel(ctx, folder, section_ids, EXHIBITION_FILE)
        if found is None:
            continue
        if found.slug in seen:
            first = seen[found.slug]
            ctx.errors.add(folder / PANEL_FILE, slug_line,
                           f"duplicate slug '{found.slug}': also used by "
                           f"{first.parent.name}/{PANEL_FILE}")
            continue
        seen[found.slug] = folder / PANEL_FILE
        panels.append(found)
    if not panels and not ctx.errors:
        ctx.errors.add(exhibition_path, 0, "the exhibition has no panels")
    return panels

