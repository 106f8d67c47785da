"""One definition of "this foreign key is indexed", for SC501 and ``scaffold index --missing``.

Foreign keys and indexes are read as syntax trees (nothing is imported) from three
places, and a foreign key is indexed when any index, unique constraint or primary
key of its table leads with its column(s) (the ``primary_key=True`` columns of a table
make one key: it serves only the first):

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

Models are read in ``_model_keys``, migrations in ``_migration_keys``; the verdict is
given here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scaffold.checks._keys import ForeignKey, Index
from scaffold.checks._migration_keys import Event, SchemaState, migration_events, replay
from scaffold.checks._model_keys import ModelColumns, ModelFacts, model_facts
from scaffold.checks._syntax import name_parts

__all__ = [
    "Event",
    "ForeignKey",
    "Index",
    "ModelColumns",
    "ModelFacts",
    "SchemaState",
    "Unindexed",
    "catalog_indexes",
    "covers",
    "migration_events",
    "model_facts",
    "replay",
    "unindexed",
]


def covers(index_columns: tuple[str, ...], fk_columns: tuple[str, ...]) -> bool:
    """An index serves a foreign key when its leading columns are the key's columns.

    >>> covers(("resident_id", "week"), ("resident_id",)), covers(("week", "resident_id"), ("resident_id",))
    (True, False)
    """
    width = len(fk_columns)
    return len(index_columns) >= width and set(index_columns[:width]) == set(fk_columns)


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
            by_table.setdefault(index.table or _snake(index.owner), []).append(index.columns)
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
        declared.add((fk.table or _snake(fk.owner), tuple(sorted(fk.columns))))
        if not indexed(fk):
            found.append(Unindexed(fk, fk.table))
    for (table, columns), fk in state.foreign_keys.items():
        if (table, tuple(sorted(columns))) in declared:
            continue
        if not indexed(fk):
            found.append(Unindexed(fk, table))
    return found


def _snake(owner: str) -> str:
    """The table a model whose ``__tablename__`` is computed most likely has
    (``DispatchUserOrganization`` → ``dispatch_user_organization``): used only so its
    keys and indexes meet the migrations' that name the table, never to report."""
    return "_".join(name_parts(owner))


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
