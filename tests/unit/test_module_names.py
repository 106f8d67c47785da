"""Every ``module.name`` that scaffold's code reads off one of its own modules exists there.

A module imported whole (``from scaffold.generate import alter``, then ``alter.x``) is
out of reach of ruff, and a name moved elsewhere would only fail when that line runs
(the layout split once left ``alter._sa_migration_type`` behind: exit 70).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from tests.support.helpers import REPO

PACKAGE = REPO / "scaffold"


def module_path(name: str) -> Path | None:
    base = REPO / name.replace(".", "/")
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@cache
def defined_names(path: Path) -> frozenset[str] | None:
    """The names a module binds at its top level (None: it has a ``__getattr__``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node in tree.body:
                names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    if "__getattr__" in names:
        return None
    if path.name == "__init__.py":  # a package: its submodules too
        names |= {p.stem for p in path.parent.glob("*.py")} | {
            p.name for p in path.parent.iterdir() if (p / "__init__.py").is_file()
        }
    return frozenset(names)


def module_aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound to one of scaffold's modules, anywhere in the file."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scaffold"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if module_path(full) is not None:
                    aliases[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("scaffold.") and alias.asname:
                    aliases[alias.asname] = alias.name
    return aliases


def missing_names() -> list[str]:
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = module_aliases(tree)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                continue
            target = module_path(aliases[node.value.id])
            names = defined_names(target) if target is not None else None
            if names is not None and node.attr not in names:
                rel = path.relative_to(REPO)
                missing.append(f"{rel}:{node.lineno}: {aliases[node.value.id]}.{node.attr}")
    return missing


def test_every_name_read_off_a_scaffold_module_exists_there() -> None:
    assert missing_names() == []


def test_the_check_sees_a_name_that_is_gone(tmp_path: Path) -> None:
    # The guard's own guard: the name that went missing once is reported.
    tree = ast.parse("from scaffold.generate import alter\nalter._sa_migration_type(1, 2)\n")
    aliases = module_aliases(tree)
    assert aliases == {"alter": "scaffold.generate.alter"}
    names = defined_names(module_path("scaffold.generate.alter"))
    assert names is not None and "_sa_migration_type" not in names and "backfill_value" in names
