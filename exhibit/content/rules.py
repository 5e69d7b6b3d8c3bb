"""The field rules every content file shares: one text per language, identifiers, lists, mappings,
flags and plain texts. Each rule checks the value's type first, so a value of the wrong type (a
list where a text belongs, a mapping where a list belongs) is reported as ``path:line: message``
and never reaches code that would crash on it.

The readers take a :class:`Context`: the state of one load (the error log, the exhibition's
languages, the media folder).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ErrorLog
from .identifiers import is_ident
from .model import Localized, MediaFile
from .yamlsource import LineDict, LineList, describe

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DIGIT = re.compile(r"\d")
DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Context:
    """What one load of an exhibition knows while it walks the files."""

    root: Path
    errors: ErrorLog = field(default_factory=ErrorLog)
    languages: tuple[str, ...] = ()
    media_root: Path = Path()
    hash_cache: dict[Path, MediaFile] = field(default_factory=dict)
    # Media files to recognise by their content, with their role and the YAML line naming them.
    media_checks: list[tuple[MediaFile, str, Path, int]] = field(default_factory=list)
    # exhibition.yaml's host_province, per language: what {{host_province}} becomes.
    host_province: Localized | None = None
    host_province_given: bool = False  # in exhibition.yaml, even if unusable (reported there)


def shorten(value: object, limit: int = 80) -> str:
    """A value as shown in a message: long ones cut, so one bad field cannot flood the report."""
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def real_date(date: str) -> bool:
    """A YYYY, YYYY-MM or YYYY-MM-DD that the calendar has (no year 0000, no 30 February)."""
    parts = [int(p) for p in date.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def empty_list(line: int) -> LineList:
    """An empty list standing for a missing or unusable one, at ``line``."""
    empty = LineList()
    empty.line, empty.item_lines = line, []
    return empty


def listing(ctx: Context, data: LineDict, key: str, path: Path) -> LineList:
    """The list in ``data[key]`` (empty when absent, or when it is not a list: that is logged)."""
    value = data.get(key)
    if value is None:
        return empty_list(data.line_of(key))
    if not isinstance(value, LineList):
        ctx.errors.add(path, data.line_of(key), f"'{key}' must be a list, not {describe(value)}")
        return empty_list(data.line_of(key))
    return value


def mapping(ctx: Context, value: Any, path: Path, line: int, where: str) -> bool:
    """True when ``value`` is a mapping of fields; logs it otherwise."""
    if not isinstance(value, LineDict):
        ctx.errors.add(path, line, f"{where} must be a mapping of fields, not {describe(value)}")
        return False
    return True


def text(ctx: Context, data: LineDict, key: str, path: Path, *, what: str | None = None,
         numbers: bool = False) -> str | None:
    """A single text (not per language), stripped; None when absent or unusable (logged).

    ``numbers``: accept a number as its text (a YAML ``2017`` where a word was meant)."""
    value = data.get(key)
    if value is None:
        return None
    what = what or f"'{key}'"
    if isinstance(value, bool) or not isinstance(value, str | int | float) or (
            not numbers and not isinstance(value, str)):
        ctx.errors.add(path, data.line_of(key), f"{what} must be a text, not {describe(value)}")
        return None
    if not str(value).strip():
        ctx.errors.add(path, data.line_of(key), f"{what} is empty")
        return None
    return str(value).strip()


def choice(ctx: Context, data: LineDict, key: str, path: Path, allowed: tuple[str, ...], *,
           what: str) -> str | None:
    """One of ``allowed`` (e.g. a panel kind); None when absent or not one of them (logged)."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        ctx.errors.add(path, data.line_of(key), f"'{key}' must be a text, not {describe(value)}")
        return None
    if value not in allowed:
        ctx.errors.add(path, data.line_of(key), f"unknown {what} '{shorten(value)}'; use one of: "
                                                f"{', '.join(allowed)}")
        return None
    return value


def reference(ctx: Context, value: Any, path: Path, line: int, known: set[str], what: str,
              plural: str) -> str | None:
    """An id that must name one of ``known`` (a section, a source, an organisation)."""
    if not isinstance(value, str):
        ctx.errors.add(path, line, f"{what} must be a text (an id), not {describe(value)}")
        return None
    if value not in known:
        ctx.errors.add(path, line, f"unknown {what} '{shorten(value)}' "
                                   f"({plural}: {', '.join(sorted(known)) or 'none defined'})")
        return None
    return value


def flag(ctx: Context, item: LineDict, key: str, path: Path, default: bool = False) -> bool:
    """A true/false field."""
    value = item.get(key, default)
    if not isinstance(value, bool):
        ctx.errors.add(path, item.line_of(key), f"'{key}' must be true or false")
        return default
    return value


def ident(ctx: Context, item: LineDict, key: str, path: Path) -> str | None:
    """A lowercase identifier (the whole text: no trailing newline, no spaces)."""
    value = item.get(key)
    if value is None:
        return None
    if not is_ident(value):
        ctx.errors.add(path, item.line_of(key), f"'{key}' must be a lowercase identifier (letters, "
                                                f"digits, '-' or '_'), not '{shorten(value)}'")
        return None
    return value


def localized(ctx: Context, data: LineDict, key: str, path: Path, *, what: str | None = None
              ) -> Localized | None:
    """A field with one text per language; every language must be there."""
    what = what or f"'{key}'"
    value = data.get(key)
    if value is None:
        return None  # a missing required field was reported by check_fields
    line = data.line_of(key)
    languages = ctx.languages
    if isinstance(value, str) and len(languages) == 1:
        value = {languages[0]: value}
    if not isinstance(value, dict):
        ctx.errors.add(path, line, f"{what} must give one text per language "
                                   f"({', '.join(languages)}), not {describe(value)}")
        return None
    ok = True
    for lang in value:
        if lang not in languages:
            ok = False
            ctx.errors.add(path, value.line_of(lang) if isinstance(value, LineDict) else line,
                           f"{what}: '{shorten(lang)}' is not a language of this exhibition "
                           f"({', '.join(languages)})")
    for lang in languages:
        item = value.get(lang)
        if item is None or (isinstance(item, str) and not item.strip()):
            ok = False
            ctx.errors.add(path, line, f"missing translation: {what} has no {lang} text")
        elif isinstance(item, bool):
            ok = False
            ctx.errors.add(path, line, f"{what} in {lang} must be text; YAML reads yes, no, on and "
                                       f"off as true/false, so put it in quotes")
        elif not isinstance(item, str | int | float):
            ok = False
            ctx.errors.add(path, line, f"{what} in {lang} must be text, not {describe(item)}")
    if not ok:
        return None
    return Localized({lang: str(value[lang]).strip() for lang in languages})


def per_language(ctx: Context, item: LineDict, key: str, path: Path, what: str, *,
                  numbers: bool = False) -> tuple[bool, str | None, Localized | None]:
    """A text shown as given (a source's title or note, a credit): one text, or one text per
    language (``{zh: ..., en: ...}``), not every language needed (a document may have no
    official title in some of them).

    Returns (usable, the text for the exhibition's first language, the texts by language)."""
    value = item.get(key)
    if value is None:
        return True, None, None
    if not isinstance(value, LineDict):
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            ctx.errors.add(path, item.line_of(key), f"{what} must be a text or one text per "
                                                    f"language ({', '.join(ctx.languages)}), "
                                                    f"not {describe(value)}")
            return False, None, None
        if not value.strip():
            ctx.errors.add(path, item.line_of(key), f"{what} is empty")
            return False, None, None
        return True, value.strip(), None
    texts: dict[str, str] = {}
    ok = True
    for lang, text_ in value.items():
        line = value.line_of(lang)
        if lang not in ctx.languages:
            ctx.errors.add(path, line, f"{what}: '{shorten(str(lang))}' is not a language of this "
                                       f"exhibition ({', '.join(ctx.languages)})")
            ok = False
        elif isinstance(text_, bool) or not isinstance(text_, str | int | float) or (
                not numbers and not isinstance(text_, str)):
            ctx.errors.add(path, line, f"{what} in {lang} must be a text, not {describe(text_)}")
            ok = False
        elif not str(text_).strip():
            ctx.errors.add(path, line, f"{what} in {lang} is empty")
            ok = False
        else:
            texts[lang] = str(text_).strip()
    if ok and not texts:
        ctx.errors.add(path, item.line_of(key), f"{what} needs a text in at least one language")
        ok = False
    if not ok:
        return False, None, None
    first = next((texts[lang] for lang in ctx.languages if lang in texts), None)
    return True, first, Localized(texts)


def no_numbers(ctx: Context, value: Localized | None, path: Path, line: int, what: str) -> None:
    """Texts shown without their sources (cards, share previews) may not carry numbers."""
    if value is None:
        return
    for lang, shown in value.items():
        if DIGIT.search(shown):
            ctx.errors.add(path, line, f"{what} ({lang}) contains a number, but it is shown "
                                       f"without sources (cards, share previews): move the "
                                       f"number into the text, where it can be cited")
            return


def calendar_date(ctx: Context, data: LineDict, key: str, path: Path) -> datetime.date | None:
    """A real calendar day written YYYY-MM-DD (content YAML keeps dates as text)."""
    value = data.get(key)
    if value is None:
        return None
    line = data.line_of(key)
    if not isinstance(value, str) or not FULL_DATE.fullmatch(value):
        shown = f"'{shorten(value)}'" if isinstance(value, str) else describe(value)
        ctx.errors.add(path, line, f"'{key}' must be a date written YYYY-MM-DD, not {shown}")
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        ctx.errors.add(path, line, f"'{key}' date '{value}' is not a real date")
        return None
