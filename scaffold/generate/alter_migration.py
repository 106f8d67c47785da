"""The migration of ``field alter``: one live column changed in place, reversibly.

In the upgrade, in order: guards that stop it while rows would not fit the new
definition (online only), the backfill of NULLs when the column becomes NOT NULL, the
index and unique constraint it loses, the CHECKs it loses (enum values, a number's
range), the column itself (type with ``USING`` on PostgreSQL, a cast in SQLite's table
copy; length; nullability), its new CHECKs, then its new unique constraint or index
(built ``CONCURRENTLY`` on PostgreSQL, as ``index add`` builds them). The downgrade
undoes each step in reverse. ``offenders`` are the same guards as SQL, for the proof to
ask the project's database before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from scaffold.generate import alter
from scaffold.generate.values import (
    check_constraints,
    literal,
    sa_migration_type,
    unique_sets,
    value_source,
)
from scaffold.spec import naming
from scaffold.spec.field_diff import NUMBERS
from scaffold.spec.fields import Field
from scaffold.spec.resource import ResourceSpec

# PostgreSQL's name of each column type, for ``USING "column"::TYPE``.
_PG_TYPES = {
    "text": "TEXT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP WITH TIME ZONE",
    "time": "TIME WITHOUT TIME ZONE",
    "uuid": "UUID",
}


@dataclass(frozen=True)
class Probe:
    """Rows a new definition would not hold: ``sql`` selects (id, value), five at most;
    ``message`` leads the error; ``duplicates``: the columns of a unique rule, whose
    ``alter.duplicates_sql`` ``sql`` is."""

    sql: str
    message: str
    duplicates: tuple[str, ...] = ()


def offenders(
    before: Field, after: Field, old: ResourceSpec, new: ResourceSpec, *, backfill: bool
) -> list[Probe]:
    """The queries that find rows the altered column cannot keep (NULLs with no backfill,
    values too long, enum values removed, numbers out of the new range, duplicates)."""
    table = new.table
    col = f'"{after.name}"'
    found: list[tuple[str, str]] = []
    if before.optional and not after.optional and not backfill:
        found.append((f"{col} IS NULL", "hold NULL (give --backfill VALUE)"))
    limit = _length_limit(after)
    if limit is not None and (_length_limit(before) or limit + 1) > limit:
        found.append((f"LENGTH({col}) > {limit}", f"hold values longer than {limit}"))
    low = after.min if after.kind in ("str", "text") else None
    if low is not None and (before.min is None or low > before.min):
        found.append((f"LENGTH({col}) < {low}", f"hold values shorter than {low}"))
    if after.kind == "enum" and (before.kind != "enum" or set(before.choices) - set(after.choices)):
        allowed = ", ".join(f"'{c}'" for c in after.choices)
        found.append((f"{col} NOT IN ({allowed})", "hold values the enum no longer has"))
    if after.kind in NUMBERS:
        bounds = []
        if after.min is not None and (before.min is None or after.min > before.min):
            bounds.append(f"{col} < {after.min}")
        if after.max is not None and (before.max is None or after.max < before.max):
            bounds.append(f"{col} > {after.max}")
        if bounds:
            found.append((" OR ".join(bounds), "hold values outside the new range"))
    probes = [
        Probe(
            f'SELECT "id", {col} FROM "{table}" WHERE {where} ORDER BY "id" LIMIT 5',
            f"cannot alter {table}.{after.name}: rows {why}",
        )
        for where, why in found
    ]
    for group in sorted(_uniques(after, new) - _uniques(before, old)):
        sql = alter.duplicates_sql(table, group, None, "id")
        message = f"cannot make {table}({', '.join(group)}) unique"
        probes.append(Probe(sql, message, duplicates=group))
    return probes


def _uniques(f: Field, spec: ResourceSpec) -> set[tuple[str, ...]]:
    """The unique rules the column is in (an owned resource's hold per owner)."""
    return {group for group in unique_sets(spec) if f.name in group}


def _length_limit(f: Field) -> int | None:
    """The longest string the field holds (column length or ``max``), None: unbounded."""
    if f.kind not in ("str", "text"):
        return None
    limits = [n for n in (f.length if f.kind == "str" else None, f.max) if n is not None]
    return min(limits) if limits else None


def alter_column(
    ops: alter.Ops,
    before: Field,
    after: Field,
    old: ResourceSpec,
    new: ResourceSpec,
    *,
    backfill: Any = None,
) -> None:
    """Fill ``ops`` with the reversible change of one column from ``before`` to ``after``."""
    table = new.table
    guards = [
        line
        for probe in offenders(before, after, old, new, backfill=backfill is not None)
        if not probe.duplicates
        for line in alter.rows_guard(ops, probe.sql, probe.message)
    ]
    ops.pair(guards, [])
    if backfill is not None and before.optional and not after.optional:
        ops.pair([_fill(before, old, value_source(ops.imports, backfill))], [])
    uniques_old, uniques_new = _uniques(before, old), _uniques(after, new)
    indexed_old, indexed_new = _plain_index(before), _plain_index(after)
    if indexed_old and not indexed_new:
        alter.drop_index(ops, table, before.name)
    for group in sorted(uniques_old - uniques_new):
        _reverse(ops, lambda probe, g=group: alter.add_unique_constraint(probe, table, g))
    checks_old = _checks(before, old, ops)
    checks_new = _checks(after, new, ops)
    gone = [(n, c) for n, c in checks_old if (n, c) not in checks_new]
    come = [(n, c) for n, c in checks_new if (n, c) not in checks_old]
    if gone:
        ops.pair([ops.batch(_drop_checks(gone))], [ops.batch(_create_checks(gone))])
    up, down = _column_change(before, after, old, new)
    if up or down:
        ops.pair([ops.batch([up])] if up else [], [ops.batch([down])])
    if after.optional and not before.optional:
        # The downgrade makes it NOT NULL again: rows written without it get a value first.
        ops.pair([], [_fill(before, old, alter.backfill_value(before, old, ops.imports))])
    if before.optional and not after.optional:
        # NOT NULL last: on PostgreSQL through a CHECK validated first (no scan under lock).
        from scaffold.generate import safe_ddl

        ops.pair([safe_ddl.on_postgres(safe_ddl.not_null_check(table, after.name), [])], [])
        ops.not_null.append((after.name, sa_migration_type(after, new), True))
    if come:
        ops.pair(
            [alter.check_step(ops, name, condition) for name, condition in come],
            [ops.batch(_drop_checks(come))],
        )
    for group in sorted(uniques_new - uniques_old):
        alter.add_unique_constraint(ops, table, group)
    if indexed_new and not indexed_old:
        alter.add_index(ops, table, after.name)


def _fill(f: Field, spec: ResourceSpec, value: str) -> str:
    """The statement that sets the column's NULLs to ``value`` (Python source); typed, so
    the offline SQL (``alembic upgrade --sql``) can render the value."""
    column = f"sa.column({literal(f.name)}, {sa_migration_type(f, spec)})"
    return (
        f"op.execute(sa.table({literal(spec.table)}, {column}).update()"
        f".where({column}.is_(None)).values({{{literal(f.name)}: {value}}}))"
    )


def _plain_index(f: Field) -> bool:
    return f.index and not f.unique


def _reverse(ops: alter.Ops, build: Any) -> None:
    """The reverse of what ``build`` adds: its downgrade upgrades, its upgrade downgrades."""
    probe = alter.Ops(ops.table, ops.imports)
    build(probe)
    probe.reversed_into(ops)


def _checks(f: Field, spec: ResourceSpec, ops: alter.Ops) -> list[tuple[str, str]]:
    """(constraint name, condition) of the field's own CHECKs: enum values, a range."""
    single = replace(spec, fields=(f,), checks=())
    return [
        (naming.ck(spec.table, name), condition)
        for name, condition in check_constraints(single, ops.imports, qualified=True)
    ]


def _drop_checks(checks: list[tuple[str, str]]) -> list[str]:
    return [f'batch_op.drop_constraint(op.f({literal(name)}), type_="check")' for name, _ in checks]


def _create_checks(checks: list[tuple[str, str]]) -> list[str]:
    return [
        f"batch_op.create_check_constraint(op.f({literal(name)}), {condition})"
        for name, condition in checks
    ]


def _column_change(
    before: Field, after: Field, old: ResourceSpec, new: ResourceSpec
) -> tuple[str, str]:
    """(upgrade, downgrade) ``alter_column`` lines; empty when the column stays as it is."""
    old_type, new_type = sa_migration_type(before, old), sa_migration_type(after, new)
    if old_type == new_type and before.optional == after.optional:
        return "", ""

    def line(a: Field, a_type: str, b: Field, b_type: str, *, up: bool) -> str:
        # The upgrade to NOT NULL comes last (Ops.not_null); the downgrade is plain.
        later = up and a.optional and not b.optional
        if a_type == b_type and later:
            return ""
        args = [literal(after.name), f"existing_type={a_type}"]
        if a_type != b_type:
            args.append(f"type_={b_type}")
            if a.kind != b.kind:
                cast = f'"{after.name}"::{_pg_type(b)}'
                args.append(f"postgresql_using={literal(cast)}")
        args.append(f"existing_nullable={a.optional}")
        if a.optional != b.optional and not later:
            args.append(f"nullable={b.optional}")
        return f"batch_op.alter_column({', '.join(args)})"

    return (
        line(before, old_type, after, new_type, up=True),
        line(after, new_type, before, old_type, up=False),
    )


def _pg_type(f: Field) -> str:
    if f.kind in ("str", "enum"):
        return f"VARCHAR({f.stored_length})"
    if f.kind == "decimal":
        return f"NUMERIC({f.precision}, {f.scale})"
    return _PG_TYPES[f.kind]
