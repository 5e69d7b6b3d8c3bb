"""Fill empty or fuzzy entries of the zh/fr catalogs from a JSON table, and copy msgids into en.

    .venv/bin/python scripts/fill_translations.py TABLE.json

TABLE.json maps each English msgid to {"zh": "...", "fr": "..."} (plural msgids: the singular, with
lists as values). The .po files stay the source of truth; this only saves typing them by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "exhibit" / "translations"


def main() -> None:
    table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    for lang in ("zh", "fr", "en"):
        path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        missing = []
        for message in catalog:
            if not message.id or (message.string and not message.fuzzy and (
                    not isinstance(message.string, tuple) or all(message.string))):
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if lang == "en":
                message.string = message.id
            elif key in table and lang in table[key]:
                value = table[key][lang]
                message.string = tuple(value) if isinstance(value, list) else value
            else:
                missing.append(key)
                continue
            message.flags.discard("fuzzy")
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100)
        if missing:
            print(f"{lang}: still untranslated: {missing}")


if __name__ == "__main__":
    main()
