"""Foreign keys, indexes and columns of the declarative models and Core tables of one
module, read from its tree."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from scaffold.checks._keys import (
    COVERING,
    ForeignKey,
    Index,
    column_names,
    constraint_columns,
    indexed_column,
    primary_key,
    string_of,
)
from scaffold.checks._syntax import (
    assignment_targets,
    index_of,
    is_call_to,
    is_true,
    keyword,
    last_name,
    walk_scope,
)

_LOW_CARDINALITY = frozenset({"bool", "Boolean", "BOOLEAN", "Enum", "enum"})


@dataclass
class ModelColumns:
    """A model's attributes: attribute → column name, and the low-cardinality columns."""

    path: str
    owner: str
    table: str | None
    line: int
    column_of: dict[str, str] = field(default_factory=dict)
    low_cardinality: set[str] = field(default_factory=set)


@dataclass
class ModelFacts:
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    models: list[ModelColumns] = field(default_factory=list)


def _fk_call(node: ast.AST) -> ast.Call | None:
    """The column call when ``node`` declares a foreign key column."""
    if not isinstance(node, ast.Call):
        return None
    name = last_name(node.func)
    if name in {"mapped_column", "Column"}:
        return node if any(is_call_to(arg, "ForeignKey") for arg in node.args) else None
    if name == "Field":
        if keyword(node, "foreign_key") is not None:
            return node
        sa_column = keyword(node, "sa_column")
        return _fk_call(sa_column) if sa_column is not None else None
    return None


def _db_column(call: ast.Call, attribute: str | None) -> str | None:
    if last_name(call.func) in {"mapped_column", "Column"}:
        return string_of(call.args[0] if call.args else None) or attribute
    inner = keyword(call, "sa_column")
    if isinstance(inner, ast.Call):
        return string_of(inner.args[0] if inner.args else None) or attribute
    return attribute


def _is_low_cardinality(annotation: ast.expr | None, call: ast.Call | None) -> bool:
    names = set()
    for node in (annotation, call):
        if node is not None:
            names |= {
                n.id if isinstance(n, ast.Name) else n.attr
                for n in ast.walk(node)
                if isinstance(n, ast.Name | ast.Attribute)
            }
    return bool(names & _LOW_CARDINALITY) or any(n.endswith(("Enum", "Status")) for n in names)


def _class_body_columns(node: ast.ClassDef) -> Iterator[tuple[str, ast.expr | None, ast.Call]]:
    """``name: T = mapped_column(...)`` in the body and ``@declared_attr def name`` returns."""
    for stmt in node.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(stmt.value, ast.Call):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            annotation = stmt.annotation if isinstance(stmt, ast.AnnAssign) else None
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                yield targets[0].id, annotation, stmt.value
        elif isinstance(stmt, ast.FunctionDef):
            for inner in walk_scope(stmt):
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Call):
                    yield stmt.name, stmt.returns, inner.value


def _table_name(node: ast.ClassDef) -> str | None:
    for stmt in node.body:
        if any(last_name(t) == "__tablename__" for t in assignment_targets(stmt)):
            return string_of(stmt.value)
    if any(kw.arg == "table" and is_true(kw.value) for kw in node.keywords):
        return node.name.lower()  # SQLModel's default
    return None


def _is_model(node: ast.ClassDef) -> bool:
    if any(kw.arg == "table" and is_true(kw.value) for kw in node.keywords):
        return True
    return any(
        isinstance(stmt, ast.Assign | ast.AnnAssign)
        and any(
            last_name(t) in {"__tablename__", "__table__"}
            for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
        )
        for stmt in node.body
    ) or any(
        _fk_call(value) is not None or last_name(value.func) == "mapped_column"
        for _, _, value in _class_body_columns(node)
    )


def _module_level_indexes(tree: ast.Module) -> dict[str, list[tuple[str, ...]]]:
    """``Index("ix", Model.col, ...)`` / ``Index("ix", table.c.col)`` outside the class."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for node in index_of(tree).calls:
        if not is_call_to(node, "Index") or len(node.args) < 2:
            continue
        first = node.args[1]
        if not isinstance(first, ast.Attribute):
            continue
        owner = first.value
        if isinstance(owner, ast.Attribute) and owner.attr == "c":
            owner = owner.value
        if isinstance(owner, ast.Name):
            found.setdefault(owner.id, []).append(constraint_columns(node))
    return found


def _core_tables(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    bound = {
        id(stmt.value): last_name(stmt.targets[0])
        for stmt in tree.body
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
    }
    for node in index_of(tree).calls:
        if last_name(node.func) == "Table" and node.args:
            name = string_of(node.args[0])
            if name is not None:
                yield bound.get(id(node)) or name, node


def model_facts(tree: ast.Module, path: str) -> ModelFacts:
    """Foreign keys, indexes and columns of the declarative models and Core tables in a file."""
    facts = ModelFacts()
    external = _module_level_indexes(tree)
    for node in index_of(tree).classes:
        if _is_model(node):
            _read_model(facts, node, path, external.get(node.name, []))
    for owner, call in _core_tables(tree):
        _read_table(facts, owner, call, path, external.get(owner, []))
    return facts


def _read_model(
    facts: ModelFacts, node: ast.ClassDef, path: str, external: list[tuple[str, ...]]
) -> None:
    """A declarative model's columns, its keys and indexes (on its columns, in its body
    and in the module-level ``Index`` calls that name it, ``external``)."""
    table = _table_name(node)
    model = ModelColumns(path, node.name, table, node.lineno)
    declared: list[tuple[str, ast.Call]] = []
    for attribute, annotation, call in _class_body_columns(node):
        if last_name(call.func) not in {"mapped_column", "Column", "Field"}:
            continue
        column = _db_column(call, attribute) or attribute
        model.column_of[attribute] = column
        declared.append((column, call))
        if _is_low_cardinality(annotation, call):
            model.low_cardinality.add(column)
        if indexed_column(call):
            facts.indexes.append(Index(table, node.name, (column,)))
        if _fk_call(call) is not None:
            facts.foreign_keys.append(
                ForeignKey(
                    table,
                    node.name,
                    (column,),
                    attribute,
                    path,
                    call.lineno,
                    call.col_offset,
                    "model",
                )
            )
    if key := primary_key(declared):
        facts.indexes.append(Index(table, node.name, key))
    _read_constraints(facts, node, model)
    for columns in external:
        columns = tuple(model.column_of.get(c, c) for c in columns)
        facts.indexes.append(Index(table, node.name, columns))
    facts.models.append(model)


def _read_constraints(facts: ModelFacts, node: ast.ClassDef, model: ModelColumns) -> None:
    """``Index``/``UniqueConstraint``/``PrimaryKeyConstraint`` and ``ForeignKeyConstraint``
    anywhere in the class (``__table_args__``), attribute names made column names."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and last_name(inner.func) in COVERING:
            columns = tuple(model.column_of.get(c, c) for c in constraint_columns(inner))
            if columns:
                facts.indexes.append(Index(model.table, node.name, columns))
        elif isinstance(inner, ast.Call) and last_name(inner.func) == "ForeignKeyConstraint":
            columns = column_names(inner.args[0] if inner.args else None)
            if columns:
                facts.foreign_keys.append(
                    ForeignKey(
                        model.table,
                        node.name,
                        tuple(model.column_of.get(c, c) for c in columns),
                        None,
                        model.path,
                        inner.lineno,
                        inner.col_offset,
                        "model",
                    )
                )


def _read_table(
    facts: ModelFacts, owner: str, call: ast.Call, path: str, external: list[tuple[str, ...]]
) -> None:
    """A Core ``Table(...)``'s columns, keys and indexes."""
    table = string_of(call.args[0])
    model = ModelColumns(path, owner, table, call.lineno)
    declared: list[tuple[str, ast.Call]] = []
    for arg in call.args[1:]:
        if isinstance(arg, ast.Call) and last_name(arg.func) == "Column":
            column = string_of(arg.args[0] if arg.args else None)
            if column is None:
                continue
            model.column_of[column] = column
            declared.append((column, arg))
            if _is_low_cardinality(None, arg):
                model.low_cardinality.add(column)
            if indexed_column(arg):
                facts.indexes.append(Index(table, owner, (column,)))
            if _fk_call(arg) is not None:
                facts.foreign_keys.append(
                    ForeignKey(
                        table, owner, (column,), None, path, arg.lineno, arg.col_offset, "model"
                    )
                )
        elif isinstance(arg, ast.Call) and last_name(arg.func) in COVERING:
            columns = constraint_columns(arg)
            if columns:
                facts.indexes.append(Index(table, owner, columns))
    if key := primary_key(declared):
        facts.indexes.append(Index(table, owner, key))
    for columns in external:
        facts.indexes.append(Index(table, owner, columns))
    facts.models.append(model)
