"""The identifier rules, written once: the content checker, the kiosk configuration and the events
API all use these, so an id the checker accepts is an id the events API accepts.

Each pattern is checked with ``re.fullmatch`` (``re.match`` with ``$`` lets a trailing newline
through: ``"story\\n"`` would pass the checker and then have every event refused). The ``^…$``
anchors stay in the pattern text because the events API also puts it in its JSON Schema, where
ECMA-262 reads them as "the whole text".
"""

from __future__ import annotations

import re

# A panel slug is kept in a column of 80 characters (exhibit/visits/schema.py).
MAX_SLUG = 80
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Content ids (sections, sources, organisations, questions, choices): lowercase, and at most 64
# characters so that every question and choice id is also a valid KIOSK_ID-style event field.
IDENT_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
# What a client may send as a kiosk, question or choice id: the events API's rule.
KIOSK_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
LANG_PATTERN = r"^[a-z]{2,3}$"

SLUG = re.compile(SLUG_PATTERN)
IDENT = re.compile(IDENT_PATTERN)
KIOSK_ID = re.compile(KIOSK_ID_PATTERN)
LANG = re.compile(LANG_PATTERN)


def is_slug(value: object) -> bool:
    """True for a panel slug: lowercase words joined by single hyphens, at most MAX_SLUG long."""
    return isinstance(value, str) and len(value) <= MAX_SLUG and SLUG.fullmatch(value) is not None


def is_ident(value: object) -> bool:
    """True for a content identifier (section, source, organisation, question, choice)."""
    return isinstance(value, str) and IDENT.fullmatch(value) is not None


def is_kiosk_id(value: object) -> bool:
    """True for a kiosk id (1 to 64 letters, digits, '-' or '_')."""
    return isinstance(value, str) and KIOSK_ID.fullmatch(value) is not None


def is_lang(value: object) -> bool:
    """True for a language code (two or three lowercase letters)."""
    return isinstance(value, str) and LANG.fullmatch(value) is not None
