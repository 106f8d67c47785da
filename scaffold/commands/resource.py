"""``scaffold resource NAME FIELD...``: a table and every layer for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scaffold.generators.resource import migration_slot, render_resource
from scaffold.manifest import Manifest
from scaffold.output import Outcome
from scaffold.plan import Rendered
from scaffold.project import Project
from scaffold.spec.resource import ResourceSpec, build_resource


@dataclass(frozen=True)
class ResourceArgs:
    """Everything the user typed for one resource; stored in the manifest to replay it."""

    name: str
    fields: tuple[str, ...] = ()
    singular: str | None = None
    parent: str | None = None
    uniques: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    id_type: str = "int"
    api_version: int = 1

    def argv(self) -> list[str]:
        out = ["resource", self.name, *self.fields]
        for flag, value in (("--singular", self.singular), ("--parent", self.parent)):
            if value:
                out += [flag, value]
        for group in self.uniques:
            out += ["--unique", group]
        for check in self.checks:
            out += ["--check", check]
        if self.id_type != "int":
            out += ["--id", self.id_type]
        if self.api_version != 1:
            out += ["--api-version", str(self.api_version)]
        return out


@dataclass
class ResourcePlan:
    spec: ResourceSpec
    files: list[Rendered]
    manifest: Manifest
    notes: list[str] = field(default_factory=list)


def build_spec(project: Project, args: ResourceArgs) -> ResourceSpec:
    known = project.known_resources()
    known.pop(args.name, None)
    return build_resource(
        args.name,
        args.fields,
        singular=args.singular,
        parent=args.parent,
        uniques=args.uniques,
        checks=args.checks,
        id_type=args.id_type,
        api_version=args.api_version,
        known=known,
    )


def plan_resource(
    project: Project, args: ResourceArgs, manifest: Manifest | None = None
) -> ResourcePlan:
    """Validate, render and describe one resource (nothing is written here)."""
    project.require_alembic()
    spec = build_spec(project, args)
    slot = migration_slot(project, spec.table)
    files = render_resource(project, spec, slot)
    manifest = (manifest or project.manifest).copy()
    manifest.resources[spec.table] = {
        "argv": args.argv(),
        "class_name": spec.class_name,
        "singular": spec.singular,
        "id_type": spec.id_type,
        "api_version": spec.api_version,
        "revision": slot.revision,
        "down_revision": slot.down_revision or "",
        "migration": slot.path,
    }
    if manifest.resources[spec.table]["down_revision"] == "":
        del manifest.resources[spec.table]["down_revision"]
    notes = [
        "Next steps:",
        "  alembic upgrade head",
        f"  pytest {project.layout.tests}/test_{spec.table}.py",
    ]
    if not args.fields:
        notes.append(
            f"  add fields later: scaffold field add {spec.table} NAME:TYPE (e.g. title:str=120)"
        )
    return ResourcePlan(spec, files, manifest, notes)


def resource_outcome(args: ResourceArgs, plan: ResourcePlan) -> Outcome:
    spec = plan.spec
    inferred = [note for f in spec.fields for note in f.inferred]
    actions = [" ".join(args.argv())]
    outcome = Outcome(command="resource", actions=actions, notes=list(plan.notes))
    if inferred:
        outcome.notes.insert(0, "Inferred: " + "; ".join(inferred))
    return outcome


def describe_fields(fields: Sequence[str]) -> str:
    return " ".join(fields)
