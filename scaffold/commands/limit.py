"""``scaffold limit RESOURCE 100/minute``: a generated resource's own rate limit.

The rate goes into the resource's arguments in the manifest (``--rate-limit``), so
``upgrade`` and every later re-render keep it; the router counts it per client address
over all the resource's routes, on top of ``RATE_LIMIT_DEFAULT``, and its tests prove the
N+1th request is a 429. No migration: nothing in the database changes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from scaffold.errors import InputError, ProjectError
from scaffold.project.core import Project
from scaffold.project.manifest import stored_args
from scaffold.project.outcome import Outcome
from scaffold.spec.rates import parse_rate

if TYPE_CHECKING:
    from scaffold.commands._resource_plan import ResourcePlan
    from scaffold.project.files import Rendered
    from scaffold.project.manifest import Manifest

TEMPLATE_DEFAULT = "100/minute"


def plan_limit(
    project: Project, table: str, rate: str | None
) -> tuple[Outcome, list[Rendered] | None, Manifest | None]:
    """(outcome, files, manifest) of setting (``rate``) or removing (None) ``table``'s
    limit; files None when the resource already has that limit."""
    example = f"scaffold limit {table} 100/minute"
    entry = project.manifest.resources.get(table)
    if entry is None:
        have = ", ".join(sorted(project.manifest.resources)) or "none yet"
        raise InputError(
            f"{table} is not a resource scaffold generated (resources: {have}), so its "
            "routes are not scaffold's to limit; a route of your own takes "
            'rate_limit("100/minute") from app.core.limits as a dependency.',
            token=table,
            example=f"scaffold limit {sorted(project.manifest.resources)[0]} 100/minute"
            if project.manifest.resources
            else "scaffold resource residents name:str --rate-limit 100/minute",
        )
    if project.profile is not None:
        raise ProjectError(
            f"{table} is served by an adopted project, whose routes keep the project's own "
            "rate limiting: scaffold writes app.core.limits only in the projects it made.",
            token="limit",
            example=f"scaffold check --project {project.root}",
        )
    wanted = parse_rate(rate, example=example) if rate is not None else None
    if stored_args(entry).rate_limit == wanted:
        outcome = Outcome(command="limit", actions=[_action(table, wanted)])
        outcome.notes.append(_already(table, wanted))
        return outcome, None, None
    plan, outcome = plan_limit_change(project, table, wanted)
    return outcome, plan.files, plan.manifest


def plan_limit_change(
    project: Project, table: str, wanted: str | None
) -> tuple[ResourcePlan, Outcome]:
    """The plan and outcome of a generated resource's new limit (``wanted``, canonical)."""
    old = stored_args(project.manifest.resources[table])
    outcome = Outcome(command="limit", actions=[_action(table, wanted)])
    plan = _plan(project, table, wanted)
    outcome.layers["Database"] = ["no schema change"]
    outcome.layers["API"] = [_describe(table, wanted, old.rate_limit)]
    outcome.layers["Tests"] = (
        [f"tests/test_{table}.py: the request after {wanted.partition('/')[0]} is a 429"]
        if wanted
        else []
    )
    if wanted and _per_minute(wanted) > _per_minute(TEMPLATE_DEFAULT):
        outcome.handoff.append(
            f"{table} allows {wanted}, more than RATE_LIMIT_DEFAULT's {TEMPLATE_DEFAULT} (the "
            "template's default), which every route counts too: raise RATE_LIMIT_DEFAULT where "
            "the app runs for the looser limit to matter."
        )
    outcome.handoff.append(
        "Rate-limit counters are per worker process unless RATE_LIMIT_STORAGE_URI (or "
        "REDIS_URL) names a shared store: with several workers set it where the app runs."
    )
    return plan, outcome


def _plan(project: Project, table: str, rate: str | None) -> ResourcePlan:
    """Every layer of the resource re-rendered with the new limit (every API version it
    serves: each version's router counts it), and the manifest that keeps it."""
    from scaffold.commands._resource_plan import ResourcePlan
    from scaffold.generate.compose import migration_slot, render_resource
    from scaffold.project.core import build_created_spec, build_spec, served, specs_for_versions

    manifest = project.manifest.copy()
    entry = manifest.resources[table]
    entry["args"] = replace(stored_args(entry), rate_limit=rate).to_dict()
    if "versions" in entry:  # copied: the project's own manifest stays as it was
        entry["versions"] = [
            {**v, "args": replace(stored_args(v), rate_limit=rate).to_dict()}
            for v in entry["versions"]
        ]
    spec = served(build_spec(project, stored_args(entry), entry=entry), entry)
    # As `render_live`: the create migration as written, every served version beside it.
    files = render_resource(
        project,
        spec,
        migration_slot(project, table),
        create_spec=build_created_spec(project, entry),
        versions=specs_for_versions(project, entry.get("versions", []), spec),
    )
    return ResourcePlan(spec, files, manifest, [])


def _action(table: str, rate: str | None) -> str:
    return f"limit {table} {rate}" if rate else f"limit {table} --remove"


def _describe(table: str, rate: str | None, was: str | None) -> str:
    now = (
        f"{table}: {rate} per client over all its routes (429 after that)"
        if rate
        else f"{table}: no limit of its own (RATE_LIMIT_DEFAULT only)"
    )
    return f"{now}; was {was or 'RATE_LIMIT_DEFAULT only'}"


def _already(table: str, rate: str | None) -> str:
    if rate is None:
        return f"{table} has no limit of its own: RATE_LIMIT_DEFAULT alone counts its routes."
    return (
        f"{table} is already limited to {rate} per client (its router's limit_requests; "
        f"tests/test_{table}.py proves the 429): nothing to change."
    )


_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _per_minute(rate: str) -> float:
    count, _, period = rate.partition("/")
    return int(count) * 60 / _SECONDS[period]
