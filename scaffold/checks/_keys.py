"""Foreign keys and indexes as plain values, and the column names read from the calls that
declare them (the same calls in models and in migrations)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from scaffold.checks._syntax import is_true, keyword, last_name

COVERING = frozenset({"Index", "UniqueConstraint", "PrimaryKeyConstraint"})


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key column set of a table, where it is declared."""

    table: str | None  # the database table; None when a model's name is computed
    owner: str  # the model class or Table variable (models), the table (migrations)
    columns: tuple[str, ...]  # database column names
    attribute: str | None  # the model attribute, when there is one
    path: str
    line: int
    col: int  # 0-based, like ast
    source: str  # "model" or "migration"


@dataclass(frozen=True)
class Index:
    """An index, unique constraint or primary key: the table and its columns in order."""

    table: str | None
    owner: str
    columns: tuple[str, ...]
    name: str | None = None
    source: str = "model"


def string_of(node: ast.AST | None) -> str | None:
    """A string literal (or ``op.f("ix")``) → the string; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and last_name(node.func) == "f" and node.args:  # op.f("ix")
        return string_of(node.args[0])
    return None


def column_ref(node: ast.AST | None) -> str | None:
    """``"col"``, ``Model.col``, ``table.c.col``, ``col`` → the column's name."""
    text = string_of(node)
    if text is not None:
        return text
    return last_name(node) if isinstance(node, ast.Name | ast.Attribute) else None


def column_names(node: ast.AST | None) -> tuple[str, ...] | None:
    """``["a", "b"]`` / ``("a",)`` → names; None when any item is not a plain name."""
    if isinstance(node, ast.List | ast.Tuple):
        names = [column_ref(item) for item in node.elts]
        return tuple(n for n in names if n) if all(names) else None
    single = string_of(node)
    return (single,) if single else None


def constraint_columns(call: ast.Call) -> tuple[str, ...]:
    """Columns of ``Index("ix", a, b)``, ``UniqueConstraint(a, b)``, ``PrimaryKeyConstraint``."""
    args = call.args[1:] if last_name(call.func) == "Index" else call.args
    names: list[str] = []
    for arg in args:
        name = column_ref(arg)
        if name is None:
            break  # an expression index: columns after it do not lead
        names.append(name)
    return tuple(names)


def indexed_column(call: ast.Call, flags: tuple[str, ...] = ("index", "unique")) -> bool:
    """``index=True`` or ``unique=True`` (directly or on sa_column): an index of its own.
    ``primary_key=True`` is not: the columns that say it make one key together
    (:func:`primary_key`), which serves only its leading column."""
    if any(is_true(keyword(call, flag)) for flag in flags):
        return True
    inner = keyword(call, "sa_column")
    return isinstance(inner, ast.Call) and indexed_column(inner, flags)


def primary_key(columns: list[tuple[str, ast.Call]]) -> tuple[str, ...]:
    """The primary key the ``primary_key=True`` columns make, in declaration order.

    >>> calls = [ast.parse(f"Column({c!r}, primary_key=True)", mode="eval").body for c in "ab"]
    >>> primary_key([("a", calls[0]), ("b", calls[1])])
    ('a', 'b')
    """
    return tuple(name for name, call in columns if indexed_column(call, ("primary_key",)))
