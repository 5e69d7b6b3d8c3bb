"""What changed between the published version of a panel and the one under review, part by part:
the words and settings, the text in each language, each figure's data, the media, the sources.

Each part is a list of lines (the Markdown as written, a figure as ``label | value | source``
rows) compared with :mod:`difflib`; unchanged parts are left out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..content import Localized, Panel


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "same" or "gap" (unchanged lines left out)
    text: str


@dataclass(frozen=True)
class PartDiff:
    name: str  # "text.en", "figure output-2009", "metadata", ...
    lines: tuple[DiffLine, ...]
    added: int
    removed: int


def _localized(label: str, value: Localized | None, langs: tuple[str, ...]) -> list[str]:
    if value is None:
        return []
    return [f"{label} [{lang}]: {value[lang]}" for lang in langs if lang in value]


def _per_language(texts: Localized | None, plain: str | None) -> str:
    """A source's title or note for the diff: the plain text, or every language's, labelled."""
    if texts is None:
        return plain or ""
    return " / ".join(f"[{lang}] {text}" for lang, text in texts.items())


def panel_parts(panel: Panel, langs: tuple[str, ...]) -> dict[str, list[str]]:
    """The panel as named parts of lines, in a stable order."""
    meta = [f"section: {panel.section}", f"order: {panel.order}", f"kind: {panel.kind}"]
    meta += _localized("title", panel.title, langs) + _localized("summary", panel.summary, langs)
    parts: dict[str, list[str]] = {"metadata": meta}
    for lang in langs:
        if lang in panel.body_source:
            parts[f"text.{lang}"] = panel.body_source[lang].rstrip("\n").split("\n")
    figures = []
    for kf in panel.key_figures:
        unit = " ".join(f"{lang}: {kf.unit[lang]}" for lang in langs if kf.unit and lang in kf.unit)
        value = (" / ".join(f"{lang}: {kf.values[lang]}" for lang in langs if lang in kf.values)
                 if kf.values else kf.value)
        figures.append(f"{value} ({unit}) source={kf.source or '-'}"
                       f"{' illustrative' if kf.illustrative else ''}")
        figures += ["    " + line for line in _localized("label", kf.label, langs)]
    if figures:
        parts["key figures"] = figures
    for figure in panel.figures:
        lines = [f"chart: {figure.chart}", f"source: {figure.source or '-'}"
                 f"{' (illustrative)' if figure.illustrative else ''}"]
        lines += _localized("title", figure.title, langs) + _localized("unit", figure.unit, langs)
        lines += _localized("note", figure.note, langs)
        for row in figure.rows:
            value = row.date if row.value is None else f"{row.value:g}"
            labels = " | ".join(row.label[lang] for lang in langs if lang in row.label)
            lines.append(f"{labels} | {value}" + (f" | {row.source}" if row.source else ""))
        parts[f"figure {figure.id}"] = lines
    media = []
    for image in panel.images:
        media.append(f"image {image.media.path} sha256={image.media.sha256[:16]} "
                     f"{image.width}×{image.height} credit: {_per_language(image.credits, image.credit)}")
        media += ["    " + line for line in _localized("alt", image.alt, langs)]
        media += ["    " + line for line in _localized("caption", image.caption, langs)]
    if panel.video:
        video = panel.video
        media.append(f"video {video.media.path} sha256={video.media.sha256[:16]} "
                     f"credit: {_per_language(video.credits, video.credit)}")
        if video.poster:
            media.append(f"    poster {video.poster.path} sha256={video.poster.sha256[:16]}")
        for lang, track in sorted(video.captions.items()):
            media.append(f"    captions [{lang}] {track.path} sha256={track.sha256[:16]}")
    for lang, recording in sorted(getattr(panel, "narration", {}).items()):
        media.append(f"narration [{lang}] {recording.path} sha256={recording.sha256[:16]}")
    if media:
        parts["media"] = media
    parts["sources"] = [f"{s.id}: {_per_language(s.titles, s.title)}"
                        + (f" <{s.url}>" if s.url else "")
                        + (f" ({_per_language(s.notes, s.note)})" if s.note else "")
                        for s in panel.sources]
    return parts


def diff_panels(old: Panel | None, new: Panel, langs: tuple[str, ...],
                context: int = 2) -> list[PartDiff]:
    """The parts that differ (all of ``new`` as added when there is no ``old``)."""
    before = panel_parts(old, langs) if old is not None else {}
    after = panel_parts(new, langs)
    result = []
    for name in list(after) + [n for n in before if n not in after]:
        a, b = before.get(name, []), after.get(name, [])
        if a == b:
            continue
        lines: list[DiffLine] = []
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for group in matcher.get_grouped_opcodes(context):
            if lines:
                lines.append(DiffLine("gap", "…"))
            for tag, i1, i2, j1, j2 in group:
                if tag == "equal":
                    lines += [DiffLine("same", line) for line in a[i1:i2]]
                    continue
                lines += [DiffLine("remove", line) for line in a[i1:i2]]
                lines += [DiffLine("add", line) for line in b[j1:j2]]
        result.append(PartDiff(name, tuple(lines), sum(1 for x in lines if x.kind == "add"),
                               sum(1 for x in lines if x.kind == "remove")))
    return result
