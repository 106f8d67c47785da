"""What each migration's ``upgrade()`` does to foreign keys and indexes, and the schema
after replaying the migrations in order."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from scaffold.checks._keys import (
    COVERING,
    ForeignKey,
    Index,
    column_names,
    column_ref,
    constraint_columns,
    indexed_column,
    primary_key,
    string_of,
)
from scaffold.checks._syntax import is_call_to, is_true, keyword, last_name

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
    name = string_of(column.args[0] if column.args else None)
    if name is None:
        return
    if any(is_call_to(arg, "ForeignKey") for arg in column.args):
        yield Event("fk", table, (name,), line=column.lineno, col=column.col_offset)
    if indexed_column(column):
        flag_name = f"ix_{table}_{name}" if is_true(keyword(column, "index")) else None
        yield Event("index", table, (name,), flag_name)


_TABLE_FIRST = frozenset(
    {
        "create_table",
        "add_column",
        "drop_column",
        "drop_table",
        "rename_table",
        "alter_column",
        "create_primary_key",
    }
)


def _op_events(call: ast.Call, method: str, table: str | None) -> Iterator[Event]:
    """Events of one ``op.<method>(...)`` (``table`` is set inside a batch block)."""
    args = list(call.args)
    if method not in _TABLE_FIRST:
        yield from _named_op_events(call, method, table, args)
        return
    if table is None:
        if method == "create_primary_key" and len(args) > 1:
            table, args = string_of(args[1]), [args[0], *args[2:]]
        else:
            table = string_of(args[0]) if args else string_of(keyword(call, "table_name"))
            args = args[1:]
    if table:
        yield from _table_op_events(call, method, table, args)


def _table_op_events(
    call: ast.Call, method: str, table: str, args: list[ast.expr]
) -> Iterator[Event]:
    """Events of an operation on ``table`` (``args``: its arguments after the table)."""
    if method == "create_table":
        declared = []
        for arg in args:
            if isinstance(arg, ast.Call):
                yield from _table_item_events(table, arg)
                name = string_of(arg.args[0] if arg.args else None)
                if name and last_name(arg.func) == "Column":
                    declared.append((name, arg))
        if key := primary_key(declared):
            yield Event("index", table, key)
    elif method == "add_column" and args and isinstance(args[0], ast.Call):
        yield from _column_events(table, args[0])
    elif method == "drop_column" and args:
        name = string_of(args[0])
        if name:
            yield Event("drop_column", table, (name,))
    elif method == "drop_table":
        yield Event("drop_table", table)
    elif method == "rename_table" and args:
        yield Event("rename_table", table, new=string_of(args[0]))
    elif method == "alter_column" and args:
        new = string_of(keyword(call, "new_column_name"))
        old = string_of(args[0])
        if new and old:
            yield Event("rename_column", table, (old,), new=new)
    elif method == "create_primary_key" and args:
        columns = column_names(args[1] if len(args) > 1 else keyword(call, "columns"))
        if columns:
            yield Event("index", table, columns, string_of(args[0]))


def _table_item_events(table: str, arg: ast.Call) -> Iterator[Event]:
    """A column or constraint of ``op.create_table``."""
    kind = last_name(arg.func)
    if kind == "Column":
        yield from _column_events(table, arg)
    elif kind in COVERING:
        columns = constraint_columns(arg)
        name = string_of(keyword(arg, "name"))
        if columns:
            yield Event("index", table, columns, name)
    elif kind == "ForeignKeyConstraint":
        columns = column_names(arg.args[0] if arg.args else None)
        if columns:
            yield Event("fk", table, columns, line=arg.lineno, col=arg.col_offset)


def _named_op_events(
    call: ast.Call, method: str, table: str | None, args: list[ast.expr]
) -> Iterator[Event]:
    """Events of an operation whose first argument is a name (an index, a constraint) or
    SQL; the table comes after it unless a batch block gives it."""
    if method in {"create_index", "create_unique_constraint"}:
        name = string_of(args[0]) if args else string_of(keyword(call, "index_name"))
        rest = args[1:]
        if table is None:
            table = string_of(rest[0]) if rest else string_of(keyword(call, "table_name"))
            rest = rest[1:]
        columns_node = rest[0] if rest else keyword(call, "columns")
        columns = _leading_names(columns_node)
        if table and columns:
            yield Event("index", table, columns, name)
    elif method == "create_foreign_key":
        rest = args[1:]
        if table is None:
            table = string_of(rest[0]) if rest else string_of(keyword(call, "source_table"))
            rest = rest[1:]
        local = rest[1] if len(rest) > 1 else keyword(call, "local_cols")
        columns = column_names(local)
        if table and columns:
            yield Event("fk", table, columns, line=call.lineno, col=call.col_offset)
    elif method in {"drop_index", "drop_constraint"}:
        name = string_of(args[0]) if args else string_of(keyword(call, "index_name"))
        owner = table or string_of(keyword(call, "table_name"))
        if owner is None and len(args) > 1:
            owner = string_of(args[1])
        if name:
            yield Event(method, owner, name=name)
    elif method == "execute" and args:
        sql = string_of(args[0])
        if sql is None and isinstance(args[0], ast.Call) and args[0].args:
            sql = string_of(args[0].args[0])  # op.execute(sa.text("..."))
        if sql:
            yield from _sql_events(sql)


def _leading_names(node: ast.AST | None) -> tuple[str, ...]:
    if isinstance(node, ast.List | ast.Tuple):
        names: list[str] = []
        for item in node.elts:
            name = column_ref(item)
            if name is None:
                break
            names.append(name)
        return tuple(names)
    single = string_of(node)
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
                        table = string_of(
                            call.args[0] if call.args else keyword(call, "table_name")
                        )
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
