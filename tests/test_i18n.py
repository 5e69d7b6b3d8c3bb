"""Every interface string is translated in every language, and the catalogs are up to date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "exhibit" / "translations"


def catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set:
    """The message ids in the code and templates today."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2",
                    "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    with pot.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_catalog_covers_every_string_in_the_code(extracted, lang):
    ids = {m.id for m in catalog(lang) if m.id}
    missing = extracted - ids
    assert not missing, f"run pybabel update (README, Translations); missing in {lang}: {missing}"


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_every_string_is_translated(lang):
    untranslated = [m.id for m in catalog(lang) if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)]
    assert not untranslated, f"untranslated in {lang}: {untranslated}"


def test_compiled_catalogs_exist():
    for lang in ("zh", "en", "fr"):
        assert (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").exists(), \
            "run scripts/setup (it compiles the catalogs)"
