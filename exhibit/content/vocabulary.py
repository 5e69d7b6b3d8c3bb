"""The few words that appear *inside* rendered content (citations, the illustrative label).

The interface strings live in the Flask-Babel catalogs; these are here because the content parser
renders Markdown without Flask. Keep them in step with the catalogs' wording.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "source": {"zh": "来源", "en": "Source", "fr": "Source"},
    "illustrative": {"zh": "示意数据", "en": "illustrative", "fr": "valeur indicative"},
    "illustrative_long": {
        "zh": "示意数据：无公开来源，仅作说明",
        "en": "Illustrative value: no public source, shown for explanation only",
        "fr": "Valeur indicative\u202f: sans source publique, donnée à titre d’explication",
    },
    "pending": {"zh": "待补充", "en": "pending", "fr": "en attente"},
    "pending_long": {
        "zh": "待补充数据：须由所注明的单位提供，提供前本展板不能审核通过",
        "en": "Pending data: to be supplied by the organisation named; the panel cannot be "
              "approved before",
        "fr": "Donnée en attente\u00a0: à fournir par l’organisation nommée\u00a0; le panneau ne "
              "peut pas être approuvé avant",
    },
}


def word(key: str, lang: str) -> str:
    """The word in this language, English when the language has none."""
    entry = WORDS[key]
    return entry.get(lang, entry["en"])
