"""SC603: DDL in a migration's ``upgrade()`` that blocks a PostgreSQL table holding rows.

Read with ``ast`` from one migration file (nothing is imported or run):

- an index built without ``postgresql_concurrently=True`` (``op.create_index``,
  ``batch_op.create_index``, ``CREATE INDEX`` in ``op.execute``): writes wait for the build;
- a foreign key added without ``postgresql_not_valid=True`` (``create_foreign_key``,
  ``FOREIGN KEY`` in ``op.execute`` without ``NOT VALID``): both tables are locked while
  every row is checked;
- a column added ``nullable=False`` with no ``server_default``: the statement fails on a
  table with rows, or (with a default set later) rewrites it.

A table created in the same migration holds no rows yet, so its DDL is left alone, and
so is code in the branch of a dialect test that does not run on PostgreSQL
(``if op.get_context().dialect.name == "postgresql": … else: …``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from scaffold.checks._finding import Finding

CODE = "SC603"
_PLAIN_INDEX = re.compile(r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\b(?!\s+CONCURRENTLY)", re.I)
_FOREIGN_KEY = re.compile(r"\bADD\s+(?:CONSTRAINT\s+\S+\s+)?FOREIGN\s+KEY\b", re.I)


def unsafe_ddl(tree: ast.Module, path: str) -> list[Finding]:
    """The SC603 findings of one migration module."""
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        return []
    created = {
        table
        for node in ast.walk(upgrade)
        if isinstance(node, ast.Call) and _method(node) == "create_table"
        for table in [_text(node.args[0] if node.args else None)]
        if table
    }
    found = []
    for call, table in _calls(upgrade.body, None):
        if table in created:
            continue
        message = _problem(call, table)
        if message:
            found.append(Finding(path, call.lineno, call.col_offset + 1, CODE, message))
    return found


def _calls(body: list[ast.stmt], batch: str | None) -> Iterator[tuple[ast.Call, str | None]]:
    """Each call that runs on PostgreSQL, with the table of its batch (``batch_op``)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            runs = _on_postgres(stmt.test)
            if runs is not False:
                yield from _calls(stmt.body, batch)
            if runs is not True:
                yield from _calls(stmt.orelse, batch)
            continue
        if isinstance(stmt, ast.With | ast.AsyncWith):
            table = batch
            for item in stmt.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and _method(expr) == "batch_alter_table":
                    table = _text(expr.args[0] if expr.args else _keyword(expr, "table_name"))
            yield from _calls(stmt.body, table)
            continue
        if isinstance(stmt, ast.For | ast.While | ast.Try):
            yield from _calls(stmt.body, batch)
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                yield node, _table(node, batch)


def _on_postgres(test: ast.expr) -> bool | None:
    """True when the test holds only on PostgreSQL, False when never there, else None."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    names = [_text(side) for side in (test.left, test.comparators[0])]
    dialect = next((n for n in names if n), None)
    other = test.left if names[0] is None else test.comparators[0]
    if dialect is None or "dialect" not in ast.unparse(other):
        return None
    is_pg = dialect.startswith("postgres")
    if isinstance(test.ops[0], ast.Eq):
        return is_pg
    if isinstance(test.ops[0], ast.NotEq):
        return False if is_pg else None
    return None


def _problem(call: ast.Call, table: str | None) -> str | None:
    method = _method(call)
    where = f" on {table}" if table else ""
    if method == "create_index" and not _true(call, "postgresql_concurrently"):
        return (
            f"index built without CONCURRENTLY{where}: writes wait for the whole build on "
            "PostgreSQL; pass postgresql_concurrently=True in op.get_context().autocommit_block()"
        )
    if method == "create_foreign_key" and not _true(call, "postgresql_not_valid"):
        return (
            f"foreign key added without NOT VALID{where}: both tables are locked while every "
            "row is checked; add it with postgresql_not_valid=True, then VALIDATE CONSTRAINT "
            "after a commit"
        )
    if method == "add_column":
        column = call.args[-1] if call.args else _keyword(call, "column")
        if isinstance(column, ast.Call) and _keyword(column, "server_default") is None:
            nullable = _keyword(column, "nullable")
            if isinstance(nullable, ast.Constant) and nullable.value is False:
                return (
                    f"column added NOT NULL without a server_default{where}: it fails on a "
                    "table with rows; add it nullable, backfill, then SET NOT NULL through a "
                    "validated CHECK (col IS NOT NULL)"
                )
    if method == "execute" and call.args:
        sql = _text(call.args[0]) or ""
        if _PLAIN_INDEX.search(sql):
            return (
                f"CREATE INDEX without CONCURRENTLY in op.execute{where}: writes wait for the build"
            )
        if _FOREIGN_KEY.search(sql) and "NOT VALID" not in sql.upper():
            return f"FOREIGN KEY without NOT VALID in op.execute{where}: both tables are locked"
    return None


def _method(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _table(call: ast.Call, batch: str | None) -> str | None:
    """The table a call changes: its batch's, or its own table argument."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if isinstance(receiver, ast.Name) and receiver.id != "op":
        return batch
    method = _method(call)
    if method == "create_index":
        node = call.args[1] if len(call.args) > 1 else _keyword(call, "table_name")
    elif method == "create_foreign_key":
        node = call.args[1] if len(call.args) > 1 else _keyword(call, "source_table")
    elif method == "add_column":
        node = call.args[0] if call.args else _keyword(call, "table_name")
    else:
        return None
    return _text(node)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _true(call: ast.Call, name: str) -> bool:
    value = _keyword(call, name)
    return isinstance(value, ast.Constant) and value.value is True


def _text(node: ast.expr | None) -> str | None:
    """A string constant (``op.f("x")`` and ``sa.text("x")`` unwrapped; implicit
    concatenation is one constant already)."""
    if isinstance(node, ast.Call) and node.args and _method(node) in {"f", "text"}:
        node = node.args[0]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        node = node.args[0]  # text("...")
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
