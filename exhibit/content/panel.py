"""One panel folder: ``panel.yaml`` (slug, section, kind, titles, sources, images, figures,
video) and its texts ``text.<lang>.md``."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from . import figures as figure_rules
from . import media_refs
from .identifiers import MAX_SLUG, is_slug
from .markdown import RenderEnv, render_markdown
from .model import PANEL_KINDS, Localized, Panel, Source
from .pending import marker_problems, uses_host_province
from .rules import (
    Context,
    choice,
    ident,
    listing,
    localized,
    mapping,
    no_numbers,
    per_language,
    shorten,
)
from .textfile import link_problem, read_text
from .yamlsource import LineDict, check_fields, describe, load_yaml

PANEL_FILE = figure_rules.PANEL_FILE
TEXT_FILE = re.compile(r"text\.([^.]+)\.md")
# A panel is read standing up: 100 kB is some 15,000 words, far more than any panel holds. The
# limit also bounds the Markdown parser's time on pathological input (it is linear, not instant).
MAX_PANEL_TEXT_BYTES = 100_000
URL = re.compile(r"https?://[^\s]+")


def panel(ctx: Context, folder: Path, section_ids: set[str], exhibition_file: str
          ) -> tuple[Panel | None, int]:
    """The panel in ``folder`` (None when it has problems, all logged), and the line of its slug."""
    path = folder / PANEL_FILE
    for file in sorted(folder.iterdir()):
        # Any file of the panel may be read (the version hashes them all): none may lead out.
        problem = link_problem(file, ctx.root) if file.is_symlink() else None
        if problem:
            ctx.errors.add(file, 0, problem)
    data = load_yaml(path, ctx.errors, within=ctx.root)
    if data is None:
        return None, 1
    before = len(ctx.errors)
    check_fields(data, path, ctx.errors,
                 required=("slug", "section", "order", "kind", "title", "summary", "sources"),
                 optional=("images", "key_figures", "figures", "video", "narration"))
    slug = data.get("slug")
    if not is_slug(slug):
        if "slug" in data:
            ctx.errors.add(path, data.line_of("slug"),
                           f"slug '{shorten(slug)}' must be lowercase letters, digits and single "
                           f"hyphens" + (f", at most {MAX_SLUG} characters"
                                         if isinstance(slug, str) and len(slug) > MAX_SLUG else ""))
        slug = None
    section = data.get("section")
    if "section" in data and not isinstance(section, str):
        ctx.errors.add(path, data.line_of("section"),
                       f"'section' must be a text, not {describe(section)}")
    elif "section" in data and section not in section_ids:
        known = ", ".join(sorted(section_ids))
        ctx.errors.add(path, data.line_of("section"), f"unknown section '{shorten(section)}' "
                                                      f"(sections in {exhibition_file}: {known})")
    order = data.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool):
        ctx.errors.add(path, data.line_of("order"), f"'order' must be a whole number, "
                                                    f"not {describe(order)}")
        order = 0
    kind = choice(ctx, data, "kind", path, PANEL_KINDS, what="kind")
    title = localized(ctx, data, "title", path)
    summary = localized(ctx, data, "summary", path)
    no_numbers(ctx, summary, path, data.line_of("summary"), "the summary")
    sources = _sources(ctx, data, path)
    source_ids = {s.id for s in sources}
    images = media_refs.images(ctx, data, path)
    key_figures = figure_rules.key_figures(ctx, data, path, source_ids)
    figures = figure_rules.figures(ctx, data, path, folder, source_ids)
    video = media_refs.video(ctx, data, path)
    narration = media_refs.narration(ctx, data, path)
    _kind_requirements(ctx, data, path, kind, images, figures, video)
    body, body_source = _texts(ctx, folder, slug or "panel", sources)

    if len(ctx.errors) > before or not (slug and title and summary and body):
        return None, data.line_of("slug")
    return Panel(
        slug=slug, section=section, order=order, kind=kind, title=title, summary=summary,
        body=body, body_source=body_source, images=images, key_figures=key_figures,
        figures=figures, video=video, sources=sources,
        folder=folder.name, version=_version(ctx, folder, images, video, narration),
        narration=narration,
    ), data.line_of("slug")


def _kind_requirements(ctx: Context, data: LineDict, path: Path, kind, images, figures,
                       video) -> None:
    line = data.line_of("kind")
    if kind in ("figure", "timeline") and not figures and "figures" not in data:
        ctx.errors.add(path, line, f"a {kind} panel needs 'figures'")
    if kind in ("figure", "timeline") and data.get("figures") == []:
        ctx.errors.add(path, data.line_of("figures"), f"a {kind} panel needs at least one "
                                                      f"figure; 'figures' is empty")
    if kind == "timeline" and figures and not any(f.chart == "timeline" for f in figures):
        ctx.errors.add(path, line, "a timeline panel needs a figure with 'chart: timeline'")
    if kind == "video" and video is None and "video" not in data:
        ctx.errors.add(path, line, "a video panel needs 'video'")
    if kind == "video" and video is None and "video" in data and data["video"] is None:
        ctx.errors.add(path, data.line_of("video"), "'video' is empty")
    if kind == "gallery" and len(images) < 2 and "images" not in data:
        ctx.errors.add(path, line, "a gallery panel needs at least two 'images'")
    if kind == "gallery" and isinstance(data.get("images"), list) and len(data["images"]) < 2:
        ctx.errors.add(path, data.line_of("images"), "a gallery panel needs at least two 'images'")
    if kind != "video" and "video" in data:
        ctx.errors.add(path, data.line_of("video"), "'video' is only for panels of kind video")


def _texts(ctx: Context, folder: Path, slug: str, sources: tuple[Source, ...]):
    numbers = {s.id: n for n, s in enumerate(sources, start=1)}
    html: dict[str, str] = {}
    markdown: dict[str, str] = {}
    for file in sorted(folder.glob("text.*.md")):
        match = TEXT_FILE.fullmatch(file.name)
        lang = match.group(1) if match else file.name[len("text."):-len(".md")]
        if lang not in ctx.languages:
            ctx.errors.add(file, 0, f"'{shorten(lang)}' is not a language of this exhibition "
                                    f"({', '.join(ctx.languages)})")
    for lang in ctx.languages:
        file = folder / f"text.{lang}.md"
        if not file.is_file() and not file.is_symlink():
            ctx.errors.add(file, 0, f"missing translation: no {lang} text for this panel")
            continue
        content = read_text(file, ctx.errors, within=ctx.root, max_bytes=MAX_PANEL_TEXT_BYTES,
                            kind="panel texts")
        if content is None:
            continue
        if not content.strip():
            ctx.errors.add(file, 1, f"the {lang} text is empty")
            continue
        province = ctx.host_province[lang] if ctx.host_province else None
        env = RenderEnv(lang=lang, anchor_prefix=f"src-{slug}-", source_numbers=numbers,
                        host_province=province)
        for line, message in marker_problems(content):
            ctx.errors.add(file, line, message)
        if province is None and not ctx.host_province_given:
            for line in uses_host_province(content):
                ctx.errors.add(file, line, "{{host_province}} is used, but exhibition.yaml sets "
                                           "no 'host_province'")
        html[lang] = render_markdown(content, env)
        markdown[lang] = content
        for line, cid in env.unknown_citations:
            ctx.errors.add(file, line, f"citation [@{cid}] names no source in {PANEL_FILE} "
                                       f"(sources: {', '.join(numbers) or 'none'})")
        for line in env.uncited_lines:
            ctx.errors.add(file, line, "a number without a source: cite one with "
                                       "[@source-id], or mark it [@illustrative]")
    if len(html) != len(ctx.languages):
        return None, None
    return Localized(html), Localized(markdown)


def _sources(ctx: Context, data: LineDict, path: Path) -> tuple[Source, ...]:
    sources: list[Source] = []
    items = listing(ctx, data, "sources", path)
    for i, item in enumerate(items):
        where = f"sources[{i + 1}]"
        if not mapping(ctx, item, path, items.line_of(i), where):
            continue
        check_fields(item, path, ctx.errors, required=("id", "title"),
                     optional=("url", "note"), where=where)
        source_id = ident(ctx, item, "id", path)
        url = item.get("url")
        ok, title, titles = per_language(ctx, item, "title", path, "a source's title")
        if not ok:
            continue
        if url is not None and (not isinstance(url, str) or not URL.fullmatch(url)):
            ctx.errors.add(path, item.line_of("url"),
                           "a source's url must start with http:// or https://")
            continue
        ok, note, notes = per_language(ctx, item, "note", path, "a source's note", numbers=True)
        if not ok:
            continue
        if source_id in {s.id for s in sources}:
            ctx.errors.add(path, item.line_of("id"), f"source '{source_id}' is listed twice")
            continue
        if source_id and title:
            sources.append(Source(source_id, title, url, note, titles, notes, tuple(ctx.languages)))
    if not sources and "sources" in data:
        ctx.errors.add(path, data.line_of("sources"), "a panel needs at least one source")
    return tuple(sources)


def _version(ctx: Context, folder: Path, images, video, narration=None) -> str:
    """A hash of everything the panel shows: its files and the media they reference."""
    digest = hashlib.sha256()
    province = False
    for file in sorted(folder.iterdir()):
        if file.is_file() and not file.name.startswith(".") and not link_problem(file, ctx.root):
            content = file.read_bytes()
            province = province or b"{{host_province}}" in content
            digest.update(file.name.encode() + b"\0" + content + b"\0")
    if province and ctx.host_province:  # the province shown is part of the panel
        digest.update("\0".join(ctx.host_province[lang] for lang in sorted(ctx.host_province))
                      .encode())
    media = [i.media for i in images]
    if video:
        media += [video.media, *([video.poster] if video.poster else []),
                  *video.captions.values()]
    media += [narration[lang] for lang in sorted(narration or {})]
    for m in media:
        digest.update(f"{m.path}\0{m.sha256}\0".encode())
    return digest.hexdigest()[:16]
