"""``scaffold destroy RESOURCE``: drop a table and remove its generated files (escalated).

The migration drops the table; its downgrade re-creates it as it is now
(structure only: the rows are gone). Files the user changed are conflicts.
Migrations already written stay: they are history.
"""

from __future__ import annotations

from scaffold.commands.field import entry_of
from scaffold.errors import EscalationRequired, InputError
from scaffold.generate import alter
from scaffold.generate.compose import MigrationSlot, render_resource
from scaffold.generate.migration import migration_context
from scaffold.mission.vocabulary import DESTROY_REASON
from scaffold.project.core import Project, build_spec, served, specs_for_versions
from scaffold.project.files import Rendered
from scaffold.project.manifest import stored_args
from scaffold.project.outcome import Outcome


def plan_destroy(
    project: Project, table: str, *, approve: bool | None
) -> tuple[list[Rendered], Outcome, object]:
    project.require_alembic()
    entry = entry_of(project, table)
    for other, other_entry in project.manifest.resources.items():
        if other == table:
            continue
        spec = build_spec(project, stored_args(other_entry))
        if any(m.target.table == table for m in spec.many):
            raise InputError(
                f"{other} links to {table} (many-to-many); destroy {other} first, or re-create it "
                f"without the link.",
                token=table,
                example=f"scaffold destroy {other} --approve",
            )
        if any(f.is_ref and f.ref_table == table for f in spec.fields):
            raise InputError(
                f"{other} references {table}; remove that field first.",
                token=table,
                example=f"scaffold field remove {other} {next(f.name for f in spec.fields if f.ref_table == table)} --approve",
            )
    spec = build_spec(project, stored_args(entry))
    outcome = Outcome(command="destroy", actions=[f"destroy {table}"])
    # The same words as the mission parser's, so a mission lists the escalation once.
    outcome.escalations = [{"reason": DESTROY_REASON.format(table=table), "trigger": table}]
    if approve is False:
        raise EscalationRequired.listing(
            outcome.escalations, example=f"scaffold destroy {table} --approve"
        )
    ops = alter.Ops(table)
    create = migration_context(spec.stored(), "x", None)
    drops = [f"op.drop_table({m.join_table!r})" for m in spec.many] + [f"op.drop_table({table!r})"]
    ops.pair(drops, create["upgrade"])
    path, text, _down, _rev = alter.render_alter(
        project, ops, f"{table}: drop table", f"drop_{table}"
    )
    slot = MigrationSlot(entry["revision"], entry.get("down_revision"), entry["migration"])
    # The current contract is the entry's latest API version, as when it was rendered.
    spec = served(spec, entry)
    versions = specs_for_versions(project, entry.get("versions", []), spec)
    rendered = render_resource(project, spec, slot, versions=versions)
    files = []
    for r in rendered:
        shared = r.resource != table or r.edit  # the support files, the project's registries
        if (
            r.frozen
            or r.path.endswith("__init__.py")
            or shared
            or r.path in {f.path for f in files}
        ):
            continue
        files.append(Rendered(r.path, "", resource=table, delete=True))
    if project.profile is not None:
        files = [f for f in files if not _parent_factory(project, f.path)]
        files += _unregistered(project, table, {r.path for r in rendered})
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


def _parent_factory(project: Project, path: str) -> bool:
    """A factory of one of the project's own tables: other resources may use it."""
    profile = project.profile
    assert profile is not None
    return any(path == project.layout.path("factories", t.name) for t in profile.tables)


def _unregistered(project: Project, table: str, paths: set[str]) -> list[Rendered]:
    """The registry edits undone: the routers' and the model's imports and includes."""
    return [
        Rendered(rel, text, edit=True) for rel, text in unregistered(project, table, paths).items()
    ]


def unregistered(
    project: Project, table: str, paths: set[str], planned: dict[str, str] | None = None
) -> dict[str, str]:
    """The project's registries without the imports and includes of ``table``'s router
    and model modules among ``paths``: ``{path: new text}``, starting from ``planned``."""
    from scaffold.generate.adopted.resource import unregister

    profile = project.profile
    assert profile is not None
    layout = project.layout
    modules = {
        layout.module(kind, table, v)
        for kind in ("api", "models")
        for v in range(1, 10)
        if layout.path(kind, table, v) in paths
    }
    out = dict(planned or {})
    for ref in (profile.model_registry, profile.router_registry, profile.app):
        if not ref:
            continue
        rel = ref.partition(":")[0]
        if ref == profile.app:
            rel = rel.replace(".", "/") + ".py"
        edit = unregister(project.root, rel, modules, out)
        if edit is not None:
            out[edit[0]] = edit[1]
    return out
