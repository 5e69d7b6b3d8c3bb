"""YAML that remembers where each value came from, so errors can say ``path:line``."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
import yaml.cyaml

from .errors import ErrorLog
from .textfile import read_text


class LineDict(dict):
    """A mapping from YAML with the line of the mapping and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence from YAML with the line of the sequence and of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# Content is a few levels deep (a panel, a list of images, an image's alt text); far deeper is a
# mistake or an attack, and PyYAML's recursive composer would crash on it.
MAX_YAML_DEPTH = 32


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds LineDict/LineList and refuses duplicate keys, aliases (``*name``,
    the "billion laughs" bomb) and nesting deeper than MAX_YAML_DEPTH."""

    _depth = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.check_event(yaml.events.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in content; write the value out",
                self.peek_event().start_mark)
        if self._depth >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be plain words", key_node.start_mark)
            key = str(key)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node, deep=False):  # noqa: D102 - PyYAML hook
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


class _LibyamlLoader(_Loader):
    """_Loader taking its events from libyaml's C parser: four times faster on the demo, with the
    same nodes, lines and checks, because composing (the alias and depth checks above) and
    constructing stay PyYAML's own Python code. Used when PyYAML was built with libyaml."""

    def __init__(self, stream):  # noqa: D107 - the parser is libyaml's; the rest is _Loader's
        self._events = yaml.cyaml.CParser(stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def check_event(self, *choices):  # noqa: D102 - PyYAML parser interface
        return self._events.check_event(*choices)

    def peek_event(self):  # noqa: D102 - PyYAML parser interface
        return self._events.peek_event()

    def get_event(self):  # noqa: D102 - PyYAML parser interface
        return self._events.get_event()

    def dispose(self):  # noqa: D102 - PyYAML loader interface
        self._events.dispose()


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)
# Dates stay text: the checker reads them itself (rules.calendar_date), so a date the calendar
# lacks (2026-02-30) is a path:line message rather than an exception inside the YAML parser, and a
# date means the same whether or not it was quoted.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _parse(text: str) -> Any:
    """The YAML document in ``text``, read by libyaml when PyYAML has it. A document libyaml
    refuses is read again by PyYAML's own parser, which raises the error: its messages are the ones
    load_yaml turns into plain words, and they are the same whichever way PyYAML was built.
    (libyaml is a little more lenient: it takes a tab after ``key:``, which YAML allows.)"""
    if yaml.__with_libyaml__:
        try:
            return yaml.load(text, Loader=_LibyamlLoader)  # noqa: S506 - a SafeLoader subclass
        except (yaml.YAMLError, UnicodeError):  # libyaml refuses a lone surrogate while encoding
            pass
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def load_yaml(path: Path, errors: ErrorLog, *, within: Path | None = None) -> LineDict | None:
    """Parse a YAML file whose top level must be a mapping; log problems and return None.

    ``within``: the folder the file must stay in (see :func:`read_text`)."""
    text = read_text(path, errors, within=within)
    if text is None:
        return None
    try:
        data = _parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        context = exc.context_mark
        if "'\\t'" in problem:
            problem = "a tab character; YAML is indented with spaces only"
        elif "quoted scalar" in (exc.context or "") and context:
            # Found where the file ends, perhaps far below: the quote that was opened is the mistake.
            line, problem = context.line + 1, "a quote opened on this line is never closed"
        elif exc.problem and exc.context and context and mark and context.line != mark.line:
            # "expected ',' or ']'" is found a line late; say where the broken part began.
            problem += f" ({exc.context} that starts on line {context.line + 1})"
        errors.add(path, line, f"YAML syntax error: {problem}")
        return None
    except yaml.YAMLError as exc:
        errors.add(path, 0, f"YAML syntax error: {exc}")
        return None
    except (ValueError, TypeError, OverflowError) as exc:
        # An explicit tag on a value it cannot convert (`!!int x`, `!!timestamp 2026-02-30`).
        errors.add(path, 0, f"YAML value error: {exc}")
        return None
    if not isinstance(data, LineDict):
        errors.add(path, 1, "expected a mapping of fields (name: value) at the top of the file")
        return None
    return data


def check_fields(
    data: LineDict,
    path: Path,
    errors: ErrorLog,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    where: str = "",
) -> bool:
    """Log missing and unknown fields (with a 'did you mean' for typos); True when all is well."""
    ok = True
    allowed = required + optional
    context = f" in {where}" if where else ""
    for key in data:
        if key not in allowed:
            ok = False
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            errors.add(path, data.line_of(key),
                       f"unknown field '{key}'{context}{suggestion}; allowed: {', '.join(allowed)}")
    for key in required:
        if key not in data or data[key] is None:
            ok = False
            errors.add(path, data.line_of(key) if key in data else data.line,
                       f"missing field '{key}'{context}")
    return ok


def describe(value: Any) -> str:
    """A short name for a YAML value's type, for messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return "text"
