"""The project's modules, parsed once, and names followed through its own imports.

Nothing is imported or run: every module is parsed with the project's grammar (so
3.12+ syntax reads too).
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.checks._parse import parse, requires_python

_SKIP = {"node_modules", "__pycache__", "build", "dist", "site-packages", ".scaffold"}


@dataclass
class Module:
    rel: str
    name: str
    tree: ast.Module
    imports: dict[str, str]  # local name -> "module.attr" or "module"
    is_test: bool = False


class Project:
    """The parsed modules of a project, and name resolution through its imports."""

    def __init__(self, root: Path, skip: set[Path]) -> None:
        self.root = root
        self.target = requires_python(root)
        self.modules: dict[str, Module] = {}
        # Files that could not be parsed: (path, line, why).
        self.unreadable: list[tuple[str, int, str]] = []
        self.source_roots = [root / "src"] if (root / "src").is_dir() else []
        for path in self._files(skip):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            parsed = parse(text, rel, self.target)
            tree = parsed.tree
            if tree is None:
                if parsed.error is not None:
                    message, line, _col = parsed.error
                    self.unreadable.append((rel, line, message))
                continue
            name = self._module_name(path)
            is_test = (
                "/tests/" in f"/{rel}"
                or path.name.startswith("test_")
                or path.name == "conftest.py"
            )
            self.modules[name] = Module(
                rel, name, tree, module_imports(tree, name, path.name == "__init__.py"), is_test
            )

    def _files(self, skip: set[Path]) -> list[Path]:
        out = []
        for current, dirs, files in os.walk(self.root):
            here = Path(current)
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d not in _SKIP
                and not (here / d / "pyvenv.cfg").is_file()
                and (here / d).resolve() not in skip
            )
            out += [
                here / f
                for f in sorted(files)
                if f.endswith(".py") and (here / f).resolve() not in skip
            ]
        return out

    def _module_name(self, path: Path) -> str:
        base = self.root
        for source in self.source_roots:
            if source in path.parents:
                base = source
        parts = list(path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def code_modules(self) -> list[Module]:
        """The project's modules that are not tests."""
        return [mod for mod in self.modules.values() if not mod.is_test]

    def resolve(self, module: str, name: str, depth: int = 0) -> str:
        """``module:name`` of where ``name`` (as seen in ``module``) is defined."""
        head, _, rest = name.partition(".")
        mod = self.modules.get(module)
        if mod is None or depth > 8:
            return f"{module}:{name}"
        target = mod.imports.get(head)
        if target is None:
            return f"{module}:{name}"
        full = target + (f".{rest}" if rest else "")
        # "pkg.mod.attr": the longest project module prefix defines attr.
        parts = full.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in self.modules:
                return self.resolve(candidate, ".".join(parts[cut:]), depth + 1)
        if full in self.modules:
            return f"{full}:"
        return f"{'.'.join(parts[:-1])}:{parts[-1]}" if len(parts) > 1 else f"{full}:"

    def resolve_expr(self, module: str, node: ast.expr) -> str | None:
        name = dotted(node)
        return None if name is None else self.resolve(module, name)

    def top_level(self, ref: str) -> ast.stmt | None:
        module, _, name = ref.partition(":")
        mod = self.modules.get(module)
        if mod is None:
            return None
        return next((node for node in mod.tree.body if defines(node, name)), None)

    def literal(self, module: str, node: ast.expr) -> Any:
        """The value of a literal expression, following one module-level name."""
        if isinstance(node, ast.Name):
            found = self.top_level(self.resolve(module, node.id))
            if isinstance(found, ast.Assign | ast.AnnAssign) and found.value is not None:
                node = found.value
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None

    def call_name(self, module: str, node: ast.expr) -> str | None:
        """``module:name`` of what ``node`` calls, when it is a call."""
        if isinstance(node, ast.Call):
            return self.resolve_expr(module, node.func)
        return None


def assigns(node: ast.AST, name: str) -> bool:
    """Whether ``node`` is an assignment that binds ``name`` (``x = ...``, ``a, x = ...``)."""
    if not isinstance(node, ast.Assign | ast.AnnAssign):
        return False
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return any(name in bound_names(t) for t in targets)


def defines(node: ast.AST, name: str) -> bool:
    """Whether ``node`` defines ``name``: a function or class of that name, or an assignment."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name == name
    return assigns(node, name)


def bound_names(target: ast.expr) -> set[str]:
    """The names an assignment target binds: ``x``, and each of ``a, b`` (``(a, b)``)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Tuple | ast.List):
        return {name for element in target.elts for name in bound_names(element)}
    return set()


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def imported_from(node: ast.ImportFrom, package: str) -> str:
    """The absolute module ``from … import`` reads, a relative one resolved in ``package``."""
    base = node.module or ""
    if not node.level:
        return base
    parts = package.split(".") if package else []
    parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
    return ".".join([*parts, *([base] if base else [])])


def module_imports(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Each name the module imports -> the absolute ``module.attr`` or ``module`` it names."""
    out: dict[str, str] = {}
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = alias.name
                else:
                    out[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = imported_from(node, package)
            for alias in node.names:
                out[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return out
