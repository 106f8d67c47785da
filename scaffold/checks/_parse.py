"""Parse a module with the grammar of the project's Python, not only the running one.

``ast`` is fast but knows only the running interpreter's grammar. A file it cannot
parse goes through LibCST, which reads Python 3.0-3.14 syntax; the newer constructs
are rewritten to the running interpreter's equivalents (``type X = int`` becomes
``X = int``, ``class C[T]`` loses its type parameters, ``except A, B:`` gains
parentheses, a PEP 701 f-string or a t-string becomes the tuple of its expressions)
with the line numbers kept, and the result is parsed by ``ast``. Every rule then
reads the same kind of tree. A construct newer than the lowest version the project's
``requires-python`` allows is a syntax error for that project, and says so.

LibCST and the rewriter (``_downgrade``) are imported only for such files, and only
when the quick rewrite (:func:`blank_type_parameters`: PEP 695 type aliases and
parameters, PEP 758 ``except A, B:``) does not already give ``ast`` a tree.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

NEWEST = (3, 14)
_BOUND = re.compile(r"(>=|~=|==|\^|>|~)\s*(\d+)\s*\.\s*(\d+)")


def requires_python(root: Path) -> tuple[int, int] | None:
    """The lowest Python version the project allows, from pyproject.toml.

    Reads ``[project] requires-python`` (PEP 621) or Poetry's
    ``[tool.poetry.dependencies] python``; None when neither says.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "pyproject.toml").write_text('[project]\\nrequires-python = ">=3.12,<4"\\n')
    >>> requires_python(folder)
    (3, 12)
    """
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    spec = data.get("project", {}).get("requires-python")
    if not isinstance(spec, str):
        spec = data.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
    return lowest_version(spec) if isinstance(spec, str) else None


def lowest_version(spec: str) -> tuple[int, int] | None:
    """``">=3.11"`` → (3, 11); ``"^3.12"`` → (3, 12); ``"<3.13"`` alone → None.

    >>> lowest_version(">=3.10, !=3.11.*")
    (3, 10)
    """
    bounds = [(int(major), int(minor)) for _, major, minor in _BOUND.findall(spec)]
    return min(bounds) if bounds else None


@dataclass(frozen=True)
class Parsed:
    """A module tree, or why there is none (``error``: message, line, column)."""

    tree: ast.Module | None
    error: tuple[str, int, int] | None = None
    rewritten: bool = False  # parsed through LibCST


def parse(text: str, path: str, target: tuple[int, int] | None) -> Parsed:
    """Parse ``text`` for a project whose lowest Python is ``target`` (None: any)."""
    running = sys.version_info[:2]
    feature = target if target is not None and (3, 7) <= target < running else None
    try:
        if feature is None:
            return Parsed(ast.parse(text, filename=path))
        return Parsed(ast.parse(text, filename=path, feature_version=feature))
    except SyntaxError as exc:
        first = (f"syntax error: {exc.msg}", exc.lineno or 1, max(exc.offset or 1, 1))
    except ValueError as exc:  # null bytes
        return Parsed(None, (f"cannot parse: {exc}", 1, 1))
    if target is None or target >= (3, 12):  # PEP 695 allowed: try the quick rewrite
        blanked = blank_type_parameters(text, newest=target is None or target >= (3, 14))
        if blanked is not None:
            try:
                return Parsed(ast.parse(blanked, filename=path), rewritten=True)
            except (SyntaxError, ValueError):
                pass
    return _through_libcst(text, path, target, first)


_TYPE_ALIAS = re.compile(
    r"^([ \t]*)type([ \t]+[A-Za-z_]\w*)(\[[^\]\n]*\])?(?=[ \t]*=)", re.MULTILINE
)
_EXCEPT_MANY = re.compile(r"^([ \t]*except) ((?:(?! as )[^:\n(#])+,[^:\n#]*):", re.MULTILINE)
_TYPE_PARAMS = re.compile(
    r"^([ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_]\w*)\[", re.MULTILINE
)


def blank_type_parameters(text: str, newest: bool = True) -> str | None:
    """PEP 695 and PEP 758 without LibCST (10x faster on the files that use them):
    ``type X = int`` becomes ``X      = int``, the ``[T]`` of ``def f[T](...)``/``class
    C[T]:`` becomes spaces and ``except A, B:`` becomes ``except(A, B):``, so every
    line and the columns that matter stay where they were; None when there is nothing
    of the kind (or a parameter list spans lines). Anything else newer than the
    running grammar goes through LibCST (so does ``except A, B:`` unless ``newest``:
    it needs Python 3.14, and LibCST says so).

    >>> blank_type_parameters("type Id = int\\ndef first[T](xs: list[T]) -> T: ...")
    'Id      = int\\ndef first   (xs: list[T]) -> T: ...'
    >>> blank_type_parameters("try: pass\\nexcept OSError, ValueError:\\n    pass")
    'try: pass\\nexcept(OSError, ValueError):\\n    pass'
    """
    out = _TYPE_ALIAS.sub(_alias, text)
    if newest:
        out = _EXCEPT_MANY.sub(lambda m: f"{m.group(1)}({m.group(2)}):", out)
    pieces: list[str] = []
    last = 0
    for match in _TYPE_PARAMS.finditer(out):
        start = match.end() - 1
        depth, end = 0, start
        while end < len(out):
            char = out[end]
            depth += char == "["
            depth -= char == "]"
            if char == "\n" or (char == "]" and depth == 0):
                break
            end += 1
        if end >= len(out) or out[end] != "]":
            return None
        pieces += [out[last:start], " " * (end + 1 - start)]
        last = end + 1
    out = "".join(pieces) + out[last:]
    return None if out == text else out


def _alias(match: re.Match[str]) -> str:
    """``type Pair[T] = ...`` → ``Pair         = ...`` (the value keeps its column)."""
    indent, name = match.group(1), match.group(2).strip()
    return indent + name + " " * (len(match.group(0)) - len(indent) - len(name))


def _through_libcst(
    text: str, path: str, target: tuple[int, int] | None, first: tuple[str, int, int]
) -> Parsed:
    import libcst as cst

    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return Parsed(None, first)
    from scaffold.checks._downgrade import Downgrade

    rewriter = Downgrade(module)
    try:
        code = module.visit(rewriter).code
    except (RecursionError, ValueError):
        return Parsed(None, first)
    too_new = [c for c, v in rewriter.features.items() if target is not None and v > target]
    if too_new and target is not None:
        positions = _positions(module, [rewriter.nodes[c] for c in too_new])
        (line, col), construct = min(zip(positions, too_new, strict=True))
        needed = rewriter.features[construct]
        return Parsed(
            None,
            (
                f"{construct} needs Python {needed[0]}.{needed[1]}, but requires-python "
                f"allows {target[0]}.{target[1]}",
                line,
                col,
            ),
        )
    try:
        return Parsed(ast.parse(code, filename=path), rewritten=True)
    except SyntaxError:
        return Parsed(None, first)


def _positions(module, nodes) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Line and 1-based column of each node (only on the error path: positions are slow)."""
    import libcst as cst
    from libcst.metadata import PositionProvider

    found = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return [
        (found[node].start.line, found[node].start.column + 1) if node in found else (1, 1)
        for node in nodes
    ]
