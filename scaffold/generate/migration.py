"""The create-table migration's slots: columns, constraints and indexes, spelled out."""

from __future__ import annotations

from typing import Any

from scaffold.generate.imports import Imports
from scaffold.generate.values import (
    check_constraints,
    literal,
    own_index,
    sa_migration_type,
    unique_sets,
)
from scaffold.spec import naming
from scaffold.spec.resource import Many, ResourceSpec


def migration_context(
    spec: ResourceSpec, revision: str, down_revision: str | None
) -> dict[str, Any]:
    imports = Imports()
    imports.add("sqlalchemy as sa")
    imports.add("alembic", "op")
    table = spec.table
    id_sa = {
        "uuid": "sa.Uuid()",
        "bigint": 'sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False)',
    }.get(spec.id_type, "sa.Integer()")
    items = [f'sa.Column("id", {id_sa}, nullable=False)']
    indexes = []
    for f in spec.fields:
        sa_type = sa_migration_type(f, spec)
        if "postgresql." in sa_type:
            imports.add("sqlalchemy.dialects", "postgresql")
        items.append(f"sa.Column({literal(f.name)}, {sa_type}, nullable={f.optional})")
        if own_index(spec, f):
            indexes.append((naming.ix(table, [f.name]), [f.name]))
    stamp = ", server_default=sa.func.now()" if spec.schema >= 2 else ""
    items.append(f'sa.Column("created_at", sa.DateTime(timezone=True){stamp}, nullable=False)')
    items.append(f'sa.Column("updated_at", sa.DateTime(timezone=True){stamp}, nullable=False)')
    for name, condition in check_constraints(spec, imports, qualified=True):
        items.append(
            f"sa.CheckConstraint({condition}, name=op.f({literal(naming.ck(table, name))}))"
        )
    for f in spec.fields:
        if f.is_ref:
            fk_name = naming.fk(table, [f.name], f.ref_table)
            ondelete = f", ondelete={literal(f.ondelete)}" if f.ondelete else ""
            items.append(
                f"sa.ForeignKeyConstraint([{literal(f.name)}], "
                f"[{literal(f.ref_table + '.' + spec.known(f.ref_table).key)}], "
                f"name=op.f({literal(fk_name)}){ondelete})"
            )
    items.append(f'sa.PrimaryKeyConstraint("id", name=op.f({literal(naming.pk(table))}))')
    for group in unique_sets(spec):
        cols = ", ".join(literal(c) for c in group)
        items.append(f"sa.UniqueConstraint({cols}, name=op.f({literal(naming.uq(table, group))}))")
    upgrade = [
        f"op.create_table(\n        {literal(table)},\n"
        + "".join(f"        {i},\n" for i in items)
        + "    )"
    ]
    downgrade = []
    for name, cols in indexes:
        upgrade.append(
            f"op.create_index(op.f({literal(name)}), {literal(table)}, {literal(cols)}, unique=False)"
        )
        downgrade.append(f"op.drop_index(op.f({literal(name)}), table_name={literal(table)})")
    downgrade.reverse()
    downgrade.append(f"op.drop_table({literal(table)})")
    for many in spec.many:
        join_up, join_down = join_table_migration(spec, many)
        upgrade += join_up
        downgrade = join_down + downgrade
    return {
        "imports": imports.render(),
        "message": f"create {table}",
        "down_revision_text": down_revision or "<base>",
        "revision": revision,
        "down_revision": literal(down_revision),
        "upgrade": upgrade,
        "downgrade": downgrade,
    }


def _key_migration(id_type: str) -> str:
    return {
        "uuid": "sa.Uuid()",
        "bigint": 'sa.BigInteger().with_variant(sa.Integer(), "sqlite")',
    }.get(id_type, "sa.Integer()")


def join_table_migration(spec: ResourceSpec, many: Many) -> tuple[list[str], list[str]]:
    """(upgrade, downgrade) lines creating and dropping a many-to-many's join table."""
    join, own, other = many.join_table, many.own_column, many.other_column
    target = many.target
    items = [
        f"sa.Column({literal(own)}, {_key_migration(spec.id_type)}, nullable=False)",
        f"sa.Column({literal(other)}, {_key_migration(target.id_type)}, nullable=False)",
        f"sa.ForeignKeyConstraint([{literal(own)}], [{literal(spec.table + '.id')}], "
        f'name=op.f({literal(naming.fk(join, [own], spec.table))}), ondelete="CASCADE")',
        f"sa.ForeignKeyConstraint([{literal(other)}], [{literal(target.table + '.' + target.key)}], "
        f'name=op.f({literal(naming.fk(join, [other], target.table))}), ondelete="CASCADE")',
        f"sa.PrimaryKeyConstraint({literal(own)}, {literal(other)}, name=op.f({literal(naming.pk(join))}))",
    ]
    index = naming.ix(join, [other])
    upgrade = [
        f"op.create_table(\n        {literal(join)},\n"
        + "".join(f"        {i},\n" for i in items)
        + "    )",
        f"op.create_index(op.f({literal(index)}), {literal(join)}, {literal([other])}, unique=False)",
    ]
    downgrade = [
        f"op.drop_index(op.f({literal(index)}), table_name={literal(join)})",
        f"op.drop_table({literal(join)})",
    ]
    return upgrade, downgrade
