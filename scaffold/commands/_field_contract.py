"""``scaffold field contract RESOURCE OLD``: the contract step of a rename on a live table.

``field rename`` expanded the table on PostgreSQL: the new column next to the old one,
kept equal by a trigger, so code of the previous release kept working. Once none runs,
this command writes one migration that drops the trigger, its function and the old
column (with its index and constraints) on PostgreSQL; SQLite renamed the column in
place, so its branch does nothing. The downgrade puts the old column back, filled from
the new one, and the trigger with it. No layer changes: the code already uses the new
name.
"""

from __future__ import annotations

from scaffold.errors import InputError
from scaffold.generate import alter, rename_expand, safe_ddl
from scaffold.generate.values import literal, sa_migration_type
from scaffold.project.core import Project, build_spec
from scaffold.project.files import Rendered
from scaffold.project.manifest import Manifest, stored_args
from scaffold.project.outcome import Outcome


def _old_rules(project: Project, entry: dict, old: str, new: str, ops: alter.Ops) -> list[str]:
    """Batch lines that give the restored old column its index, CHECKs and NOT NULL back
    (the downgrade: the expand step's own downgrade expects them)."""
    from dataclasses import replace

    from scaffold.spec.constraints import renamed_check, renamed_unique

    args = stored_args(entry)
    fields = tuple(old + t[len(new) :] if t.partition(":")[0] == new else t for t in args.fields)
    uniques = tuple(renamed_unique(g, new, old) for g in args.uniques)
    checks = tuple(renamed_check(c, new, old) for c in args.checks)
    spec = build_spec(project, replace(args, fields=fields, uniques=uniques, checks=checks))
    field = next(f for f in spec.fields if f.name == old)
    lines = alter.constraint_lines(field, spec, ops.imports)
    if not field.optional:
        sa_type = sa_migration_type(field, spec)
        lines.append(
            f"batch_op.alter_column({literal(old)}, existing_type={sa_type}, nullable=False)"
        )
    return lines


def contract_ops(project: Project, entry: dict, table: str, old: str, ops: alter.Ops) -> str:
    """Pair into ``ops`` the contract of the pending rename of ``old`` (PostgreSQL only:
    the trigger, its function and the old column go; the downgrade restores them, the
    old column filled from the new one). Returns the new column's name."""
    new = entry["expanded"][old]
    trigger = entry.get("expanded_triggers", {}).get(old)  # None: named after the table
    spec = build_spec(project, stored_args(entry))
    field = next(f for f in spec.fields if f.name == new)
    sa_type = sa_migration_type(field, spec)
    copy = f'UPDATE "{table}" SET "{old}" = "{new}"'
    drop_column = (
        f'-- squawk-ignore ban-drop-column\nALTER TABLE "{table}" DROP COLUMN IF EXISTS "{old}"'
    )
    drop = [
        *[
            f"op.execute({literal(sql)})"
            for sql in rename_expand.drop_sync_sql(table, old, new, trigger)
        ],
        # squawk's ban-drop-column guards clients of the column: this step runs once none are.
        f"op.execute({literal(drop_column)})",
    ]
    restore = [
        f"op.add_column({literal(table)}, sa.Column({literal(old)}, {sa_type}, nullable=True))",
        f"op.execute({alter.sql_literal(rename_expand.sync_function_sql(table, old, new, trigger))})",
        *[
            f"op.execute({alter.sql_literal(sql)})"
            for sql in rename_expand.sync_trigger_sql(table, old, new, trigger)
        ],
        f"op.execute({literal(copy)})",
        f"op.execute({alter.sql_literal(rename_expand.comment_sql(table, old, new))})",
    ]
    rules = _old_rules(project, entry, old, new, ops)
    restore += [ops.batch(rules)] if rules else []
    ops.imports.add("sqlalchemy as sa")
    ops.pair([safe_ddl.on_postgres(drop, [])], [safe_ddl.on_postgres(restore, [])])
    return str(new)


def contracted(entry: dict, old: str) -> dict:
    """``entry`` without the pending rename of ``old``."""
    out = dict(entry)
    for key in ("expanded", "expanded_triggers"):
        left = {k: v for k, v in entry.get(key, {}).items() if k != old}
        if left:
            out[key] = left
        else:
            out.pop(key, None)
    return out


def plan_contract(
    project: Project, table: str, old: str
) -> tuple[Outcome, list[Rendered], Manifest]:
    """(outcome, files, manifest) of the migration that drops ``table.old``."""
    project.require_alembic()
    entry = project.manifest.resources.get(table)
    if entry is None:
        have = ", ".join(sorted(project.manifest.resources)) or "none yet"
        raise InputError(
            f"{table!r} is not a resource scaffold generated here (resources: {have}).",
            token=table,
            example=f"scaffold field contract {next(iter(sorted(project.manifest.resources)), 'contacts')} OLD",
        )
    expanded = entry.get("expanded", {})
    if old not in expanded:
        pending = ", ".join(f"{o} (now {n})" for o, n in expanded.items()) or "none"
        first = next(iter(expanded), "OLD")
        raise InputError(
            f"{table} has no renamed column {old!r} left to contract (pending: {pending}).",
            token=old,
            example=f"scaffold field contract {table} {first}",
        )
    ops = alter.Ops(table)
    new = contract_ops(project, entry, table, old, ops)
    summary = f"{table}: contract rename {old} to {new} (drop {old})"
    path, text, _down, _rev = alter.render_alter(
        project, ops, summary, f"{table}_contract_{old}"[:60]
    )
    manifest = project.manifest.copy()
    new_entry = contracted(entry, old)
    new_entry["migrations"] = [*entry.get("migrations", []), path]
    manifest.resources[table] = new_entry
    outcome = Outcome(command="field contract", actions=[summary])
    outcome.layers["Database"] = [summary, f"migration `{path}`"]
    outcome.handoff.append(
        f"Run it once no code of the release before the rename of {table}.{old} runs: "
        f"on PostgreSQL it drops {old} (its values live on in {new})."
    )
    return outcome, [Rendered(path, text, resource=table, frozen=True)], manifest
