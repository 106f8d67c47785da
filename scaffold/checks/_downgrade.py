"""Rewrite Python 3.12-3.14 syntax to 3.11's with LibCST, keeping every line where it was.

Imported only for a file ``ast`` cannot parse (``_parse``): LibCST is heavy.
"""

from __future__ import annotations

import ast

import libcst as cst


def _newlines(module: cst.Module, node: cst.CSTNode) -> int:
    """How many line breaks ``node``'s code spans (a rewrite keeps them)."""
    return module.code_for_node(node).count("\n")


class Downgrade(cst.CSTTransformer):
    """Rewrites 3.12-3.14 syntax to 3.11 syntax, keeping every line where it was, and
    notes each construct it met (``features``: the version it needs; ``nodes``: where)."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.features: dict[str, tuple[int, int]] = {}
        self.nodes: dict[str, cst.CSTNode] = {}

    def _saw(self, construct: str, version: tuple[int, int], node: cst.CSTNode) -> None:
        if construct not in self.features:
            self.features[construct] = version
            self.nodes[construct] = node

    def leave_TypeAlias(self, original, updated):  # type: ignore[no-untyped-def]
        self._saw("a type alias statement", (3, 12), original)
        return cst.Assign(targets=[cst.AssignTarget(updated.name)], value=updated.value)

    def _drop_type_parameters(self, original, updated):  # type: ignore[no-untyped-def]
        if updated.type_parameters is None:
            return updated
        defaults = any(p.default is not None for p in updated.type_parameters.params)
        if defaults:
            self._saw("a type parameter default", (3, 13), original)
        else:
            self._saw("a type parameter list", (3, 12), original)
        return updated.with_changes(type_parameters=None)

    def leave_ClassDef(self, original, updated):  # type: ignore[no-untyped-def]
        return self._drop_type_parameters(original, updated)

    def leave_FunctionDef(self, original, updated):  # type: ignore[no-untyped-def]
        return self._drop_type_parameters(original, updated)

    def _parenthesize(self, original, updated):  # type: ignore[no-untyped-def]
        kind = updated.type
        if isinstance(kind, cst.Tuple) and not kind.lpar:
            self._saw("`except` with unparenthesized types", (3, 14), original)
            return updated.with_changes(
                type=kind.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]),
                whitespace_after_except=cst.SimpleWhitespace(" "),
            )
        return updated

    def leave_ExceptHandler(self, original, updated):  # type: ignore[no-untyped-def]
        return self._parenthesize(original, updated)

    def leave_ExceptStarHandler(self, original, updated):  # type: ignore[no-untyped-def]
        return self._parenthesize(original, updated)

    def _expressions(self, original, updated, construct, version):  # type: ignore[no-untyped-def]
        code = self.module.code_for_node(original)
        if construct == "an f-string" and _parses_here(code):
            return updated
        self._saw(construct, version, original)
        values = [
            part.expression
            for part in updated.parts
            if isinstance(part, cst.FormattedStringExpression | cst.TemplatedStringExpression)
        ]
        elements = [cst.Element(value, comma=cst.Comma()) for value in values]
        lines = _newlines(self.module, original)
        closing = cst.RightParen()
        if lines:
            closing = cst.RightParen(
                whitespace_before=cst.ParenthesizedWhitespace(
                    empty_lines=[cst.EmptyLine()] * (lines - 1), indent=False
                )
            )
        return cst.Tuple(elements, lpar=[cst.LeftParen()], rpar=[closing])

    def leave_FormattedString(self, original, updated):  # type: ignore[no-untyped-def]
        return self._expressions(original, updated, "an f-string", (3, 12))

    def leave_TemplatedString(self, original, updated):  # type: ignore[no-untyped-def]
        return self._expressions(original, updated, "a t-string", (3, 14))


def _parses_here(code: str) -> bool:
    """Whether the running interpreter's ``ast`` parses ``code`` as an expression."""
    try:
        ast.parse(f"(\n{code}\n)", mode="eval")
    except SyntaxError:
        return False
    return True
