"""The house keeps its shape: no import circle among scaffold's modules (imports inside
functions count too), and no import up a layer.

Layers, from the bottom: ``spec`` (values and names; the standard library and
``errors`` only) → ``project`` (the project on disk) and ``adopt`` (reading a codebase
scaffold did not create) → ``generate`` (one module per artifact) → ``apply`` (plan,
write, prove) and ``report`` side by side → ``commands`` (one planner per verb) →
``cli`` and ``mcp_server``. ``checks`` and ``mission`` sit on spec and the project.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from tests.support.helpers import REPO

PACKAGE = REPO / "scaffold"
ENTRY = {"cli", "mcp_server", "__main__"}
ABOVE_PROJECT = {"generate", "apply", "report", "commands"} | ENTRY


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every scaffold module ``path`` imports, at any depth of its code."""
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*(package or "").split(".")[: 1 - node.level or None], base])
            # A name or a submodule (``from scaffold import runner``): the graph keeps the
            # longest module it names.
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == "scaffold"}


@cache
def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports_of(path):
            # An import names a module, or a name inside one: the longest module it names.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and imported != "scaffold":
                targets.add(imported)
        edges[name] = targets
    return edges


def top(module: str) -> str:
    """The first part under scaffold (``render`` for scaffold.generate.context)."""
    return module.split(".")[1] if "." in module else module


def test_there_is_no_import_circle() -> None:
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert circles == []


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("project", ABOVE_PROJECT),
        ("adopt", ABOVE_PROJECT),
        ("generate", ABOVE_PROJECT - {"generate"}),
        ("apply", {"report", "commands"} | ENTRY),
        ("report", {"apply", "commands"} | ENTRY),
        ("checks", ABOVE_PROJECT),
        ("mission", ABOVE_PROJECT),
        ("commands", ENTRY),
    ],
)
def test_no_module_imports_up_a_layer(layer: str, forbidden: set[str]) -> None:
    up = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        if top(module) == layer
        for target in targets
        if top(target) in forbidden
    )
    assert up == []


def test_spec_imports_only_itself_and_errors() -> None:
    outside = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        if top(module) == "spec"
        for target in targets
        if top(target) not in {"spec", "errors"}
    )
    assert outside == []


def test_the_graph_sees_function_level_imports() -> None:
    # runner imports the typer app inside a function: the graph must see that arrow.
    assert "scaffold.cli.app" in graph()["scaffold.cli.runner"]
