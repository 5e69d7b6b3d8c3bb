"""Pending data: ``{{pending: what is missing — who supplies it}}`` in a panel text.

An author who knows that a fact exists but cannot source it yet (a figure only FECO or UNIDO can
supply) writes a pending marker instead of a placeholder sentence. The marker is part of the
content format, so every tool can see it:

- ``exhibit check`` lists every pending item as a notice (``path:line: pending: what (who)``)
  without failing the check;
- the review screen shows them, and approval is refused while a panel has one;
- a final print refuses the panel; a draft print (and a draft preview) shows the marker as a
  visible "pending" badge.

A panel with pending items can never be approved, so it can never be public.

The other placeholder a text may use is ``{{host_province}}``, replaced by the host province set
in ``exhibition.yaml`` (``host_province``), in the language of the text. Any other ``{{...}}`` is
an error: a typo must not reach a page as literal braces.

Nothing here knows about Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One marker, on one line: "{{pending: what — who}}". The separator is an em dash (or " -- ").
MARKER = re.compile(r"\{\{(?P<inner>[^{}\n]*)\}\}")
PENDING = re.compile(r"\s*pending\s*:\s*(?P<body>.*?)\s*", re.DOTALL)
SEPARATOR = re.compile(r"\s+(?:—|--)\s+")
HOST_PROVINCE = "host_province"
MAX_PART = 300


@dataclass(frozen=True)
class PendingItem:
    """One piece of missing data: where it is written, what is missing and who supplies it."""

    path: str  # the text file, relative to the content folder ("09-pvc-project/text.en.md")
    line: int  # 1-based
    lang: str
    what: str
    who: str

    @property
    def where(self) -> str:
        """``path:line``, as editors and the checker show it."""
        return f"{self.path}:{self.line}"

    def describe(self) -> str:
        return f"{self.what} (supplied by {self.who})"


def parse_marker(inner: str) -> tuple[str, str] | None:
    """``(what, who)`` of the inside of a pending marker, or None when it is not one.

    Raises ValueError (with a message for the author) for a pending marker that lacks a part."""
    match = PENDING.fullmatch(inner)
    if match is None:
        return None
    parts = SEPARATOR.split(match.group("body"), maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise ValueError("a pending item is written {{pending: what is missing — who supplies "
                         "it}} (an em dash between the two parts)")
    what, who = parts[0].strip(), parts[1].strip()
    if len(what) > MAX_PART or len(who) > MAX_PART:
        raise ValueError(f"a pending item is at most {MAX_PART} characters per part")
    return what, who


def find_pending(text: str, path: str, lang: str) -> tuple[PendingItem, ...]:
    """Every well-formed pending marker in ``text`` (a panel text as written), in order."""
    items: list[PendingItem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in MARKER.finditer(line):
            try:
                parts = parse_marker(match.group("inner"))
            except ValueError:
                continue
            if parts is not None:
                items.append(PendingItem(path, number, lang, *parts))
    return tuple(items)


def marker_problems(text: str) -> list[tuple[int, str]]:
    """``(line, message)`` for every ``{{...}}`` that is neither a pending marker nor a known
    placeholder, or a pending marker with a missing part."""
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in MARKER.finditer(line):
            inner = match.group("inner")
            if inner.strip() == HOST_PROVINCE:
                continue
            try:
                parts = parse_marker(inner)
            except ValueError as exc:
                problems.append((number, str(exc)))
                continue
            if parts is None:
                shown = inner.strip()[:40]
                problems.append((number, f"unknown placeholder {{{{{shown}}}}}: a text may use "
                                         f"{{{{pending: what — who}}}} and {{{{host_province}}}}"))
    return problems


def uses_host_province(text: str) -> list[int]:
    """Lines of ``text`` that use ``{{host_province}}``."""
    return [number for number, line in enumerate(text.splitlines(), start=1)
            if any(m.group("inner").strip() == HOST_PROVINCE for m in MARKER.finditer(line))]
