"""One definition of "this foreign key is indexed", for SC501 and ``scaffold index --missing``.

Foreign keys and indexes are read as syntax trees (nothing is imported) from three
places, and a foreign key is indexed when any index, unique constraint or primary
key of its table leads with its column(s):

- models: ``mapped_column(ForeignKey(...))``, ``Column(..., ForeignKey(...))``,
  SQLModel ``Field(foreign_key=...)``, ``ForeignKeyConstraint``; covered by
  ``index=True``/``unique=True``/``primary_key=True``, ``Index``/``UniqueConstraint``/
  ``PrimaryKeyConstraint`` in ``__table_args__``, a Core ``Table(...)`` or a
  module-level ``Index("ix", Model.col)``;
- migrations, replayed in revision order: ``op.create_table`` (its columns and
  constraints), ``op.add_column``, ``op.create_foreign_key``, ``op.create_index``,
  ``op.create_unique_constraint``, ``op.create_primary_key``, ``CREATE INDEX`` in
  ``op.execute``, the same inside ``op.batch_alter_table``, and the drops and
  renames that undo them;
- with a database URL, the live catalog (:func:`catalog_indexes`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from scaffold.checks._syntax import (
    assignment_targets,
    index_of,
    is_call_to,
    is_true,
    keyword,
    last_name,
    walk_scope,
)

_COVERING = frozenset({"Index", "UniqueConstraint", "PrimaryKeyConstraint"})
_LOW_CARDINALITY = frozenset({"bool", "Boolean", "BOOLEAN", "Enum", "enum"})


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


def covers(index_columns: tuple[str, ...], fk_columns: tuple[str, ...]) -> bool:
    """An index serves a foreign key when its leading columns are the key's columns.

    >>> covers(("resident_id", "week"), ("resident_id",)), covers(("week", "resident_id"), ("resident_id",))
    (True, False)
    """
    width = len(fk_columns)
    return len(index_columns) >= width and set(index_columns[:width]) == set(fk_columns)


# --- models ------------------------------------------------------------------------------


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and last_name(node.func) == "f" and node.args:  # op.f("ix")
        return _string(node.args[0])
    return None


def _column_ref(node: ast.AST | None) -> str | None:
    """``"col"``, ``Model.col``, ``table.c.col``, ``col`` → the column's name."""
    text = _string(node)
    if text is not None:
        return text
    return last_name(node) if isinstance(node, ast.Name | ast.Attribute) else None


def _strings(node: ast.AST | None) -> tuple[str, ...] | None:
    """``["a", "b"]`` / ``("a",)`` → names; None when any item is not a plain name."""
    if isinstance(node, ast.List | ast.Tuple):
        names = [_column_ref(item) for item in node.elts]
        return tuple(n for n in names if n) if all(names) else None
    single = _string(node)
    return (single,) if single else None


def _constraint_columns(call: ast.Call) -> tuple[str, ...]:
    """Columns of ``Index("ix", a, b)``, ``UniqueConstraint(a, b)``, ``PrimaryKeyConstraint``."""
    args = call.args[1:] if last_name(call.func) == "Index" else call.args
    names: list[str] = []
    for arg in args:
        name = _column_ref(arg)
        if name is None:
            break  # an expression index: columns after it do not lead
        names.append(name)
    return tuple(names)


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


def _column_flags(call: ast.Call) -> bool:
    """``index=True``, ``unique=True`` or ``primary_key=True`` (directly or on sa_column)."""
    if any(is_true(keyword(call, flag)) for flag in ("index", "unique", "primary_key")):
        return True
    inner = keyword(call, "sa_column")
    return isinstance(inner, ast.Call) and _column_flags(inner)


def _db_column(call: ast.Call, attribute: str | None) -> str | None:
    if last_name(call.func) in {"mapped_column", "Column"}:
        return _string(call.args[0] if call.args else None) or attribute
    inner = keyword(call, "sa_column")
    if isinstance(inner, ast.Call):
        return _string(inner.args[0] if inner.args else None) or attribute
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
            return _string(stmt.value)
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
            found.setdefault(owner.id, []).append(_constraint_columns(node))
    return found


def _core_tables(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    bound = {
        id(stmt.value): last_name(stmt.targets[0])
        for stmt in tree.body
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
    }
    for node in index_of(tree).calls:
        if last_name(node.func) == "Table" and node.args:
            name = _string(node.args[0])
            if name is not None:
                yield bound.get(id(node)) or name, node


def model_facts(tree: ast.Module, path: str) -> ModelFacts:
    """Foreign keys, indexes and columns of the declarative models and Core tables in a file."""
    facts = ModelFacts()
    external = _module_level_indexes(tree)
    for node in index_of(tree).classes:
        if not _is_model(node):
            continue
        table = _table_name(node)
        model = ModelColumns(path, node.name, table, node.lineno)
        for attribute, annotation, call in _class_body_columns(node):
            if last_name(call.func) not in {"mapped_column", "Column", "Field"}:
                continue
            column = _db_column(call, attribute) or attribute
            model.column_of[attribute] = column
            if _is_low_cardinality(annotation, call):
                model.low_cardinality.add(column)
            if _column_flags(call):
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
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and last_name(inner.func) in _COVERING:
                columns = tuple(model.column_of.get(c, c) for c in _constraint_columns(inner))
                if columns:
                    facts.indexes.append(Index(table, node.name, columns))
            elif isinstance(inner, ast.Call) and last_name(inner.func) == "ForeignKeyConstraint":
                columns = _strings(inner.args[0] if inner.args else None)
                if columns:
                    facts.foreign_keys.append(
                        ForeignKey(
                            table,
                            node.name,
                            tuple(model.column_of.get(c, c) for c in columns),
                            None,
                            path,
                            inner.lineno,
                            inner.col_offset,
                            "model",
                        )
                    )
        for columns in external.get(node.name, []):
            columns = tuple(model.column_of.get(c, c) for c in columns)
            facts.indexes.append(Index(table, node.name, columns))
        facts.models.append(model)
    for owner, call in _core_tables(tree):
        table = _string(call.args[0])
        model = ModelColumns(path, owner, table, call.lineno)
        for arg in call.args[1:]:
            if isinstance(arg, ast.Call) and last_name(arg.func) == "Column":
                column = _string(arg.args[0] if arg.args else None)
                if column is None:
                    continue
                model.column_of[column] = column
                if _is_low_cardinality(None, arg):
                    model.low_cardinality.add(column)
                if _column_flags(arg):
                    facts.indexes.append(Index(table, owner, (column,)))
                if _fk_call(arg) is not None:
                    facts.foreign_keys.append(
                        ForeignKey(
                            table, owner, (column,), None, path, arg.lineno, arg.col_offset, "model"
                        )
                    )
            elif isinstance(arg, ast.Call) and last_name(arg.func) in _COVERING:
                columns = _constraint_columns(arg)
                if columns:
                    facts.indexes.append(Index(table, owner, columns))
        for columns in external.get(owner, []):
            facts.indexes.append(Index(table, owner, columns))
        facts.models.append(model)
    return facts


# --- migrations ----------------------------------------------------------------------------

_CREATE_INDEX = re.compile(
    r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>[\w\".]+)?\s*ON\s+(?:ONLY\s+)?(?P<table>[\w\".]+)\s*"
    r"(?:USING\s+\w+\s*)?\((?P<columns>[^)]*)\)",
    re.IGNORECASE,
)
_DROP_INDEX = re.compile(
    r"\bDROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?(?P<name>[\w\".]+)", re.IGNORECASE
)


def _unquote(name: str) -> str:
    return name.split(".")[-1].strip('"')


@dataclass(frozen=True)
class Event:
    """One schema change a migration makes, in the order ``upgrade()`` makes them."""

    kind: str  # fk, index, drop_index, drop_constraint, drop_table, drop_column, rename_*
    table: str | None
    columns: tuple[str, ...] = ()
    name: str | None = None
    new: str | None = None
    line: int = 0
    col: int = 0


def _column_events(table: str, column: ast.Call) -> Iterator[Event]:
    name = _string(column.args[0] if column.args else None)
    if name is None:
        return
    if any(is_call_to(arg, "ForeignKey") for arg in column.args):
        yield Event("fk", table, (name,), line=column.lineno, col=column.col_offset)
    if _column_flags(column):
        flag_name = f"ix_{table}_{name}" if is_true(keyword(column, "index")) else None
        yield Event("index", table, (name,), flag_name)


def _op_events(call: ast.Call, method: str, table: str | None) -> Iterator[Event]:
    """Events of one ``op.<method>(...)`` (``table`` is set inside a batch block)."""
    args = list(call.args)
    if table is None and method in {
        "create_table",
        "add_column",
        "drop_column",
        "drop_table",
        "rename_table",
        "alter_column",
        "create_primary_key",
    }:
        if method == "create_primary_key" and len(args) > 1:
            table, args = _string(args[1]), [args[0], *args[2:]]
        else:
            table = _string(args[0]) if args else _string(keyword(call, "table_name"))
            args = args[1:]
    if method == "create_table" and table:
        for arg in args:
            if not isinstance(arg, ast.Call):
                continue
            kind = last_name(arg.func)
            if kind == "Column":
                yield from _column_events(table, arg)
            elif kind in _COVERING:
                columns = _constraint_columns(arg)
                name = _string(keyword(arg, "name"))
                if columns:
                    yield Event("index", table, columns, name)
            elif kind == "ForeignKeyConstraint":
                columns = _strings(arg.args[0] if arg.args else None)
                if columns:
                    yield Event("fk", table, columns, line=arg.lineno, col=arg.col_offset)
    elif method == "add_column" and table and args and isinstance(args[0], ast.Call):
        yield from _column_events(table, args[0])
    elif method == "drop_column" and table and args:
        name = _string(args[0])
        if name:
            yield Event("drop_column", table, (name,))
    elif method == "drop_table" and table:
        yield Event("drop_table", table)
    elif method == "rename_table" and table and args:
        yield Event("rename_table", table, new=_string(args[0]))
    elif method == "alter_column" and table and args:
        new = _string(keyword(call, "new_column_name"))
        old = _string(args[0])
        if new and old:
            yield Event("rename_column", table, (old,), new=new)
    elif method == "create_primary_key" and table and args:
        columns = _strings(args[1] if len(args) > 1 else keyword(call, "columns"))
        if columns:
            yield Event("index", table, columns, _string(args[0]))
    elif method in {"create_index", "create_unique_constraint"}:
        name = _string(args[0]) if args else _string(keyword(call, "index_name"))
        rest = args[1:]
        if table is None:
            table = _string(rest[0]) if rest else _string(keyword(call, "table_name"))
            rest = rest[1:]
        columns_node = rest[0] if rest else keyword(call, "columns")
        columns = _leading_names(columns_node)
        if table and columns:
            yield Event("index", table, columns, name)
    elif method == "create_foreign_key":
        rest = args[1:]
        if table is None:
            table = _string(rest[0]) if rest else _string(keyword(call, "source_table"))
            rest = rest[1:]
        local = rest[1] if len(rest) > 1 else keyword(call, "local_cols")
        columns = _strings(local)
        if table and columns:
            yield Event("fk", table, columns, line=call.lineno, col=call.col_offset)
    elif method in {"drop_index", "drop_constraint"}:
        name = _string(args[0]) if args else _string(keyword(call, "index_name"))
        owner = table or _string(keyword(call, "table_name"))
        if owner is None and len(args) > 1:
            owner = _string(args[1])
        if name:
            yield Event(method, owner, name=name)
    elif method == "execute" and args:
        sql = _string(args[0])
        if sql is None and isinstance(args[0], ast.Call) and args[0].args:
            sql = _string(args[0].args[0])  # op.execute(sa.text("..."))
        if sql:
            yield from _sql_events(sql)


def _leading_names(node: ast.AST | None) -> tuple[str, ...]:
    if isinstance(node, ast.List | ast.Tuple):
        names: list[str] = []
        for item in node.elts:
            name = _column_ref(item)
            if name is None:
                break
            names.append(name)
        return tuple(names)
    single = _string(node)
    return (single,) if single else ()


def _sql_events(sql: str) -> Iterator[Event]:
    for match in _CREATE_INDEX.finditer(sql):
        columns: list[str] = []
        for part in match.group("columns").split(","):
            word = part.strip().split()[0] if part.strip() else ""
            if not re.fullmatch(r'"?\w+"?', word):
                break
            columns.append(word.strip('"'))
        name = match.group("name")
        yield Event(
            "index",
            _unquote(match.group("table")),
            tuple(columns),
            _unquote(name) if name else None,
        )
    for match in _DROP_INDEX.finditer(sql):
        yield Event("drop_index", None, name=_unquote(match.group("name")))


def migration_events(tree: ast.Module) -> list[Event]:
    """What a revision's ``upgrade()`` does to tables, foreign keys and indexes, in order."""
    upgrade = next(
        (
            stmt
            for stmt in tree.body
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == "upgrade"
        ),
        None,
    )
    if upgrade is None:
        return []
    events: list[Event] = []

    def visit(statements: Iterable[ast.stmt], batch: dict[str, str]) -> None:
        for stmt in statements:
            if isinstance(stmt, ast.With | ast.AsyncWith):
                inner = dict(batch)
                for item in stmt.items:
                    call = item.context_expr
                    if (
                        isinstance(call, ast.Call)
                        and last_name(call.func) == "batch_alter_table"
                        and isinstance(item.optional_vars, ast.Name)
                    ):
                        table = _string(call.args[0] if call.args else keyword(call, "table_name"))
                        if table:
                            inner[item.optional_vars.id] = table
                visit(stmt.body, inner)
            elif isinstance(stmt, ast.If | ast.For | ast.While | ast.Try):
                for name in ("body", "orelse", "finalbody"):
                    visit(getattr(stmt, name, []), batch)
                for handler in getattr(stmt, "handlers", []):
                    visit(handler.body, batch)
            elif not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                calls = [node for node in ast.walk(stmt) if isinstance(node, ast.Call)]
                for node in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
                    func = node.func
                    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
                        continue
                    if func.value.id in batch:
                        events.extend(_op_events(node, func.attr, batch[func.value.id]))
                    elif func.value.id == "op":
                        events.extend(_op_events(node, func.attr, None))

    visit(upgrade.body, {})
    return events


@dataclass
class SchemaState:
    """Foreign keys and indexes after replaying the migrations, by table."""

    foreign_keys: dict[tuple[str, tuple[str, ...]], ForeignKey] = field(default_factory=dict)
    indexes: dict[str, list[Index]] = field(default_factory=dict)

    def apply(self, path: str, event: Event) -> None:
        table = event.table
        if event.kind == "fk" and table:
            key = (table, event.columns)
            self.foreign_keys.setdefault(
                key,
                ForeignKey(
                    table, table, event.columns, None, path, event.line, event.col, "migration"
                ),
            )
        elif event.kind == "index" and table:
            self.indexes.setdefault(table, []).append(
                Index(table, table, event.columns, event.name, "migration")
            )
        elif event.kind in {"drop_index", "drop_constraint"} and event.name:
            tables = [table] if table else list(self.indexes)
            for name in tables:
                kept = [i for i in self.indexes.get(name, []) if i.name != event.name]
                if name in self.indexes:
                    self.indexes[name] = kept
        elif event.kind == "drop_table" and table:
            self.indexes.pop(table, None)
            for key in [k for k in self.foreign_keys if k[0] == table]:
                del self.foreign_keys[key]
        elif event.kind == "drop_column" and table:
            column = event.columns[0]
            self.indexes[table] = [
                i for i in self.indexes.get(table, []) if column not in i.columns
            ]
            for key in [k for k in self.foreign_keys if k[0] == table and column in k[1]]:
                del self.foreign_keys[key]
        elif event.kind == "rename_table" and table and event.new:
            new = event.new
            self.indexes[new] = [
                Index(new, new, i.columns, i.name, i.source) for i in self.indexes.pop(table, [])
            ]
            for key in [k for k in self.foreign_keys if k[0] == table]:
                fk = self.foreign_keys.pop(key)
                self.foreign_keys[(new, key[1])] = ForeignKey(
                    new, new, fk.columns, None, fk.path, fk.line, fk.col, fk.source
                )
        elif event.kind == "rename_column" and table and event.new:
            old, new = event.columns[0], event.new

            def rename(columns: tuple[str, ...]) -> tuple[str, ...]:
                return tuple(new if c == old else c for c in columns)

            self.indexes[table] = [
                Index(table, table, rename(i.columns), i.name, i.source)
                for i in self.indexes.get(table, [])
            ]
            for key in [k for k in self.foreign_keys if k[0] == table and old in k[1]]:
                fk = self.foreign_keys.pop(key)
                self.foreign_keys[(table, rename(key[1]))] = ForeignKey(
                    table, table, rename(fk.columns), None, fk.path, fk.line, fk.col, fk.source
                )


def replay(revisions: list[tuple[str, list[Event]]]) -> SchemaState:
    """Apply each revision's events in order (``revisions`` is already in upgrade order)."""
    state = SchemaState()
    for path, events in revisions:
        for event in events:
            state.apply(path, event)
    return state


# --- the shared verdict --------------------------------------------------------------------


@dataclass(frozen=True)
class Unindexed:
    """A foreign key no index serves: where to report it and what to index."""

    foreign_key: ForeignKey
    table: str | None


def unindexed(
    models: Iterable[ModelFacts], state: SchemaState, extra: Iterable[Index] = ()
) -> list[Unindexed]:
    """Every foreign key (from models or migrations) that no index leads with.

    Each key is reported once: where a model declares it when one does (that is
    where ``index=True`` goes), else on the migration line that created it.
    """
    by_table: dict[str, list[tuple[str, ...]]] = {}
    by_owner: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    model_keys: list[ForeignKey] = []
    for facts in models:
        for index in facts.indexes:
            if index.table:
                by_table.setdefault(index.table, []).append(index.columns)
            by_owner.setdefault((index.owner, ""), []).append(index.columns)
        model_keys.extend(facts.foreign_keys)
    for table, indexes in state.indexes.items():
        by_table.setdefault(table, []).extend(i.columns for i in indexes)
    for index in extra:
        if index.table:
            by_table.setdefault(index.table, []).append(index.columns)

    def indexed(fk: ForeignKey) -> bool:
        candidates = by_owner.get((fk.owner, ""), []) if fk.source == "model" else []
        if fk.table:
            candidates = [*candidates, *by_table.get(fk.table, [])]
        return any(covers(columns, fk.columns) for columns in candidates)

    found: list[Unindexed] = []
    declared: set[tuple[str, tuple[str, ...]]] = set()
    for fk in model_keys:
        if fk.table:
            declared.add((fk.table, tuple(sorted(fk.columns))))
        if not indexed(fk):
            found.append(Unindexed(fk, fk.table))
    for (table, columns), fk in state.foreign_keys.items():
        if (table, tuple(sorted(columns))) in declared:
            continue
        if not indexed(fk):
            found.append(Unindexed(fk, table))
    return found


_CATALOG = """
import asyncio, json, sys
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy import create_engine

def read(sync_conn):
    inspector = inspect(sync_conn)
    found = []
    for table in inspector.get_table_names():
        for index in inspector.get_indexes(table):
            found.append([table, [c for c in index["column_names"] if c], index.get("name")])
        for unique in inspector.get_unique_constraints(table):
            found.append([table, unique["column_names"], unique.get("name")])
        pk = inspector.get_pk_constraint(table)
        if pk and pk.get("constrained_columns"):
            found.append([table, pk["constrained_columns"], pk.get("name")])
    return found

url = sys.argv[1]
try:
    engine = create_async_engine(url)
except Exception:
    engine = None
if engine is not None and engine.dialect.is_async:
    async def main():
        async with engine.connect() as conn:
            return await conn.run_sync(read)
    found = asyncio.run(main())
else:
    with create_engine(url).connect() as conn:
        found = read(conn)
print(json.dumps(found))
"""


def catalog_indexes(python: str, database_url: str, cwd: str) -> list[Index] | str:
    """Indexes, unique constraints and primary keys of the live database (through the
    project's interpreter, so its drivers are used); a one-line reason on failure."""
    import json
    import subprocess

    try:
        done = subprocess.run(
            [python, "-c", _CATALOG, database_url],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not read the database catalog: {exc}"
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        return f"could not read the database catalog: {lines[-1] if lines else 'no output'}"
    try:
        rows = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return "could not read the database catalog: unexpected output"
    return [
        Index(table, table, tuple(columns), name, "database")
        for table, columns, name in rows
        if columns
    ]
