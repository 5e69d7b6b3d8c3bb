"""The README documents every setting and every command (Datasette's habit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exhibit.cli import cli
from exhibit.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    assert f"`{setting.name}`" in README
    assert setting.help


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command):
    assert f"exhibit {command}" in README


def test_readme_names_the_two_commands():
    assert "bash scripts/demo" in README
    assert "bash scripts/test" in README
