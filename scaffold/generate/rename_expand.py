"""The migration of ``field rename`` on a live table: the expand step of expand/contract.

On PostgreSQL the old column stays while code that still uses it runs (the previous
release, a worker not yet restarted): the new column is added, a trigger keeps the two
equal on every insert and update (whichever one a writer sets), existing rows are
copied, and the new column gets the old one's index and CHECKs the safe way
(``safe_ddl``) and, when required, NOT NULL through a validated CHECK. The old column
is dropped later, by ``scaffold field contract RESOURCE OLD``, once no running code
uses it.

On SQLite the column is renamed in place in a batch (table copy), as before: SQLite is
a file opened by the app's own process, so no code of the previous release writes to
it once the new one runs, and a table copy holds the file's only write lock anyway
(there is no online DDL to keep).
"""

from __future__ import annotations

from scaffold.generate import alter, safe_ddl
from scaffold.generate.values import literal, sa_migration_type
from scaffold.spec import naming
from scaffold.spec.fields import Field
from scaffold.spec.resource import ResourceSpec


def trigger_name(table: str, old: str, new: str) -> str:
    """The trigger (and its function) that keeps ``old`` and ``new`` equal."""
    return naming.fit_identifier(f"sync_{table}_{old}_{new}")


def sync_function_sql(table: str, old: str, new: str, name: str | None = None) -> str:
    """A row trigger function: an insert copies whichever column was set to the other,
    an update copies the column that changed (the new one wins when both did)."""
    n, o = f'NEW."{new}"', f'NEW."{old}"'
    return (
        f'CREATE OR REPLACE FUNCTION "{name or trigger_name(table, old, new)}"() RETURNS trigger '
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN IF {n} IS NULL THEN {n} := {o}; ELSE {o} := {n}; END IF; "
        f'ELSIF {n} IS DISTINCT FROM OLD."{new}" THEN {o} := {n}; '
        f"ELSE {n} := {o}; END IF; RETURN NEW; END $$"
    )


def sync_trigger_sql(table: str, old: str, new: str, name: str | None = None) -> list[str]:
    name = name or trigger_name(table, old, new)
    return [
        f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"',
        f'CREATE TRIGGER "{name}" BEFORE INSERT OR UPDATE ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{name}"()',
    ]


def drop_sync_sql(table: str, old: str, new: str, name: str | None = None) -> list[str]:
    """Drop the trigger and its function (``name``: as recorded, when the table was
    renamed since)."""
    name = name or trigger_name(table, old, new)
    # The function is this rename's own (squawk's ban-drop-function guards shared ones).
    function = f'-- squawk-ignore ban-drop-function\nDROP FUNCTION IF EXISTS "{name}"()'
    return [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', function]


def comment_sql(table: str, old: str, new: str) -> str:
    """The mark the project's env.py reads: autogenerate leaves the old column alone."""
    note = f"scaffold: renamed to {new}; dropped by scaffold field contract {table} {old}"
    return f'COMMENT ON COLUMN "{table}"."{old}" IS \'{note}\''


def _execute(sql: str) -> str:
    return f"op.execute({alter.sql_literal(sql)})"


def expand_rename(
    ops: alter.Ops, old: Field, new: Field, spec_before: ResourceSpec, spec_after: ResourceSpec
) -> None:
    """Fill ``ops``: PostgreSQL expands (both columns, kept in sync), SQLite renames."""
    sqlite = alter.Ops(ops.table, ops.imports)
    alter.rename_column(sqlite, old, new, spec_before, spec_after)  # refuses what it cannot
    table = spec_after.table
    sa_type = sa_migration_type(new, spec_after)
    column = f"sa.Column({literal(new.name)}, {sa_type}, nullable=True)"
    pg = [
        f"op.add_column({literal(table)}, {column}, if_not_exists=True)",
        _execute(sync_function_sql(table, old.name, new.name)),
        *[_execute(sql) for sql in sync_trigger_sql(table, old.name, new.name)],
        _execute(f'UPDATE "{table}" SET "{new.name}" = "{old.name}"'),
        _execute(comment_sql(table, old.name, new.name)),
        *_new_rules(ops, new, spec_after),
    ]
    if not new.optional:
        pg += safe_ddl.not_null_check(table, new.name)
        ops.not_null.append((new.name, sa_type, False))  # SQLite's renamed column has it
    undo = [
        *[_execute(sql) for sql in drop_sync_sql(table, old.name, new.name)],
        f"op.drop_column({literal(table)}, {literal(new.name)})",  # its index and rules too
        _execute(f'COMMENT ON COLUMN "{table}"."{old.name}" IS NULL'),
    ]
    ops.imports.add("sqlalchemy as sa")
    ops.pair(
        [safe_ddl.on_postgres(pg, sqlite.upgrade)],
        [safe_ddl.on_postgres(undo, sqlite.downgrade)],
    )


def _new_rules(ops: alter.Ops, new: Field, spec: ResourceSpec) -> list[str]:
    """The renamed column's CHECKs (``NOT VALID``, validated) and index (``CONCURRENTLY``)
    on the new column; a unique, enum or foreign key column is not renamed this way."""
    from dataclasses import replace

    from scaffold.generate.values import check_constraints

    table = spec.table
    single = replace(spec, fields=(new,), checks=())
    lines = []
    for ck_name, condition in check_constraints(single, ops.imports, qualified=True):
        lines += safe_ddl.check(table, naming.ck(table, ck_name), condition)
    for rule, condition in alter.rule_checks(new, spec, ops.imports):
        lines += safe_ddl.check(table, rule, condition)
    if new.index:
        name = naming.ix(table, [new.name])
        lines.append(
            "with op.get_context().autocommit_block():\n"
            f"    op.drop_index(op.f({literal(name)}), table_name={literal(table)}, "
            "postgresql_concurrently=True, if_exists=True)\n"
            f"    op.create_index(op.f({literal(name)}), {literal(table)}, [{literal(new.name)}], "
            "unique=False, postgresql_concurrently=True, if_not_exists=True)"
        )
    return lines
