"""The ops of ``scaffold rename``'s migration: the table, every index and constraint named
after it and the foreign keys of the tables that reference it, renamed in place on
PostgreSQL; on SQLite the indexes are re-created, and the table rebuilt for its unique
constraints."""

from __future__ import annotations

from scaffold.generate import alter
from scaffold.generate.imports import Imports
from scaffold.generate.values import check_constraints, literal, own_index, unique_sets
from scaffold.spec import naming
from scaffold.spec.resource import ResourceSpec


def _names(spec: ResourceSpec) -> list[tuple[str, str]]:
    """(kind, name) of every index and constraint named after ``spec``'s table, in the
    order the create migration makes them: ``("index", "ix_rooms_name")``..."""
    table = spec.table
    out: list[tuple[str, str]] = [("constraint", naming.pk(table))]
    out += [("unique", naming.uq(table, group)) for group in unique_sets(spec)]
    out += [
        ("constraint", naming.ck(table, name))
        for name, _ in check_constraints(spec, Imports(), qualified=True)
    ]
    out += [
        ("constraint", naming.fk(table, [f.name], f.ref_table)) for f in spec.fields if f.is_ref
    ]
    out += [("index", naming.ix(table, [f.name])) for f in spec.fields if own_index(spec, f)]
    return out


def rename_ops(
    old_spec: ResourceSpec,
    new_spec: ResourceSpec,
    referencing: list[tuple[ResourceSpec, ResourceSpec]],
) -> alter.Ops:
    """The migration's ops: the table, its indexes and constraints, and the referencing
    tables' foreign keys renamed; the downgrade renames them back."""
    old, new = old_spec.table, new_spec.table
    ops = alter.Ops(new)
    pairs = list(zip(_names(old_spec), _names(new_spec), strict=True))
    fks = []
    for before, after in referencing:
        for f_before, f_after in zip(before.fields, after.fields, strict=True):
            if f_before.is_ref and f_before.ref_table == old:
                fks.append(
                    (
                        before.table,
                        naming.fk(before.table, [f_before.name], old),
                        naming.fk(after.table, [f_after.name], new),
                    )
                )

    def direction(src: ResourceSpec, dst: ResourceSpec, forward: bool) -> list[str]:
        a, b = src.table, dst.table
        names = [(k, x, y) if forward else (k, y, x) for (k, x), (_, y) in pairs]
        constraints = [(b, x, y) for kind, x, y in names if kind != "index" and x != y]
        constraints += [(t, x, y) if forward else (t, y, x) for t, x, y in fks if x != y]
        indexes = [(x, y) for kind, x, y in names if kind == "index" and x != y]
        postgres = "    quote = op.get_context().dialect.identifier_preparer.quote\n"
        if constraints:
            rows = "".join(
                f"        ({literal(t)}, {literal(x)}, {literal(y)}),\n" for t, x, y in constraints
            )
            postgres += (
                f"    for table, old, new in (\n{rows}    ):\n"
                '        op.execute(f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(old)} TO {quote(new)}")\n'
            )
        if indexes:
            rows = "".join(f"        ({literal(x)}, {literal(y)}),\n" for x, y in indexes)
            postgres += (
                f"    for old, new in (\n{rows}    ):\n"
                '        op.execute(f"ALTER INDEX {quote(old)} RENAME TO {quote(new)}")\n'
            )
        postgres += (
            "    # The identity's sequence, named after the table too.\n"
            f"    sequence, renamed = {literal(a + '_id_seq')}, {literal(b + '_id_seq')}\n"
            '    op.execute(f"ALTER SEQUENCE IF EXISTS {quote(sequence)} RENAME TO {quote(renamed)}")\n'
        )
        return [
            f"op.rename_table({literal(a)}, {literal(b)})",
            'if op.get_context().dialect.name == "postgresql":\n'
            + postgres
            + "else:\n"
            + _sqlite(b, names, dst),
        ]

    ops.pair(direction(old_spec, new_spec, True), direction(new_spec, old_spec, False))
    return ops


def _sqlite(table: str, names: list[tuple[str, str, str]], spec: ResourceSpec) -> str:
    groups = dict(
        zip([n for k, n in _names(spec) if k == "unique"], unique_sets(spec), strict=True)
    )
    columns = {naming.ix(spec.table, [f.name]): f.name for f in spec.fields}
    batch = []
    indexes = []
    for kind, x, y in names:
        if x == y:
            continue
        if kind == "unique":
            batch.append(f'        batch_op.drop_constraint({literal(x)}, type_="unique")\n')
            batch.append(
                f"        batch_op.create_unique_constraint({literal(y)}, {literal(list(groups[y]))})\n"
            )
        elif kind == "index":
            indexes.append(f"    op.drop_index({literal(x)}, table_name={literal(table)})\n")
            indexes.append(
                f"    op.create_index({literal(y)}, {literal(table)}, [{literal(columns[y])}], unique=False)\n"
            )
    body = (
        "    # SQLite: constraint names live in the table's own SQL, and only the unique\n"
        "    # ones are compared, so the table is rebuilt for those; indexes are re-created.\n"
        if batch
        else "    # SQLite: the indexes are re-created under their new names (constraint names\n"
        "    # live in the table's own SQL, and neither SQLite nor Alembic compares them).\n"
    )
    if batch:
        body += (
            f'    with op.batch_alter_table({literal(table)}, recreate="always") as batch_op:\n'
            + "".join(batch)
        )
    body += "".join(indexes)
    if not batch and not indexes:
        body += "    pass\n"
    return body.rstrip("\n")
