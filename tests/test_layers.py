"""The layers of STYLE.md, checked: every import statement in exhibit/ (at module level and inside
functions, absolute and relative) is read with ``ast``; no two packages import each other in a
circle, and a lower layer never imports a higher one.

A node is a subpackage of exhibit (``exhibit.review``) or a top-level module (``exhibit.charts``);
``exhibit`` itself (``__init__.py``: the factory, ``create_app``) is the top of the graph.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "exhibit"

# Lowest first, as drawn in STYLE.md and the README ("How it is built"); a node may import nodes
# of its own layer or lower ones (never in a circle: checked separately). Every node of exhibit is
# in exactly one layer, so a new package has to be placed. One difference from STYLE.md: the
# database (engine, tables, the one write path) lives in exhibit.visits, and accounts and the
# review record are tables of it, so visits sits below publication and auth, not beside the
# surfaces; the visit log's own screens and commands import nothing above it.
LAYERS: list[tuple[str, set[str]]] = [
    ("pure pieces", {"version", "settings", "i18n", "charts", "qr", "content", "media"}),
    ("the live content and shared web pieces",
     {"config", "contentstore", "surfaces", "assets", "media_serving", "security", "limits"}),
    ("visits: the visit log and the database", {"visits"}),
    ("publication · auth", {"publication", "auth"}),
    ("error pages", {"errors"}),
    ("surfaces", {"web", "kiosk", "api", "printing"}),
    ("the public blueprints", {"views"}),
    ("staff screens · review screens · CLI", {"staff", "review"}),
    ("record · demo", {"record", "demo"}),
    ("the factory and the programs that start an app",
     {"", "cli", "__main__", "wsgi", "gunicorn_config", "printworker"}),
]


def module_name(path: Path) -> str:
    """``exhibit/review/audit.py`` → ``exhibit.review.audit``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every module an import statement of the file names, with its line: all statements, those in
    functions too, relative ones resolved (``from . import x`` names ``package.x``)."""
    name = module_name(path)
    is_package = path.name == "__init__.py"
    # The package a relative import starts from: the module's own if it is a package's __init__.
    here = name.split(".") if is_package else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from pkg import sub` imports the submodule pkg.sub, `from pkg import name` pkg itself;
            # pkg.name maps to the right node in both cases (see node_of and import_graph).
            for alias in node.names:
                yield node.lineno, f"{target}.{alias.name}"


def node_of(module: str) -> str | None:
    """The graph node a module belongs to: ``exhibit.review.audit`` → ``review``; ``exhibit`` → ``""``;
    None outside exhibit."""
    parts = module.split(".")
    if parts[0] != "exhibit":
        return None
    if len(parts) == 1:
        return ""
    return parts[1]


def existing_nodes() -> set[str]:
    nodes = {""}
    for path in PACKAGE.iterdir():
        if path.is_dir() and (path / "__init__.py").exists():
            nodes.add(path.name)
        elif path.suffix == ".py" and path.name != "__init__.py":
            nodes.add(path.stem)
    return nodes


def import_graph() -> dict[str, dict[str, list[str]]]:
    """node → imported node → where (``path:line``), for every import between two different nodes."""
    nodes = existing_nodes()
    graph: dict[str, dict[str, list[str]]] = {node: {} for node in nodes}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = node_of(module_name(path))
        for line, module in imported_modules(path):
            target = node_of(module)
            # `from exhibit import create_app` names exhibit.create_app, not a node: the package.
            if target is not None and target not in nodes:
                target = ""
            if target is None or target == source:
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            graph[source].setdefault(target, []).append(where)
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One cycle of the graph as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def describe(graph: dict[str, dict[str, list[str]]], cycle: list[str]) -> str:
    lines = []
    for source, target in zip(cycle, cycle[1:], strict=False):
        lines.append(f"  {source or 'exhibit'} → {target or 'exhibit'}: "
                     + ", ".join(graph[source][target]))
    return "\n".join(lines)


def test_the_walk_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    """The walker itself: imports inside functions, relative and absolute, are all found."""
    package = tmp_path / "exhibit"
    (package / "a").mkdir(parents=True)
    (package / "b").mkdir()
    (package / "__init__.py").write_text("")
    (package / "a" / "__init__.py").write_text("def f():\n    from ..b import thing\n")
    (package / "b" / "__init__.py").write_text("from . import inner\n")
    (package / "b" / "inner.py").write_text("def g():\n    from .. import a\n    import exhibit.c\n")
    (package / "c.py").write_text("def h():\n    from . import create_app\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", package)
    graph = import_graph()
    assert graph["a"] == {"b": ["exhibit/a/__init__.py:2"]}
    # `from .. import a` names the package a, not exhibit's __init__ (the factory).
    assert graph["b"] == {"a": ["exhibit/b/inner.py:2"], "c": ["exhibit/b/inner.py:3"]}
    # A name that is no module of exhibit (`from . import create_app`) is exhibit itself.
    assert graph["c"] == {"": ["exhibit/c.py:2"]}
    cycle = find_cycle(graph)
    assert cycle == ["a", "b", "a"]
    assert "a → b: exhibit/a/__init__.py:2" in describe(graph, cycle)


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, list[str]]]:
    return import_graph()


def test_no_import_cycle_between_packages(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle between packages:\n" + describe(graph, cycle)


def test_every_package_has_a_layer():
    placed = [node for _, nodes in LAYERS for node in nodes]
    assert len(placed) == len(set(placed)), "a node is in two layers"
    assert existing_nodes() - set(placed) == set(), "place the new package in LAYERS (and in STYLE.md)"


@pytest.mark.parametrize("layer", [name for name, _ in LAYERS])
def test_a_lower_layer_never_imports_a_higher_one(graph, layer):
    rank = {node: index for index, (_, nodes) in enumerate(LAYERS) for node in nodes}
    upward = [f"{source or 'exhibit'} → {target or 'exhibit'}: {', '.join(where)}"
              for source, targets in graph.items() if source in dict(LAYERS)[layer]
              for target, where in targets.items() if rank.get(target, -1) > rank[source]]
    assert upward == [], "a lower layer imports a higher one:\n" + "\n".join(upward)
