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


def test_every_app_command_is_documented(demo_app):
    """Commands the domains add (`exhibit db upgrade`, `exhibit print`...), subcommands too."""
    import click

    missing = []
    for name, command in demo_app.cli.commands.items():
        subcommands = command.commands if isinstance(command, click.Group) else {}
        for full in [f"exhibit {name} {sub}" for sub in subcommands] or [f"exhibit {name}"]:
            if full not in README:
                missing.append(full)
    assert not missing, f"not in README.md: {missing}"


def test_readme_names_the_two_commands():
    assert "bash scripts/demo" in README
    assert "bash scripts/test" in README
