"""Syntax-tree edits of the project's registries, with LibCST.

LibCST reads every Python grammar up to 3.14 (``type X = ...``, ``class C[T]``,
``except A, B:``) whatever Python scaffold runs on, and writes the module back byte for
byte except for the statements added or removed: the project's comments, blank lines
and formatting stay as they are.
"""

from __future__ import annotations

from scaffold.errors import ProjectError


def _module(text: str, rel: str):  # type: ignore[no-untyped-def]
    import libcst as cst

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ProjectError(
            f"{rel}:{exc.raw_line}: the registry cannot be parsed ({exc.message}): "
            "scaffold edits it by its syntax tree; fix the syntax error and run again.",
            token=rel,
        ) from None


def _is_import(statement) -> bool:  # type: ignore[no-untyped-def]
    import libcst as cst

    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, cst.Import | cst.ImportFrom) for s in statement.body
    )


def _is_docstring(statement) -> bool:  # type: ignore[no-untyped-def]
    import libcst as cst

    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def insert_after_imports(text: str, line: str, rel: str) -> str:
    """``line`` (one statement) after the module's first block of top-level imports (or
    after its docstring when it has none)."""
    import libcst as cst

    module = _module(text, rel)
    body = list(module.body)
    last = -1
    for index, statement in enumerate(body):
        if _is_import(statement):
            last = index
        elif last >= 0:
            break
    if last < 0 and body and _is_docstring(body[0]):
        last = 0
    new = cst.parse_statement(line + "\n")
    body.insert(last + 1, new)
    return module.with_changes(body=body).code


def append_statement(text: str, line: str, rel: str) -> str:
    """``line`` as the module's last statement."""
    import libcst as cst

    module = _module(text, rel)
    statement = cst.parse_statement(line + "\n")
    return module.with_changes(body=[*module.body, statement]).code


def drop_router_imports(text: str, modules: set[str], rel: str) -> str | None:
    """The module without its top-level ``from <module> import ...`` of ``modules`` and
    the top-level ``X.include_router(name, ...)`` calls of the names they imported;
    None when it has none of them."""
    import libcst as cst

    module = _module(text, rel)
    names: set[str] = set()
    kept = []
    changed = False
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            node = statement.body[0]
            if (
                isinstance(node, cst.ImportFrom)
                and node.module is not None
                and not node.relative
                and module.code_for_node(node.module) in modules
                and not isinstance(node.names, cst.ImportStar)
            ):
                for alias in node.names:
                    target = alias.asname.name if alias.asname else alias.name
                    names.add(module.code_for_node(target))
                changed = True
                continue
            if (
                isinstance(node, cst.Expr)
                and isinstance(node.value, cst.Call)
                and isinstance(node.value.func, cst.Attribute)
                and node.value.func.attr.value == "include_router"
                and node.value.args
                and isinstance(node.value.args[0].value, cst.Name)
                and node.value.args[0].value.value in names
            ):
                changed = True
                continue
        kept.append(statement)
    return module.with_changes(body=kept).code if changed else None
