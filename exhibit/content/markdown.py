"""Panel text: Markdown → sanitised HTML, with ``[@source-id]`` citations.

Content is never trusted as HTML: raw HTML in Markdown is escaped by markdown-it-py and the result
is cleaned again by nh3 (belt and braces: a renderer bug must not become an injection).
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .pending import HOST_PROVINCE, MARKER, parse_marker
from .vocabulary import word

CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)\]")
ILLUSTRATIVE = "illustrative"

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "a", "sup", "sub",
    "blockquote", "code", "br", "hr", "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "aria-label", "class"},
    "span": {"class", "title"},
    "sup": {"class"},
    "ol": {"start"},
}


@dataclass
class RenderEnv:
    """What a render needs to know and what it found (unknown citations, uncited numbers)."""

    lang: str
    anchor_prefix: str  # e.g. "src-carbide-route-" so ids stay unique on a page of many panels
    source_numbers: Mapping[str, int]
    unknown_citations: list[tuple[int, str]] = field(default_factory=list)  # (line, id)
    uncited_lines: list[int] = field(default_factory=list)
    host_province: str | None = None  # what {{host_province}} becomes in this language


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = CITATION.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"id": match.group(1)}
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, md_env: dict) -> str:
    env: RenderEnv = md_env["exhibit"]
    source_id = tokens[idx].meta["id"]
    if source_id == ILLUSTRATIVE:
        return (f'<span class="illustrative" title="{word("illustrative_long", env.lang)}">'
                f'{word("illustrative", env.lang)}</span>')
    number = env.source_numbers.get(source_id)
    if number is None:
        return ""
    label = f'{word("source", env.lang)} {number}'
    return (f'<sup class="cite"><a href="#{env.anchor_prefix}{number}" aria-label="{label}">'
            f'[{number}]</a></sup>')


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    return md


_MD = _parser()
_DIGIT = re.compile(r"\d")


def _inspect(tokens, env: RenderEnv, first_line: int) -> None:
    """Note citations that name no source, and paragraphs with a number but no citation."""
    in_paragraph = False
    for token in tokens:
        if token.type == "paragraph_open":
            in_paragraph = True
        elif token.type == "paragraph_close":
            in_paragraph = False
        if token.type != "inline" or not token.children:
            continue
        line = first_line + (token.map[0] if token.map else 0)
        cited = False
        has_number = False
        for child in token.children:
            if child.type == "citation":
                cited = True
                cid = child.meta["id"]
                if cid != ILLUSTRATIVE and cid not in env.source_numbers:
                    env.unknown_citations.append((line, cid))
            elif child.type in ("text", "code_inline") and _DIGIT.search(child.content):
                has_number = True
        if in_paragraph and has_number and not cited:
            env.uncited_lines.append(line)


# A pending marker is swapped for a private-use "slot" before parsing (no digit, no Markdown
# syntax, so it neither counts as a number nor breaks emphasis) and for its badge after rendering.
_SLOT_OPEN, _SLOT_CLOSE, _SLOT_BASE = "\ue000", "\ue001", 0xE100
_SLOT = re.compile(f"{_SLOT_OPEN}(.){_SLOT_CLOSE}")


def _pending_badge(what: str, who: str, lang: str) -> str:
    """The visible mark of a pending item (draft previews and draft prints only: a panel with
    one cannot be approved). Both parts are escaped."""
    return (f'<span class="pending" title="{word("pending_long", lang)}">'
            f'<span class="pending-label">{word("pending", lang)}</span> '
            f'{html_module.escape(what)} — {html_module.escape(who)}</span>')


def _placeholders(text: str, env: RenderEnv) -> tuple[str, list[str]]:
    """``text`` with ``{{host_province}}`` filled in and pending markers as slots; the badges."""
    badges: list[str] = []

    def swap(match: re.Match[str]) -> str:
        inner = match.group("inner")
        if inner.strip() == HOST_PROVINCE:
            return env.host_province or ""
        try:
            parts = parse_marker(inner)
        except ValueError:
            parts = None
        if parts is None:  # reported by the checker; shown as written, escaped
            return match.group(0)
        badges.append(_pending_badge(*parts, env.lang))
        return f"{_SLOT_OPEN}{chr(_SLOT_BASE + len(badges) - 1)}{_SLOT_CLOSE}"

    return MARKER.sub(swap, text), badges


def render_markdown(text: str, env: RenderEnv, first_line: int = 1) -> str:
    """Render panel Markdown to safe HTML; problems are recorded on ``env``."""
    md_env = {"exhibit": env}  # markdown-it wants a plain mapping as its environment
    text, badges = _placeholders(text, env)
    tokens = _MD.parse(text, md_env)
    _inspect(tokens, env, first_line)
    html = _MD.renderer.render(tokens, _MD.options, md_env)
    if badges:
        html = _SLOT.sub(lambda m: badges[ord(m.group(1)) - _SLOT_BASE], html)
    return sanitise(html)


def sanitise(html: str) -> str:
    """Clean HTML down to the small set of tags panel text may use."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def shift_headings(html: str, by: int) -> str:
    """Move every heading down ``by`` levels (h2 → h4), capped at h6, for nesting in a page."""
    if by == 0:
        return html

    def shift(match: re.Match[str]) -> str:
        level = min(int(match.group(2)) + by, 6)
        return f"<{match.group(1)}h{level}"

    return re.sub(r"<(/?)h([1-6])", shift, html)


TransformHtml = Callable[[str], str]


def strip_links(html: str) -> str:
    """Remove every link but keep its text (the kiosk must have no way out)."""
    tags = ALLOWED_TAGS - {"a"}
    attributes = {k: v for k, v in ALLOWED_ATTRIBUTES.items() if k != "a"}
    return nh3.clean(html, tags=tags, attributes=attributes, link_rel=None)
