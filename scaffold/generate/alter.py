"""Migrations that change a live table: add, remove or rename fields, add indexes and
unique rules.

Every change is an in-memory list of ops (like Alembic's ``ops.py``), rendered
into ``upgrade`` lines; ``downgrade`` is built as the reverse of ``upgrade``.
Column changes go through ``op.batch_alter_table`` so the same migration runs
on SQLite (table copy) and PostgreSQL (plain ``ALTER TABLE``); what would block a
PostgreSQL table that holds rows has a PostgreSQL branch of its own (``safe_ddl``):
indexes ``CONCURRENTLY``, foreign keys and CHECKs ``NOT VALID`` then validated after a
commit, NOT NULL through a validated CHECK in the final transaction (``Ops.not_null``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from scaffold.errors import InputError
from scaffold.generate.imports import Imports
from scaffold.generate.samples import Samples
from scaffold.generate.values import check_constraints, literal, range_fields, sa_migration_type
from scaffold.project.core import Project
from scaffold.spec import naming
from scaffold.spec.constraints import Check
from scaffold.spec.fields import Field
from scaffold.spec.resource import ResourceSpec


@dataclass
class Ops:
    """Upgrade and downgrade lines, collected together so they stay each other's reverse."""

    table: str
    imports: Imports = field(default_factory=Imports)
    upgrade: list[str] = field(default_factory=list)
    downgrade: list[str] = field(default_factory=list)  # prepended: last op undone first
    # Columns made NOT NULL last, in the migration's final transaction: (name, sa type,
    # on SQLite too: False when only PostgreSQL's column is new).
    not_null: list[tuple[str, str, bool]] = field(default_factory=list)
    # PostgreSQL statements of the final transaction too (a unique index attached).
    last: list[str] = field(default_factory=list)

    def pair(self, up: list[str], down: list[str]) -> None:
        self.upgrade += up
        self.downgrade[:0] = down

    def upgrade_lines(self) -> list[str]:
        """The upgrade, ending with its final transaction on PostgreSQL: the NOT NULL
        steps (through a check) and ``last``. A statement squawk cannot rerun
        (``prefer-robust-stmts``) belongs there, after every commit."""
        if not self.not_null and not self.last:
            return list(self.upgrade)
        from scaffold.generate import safe_ddl

        pg = safe_ddl.not_null_tail(self.table, [(c, t) for c, t, _ in self.not_null])
        sqlite = [self.plain_not_null()] if any(both for *_, both in self.not_null) else []
        return [*self.upgrade, safe_ddl.on_postgres(pg + self.last, sqlite)]

    def reversed_into(self, ops: Ops) -> None:
        """Add this change's reverse to ``ops`` (its downgrade upgrades, its upgrade,
        plainly, downgrades: squawk reads no downgrade)."""
        from scaffold.generate import safe_ddl

        tail = [self.plain_not_null()] if any(both for *_, both in self.not_null) else []
        tail += [safe_ddl.on_postgres(self.last, [])] if self.last else []
        ops.pair(self.downgrade, [*self.upgrade, *tail])

    def plain_not_null(self) -> str:
        """The NOT NULL steps as one batch (SQLite, and downgrades, which squawk skips)."""
        return self.batch(
            [
                f"batch_op.alter_column({literal(c)}, existing_type={t}, nullable=False)"
                for c, t, both in self.not_null
                if both
            ]
        )

    def batch(self, lines: list[str]) -> str:
        body = "".join(f"    {line}\n" for line in lines)
        return f"with op.batch_alter_table({literal(self.table)}) as batch_op:\n{body}".rstrip("\n")


def _column(f: Field, spec: ResourceSpec, *, nullable: bool) -> str:
    return f"sa.Column({literal(f.name)}, {sa_migration_type(f, spec)}, nullable={nullable})"


def _constraints_up(f: Field, spec: ResourceSpec, imports: Imports) -> tuple[list[str], list[str]]:
    """(create lines, drop lines) inside a batch for the constraints and index of one column."""
    table = spec.table
    create: list[str] = []
    drop: list[str] = []
    if f.is_ref:
        name = naming.fk(table, [f.name], f.ref_table)
        ondelete = f", ondelete={literal(f.ondelete)}" if f.ondelete else ""
        create.append(
            f"batch_op.create_foreign_key(op.f({literal(name)}), {literal(f.ref_table)}, "
            f'[{literal(f.name)}], ["id"]{ondelete})'
        )
        drop.append(f'batch_op.drop_constraint(op.f({literal(name)}), type_="foreignkey")')
    if f.unique:
        name = naming.uq(table, [f.name])
        create.append(
            f"batch_op.create_unique_constraint(op.f({literal(name)}), [{literal(f.name)}])"
        )
        drop.append(f'batch_op.drop_constraint(op.f({literal(name)}), type_="unique")')
    elif f.is_ref or f.index:
        name = naming.ix(table, [f.name])
        create.append(
            f"batch_op.create_index(op.f({literal(name)}), [{literal(f.name)}], unique=False)"
        )
        drop.append(f"batch_op.drop_index(op.f({literal(name)}))")
    # A unique rule of an owned resource holds per owner: (owner_id, the new column).
    for group in spec.uniques:
        if f.name in group:
            name = naming.uq(table, group)
            columns = ", ".join(literal(c) for c in group)
            create.append(f"batch_op.create_unique_constraint(op.f({literal(name)}), [{columns}])")
            drop.append(f'batch_op.drop_constraint(op.f({literal(name)}), type_="unique")')
    single = _single_field_spec(spec, f)
    if f.kind == "enum" or range_fields(single):
        for ck_name, condition in check_constraints(single, imports, qualified=True):
            name = naming.ck(table, ck_name)
            create.append(f"batch_op.create_check_constraint(op.f({literal(name)}), {condition})")
            drop.append(f'batch_op.drop_constraint(op.f({literal(name)}), type_="check")')
    return create, drop


def _single_field_spec(spec: ResourceSpec, f: Field) -> ResourceSpec:
    from dataclasses import replace

    return replace(spec, fields=(f,), checks=())


def backfill_value(f: Field, spec: ResourceSpec, imports: Imports) -> str:
    """A value for existing rows: the field's default, else a valid sample of its type."""
    if f.has_default and f.default != "now":
        from scaffold.generate.values import import_for_value

        import_for_value(imports, f.default)
        return literal(f.default)
    if f.has_default or f.kind == "datetime":
        imports.add("datetime as dt")
        return "dt.datetime(1970, 1, 1, tzinfo=dt.UTC)"
    samples = Samples(_single_field_spec(spec, f))
    value = samples.base.get(f.name)
    if value is not None:
        from scaffold.generate.values import import_for_value

        import_for_value(imports, value)
        return literal(value)
    fallback = {
        "str": '""',
        "text": '""',
        "bool": "False",
        "json": "{}",
        "enum": literal(f.choices[0] if f.choices else ""),
    }
    if f.kind == "uuid":
        imports.add("uuid", "UUID")
        return 'UUID("00000000-0000-0000-0000-000000000000")'
    if f.kind not in fallback:
        raise InputError(
            f"The required {f.kind} field {f.name!r} needs a value in the rows already there, "
            "and scaffold has none to give them: add it optional, fill it, then make it "
            "required with "
            f"`scaffold field alter {spec.table} {f.token}"
            + ("`." if f.is_ref else " --backfill VALUE`."),
            token=f.token,
            example=f"{f.token}:optional",
        )
    return fallback[f.kind]


def add_column(ops: Ops, f: Field, spec: ResourceSpec) -> None:
    """Add a column; a required one is added nullable, backfilled, then made NOT NULL.

    On PostgreSQL each constraint and index is a step that does not block the table
    (``safe_ddl``); on SQLite they are batches (table copies)."""
    from scaffold.generate import safe_ddl

    create, drop = _constraints_up(f, spec, ops.imports)
    column = _column(f, spec, nullable=True)
    lines = [
        safe_ddl.on_postgres(
            [f"op.add_column({literal(spec.table)}, {column}, if_not_exists=True)"],
            [ops.batch([f"batch_op.add_column({column})"])],
        )
    ]
    if not f.optional:
        ops.imports.add("sqlalchemy as sa")
        value = backfill_value(f, spec, ops.imports)
        lines.append(
            # Typed, so the offline SQL (alembic upgrade --sql) can render the value.
            f"op.execute(sa.table({literal(spec.table)}, "
            f"sa.column({literal(f.name)}, {sa_migration_type(f, spec)}))"
            f".update().values({{{literal(f.name)}: {value}}}))"
        )
        lines.append(safe_ddl.on_postgres(safe_ddl.not_null_check(spec.table, f.name), []))
        ops.not_null.append((f.name, sa_migration_type(f, spec), True))
    if create:
        lines += _live_constraints(ops, f, spec)
    ops.pair(lines, [ops.batch([*drop, f"batch_op.drop_column({literal(f.name)})"])])


def _live_constraints(ops: Ops, f: Field, spec: ResourceSpec) -> list[str]:
    """Upgrade steps for the constraints and index of a column added to a live table:
    foreign key and CHECKs ``NOT VALID`` then validated, indexes ``CONCURRENTLY``."""
    from scaffold.generate import safe_ddl

    table = spec.table
    probe = Ops(table, ops.imports)
    if f.is_ref:
        name = naming.fk(table, [f.name], f.ref_table)
        ondelete = f", ondelete={literal(f.ondelete)}" if f.ondelete else ""
        sqlite = ops.batch(
            [
                f"batch_op.create_foreign_key(op.f({literal(name)}), {literal(f.ref_table)}, "
                f'[{literal(f.name)}], ["id"]{ondelete})'
            ]
        )
        pg = safe_ddl.foreign_key(table, name, f.ref_table, f.name, f.ondelete)
        probe.upgrade.append(safe_ddl.on_postgres(pg, [sqlite]))
    if f.unique:
        add_unique_constraint(probe, table, (f.name,))
    elif f.is_ref or f.index:
        add_index(probe, table, f.name)
    for group in spec.uniques:  # an owned resource's: (owner_id, the new column)
        if f.name in group:
            add_unique_constraint(probe, table, tuple(group))
    single = _single_field_spec(spec, f)
    if f.kind == "enum" or range_fields(single):
        for ck_name, condition in check_constraints(single, ops.imports, qualified=True):
            probe.upgrade.append(check_step(ops, naming.ck(table, ck_name), condition))
    ops.last += probe.last
    return probe.upgrade


def check_step(ops: Ops, name: str, condition: str) -> str:
    """One CHECK on a live table: ``NOT VALID`` then validated on PostgreSQL, a batch
    elsewhere."""
    from scaffold.generate import safe_ddl

    sqlite = ops.batch([f"batch_op.create_check_constraint(op.f({literal(name)}), {condition})"])
    return safe_ddl.on_postgres(safe_ddl.check(ops.table, name, condition), [sqlite])


def drop_column(ops: Ops, f: Field, spec_before: ResourceSpec) -> None:
    """Drop a column; the downgrade re-adds it (rows get a backfill value, not their data)."""
    reverse = Ops(ops.table, ops.imports)
    add_column(reverse, f, spec_before)
    reverse.reversed_into(ops)


def _type_token(f: Field) -> str:
    """The type part of ``f``'s field token, as ``field add`` takes it (``enum=a,b``)."""
    return f"enum={','.join(f.choices)}" if f.kind == "enum" else f.kind


def rename_column(
    ops: Ops, old: Field, new: Field, spec_before: ResourceSpec, spec_after: ResourceSpec
) -> None:
    """Rename a column and the index and constraints named after it."""
    # A unique column of an owned resource is unique per owner: a rule like :unique.
    scope = spec_before.scope_field
    unique = old.unique or any(old.name in g and scope in g for g in spec_before.uniques)
    if old.kind != new.kind or old.is_ref or old.kind == "enum" or unique:
        raise InputError(
            f"Renaming {old.name!r} ({old.kind}{', unique' if unique else ''}) is not supported in one step; "
            "add the new field, copy the data, then remove the old one.",
            token=old.name,
            example=f"scaffold field add {spec_before.table} {new.name}:{_type_token(old)}",
        )
    _, drop_old = _constraints_up(old, spec_before, ops.imports)
    create_new, drop_new = _constraints_up(new, spec_after, ops.imports)
    create_old, _ = _constraints_up(old, spec_before, ops.imports)
    rule_create_old, rule_drop_old = _rule_checks(old, spec_before, ops.imports)
    rule_create_new, rule_drop_new = _rule_checks(new, spec_after, ops.imports)
    sa_type = sa_migration_type(old, spec_before)

    def move(a: str, b: str, drop: list[str], create: list[str]) -> list[str]:
        # Constraints and indexes on the renamed column are created in a second batch: a
        # SQLite batch builds its copy with the old column names, where the new one is unknown.
        lines = [
            ops.batch(
                [
                    *drop,
                    f"batch_op.alter_column({literal(a)}, new_column_name={literal(b)}, existing_type={sa_type})",
                ]
            )
        ]
        return lines + ([ops.batch(create)] if create else [])

    ops.pair(
        move(old.name, new.name, [*drop_old, *rule_drop_old], [*create_new, *rule_create_new]),
        move(new.name, old.name, [*drop_new, *rule_drop_new], [*create_old, *rule_create_old]),
    )


def rule_checks(f: Field, spec: ResourceSpec, imports: Imports) -> list[tuple[str, str]]:
    """(constraint name, condition) of the --check rules that name ``f``."""
    from dataclasses import replace

    rules = tuple(c for c in spec.checks if f.name in (c.left, c.right if c.right_is_field else ""))
    return [
        (naming.ck(spec.table, ck_name), condition)
        for ck_name, condition in check_constraints(
            replace(spec, fields=(), checks=rules), imports, qualified=True
        )
    ]


def constraint_lines(f: Field, spec: ResourceSpec, imports: Imports) -> list[str]:
    """Batch lines that create the column's index, constraints and --check rules."""
    return _constraints_up(f, spec, imports)[0] + _rule_checks(f, spec, imports)[0]


def _rule_checks(f: Field, spec: ResourceSpec, imports: Imports) -> tuple[list[str], list[str]]:
    """(create lines, drop lines) inside a batch for the --check rules that name ``f``."""
    create: list[str] = []
    drop: list[str] = []
    for name, condition in rule_checks(f, spec, imports):
        create.append(f"batch_op.create_check_constraint(op.f({literal(name)}), {condition})")
        drop.append(f'batch_op.drop_constraint(op.f({literal(name)}), type_="check")')
    return create, drop


def add_index(
    ops: Ops,
    table: str,
    column: str | tuple[str, ...],
    *,
    unique: bool = False,
    where: str | None = None,
) -> str:
    """``CREATE INDEX CONCURRENTLY`` on PostgreSQL (outside the transaction), plain elsewhere;
    a unique one is preceded by a check that no rows would break it. Returns its name."""
    columns = (column,) if isinstance(column, str) else column
    name = naming.ix(table, list(columns))
    cols = ", ".join(literal(c) for c in columns)
    extra = f", unique={unique}"
    if where is not None:
        ops.imports.add("sqlalchemy as sa")
        text = f"sa.text({literal(where)})"
        extra += f", postgresql_where={text}, sqlite_where={text}"
    head = f"op.create_index(op.f({literal(name)}), {literal(table)}, [{cols}]{extra}"
    up = (
        'if op.get_context().dialect.name == "postgresql":\n'
        "    with op.get_context().autocommit_block():\n"
        f"{_concurrent_retry(name, table)}"
        f"        {head}, postgresql_concurrently=True, if_not_exists=True)\n"
        "else:\n"
        f"    {head})"
    )
    down = f"op.drop_index(op.f({literal(name)}), table_name={literal(table)})"
    ops.pair([*_unique_guard(ops, table, columns, where)] if unique else [], [])
    ops.pair([up], [down])
    return name


def drop_index(ops: Ops, table: str, column: str) -> str:
    """A plain index a new rule makes redundant, dropped ``CONCURRENTLY`` on PostgreSQL
    (outside the transaction), plainly elsewhere; the downgrade builds it again as
    ``add_index`` does. Returns its name."""
    built = Ops(table, ops.imports)
    name = add_index(built, table, column)
    drop = f"op.drop_index(op.f({literal(name)}), table_name={literal(table)}"
    up = (
        'if op.get_context().dialect.name == "postgresql":\n'
        "    with op.get_context().autocommit_block():\n"
        f"        {drop}, postgresql_concurrently=True, if_exists=True)\n"
        "else:\n"
        f"    {drop})"
    )
    ops.pair([up], built.upgrade)
    return name


def add_unique_constraint(ops: Ops, table: str, columns: tuple[str, ...]) -> str:
    """A named UNIQUE constraint after a check that no rows break it: on PostgreSQL its
    index is built ``CONCURRENTLY`` first and then attached (``UNIQUE USING INDEX``), so
    the table is never locked for the build; on SQLite a batch (table copy)."""
    name = naming.uq(table, list(columns))
    cols = ", ".join(literal(c) for c in columns)
    attach = f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" UNIQUE USING INDEX "{name}"'
    batch = ops.batch([f"batch_op.create_unique_constraint(op.f({literal(name)}), [{cols}])"])
    up = (
        'if op.get_context().dialect.name == "postgresql":\n'
        "    with op.get_context().autocommit_block():\n"
        f"{_concurrent_retry(name, table)}"
        f"        op.create_index(op.f({literal(name)}), {literal(table)}, [{cols}], "
        "unique=True, postgresql_concurrently=True, if_not_exists=True)\n"
        "else:\n"
        "    " + batch.replace("\n", "\n    ")
    )
    down = ops.batch([f'batch_op.drop_constraint(op.f({literal(name)}), type_="unique")'])
    ops.pair([*_unique_guard(ops, table, columns, None), up], [down])
    ops.last.append(f"op.execute({sql_literal(attach)})")  # in the final transaction
    return name


def _concurrent_retry(name: str, table: str) -> str:
    """The line before a concurrent build: a build that failed half way leaves an INVALID
    index of that name, dropped here so the migration can be run again."""
    return (
        "        # A concurrent build that failed leaves an INVALID index: drop it, build again.\n"
        f"        op.drop_index(op.f({literal(name)}), table_name={literal(table)}, "
        "postgresql_concurrently=True, if_exists=True)\n"
    )


def duplicates_sql(table: str, columns: tuple[str, ...], where: str | None, key: str | None) -> str:
    """The rows a unique rule on ``columns`` would reject: each duplicated value, how many
    rows share it and (with a ``key`` column) the first and last of them; five at most."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    filters = " AND ".join(f'"{c}" IS NOT NULL' for c in columns)
    if where:
        filters += f" AND ({where})"
    ids = f', MIN("{key}"), MAX("{key}")' if key else ""
    return (
        f'SELECT {quoted}, COUNT(*){ids} FROM "{table}" WHERE {filters} '
        f"GROUP BY {quoted} HAVING COUNT(*) > 1 ORDER BY COUNT(*) DESC LIMIT 5"
    )


def _unique_guard(ops: Ops, table: str, columns: tuple[str, ...], where: str | None) -> list[str]:
    """Lines that stop the migration when rows already break the unique rule."""
    sql = duplicates_sql(table, columns, where, None)
    return rows_guard(ops, sql, f"cannot make {table}({', '.join(columns)}) unique: rows share")


def sql_literal(sql: str) -> str:
    """A SQL string as Python source: a long one in pieces cut between words (one per line
    once formatted), so the statement reads as SQL in the migration."""
    import re

    from scaffold.generate.values import LONG_STRING

    pieces = [""]
    for word in re.findall(r"\S+\s*|\s+", sql):  # each word with the spaces after it
        if pieces[-1] and len(pieces[-1]) + len(word) > LONG_STRING:
            pieces.append("")
        pieces[-1] += word
    if len(pieces) == 1:
        return literal(sql)
    # A single word longer than a piece comes back from literal() in parentheses of its own.
    parts = [literal(p)[1:-1] if len(p) > LONG_STRING else literal(p) for p in pieces]
    return "(" + " ".join(parts) + ")"


def rows_guard(ops: Ops, sql: str, message: str) -> list[str]:
    """Lines that stop the migration, before anything is created, when ``sql`` finds rows
    (online only: ``--sql`` has no rows to read); ``message`` leads the error."""
    ops.imports.add("sqlalchemy as sa")
    lead = literal(message + " ")
    lead = lead[1:-1] if lead.startswith("(") else lead  # pieces, joined to the next line
    return [
        "if not op.get_context().as_sql:\n"
        f"    found = op.get_bind().execute(sa.text({sql_literal(sql)})).fetchall()\n"
        "    if found:\n"
        "        raise RuntimeError(\n"
        # The message as a literal of its own: split when long (E501), never an f-string.
        f"            {lead}\n"
        '            f"{found}; "\n'
        '            "fix or remove them first (nothing was changed)"\n'
        "        )"
    ]


def add_check(ops: Ops, spec: ResourceSpec, check: Check, violations: str) -> str:
    """One --check rule on a live table, after a check that no rows break it
    (``violations``: the SQL that finds them): on PostgreSQL added ``NOT VALID`` (no scan
    under the lock) and validated in a step of its own; on SQLite a batch. Its name."""
    from dataclasses import replace

    rule = replace(spec, fields=(), checks=(check,))
    ((ck_name, condition),) = check_constraints(rule, ops.imports, qualified=True)
    name = naming.ck(spec.table, ck_name)
    down = ops.batch([f'batch_op.drop_constraint(op.f({literal(name)}), type_="check")'])
    message = f"cannot add CHECK {check.text} to {spec.table}: rows break it"
    ops.pair([*rows_guard(ops, violations, message), check_step(ops, name, condition)], [down])
    return name


def render_alter(
    project: Project, ops: Ops, message: str, slug: str
) -> tuple[str, str, str | None, str]:
    """(path, text, down_revision, revision) of a new migration chained to the single head."""
    from scaffold.generate.engine import render

    down = project.single_head()
    revision = hashlib.sha1(f"{slug}:{down}".encode()).hexdigest()[:12]
    ops.imports.add("sqlalchemy as sa")
    ops.imports.add("alembic", "op")
    if any("postgresql." in line for line in ops.upgrade_lines() + ops.downgrade):
        ops.imports.add("sqlalchemy.dialects", "postgresql")
    context = {
        "imports": ops.imports.render(),
        "message": message,
        "revision": revision,
        "down_revision": literal(down),
        "down_revision_text": down or "<base>",
        "upgrade": [_indent(line) for line in ops.upgrade_lines()],
        "downgrade": [_indent(line) for line in ops.downgrade],
    }
    text = render(
        "migration.py.jinja", str(project.root / ".scaffold" / "templates"), spec=None, ctx=context
    )
    if project.adopted:
        path = project.migration_file(revision, slug.replace("_", " "))
    else:
        path = f"{project.layout.migrations}/versions/{revision}_{slug}.py"
    return path, text, down, revision


def _indent(block: str) -> str:
    """Indent continuation lines of a multi-line op for the function body."""
    return block.replace("\n", "\n    ")
