"""The kiosks of the hall (``kiosk/kiosks.yaml``): id, orientation, start section, idle time,
languages, operator PIN. Read with the content parser's YAML reader, so errors say path:line."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..content import Exhibition, InvalidContent
from ..content.errors import ErrorLog
from ..content.identifiers import is_kiosk_id
from ..content.yamlsource import LineDict, check_fields, describe, load_yaml

FIELDS = ("orientation", "start_section", "idle_seconds", "countdown_seconds", "attract",
          "languages", "operator_pin_sha256")
ORIENTATIONS = ("landscape", "portrait")
PIN_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class KioskSettings:
    id: str
    orientation: str | None = None  # None: follow the screen
    start_section: str | None = None
    idle_seconds: int = 90  # long enough to read a panel; short enough that nobody waits
    countdown_seconds: int = 20  # WCAG 2.2.1: at least 20 s to say "I'm still here"
    attract: bool = True
    languages: tuple[str, ...] = ()  # () = all the exhibition's languages
    operator_pin_sha256: str | None = None  # None: no operator screen


@dataclass(frozen=True)
class KioskConfig:
    defaults: KioskSettings
    kiosks: dict[str, KioskSettings]

    def for_kiosk(self, kiosk_id: str) -> KioskSettings:
        """The settings of one screen (the defaults, under its own id, for an unknown one)."""
        return self.kiosks.get(kiosk_id) or replace(self.defaults, id=kiosk_id)


def load_kiosk_config(path: Path | None, exhibition: Exhibition) -> KioskConfig:
    """Read and check the kiosk file against the exhibition; raise InvalidContent on problems."""
    errors = ErrorLog()
    base = KioskSettings(id="")
    if path is None or not path.exists():
        return KioskConfig(base, {})
    data = load_yaml(path, errors)
    if data is None:
        raise InvalidContent(errors.errors)
    check_fields(data, path, errors, required=(), optional=("defaults", "kiosks"))
    defaults = base
    if isinstance(data.get("defaults"), LineDict):
        defaults = _settings(data["defaults"], base, path, errors, exhibition, "defaults")
    elif data.get("defaults") is not None:
        errors.add(path, data.line_of("defaults"), f"'defaults' must be a mapping of settings, "
                                                   f"not {describe(data['defaults'])}")
    kiosks: dict[str, KioskSettings] = {}
    raw = data.get("kiosks") or {}
    if not isinstance(raw, LineDict):
        errors.add(path, data.line_of("kiosks"), "'kiosks' must map kiosk ids to their settings")
        raw = {}
    for kiosk_id, item in raw.items():
        line = raw.line_of(kiosk_id)
        if not is_kiosk_id(kiosk_id):
            shown = kiosk_id.encode("unicode_escape").decode()
            errors.add(path, line, f"kiosk id '{shown}' may use letters, digits, '-' and '_' "
                                   f"(1 to 64 of them)")
            continue
        if not isinstance(item, LineDict):
            errors.add(path, line, f"kiosk '{kiosk_id}' must be a mapping of settings")
            continue
        kiosks[kiosk_id] = _settings(item, replace(defaults, id=kiosk_id), path, errors,
                                     exhibition, f"kiosk '{kiosk_id}'")
    if errors:
        raise InvalidContent(errors.errors)
    return KioskConfig(defaults, kiosks)


def _settings(item: LineDict, base: KioskSettings, path: Path, errors: ErrorLog,
              exhibition: Exhibition, where: str) -> KioskSettings:
    check_fields(item, path, errors, required=(), optional=FIELDS, where=where)
    values = {}
    texts = {}
    for key in ("orientation", "start_section", "operator_pin_sha256"):
        if key in item and not isinstance(item[key], str):
            errors.add(path, item.line_of(key), f"'{key}' must be a text, not "
                                                f"{describe(item[key])}")
        elif key in item:
            texts[key] = item[key]
    if "orientation" in texts:
        if item["orientation"] not in ORIENTATIONS:
            errors.add(path, item.line_of("orientation"),
                       f"orientation must be one of: {', '.join(ORIENTATIONS)}")
        values["orientation"] = item["orientation"]
    if "start_section" in texts:
        if exhibition.section(item["start_section"]) is None:
            errors.add(path, item.line_of("start_section"),
                       f"unknown section '{item['start_section']}' (sections: "
                       f"{', '.join(s.id for s in exhibition.sections)})")
        values["start_section"] = item["start_section"]
    for key, low, high in (("idle_seconds", 5, 3600), ("countdown_seconds", 20, 120)):
        if key in item:
            value = item[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors.add(path, item.line_of(key), f"'{key}' must be a whole number from {low} "
                                                    f"to {high}")
            else:
                values[key] = value
    if "attract" in item:
        if not isinstance(item["attract"], bool):
            errors.add(path, item.line_of("attract"), "'attract' must be true or false")
        else:
            values["attract"] = item["attract"]
    if "languages" in item:
        langs = item["languages"]
        if not isinstance(langs, list) or not langs or any(
                lang not in exhibition.languages for lang in langs):
            errors.add(path, item.line_of("languages"), f"'languages' must list languages of "
                                                        f"the exhibition ({', '.join(exhibition.languages)})")
        else:
            values["languages"] = tuple(langs)
    if "operator_pin_sha256" in texts:
        pin = texts["operator_pin_sha256"]
        if not PIN_HASH.fullmatch(pin):
            errors.add(path, item.line_of("operator_pin_sha256"),
                       "'operator_pin_sha256' must be 64 hex digits: printf %s PIN | sha256sum")
        else:
            values["operator_pin_sha256"] = pin
    return replace(base, **values)
