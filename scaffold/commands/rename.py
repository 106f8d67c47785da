"""``scaffold rename OLD NEW``: rename a generated resource's table (escalated).

One migration renames the table and every index and constraint named after it
(``ix_rooms_name`` → ``ix_venues_name``), and the foreign keys of the tables that
reference it (their ``*_id`` columns keep their names: a ``room_id`` still holds a
venue's id). Every layer is re-rendered under the new name and the old files are
removed; the referencing resources are re-rendered to point at the new model. The old
paths stay served: ``/api/v1/rooms`` keeps its contract in the previous API version,
on the renamed table, and the new paths appear at the next (``/api/v2/venues``),
unless ``--no-version``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from scaffold.commands._rename_migration import rename_ops
from scaffold.commands._rename_references import follow_references, renamed_args
from scaffold.commands._resource_plan import ResourcePlan, resource_layers
from scaffold.errors import EscalationRequired, InputError
from scaffold.generate import alter
from scaffold.generate.compose import MigrationSlot, render_resource
from scaffold.mission.vocabulary import RENAME_TABLE_REASON
from scaffold.project.core import Project, build_spec, specs_for_versions
from scaffold.project.files import Rendered
from scaffold.project.manifest import stored_args
from scaffold.project.outcome import Outcome
from scaffold.spec.args import ResourceArgs
from scaffold.spec.resource import ResourceSpec


def _generated(project: Project, old: str, new: str) -> dict:
    """The manifest entry of ``old``; exit 2 for a table scaffold did not generate."""
    refs = project.auth
    if refs is not None and old == refs.users_table:
        raise InputError(
            f"{old} is the users table of sign-in; scaffold does not rename it.",
            token=old,
            example=f"scaffold rename {_any_resource(project)} {new} --approve",
        )
    entry = project.manifest.resources.get(old)
    if entry is not None:
        return entry
    if old in project.known_resources():
        raise InputError(
            f"{old} is the project's own table, not one scaffold generated: scaffold renames "
            "only what it generated (it would have to rewrite your code). Rename it with an "
            "Alembic migration of your own.",
            token=old,
            example=f"alembic revision -m 'rename {old} to {new}'",
        )
    have = ", ".join(sorted(project.manifest.resources)) or "none yet"
    raise InputError(
        f"{old!r} is not a resource scaffold generated here (resources: {have}).",
        token=old,
        example=f"scaffold rename {_any_resource(project)} {new} --approve",
    )


def _rename_example(old: str, example: str | None, singular: str | None) -> str:
    """``scaffold resource bad_name ... --singular x`` (a name's error) as the rename of
    ``old`` it suggests: ``scaffold rename OLD bad_name --singular x --approve``."""
    words = (example or "").split()
    name = words[2] if len(words) > 2 and words[:2] == ["scaffold", "resource"] else "venues"
    given = words[words.index("--singular") + 1] if "--singular" in words[:-1] else singular
    return (
        f"scaffold rename {old} {name}" + (f" --singular {given}" if given else "") + " --approve"
    )


def _any_resource(project: Project) -> str:
    return next(iter(sorted(project.manifest.resources)), "rooms")


def _refuse(project: Project, old: str, new: str, old_args: ResourceArgs) -> None:
    """Exit 2 where a rename cannot be done in one step (yet), naming why."""
    example = (
        f"scaffold rename {old} venues --approve"
        if new == old
        else f"scaffold rename {old} {new} --approve"
    )
    if new == old:
        raise InputError(f"{old} is already called {old}.", token=new, example=example)
    if new in project.known_resources():
        raise InputError(
            f"The project already has a {new!r} table; pick another name.",
            token=new,
            example=f"scaffold rename {old} {new}_new --approve",
        )
    if project.manifest.former_names().get(new, old) != old:  # renaming back is fine
        from scaffold.commands.resource import refuse_former_name

        refuse_former_name(project, new, f"scaffold rename {old} {new}_new --approve")
    spec = build_spec(project, old_args)
    if spec.many:
        raise InputError(
            f"{old} has many-to-many links ({', '.join(m.name for m in spec.many)}), whose join "
            "tables are named after it; renaming those is not supported in one step.",
            token=old,
            example=f"scaffold destroy {old} --approve",
        )
    for other, other_entry in project.manifest.resources.items():
        if other == old:
            continue
        args = stored_args(other_entry)
        other_spec = build_spec(project, args)
        if any(m.target.table == old for m in other_spec.many):
            raise InputError(
                f"{other} links to {old} (many-to-many) through a join table named after it; "
                "renaming that is not supported in one step.",
                token=old,
                example=f"scaffold destroy {other} --approve",
            )
        if args.parent == old or old in args.lists_under:
            raise InputError(
                f"{other} is served under /{spec.route}/{{{spec.id_param}}}/..., so renaming "
                f"{old} would move {other}'s routes too; that is not supported in one step: "
                f"{other} must stop being nested under {old} first.",
                token=other,
                example=f"scaffold destroy {other} --approve",
            )


def plan_table_rename(
    project: Project,
    old: str,
    new: str,
    *,
    approve: bool | None,
    no_version: bool = False,
    singular: str | None = None,
) -> tuple[ResourcePlan, Outcome]:
    """The renamed resource's files, the removal of the old ones, the referencing
    resources re-rendered, and one migration; escalated (``approve=None`` collects it)."""
    project.require_alembic()
    entry = _generated(project, old, new)
    old_args = stored_args(entry)
    _refuse(project, old, new, old_args)
    old_spec = build_spec(project, old_args)
    outcome = Outcome(command="rename", actions=[f"rename table {old} to {new}"])
    tables = set(project.known_resources())
    new_args = renamed_args(old_args, old, new, tables, singular)
    probe = _new_name(project, old, new, new_args, singular)
    reason = RENAME_TABLE_REASON.format(old=old, new=new, new_route=probe.route)
    outcome.escalations = [{"reason": reason, "trigger": f"rename {old}"}]
    if approve is False:
        raise EscalationRequired.listing(
            outcome.escalations, example=f"scaffold rename {old} {new} --approve"
        )

    manifest = project.manifest.copy()
    versions, latest = _served_versions(entry, old, new, tables, singular, new_args, no_version)
    outcome.handoff.append(_versions_handoff(old_spec.route, probe.route, latest, no_version))
    new_entry = _renamed_entry(entry, old, new_args, probe, versions, latest)
    del manifest.resources[old]
    manifest.resources[new] = new_entry
    referencing = follow_references(project, manifest, old, new, tables)
    renamed = project.with_manifest(manifest)
    new_spec = replace(build_spec(renamed, new_args), api_version=latest)
    ops = _migration_ops(project, renamed, old_spec, new_spec, referencing)
    path, text, _down, _revision = alter.render_alter(
        project, ops, f"rename table {old} to {new}", f"rename_{old}_to_{new}"
    )
    new_entry["migrations"] = [*entry.get("migrations", []), path]

    slot = MigrationSlot(entry["revision"], entry.get("down_revision"), entry["migration"])
    files = _renamed_files(renamed, new_spec, slot, versions, list(referencing))
    files.append(Rendered(path, text, resource=new, frozen=True))
    before = _old_files(project, entry, old_spec, slot)
    files += _removed(before, old, {r.path for r in files})
    if project.profile is not None:
        files = _registries(project, renamed, old, new_spec, files, before)
    unique = {r.path: r for r in files}
    files = list(unique.values())
    _describe(project, outcome, old, new, new_spec, files, list(referencing), path)
    notes = ["Next steps:", "  alembic upgrade head", f"  pytest {project.layout.tests}"]
    return ResourcePlan(new_spec, files, manifest, notes), outcome


def _new_name(
    project: Project, old: str, new: str, new_args: ResourceArgs, singular: str | None
) -> ResourceSpec:
    """The spec under the new name, which validates it: a name's own error, with its
    example turned into the rename that works."""
    try:
        return build_spec(project, new_args)
    except InputError as exc:
        raise InputError(
            exc.message,
            token=exc.token or new,
            example=_rename_example(old, exc.example, singular),
        ) from None


def _served_versions(
    entry: dict,
    old: str,
    new: str,
    tables: Collection[str],
    singular: str | None,
    new_args: ResourceArgs,
    no_version: bool,
) -> tuple[list[dict], int]:
    """The renamed resource's older API versions (their args renamed, served where they
    were) and its latest: the current contract kept as one more, unless ``no_version``."""
    latest = int(entry.get("api_version", 1))
    versions = [
        {
            **v,
            "args": renamed_args(stored_args(v), old, new, tables, singular).to_dict(),
            "served_as": v.get("served_as", old),
        }
        for v in entry.get("versions", [])
    ]
    if no_version:
        return versions, latest
    versions.append(
        {
            "version": latest,
            "args": new_args.to_dict(),
            "renames": {},
            "removed": [],
            "served_as": old,
        }
    )
    return versions, latest + 1


def _versions_handoff(old_route: str, new_route: str, latest: int, no_version: bool) -> str:
    """What the rename does to the clients of the old paths."""
    if no_version:
        return (
            f"--no-version: /api/v{latest}/{old_route} is gone, /api/v{latest}/{new_route} "
            "replaces it; clients that use the old paths break."
        )
    return (
        f"/api/v{latest - 1}/{old_route} keeps serving the old contract (on the renamed "
        f"table); /api/v{latest}/{new_route} is the new one. Tell clients to move, then "
        f"retire v{latest - 1}."
    )


def _renamed_entry(
    entry: dict,
    old: str,
    new_args: ResourceArgs,
    probe: ResourceSpec,
    versions: list[dict],
    latest: int,
) -> dict:
    """The manifest entry under the new name; its create migration's args kept (history,
    under the names of then), and the name it had added to its ``renamed_from``."""
    new_entry = dict(entry)
    new_entry["args"] = new_args.to_dict()
    new_entry["class_name"], new_entry["singular"] = probe.class_name, probe.singular
    new_entry["create_args"] = entry.get("create_args", entry["args"])
    new_entry["renamed_from"] = [*entry.get("renamed_from", []), old]
    new_entry["versions"] = versions
    new_entry["api_version"] = latest
    if not versions:
        del new_entry["versions"]
    return new_entry


def _migration_ops(
    project: Project,
    renamed: Project,
    old_spec: ResourceSpec,
    new_spec: ResourceSpec,
    referencing: dict[str, tuple[ResourceArgs, ResourceArgs]],
) -> alter.Ops:
    """The rename's ops: the table, its indexes and constraints, and the referencing
    tables' foreign keys (each table as ``project``, then ``renamed``, has it)."""
    pairs = []
    for before_args, after_args in referencing.values():
        before = build_spec(project, before_args)
        after = build_spec(renamed, after_args)
        pairs.append((before.stored(), after.stored()))
    return rename_ops(old_spec.stored(), new_spec.stored(), pairs)


def _renamed_files(
    renamed: Project,
    new_spec: ResourceSpec,
    slot: MigrationSlot,
    versions: list[dict],
    referencing: list[str],
) -> list[Rendered]:
    """Every layer under the new name, and the referencing resources re-rendered."""
    from scaffold.commands.resource import render_existing, render_live

    # The create migrations are history: their create_args keep the old name, which
    # the manifest resolves to the renamed table (``Manifest.former_names``).
    entry = renamed.manifest.resources[new_spec.table]
    files = render_live(renamed, new_spec, slot, entry, versions)
    for other in referencing:
        files += render_existing(renamed, table=other)
    return files


def _old_files(
    project: Project, entry: dict, old_spec: ResourceSpec, slot: MigrationSlot
) -> list[Rendered]:
    """The old resource's files, as the project renders them before the rename."""
    old_current = replace(old_spec, api_version=int(entry.get("api_version", 1)))
    return render_resource(
        project,
        old_current,
        slot,
        versions=specs_for_versions(project, entry.get("versions", []), old_current),
    )


def _removed(before: list[Rendered], old: str, planned: set[str]) -> list[Rendered]:
    """The old resource's own files that the new rendering does not write, deleted
    (migrations are history; packages' ``__init__.py`` and edits stay)."""
    return [
        Rendered(r.path, "", resource=old, delete=True)
        for r in before
        if not (
            r.frozen
            or r.edit
            or r.resource != old
            or r.path in planned
            or r.path.endswith("__init__.py")
        )
    ]


def _describe(
    project: Project,
    outcome: Outcome,
    old: str,
    new: str,
    new_spec: ResourceSpec,
    files: list[Rendered],
    referencing: list[str],
    migration: str,
) -> None:
    """The outcome's layers, and what a human must do after the rename."""
    for layer, items in resource_layers(new_spec, files).items():
        outcome.layers[layer] = items
    outcome.layers["Database"] = [
        f"rename table `{old}` to `{new}`, its indexes and constraints"
        + (f"; the foreign keys of {', '.join(referencing)} follow it" if referencing else ""),
        f"migration `{migration}`",
    ]
    outcome.handoff.append(
        f"The rename is a schema change for production: `alembic upgrade head` renames {old} "
        "in place (no copy on PostgreSQL; SQLite rebuilds the table); code outside the "
        f"generated files that names {old} must follow."
    )
    hand = _hand_written_references(project, old)
    if project.profile is not None or hand:
        outcome.handoff.append(
            f"Hand-written code of the project that uses the {old} table or its model must be "
            "changed by hand: scaffold only rewrote what it generated"
            + (
                f"; these of the project's own models point at {old}: {', '.join(hand)}."
                if hand
                else " (no model of the project's own has a foreign key to it)."
            )
        )


def _hand_written_references(project: Project, table: str) -> list[str]:
    """``path:line`` of each foreign key to ``table`` in the project's own models (an
    adopted project's, or a model file of its own in a template project's models
    package; what scaffold generated is re-rendered, not listed)."""
    import re

    from scaffold.adopt.columns import module_path

    profile = project.profile
    if profile is not None:
        found = (module_path(project.root, module) for module in {t.module for t in profile.tables})
        paths = sorted(p for p in found if p is not None)
    else:
        models = project.root / project.layout.package / "models"
        paths = sorted(p for p in models.glob("*.py") if p.is_file())
    target = re.compile(rf"""(ForeignKey\(|foreign_key\s*=\s*)["']{re.escape(table)}\.\w+["']""")
    out = []
    for path in paths:
        rel = path.relative_to(project.root).as_posix()
        if project.manifest.generated_hash(rel) is not None:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if target.search(line):
                out.append(f"{rel}:{number}")
    return out


def _registries(
    project: Project,
    renamed: Project,
    old: str,
    new_spec: ResourceSpec,
    files: list[Rendered],
    before: list[Rendered],
) -> list[Rendered]:
    """An adopted project's registries: the old modules' imports and includes removed,
    every served version's router and the new model added, in one edit per registry."""
    from scaffold.commands.destroy import unregistered
    from scaffold.generate.adopted import resource as adopted

    profile = project.profile
    assert profile is not None
    planned = unregistered(project, old, {r.path for r in before})
    new_layout = renamed.layout
    table = new_spec.table
    entry = renamed.manifest.resources[table]
    served = [int(v["version"]) for v in entry.get("versions", [])] + [new_spec.api_version]
    for version in served:
        module = new_layout.module("api", table, version)
        edit = adopted.register_router(
            project.root, profile, module, table, version, planned=planned
        )
        if edit is not None:
            planned[edit[0]] = edit[1]
    edit = adopted.register_model(
        project.root, profile, new_layout.module("models", table), new_spec.class_name, planned
    )
    if edit is not None:
        planned[edit[0]] = edit[1]
    kept = [r for r in files if not (r.edit and r.path in planned)]
    return kept + [Rendered(rel, text, edit=True) for rel, text in planned.items()]
