"""French typography (issue 17): a non-breaking space (U+00A0, or the narrow U+202F) before
``: ; ? !`` and inside ``« »``, in the interface catalog as the app serves it (the compiled
messages.mo), in the catalog compiled afresh from messages.po, and in the visitors' questionnaire.
The panels are written that way already; the interface must match them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import yaml
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
FR = ROOT / "exhibit" / "translations" / "fr" / "LC_MESSAGES"
SPACES = "\u00a0\u202f"
# ":" inside a URL (https://), a time or a ratio (9:00, 6:2) is not punctuation of the sentence.
NOT_PUNCTUATION = re.compile(r"://|\d:\d")


def problems(text: str) -> list[str]:
    """Each place in ``text`` where French typography wants a non-breaking space and has none."""
    found = []
    for match in re.finditer(r"[:;?!]", text):
        i = match.start()
        if i == 0 or NOT_PUNCTUATION.match(text, i - 1) or NOT_PUNCTUATION.match(text, i):
            continue
        if text[i - 1] in "%)" and match.group() == ":" and text[i + 1:i + 2] not in (" ", ""):
            continue  # a format placeholder's own syntax, not prose
        if text[i - 1] not in SPACES:
            found.append(text[max(0, i - 20):i + 1])
    for match in re.finditer("«", text):
        if text[match.end():match.end() + 1] not in SPACES:
            found.append(text[match.start():match.start() + 20])
    for match in re.finditer("»", text):
        if match.start() == 0 or text[match.start() - 1] not in SPACES:
            found.append(text[max(0, match.start() - 20):match.end()])
    return found


def test_the_checker_finds_what_it_should():
    assert len(problems("Vous êtes toujours là ?")) == 1
    assert len(problems("Attention: « mot »")) == 3  # before ":", after "«", before "»"
    assert problems("Regardez\u00a0: «\u00a0vidéo\u00a0»\u00a0; à 9:00, 6:2 FTS, "
                    "https://x.org, %(n)s\u202f!") == []


def strings(catalog) -> list[str]:
    found = []
    for message in catalog:
        if not message.id:
            continue
        values = message.string if isinstance(message.string, tuple | list) else [message.string]
        found += [v for v in values if v]
    return found


def test_the_compiled_french_catalog_has_french_typography():
    """What the app serves: the .mo file compiled by scripts/setup (`pybabel compile`)."""
    with (FR / "messages.mo").open("rb") as fh:
        served = read_mo(fh)
    bad = {text: problems(text) for text in strings(served) if problems(text)}
    assert not bad, f"fix messages.po and recompile (pybabel compile -d exhibit/translations): {bad}"


def test_the_french_catalog_compiled_afresh_has_french_typography():
    with (FR / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    fresh = strings(read_mo(compiled))
    assert len(fresh) > 300
    bad = {text: problems(text) for text in fresh if problems(text)}
    assert not bad, bad


def french_texts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fr" and isinstance(value, str):
                yield value
            else:
                yield from french_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from french_texts(item)


def test_the_questionnaire_has_french_typography():
    data = yaml.safe_load((ROOT / "panels" / "questionnaire.yaml").read_text(encoding="utf-8"))
    texts = list(french_texts(data))
    assert len(texts) > 10
    bad = {text: problems(text) for text in texts if problems(text)}
    assert not bad, bad
