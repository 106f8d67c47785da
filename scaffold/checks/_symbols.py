"""The project's typed names across modules: each module's facts (its dotted name,
imports and the kinds of the names it defines), merged into one :class:`SymbolTable`
that follows imports and resolves the symbolic kinds a module could not resolve alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scaffold.checks._kinds import (
    ANN,
    ANNOTATION_TYPES,
    CALL,
    CLS,
    DEP,
    OBJ,
    OF,
    PRODUCES,
    REF,
    RETURNS,
    TYPE,
)
from scaffold.checks._syntax import Imports


@dataclass
class ModuleFacts:
    """What one module tells the others: its dotted name, imports and typed names."""

    name: str
    imports: dict[str, str] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)


def module_name(path: str) -> str:
    """``app/db/session.py`` → ``app.db.session``; ``src/pkg/__init__.py`` → ``pkg``."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] == "src" and len(parts) > 1:
        parts.pop(0)
    return ".".join(parts)


def absolute_imports(imports: Imports, name: str, is_package: bool) -> dict[str, str]:
    """The module's import map with ``from .x import y`` made absolute."""
    package = name if is_package else name.rpartition(".")[0]
    resolved: dict[str, str] = {}
    for local, target in imports.names.items():
        if target.startswith("."):
            level = len(target) - len(target.lstrip("."))
            base = package.split(".") if package else []
            base = base[: len(base) - (level - 1)] if level > 1 else base
            rest = target.lstrip(".")
            target = ".".join([*base, rest]) if rest else ".".join(base)
        resolved[local] = target
    return resolved


def called(kind: str | None) -> str | None:
    """What calling a value of ``kind`` gives: a session from a factory, an instance from
    a class (``type:<kind>``), a function's result (``returns:<kind>``)."""
    if kind in PRODUCES:
        return PRODUCES[kind]
    if kind and kind.startswith((RETURNS, TYPE)):
        return kind[len(RETURNS) if kind.startswith(RETURNS) else len(TYPE) :]
    return None


class SymbolTable:
    """Every typed name of the project, by qualified name, with import links followed."""

    def __init__(self, facts: Iterable[ModuleFacts]) -> None:
        self.kinds: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.modules: set[str] = set()
        for module in facts:
            self.modules.add(module.name)
            for name, kind in module.exports.items():
                self.kinds[f"{module.name}.{name}"] = kind
            for local, target in module.imports.items():
                self.links[f"{module.name}.{local}"] = target

    def tops(self) -> frozenset[str]:
        """The first part of every module's dotted name (``app`` for ``app.db``)."""
        found = getattr(self, "_tops", None)
        if found is None:
            found = self._tops = frozenset(m.partition(".")[0] for m in self.modules)
        return found

    def lookup(self, qualified: str, depth: int = 0) -> str | None:
        """The resolved kind of a qualified name, following imports and symbolic kinds."""
        for _ in range(8):
            if qualified in self.kinds:
                return self.resolve(self.kinds[qualified], depth + 1)
            if qualified not in self.links:  # out of the project: a library's class?
                known = ANNOTATION_TYPES.get(qualified)
                return TYPE + known if known else None
            qualified = self.links[qualified]
        return None

    def resolve(self, kind: str | None, depth: int = 0) -> str | None:
        if kind is None or depth > 12:
            return None
        for prefix in (TYPE, RETURNS):
            if kind.startswith(prefix):
                inner = self.resolve(kind.removeprefix(prefix), depth + 1)
                return prefix + inner if inner else None
        if kind.startswith(REF):
            return self.lookup(kind.removeprefix(REF), depth + 1)
        if kind.startswith(ANN):
            found = self.lookup(kind.removeprefix(ANN), depth + 1)
            return found.removeprefix(TYPE) if found and found.startswith(TYPE) else None
        if kind.startswith(CLS):
            name, _, base = kind.removeprefix(CLS).partition("|")
            found = self.resolve(base, depth + 1) if base else None
            if found and found.startswith(TYPE) and not found.startswith(TYPE + OBJ):
                return found  # a subclass of APIRouter, of Session...
            return TYPE + OBJ + name
        if kind.startswith(OF):
            return called(self.resolve(kind.removeprefix(OF), depth + 1))
        if kind.startswith((CALL, DEP)):
            target = self.lookup(
                kind[len(CALL) :] if kind.startswith(CALL) else kind[len(DEP) :], depth + 1
            )
            return called(target)
        return kind

    def origin(self, qualified: str) -> str | None:
        """The callable that made a module-level value of the project (``app = App()``
        in ``app.bolt`` → ``slack_bolt.App``), imports followed; None when not a call."""
        for _ in range(8):
            kind = self.kinds.get(qualified)
            if kind is not None and kind.startswith(REF):
                qualified = kind.removeprefix(REF)
            elif kind is not None:
                return kind.removeprefix(CALL) if kind.startswith(CALL) else None
            elif qualified in self.links:
                qualified = self.links[qualified]
            else:
                return None
        return None

    def digest_items(self) -> list[tuple[str, str]]:
        return (
            sorted(self.kinds.items())
            + sorted(("->" + k, v) for k, v in self.links.items())
            + [("modules", ",".join(sorted(self.modules)))]
        )
