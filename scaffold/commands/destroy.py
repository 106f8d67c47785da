"""``scaffold destroy RESOURCE``: drop a table and remove its generated files (escalated).

The migration drops the table; its downgrade re-creates it as it is now
(structure only: the rows are gone). Files the user changed are conflicts.
Migrations already written stay: they are history.
"""

from __future__ import annotations

from scaffold.commands.field import args_from_argv, entry_of, specs_for_versions
from scaffold.commands.resource import build_spec
from scaffold.errors import EscalationRequired, InputError
from scaffold.generators import alter
from scaffold.generators.resource import MigrationSlot, render_resource
from scaffold.mission.parser import DESTROY_REASON
from scaffold.output import Outcome
from scaffold.plan import Rendered
from scaffold.project import Project
from scaffold.render.context import migration_context


def plan_destroy(
    project: Project, table: str, *, approve: bool | None
) -> tuple[list[Rendered], Outcome, object]:
    project.require_alembic()
    entry = entry_of(project, table)
    for other, other_entry in project.manifest.resources.items():
        if other == table:
            continue
        spec = build_spec(project, args_from_argv(other_entry["argv"]))
        if any(f.is_ref and f.ref_table == table for f in spec.fields):
            raise InputError(
                f"{other} references {table}; remove that field first.",
                token=table,
                example=f"scaffold field remove {other} {next(f.name for f in spec.fields if f.ref_table == table)} --approve",
            )
    spec = build_spec(project, args_from_argv(entry["argv"]))
    outcome = Outcome(command="destroy", actions=[f"destroy {table}"])
    # The same words as the mission parser's, so a mission lists the escalation once.
    outcome.escalations = [{"reason": DESTROY_REASON.format(table=table), "trigger": table}]
    if approve is False:
        raise EscalationRequired.listing(
            outcome.escalations, example=f"scaffold destroy {table} --approve"
        )
    ops = alter.Ops(table)
    create = migration_context(spec, "x", None)
    ops.pair([f"op.drop_table({table!r})"], create["upgrade"])
    path, text, _down, _rev = alter.render_alter(
        project, ops, f"{table}: drop table", f"drop_{table}"
    )
    slot = MigrationSlot(entry["revision"], entry.get("down_revision"), entry["migration"])
    versions = specs_for_versions(project, entry.get("versions", []), spec)
    rendered = render_resource(project, spec, slot, versions=versions)
    files = [
        Rendered(r.path, "", resource=table, delete=True)
        for r in rendered
        if not r.frozen and not r.path.endswith("__init__.py")
    ]
    files.append(Rendered(path, text, resource=table, frozen=True))
    manifest = project.manifest.copy()
    del manifest.resources[table]
    outcome.layers["Database"] = [
        f"drop table `{table}` (downgrade re-creates it empty)",
        f"migration `{path}`",
    ]
    outcome.layers["API"] = [f"routes of {table} removed"]
    outcome.handoff.append(
        f"Rows of {table} are deleted by the migration; back them up before `alembic upgrade head`."
    )
    return files, outcome, manifest
