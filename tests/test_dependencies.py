"""Dependency hygiene: every package exhibit installs (for running and for the tests) is pinned in
constraints.txt, the set-up installs exactly those pins, the pins satisfy pyproject.toml, and none
lies in a known-vulnerable range (security/advisories.toml)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .conftest import ROOT


def pins() -> dict[str, Version]:
    """constraints.txt as {canonical name: version}."""
    found = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            found[canonicalize_name(name)] = Version(version)
    return found


def project_requirements() -> list[Requirement]:
    """pyproject.toml's dependencies and every optional group (the tests' among them)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    return [Requirement(text) for text in texts]


def installed_tree() -> set[str]:
    """Every distribution the project needs, transitively, as installed here (read from
    pyproject.toml, not from the project's installed metadata, which may be older)."""
    seen: set[str] = set()
    todo = [(r.name, tuple(r.extras)) for r in project_requirements()]
    seen.update(canonicalize_name(name) for name, _ in todo)
    while todo:
        name, extras = todo.pop()
        for text in metadata.distribution(name).requires or []:
            requirement = Requirement(text)
            if requirement.marker and not any(
                    requirement.marker.evaluate({"extra": extra}) for extra in ("", *extras)):
                continue
            key = canonicalize_name(requirement.name)
            if key not in seen:
                seen.add(key)
                todo.append((requirement.name, tuple(requirement.extras)))
    return seen


def test_every_installed_dependency_is_pinned_at_the_installed_version():
    pinned = pins()
    needed = installed_tree()
    assert "werkzeug" in needed and "pytest" in needed
    missing = sorted(needed - set(pinned))
    assert not missing, f"not pinned in constraints.txt: {missing}"
    for name in sorted(needed):
        installed = Version(metadata.version(name))
        assert installed == pinned[name], f"{name}: installed {installed}, pinned {pinned[name]}"


def test_the_setup_installs_with_the_constraints():
    setup = (ROOT / "scripts" / "setup").read_text()
    assert re.search(r"pip install [^\n]*-c constraints\.txt", setup)
    # The installer and the build backend are pinned too.
    assert re.search(r"pip install [^\n]*-c build-constraints\.txt --upgrade pip", setup)
    assert "--build-constraint build-constraints.txt" in setup
    build = dict(line.split("==") for line in (ROOT / "build-constraints.txt").read_text().split()
                 if "==" in line)
    assert build["pip"] == metadata.version("pip")
    assert Version(build["setuptools"]) >= Version("69")  # pyproject's build-system.requires


def test_pins_satisfy_pyproject():
    pinned = pins()
    for requirement in project_requirements():
        version = pinned[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (str(requirement), str(version))


ADVISORIES = tomllib.loads((ROOT / "security" / "advisories.toml").read_text())["advisory"]


@pytest.mark.parametrize("advisory", ADVISORIES, ids=lambda a: f"{a['package']}:{a['ids'][0]}")
def test_no_pin_is_known_to_be_vulnerable(advisory):
    version = pins().get(canonicalize_name(advisory["package"]))
    if version is None:
        pytest.skip(f"{advisory['package']} is not used")
    assert not SpecifierSet(advisory["vulnerable"]).contains(version), (
        f"{advisory['package']} {version} is affected by {', '.join(advisory['ids'])}: "
        f"{advisory['summary']}")
