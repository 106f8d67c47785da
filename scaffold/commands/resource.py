"""``scaffold resource NAME FIELD...``: a table and every layer for it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from scaffold.commands._resource_plan import ResourcePlan, resource_layers
from scaffold.errors import EscalationRequired, InputError
from scaffold.generate.compose import MigrationSlot, migration_slot, render_resource
from scaffold.project.core import (
    Project,
    build_created_spec,
    build_spec,
    served,
    specs_for_versions,
)
from scaffold.project.files import Rendered
from scaffold.project.manifest import stored_args
from scaffold.project.outcome import Outcome
from scaffold.spec.args import ResourceArgs
from scaffold.spec.resource import ResourceSpec

_FIELD_START = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(:|$)")
# A piece that ends in a default or pattern value: a bare word after it continues the value.
_VALUE_LAST = re.compile(r":(default|pattern)=[^:]*$")


def expand_fields(arguments: Sequence[str]) -> tuple[str, ...]:
    """Split ``"a:int b:date"`` (one argument, as an editor task passes it) into tokens.

    An argument is split only when every piece starts like a field token, so a value
    with a space (``title:str:default=hello world``) stays whole.

    >>> expand_fields(["a:int b:date", "c:str:default=x y", "d:str:default=x e:int"])
    ('a:int', 'b:date', 'c:str:default=x y', 'd:str:default=x', 'e:int')
    """
    out: list[str] = []
    for argument in arguments:
        # Plain spaces only: a token with a line break or tab is hostile, not a list,
        # and is refused whole by the field parser.
        pieces = [piece for piece in argument.split(" ") if piece]
        if (
            argument.isprintable()
            and len(pieces) > 1
            and all(_FIELD_START.match(p) for p in pieces)
            and not any(
                _VALUE_LAST.search(before) and ":" not in after
                for before, after in zip(pieces, pieces[1:], strict=False)
            )
        ):
            out += pieces
        else:
            out.append(argument)
    return tuple(out)


def plan_resource(
    project: Project, args: ResourceArgs, *, approve: bool | None = False, no_version: bool = False
) -> tuple[ResourcePlan, Outcome]:
    """Validate, render and describe one resource (nothing is written here).

    Run again with a different spec, the resource changes like ``field add`` /
    ``field remove`` would: a new migration, escalated when it breaks clients.
    """
    project.require_alembic()
    entry = project.manifest.resources.get(args.name)
    old = stored_args(entry) if entry is not None else None
    # Compared as the manifest keeps them (an empty --singular is none).
    if old is not None and old.to_dict() != args.to_dict():
        return _plan_change(project, old, args, approve=approve, no_version=no_version)
    if entry is None:
        again = replace(args, name=f"{args.name}_new")
        refuse_former_name(project, args.name, f"scaffold {' '.join(again.argv())}")
    spec = _checked_spec(project, args)
    slot = migration_slot(project, spec.table)
    manifest = project.manifest.copy()
    if entry is not None:
        files = render_existing(project, spec)
    else:
        files = render_resource(project, spec, slot)
        manifest.resources[spec.table] = _new_entry(args, spec, slot)
    notes = [
        "Next steps:",
        "  alembic upgrade head",
        f"  pytest {project.layout.path('tests', spec.table)}",
    ]
    if not args.fields:
        notes.append(
            f"  add fields later: scaffold field add {spec.table} NAME:TYPE (e.g. title:str=120)"
        )
    if entry is None:
        notes = similar_tables(project, spec.table) + notes
    plan = ResourcePlan(spec, files, manifest, notes)
    outcome = resource_outcome(args, plan)
    if entry is None:
        _include_router(project, spec, outcome)
        _security_review(project, spec, outcome)
        if outcome.escalations and approve is False:
            raise EscalationRequired.listing(
                outcome.escalations, example=f"scaffold {' '.join(args.argv())} --approve"
            )
    return plan, outcome


def refuse_former_name(project: Project, table: str, example: str) -> None:
    """Exit 2 for a new table named as a renamed one was: the migrations written before the
    rename (and the manifest's ``create_args``, their history) still use that name for it."""
    current = project.manifest.former_names().get(table)
    if current is None:
        return
    raise InputError(
        f"{table!r} was the name of {current!r} before a rename, and the migrations written "
        f"before it still call {current} that; a new table of that name would make them "
        "ambiguous. Pick another name.",
        token=table,
        example=example,
    )


def _plan_change(
    project: Project,
    old: ResourceArgs,
    args: ResourceArgs,
    *,
    approve: bool | None,
    no_version: bool,
) -> tuple[ResourcePlan, Outcome]:
    """A live resource run again with other arguments: a change of who may call it, a
    new API version, or a change of its fields."""
    from scaffold.commands.field import FieldChange, plan_field_change

    if replace(old, access=args.access) == args:
        return plan_access_change(project, old, args, approve=approve)
    if replace(old, api_version=args.api_version) == args:
        return plan_new_version(project, args.name, args.api_version)
    if replace(old, rate_limit=args.rate_limit) == args:
        from scaffold.commands.limit import plan_limit_change

        return plan_limit_change(project, args.name, args.rate_limit)
    change = FieldChange("respec", args.name, args, old)
    return plan_field_change(project, change, approve=approve, no_version=no_version)


def _checked_spec(project: Project, args: ResourceArgs) -> ResourceSpec:
    """The resource's spec; exit 2 for access the project cannot give it (admin writes
    without sign-in, public rows owned through another resource)."""
    if "admin-writes" in args.access and project.auth is None:
        from scaffold.errors import ProjectError

        raise ProjectError(
            "--admin-writes needs users with an admin flag, and this project has no sign-in yet.",
            token="--admin-writes",
            example=f"scaffold auth --approve && scaffold {' '.join(args.argv())}",
        )
    spec = build_spec(project, args)
    through = spec.owned_through
    if through is None and spec.owned_refs and spec.public_reads:
        from scaffold.errors import InputError

        owned = " and ".join(spec.owned_refs)
        raise InputError(
            f"{spec.table} references {owned}, whose rows are their owner's alone, so "
            f"--public cannot open its routes to anyone: a route that acts for nobody "
            f"could only show another user's {owned} rows or refuse every one. Drop "
            f"--public (each signed-in user then links their own), or reference a "
            "shared table.",
            token="--public",
            example=" ".join(["scaffold", *(a for a in args.argv() if a != "--public")]),
        )
    if through is not None and spec.public_reads:
        from scaffold.errors import InputError

        owned = spec.known(through.ref_table or "")
        raise InputError(
            f"{spec.table} is owned through {through.name} (each {owned.singular} is its "
            f"owner's, and so is every {spec.singular} of it), so --public cannot open its "
            f"routes to anyone. Drop --public; or make {through.name} optional if "
            f"{spec.table} rows are shared.",
            token="--public",
            example=" ".join(["scaffold", *(a for a in args.argv() if a != "--public")]),
        )
    return spec


def _new_entry(args: ResourceArgs, spec: ResourceSpec, slot: MigrationSlot) -> dict:
    """The manifest entry of a new resource."""
    entry = {
        "args": args.to_dict(),
        "class_name": spec.class_name,
        "singular": spec.singular,
        "id_type": spec.id_type,
        "schema": spec.schema,
        "api_version": spec.api_version,
        "revision": slot.revision,
        "migration": slot.path,
    }
    if slot.down_revision:
        entry["down_revision"] = slot.down_revision
    return entry


def _include_router(project: Project, spec: ResourceSpec, outcome: Outcome) -> None:
    """In an adopted project without a router registry scaffold can edit: the lines
    that include the new router, for the user to add."""
    profile = project.profile
    if profile is None or profile.router_registry:
        return
    from scaffold.generate.adopted.resource import registry_lines

    lines = registry_lines(profile, project.layout.module("api", spec.table), spec.table)
    outcome.notes.append("Include the router where the app includes its routers:")
    outcome.notes += [f"  {line}" for line in lines]
    outcome.handoff.append(
        "The project has no router registry scaffold could edit: add "
        + " and ".join(f"`{line}`" for line in lines)
        + " where the app includes its routers."
    )


def _security_review(project: Project, spec: ResourceSpec, outcome: Outcome) -> None:
    """A new resource's security escalations (sensitive fields, public routes in a
    project with sign-in) and what its owned references mean for its rows."""
    for f in spec.fields:
        if f.sensitive:
            outcome.escalations.append(
                {
                    "reason": f"security: {spec.table}.{f.name} is sensitive (write-only in the API)",
                    "trigger": f.name,
                }
            )
    owned_refs = spec.owned_refs
    through = spec.owned_through
    if through is not None:
        outcome.notes.append(
            f"{spec.table} rows are owned through {through.name}: each is its "
            f"{spec.known(through.ref_table or '').singular}'s owner's alone (admins see "
            "all), on every route and include."
        )
    elif owned_refs and spec.owner is None:
        outcome.handoff.append(
            f"{spec.table} references {', '.join(owned_refs)} only optionally, so its rows "
            f"are shared: a user can point a {spec.singular} only at their own "
            f"{' or '.join(owned_refs)} (another user reads the reference, never the "
            "row), and any signed-in user can read, change or delete a "
            f"{spec.singular}. Make the reference required, or the resource --owned, if "
            "its rows are private."
        )
    if spec.public_reads and project.auth is not None:
        outcome.escalations.append(
            {
                "reason": f"security: --public opens every {spec.table} route to anyone "
                "(no sign-in) in a project where routes require one",
                "trigger": "--public",
            }
        )
        outcome.handoff.append(
            f"{spec.table} is public: anyone can list, create, change and delete its rows. "
            "Confirm that is intended (--admin-writes keeps reads open to signed-in users "
            "and writes to admins)."
        )


def plan_new_version(
    project: Project, table: str, version: int | None = None
) -> tuple[ResourcePlan, Outcome]:
    """Serve a resource's current contract under a new API version too (``--api-version
    N`` on a live resource, "version the X API"): the older versions keep serving theirs,
    no migration. A later breaking change then gets its own version, or changes this one
    in place with ``--no-version``. ``version=None``: the next one."""

    entry = project.manifest.resources[table]
    latest = int(entry.get("api_version", 1))
    if version is None:
        version = latest + 1
    current_args = replace(stored_args(entry), api_version=latest)
    if version < latest:
        from scaffold.errors import InputError

        raise InputError(
            f"{table} is served up to /api/v{latest}; v{version} is an older version (its "
            "contract is kept as it was). A new version must be above the latest.",
            token=f"--api-version {version}",
            example=f"scaffold {' '.join(replace(current_args, api_version=latest + 1).argv())}",
        )
    spec = build_spec(project, current_args)
    manifest = project.manifest.copy()
    new_entry = dict(entry)
    versions = [dict(v) for v in entry.get("versions", [])]
    outcome = Outcome(command="resource", actions=[f"version {table}: /api/v{version}"])
    if version > latest:
        versions.append({"version": latest, "args": entry["args"], "renames": {}, "removed": []})
        new_entry["versions"] = versions
        new_entry["api_version"] = version
        outcome.handoff.append(
            f"/api/v{version} serves {table} with the contract of /api/v{latest}, which keeps "
            f"serving it. Change v{version} in place with `--no-version` on field changes "
            f"(`scaffold field rename {table} OLD NEW --no-version --approve`), then retire "
            f"the older versions once clients have moved."
        )
    manifest.resources[table] = new_entry
    current = replace(spec, api_version=version)
    files = render_live(project, current, migration_slot(project, table), entry, versions)
    outcome.layers["Database"] = ["no schema change"]
    outcome.layers["API"] = [f"/api/v{v['version']}/{spec.route}: kept" for v in versions] + [
        f"/api/v{version}/{spec.route}: the current contract"
    ]
    return ResourcePlan(current, files, manifest, []), outcome


ACCESS_WORDS = {
    "user": "every route requires a signed-in user",
    "admin-writes": "signed-in users read, only admins write",
    "public": "every route is open to anyone (no sign-in)",
    "public-admin-writes": "anyone reads (no sign-in), only admins write",
}


def plan_access_change(
    project: Project, old: ResourceArgs, args: ResourceArgs, *, approve: bool | None
) -> tuple[ResourcePlan, Outcome]:
    """Who may call a resource's routes, changed: its routers and tests re-rendered, no
    migration. Opening or closing routes is a security change: escalated."""
    if project.auth is None:
        from scaffold.errors import ProjectError

        raise ProjectError(
            f"The project has no sign-in, so every {args.name} route is already open to "
            "anyone; add sign-in first to protect or open routes.",
            token=f"--{args.access}",
            example="scaffold auth --approve",
        )
    spec = build_spec(project, args)
    manifest = project.manifest.copy()
    manifest.resources[args.name]["args"] = args.to_dict()
    files = render_existing(project, spec)
    plan = ResourcePlan(spec, files, manifest, [])
    outcome = Outcome(command="resource", actions=[" ".join(args.argv())])
    outcome.layers["API"] = [
        f"{args.name}: {ACCESS_WORDS[args.access]} (was: {ACCESS_WORDS[old.access]})"
    ]
    outcome.escalations.append(
        {
            "reason": f"security: changes who may call the {args.name} routes "
            f"({ACCESS_WORDS[old.access]} → {ACCESS_WORDS[args.access]})",
            "trigger": f"--{args.access}",
        }
    )
    outcome.handoff.append(
        f"Tell the clients of {args.name}: {ACCESS_WORDS[args.access]} from this change on."
    )
    if approve is False:
        raise EscalationRequired.listing(
            outcome.escalations, example=f"scaffold {' '.join(args.argv())} --approve"
        )
    return plan, outcome


def render_existing(
    project: Project, spec: ResourceSpec | None = None, table: str = ""
) -> list[Rendered]:
    """Every file of a resource the manifest has, as its stored spec renders now;
    its create migration as it was written."""
    entry = project.manifest.resources[spec.table if spec is not None else table]
    if spec is None:
        spec = build_spec(project, stored_args(entry))
    spec = served(spec, entry)
    slot = migration_slot(project, spec.table)
    return render_live(project, spec, slot, entry, entry.get("versions", []))


def render_live(
    project: Project,
    spec: ResourceSpec,
    slot: MigrationSlot,
    entry: dict,
    versions: list[dict],
) -> list[Rendered]:
    """Every layer of a resource the manifest has (``entry``): ``spec`` as it is now, each
    older API version it still serves, and its create migration as it was written from
    the arguments it was created with (tables renamed since under their names of then)."""
    create_spec = build_created_spec(project, entry)
    return render_resource(
        project,
        spec,
        slot,
        create_spec=create_spec,
        versions=specs_for_versions(project, versions, spec),
    )


def resource_outcome(args: ResourceArgs, plan: ResourcePlan) -> Outcome:
    spec = plan.spec
    inferred = [note for f in spec.fields for note in f.inferred]
    actions = [" ".join(args.argv())]
    outcome = Outcome(command="resource", actions=actions, notes=list(plan.notes))
    if inferred:
        outcome.notes.insert(0, "Inferred: " + "; ".join(inferred))
    for layer, items in resource_layers(spec, plan.files).items():
        outcome.layers.setdefault(layer, []).extend(items)
    plain = [f.name for f in spec.fields if f.sensitive and not f.hashed]
    if plain:
        outcome.handoff.append(
            f"{', '.join(plain)} {'is' if len(plain) == 1 else 'are'} write-only but stored as given "
            "(the app may need to read them back): encrypt at rest if they are long-lived secrets."
        )

    return outcome


def similar_tables(project: Project, table: str) -> list[str]:
    """Warnings about tables the project already has under a similar name
    (``resident_weekly_requirements`` when creating ``weekly_requirements``)."""
    from scaffold.spec.inflect import singularize

    words = set(table.split("_"))
    out = []
    for other, known in sorted(project.known_resources().items()):
        if other == table:
            continue
        other_words = set(other.split("_"))
        same_thing = singularize(other) == singularize(table)
        contains = (
            len(words) > 1
            and (words <= other_words or other_words <= words)
            and (
                other.endswith(table)
                or table.endswith(other)
                or other.startswith(table)
                or table.startswith(other)
            )
        )
        if same_thing or contains:
            where = f" ({known.module}.{known.class_name})" if known.module else ""
            out.append(
                f"Warning: the project already has a table {other!r}{where}, a name like {table!r}: "
                "if it holds the same thing, reference it instead of creating a second table."
            )
    return out
