"""Imports are collected while a module is described, then rendered in isort order."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable

_FIRST_PARTY = ("app", "tests", "migrations")


class Imports:
    """Collect ``import x`` / ``from x import y`` lines and render them grouped.

    ``own`` names the classes the module gets from the user's resources: an import
    spelled like one of them is taken under a private alias, so the user's class name
    wins and the generated code uses the name :meth:`add` returns.

    >>> imports = Imports(own={"Date"})
    >>> imports.add("typing", "Any"), imports.add("sqlalchemy", "Date")
    ('Any', '_Date')
    >>> print(imports.render())
    from typing import Any
    <BLANKLINE>
    from sqlalchemy import Date as _Date
    """

    def __init__(self, own: Iterable[str] = ()) -> None:
        self._from: dict[str, set[str]] = defaultdict(set)
        self._plain: set[str] = set()
        self._own = frozenset(own)

    def add(self, module: str, name: str | None = None) -> str:
        """Import ``name`` from ``module`` (or the module itself); return the local name."""
        if name is None:
            self._plain.add(module)
            return module.split(" as ")[-1]
        local = f"_{name}" if name in self._own else name
        self._from[module].add(name if local == name else f"{name} as {local}")
        return local

    def add_own(self, module: str, name: str) -> str:
        """Import one of the user's classes, never aliased."""
        self._from[module].add(name)
        return name

    def render(self) -> str:
        groups: dict[int, list[str]] = defaultdict(list)
        for module in sorted(self._plain, key=_module_key):
            groups[_section(module)].append(f"import {module}")
        for module in sorted(self._from, key=_module_key):
            names = ", ".join(sorted(self._from[module], key=_name_key))
            groups[_section(module)].append(f"from {module} import {names}")
        return "\n\n".join("\n".join(groups[k]) for k in sorted(groups))


def _module_key(module: str) -> str:
    return module.split(" as ")[0].lower()


def _name_key(name: str) -> tuple[int, str]:
    # isort's order-by-type: CONSTANTS, then Classes, then functions.
    base = name.split(" as ")[0]
    if base.isupper() and len(base) > 1:
        return (0, base)
    if base[:1].isupper():
        return (1, base)
    return (2, base)


def _section(module: str) -> int:
    top = module.split(".")[0].split(" ")[0]
    if top == "__future__":
        return 0
    if top in sys.stdlib_module_names:
        return 1
    if top in _FIRST_PARTY:
        return 3
    return 2
