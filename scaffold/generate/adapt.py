"""The template's imports pointed at where this project keeps each name: ``app.`` moved
to a template project's package, an adopted project's ``Base``, session and auth taken
from its own code and the rest from its support module."""

from __future__ import annotations

import ast
import re

from scaffold.generate.adopted.support import support_names
from scaffold.project.layout import Layout
from scaffold.project.profile import SUPPORT_SOURCES


def import_of(layout: Layout, module: str, name: str) -> tuple[str, str]:
    """Where ``name``, imported from the template's ``module``, comes from in this project."""
    if layout.profile is None or module not in SUPPORT_SOURCES:
        return module, name
    if name not in support_names():
        return module, name  # the project's own module of that name (its auth, say)
    profile = layout.profile
    if module == "app.db.base" and name == "Base" and not profile.sqlmodel:
        target, _, attribute = profile.base.partition(":")
        return target, attribute
    return profile.support_import, name


def adapt(text: str, layout: Layout) -> str:
    """The template's imports, pointed at where this project keeps each name.

    A template project only moves ``app.`` to its package; an adopted one takes its
    ``Base``, session and auth from its own code and the rest from its support module.
    """
    if layout.profile is None:
        return in_package(text, layout.package)
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    for node in reversed(tree.body):
        if not (
            isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in SUPPORT_SOURCES
        ):
            continue
        groups: dict[str, list[str]] = {}
        for alias in node.names:
            target, attribute = import_of(layout, node.module, alias.name)
            local = alias.asname or alias.name
            groups.setdefault(target, []).append(
                attribute if attribute == local else f"{attribute} as {local}"
            )
        new = "".join(f"from {m} import {', '.join(names)}\n" for m, names in groups.items())
        lines[node.lineno - 1 : node.end_lineno] = [new]
    return "".join(lines)


def in_package(text: str, package: str) -> str:
    """Point the template's ``app.`` imports at the project's package (``[tool.scaffold] package``)."""
    if package == "app":
        return text
    return re.sub(r"^from app\.", f"from {package}.", text, flags=re.M)
