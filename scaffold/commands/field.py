"""Changes to a live resource: ``field add``, ``field remove``, ``field rename``.

One change = the resource re-rendered from its new spec (three-way merged with
the user's edits by the pipeline) plus one new migration for the table. A
change that breaks the API contract or destroys data is escalated; once
approved, the old contract stays served at its version and the new one
appears at the next (``/api/v2``), unless ``--no-version``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from scaffold.commands import _field_contract
from scaffold.commands._resource_plan import ResourcePlan, resource_layers
from scaffold.errors import EscalationRequired, InputError
from scaffold.generate import alter, alter_migration, rename_expand
from scaffold.generate.compose import MigrationSlot, render_resource
from scaffold.generate.values import sa_migration_type
from scaffold.project.core import Project, build_created_spec, build_spec, specs_for_versions
from scaffold.project.files import Rendered
from scaffold.project.manifest import stored_args
from scaffold.project.outcome import Outcome
from scaffold.spec.args import ResourceArgs
from scaffold.spec.constraints import renamed_check, renamed_unique
from scaffold.spec.field_diff import REWRITING_TYPES, bound_token, declared_diff
from scaffold.spec.fields import Field
from scaffold.spec.resource import ResourceSpec

BREAKING_REMOVE = "destructive and breaking: drops column {table}.{name} and its data; API clients that send or read {name} break"
BREAKING_RENAME = "breaking: renames {table}.{old} to {new}; API clients that use {old} break"
REQUIRED_ON_LIVE = "data change: makes {table}.{name} required on an existing table; existing rows are backfilled with {value}"
NARROWING = "breaking: narrows {table}.{name} from {old} to {new} characters; longer stored values and clients break"
SECURITY = "security: adds the sensitive field {table}.{name} (write-only in the API)"


@dataclass
class FieldChange:
    """A parsed change request; ``escalations`` are (reason, trigger) pairs."""

    kind: str  # add | remove | rename | respec | alter
    table: str
    new_args: ResourceArgs
    old_args: ResourceArgs  # as the manifest keeps them, before the change
    renames: dict[str, str] = field(default_factory=dict)
    escalations: list[tuple[str, str]] = field(default_factory=list)
    breaking: bool = False
    backfill: Any = None  # alter: the value NULLs get when the column becomes NOT NULL


def entry_of(project: Project, table: str) -> dict:
    entry = project.manifest.resources.get(table)
    if entry is None:
        have = ", ".join(sorted(project.manifest.resources)) or "none yet"
        raise InputError(
            f"{table!r} is not a resource scaffold generated here (resources: {have}).",
            token=table,
            example=f"scaffold resource {table} name:str",
        )
    return entry


def _name_of(token: str) -> str:
    return token.partition(":")[0]


def request_add(project: Project, table: str, tokens: list[str]) -> FieldChange:
    old = stored_args(entry_of(project, table))
    have = {_name_of(t) for t in old.fields}
    for token in tokens:
        if _name_of(token) in have:
            raise InputError(
                f"{table} already has a field {_name_of(token)!r}.",
                token=_name_of(token),
                example=f"scaffold field rename {table} {_name_of(token)} new_name",
            )
    return FieldChange("add", table, replace(old, fields=old.fields + tuple(tokens)), old)


def request_remove(project: Project, table: str, name: str) -> FieldChange:
    old = stored_args(entry_of(project, table))
    if name not in {_name_of(t) for t in old.fields}:
        raise InputError(
            f"{table} has no field {name!r} (fields: {', '.join(_name_of(t) for t in old.fields) or 'none'}).",
            token=name,
            example=f"scaffold field remove {table} <field>",
        )
    for group in old.uniques + old.checks:
        if (
            name
            in group.replace(",", " ").replace("<", " ").replace(">", " ").replace("=", " ").split()
        ):
            raise InputError(
                f"{name!r} is part of {group!r}; a field in a composite rule cannot be removed on its own.",
                token=name,
                example=f"scaffold field remove {table} <field>",
            )
    fields = tuple(t for t in old.fields if _name_of(t) != name)
    return FieldChange("remove", table, replace(old, fields=fields), old)


def refuse_pending(project: Project, table: str, *names: str) -> None:
    """A column in an expansion not yet contracted (both columns and their sync trigger
    still on PostgreSQL) is renamed again or altered only after ``field contract``: the
    trigger copies values between the two, whose types and rules must stay alike."""
    expanded = entry_of(project, table).get("expanded", {})
    for old, new in expanded.items():
        if {old, new} & set(names):
            raise InputError(
                f"{table}.{new} is still kept in sync with its old column {old!r} on "
                "PostgreSQL; contract that rename first.",
                token=new if new in names else old,
                example=f"scaffold field contract {table} {old}",
            )


def request_rename(project: Project, table: str, old_name: str, new_name: str) -> FieldChange:
    old = stored_args(entry_of(project, table))
    names = [_name_of(t) for t in old.fields]
    if old_name not in names:
        raise InputError(
            f"{table} has no field {old_name!r}.",
            token=old_name,
            example=f"scaffold field rename {table} phone phone_number",
        )
    if new_name in names:
        raise InputError(
            f"{table} already has a field {new_name!r}.",
            token=new_name,
            example=f"scaffold field rename {table} phone phone_number",
        )
    refuse_pending(project, table, old_name, new_name)
    fields = tuple(
        new_name + t[len(old_name) :] if _name_of(t) == old_name else t for t in old.fields
    )
    # The --unique and --check rules that name the column follow it (and their constraints).
    uniques = tuple(renamed_unique(g, old_name, new_name) for g in old.uniques)
    checks = tuple(renamed_check(c, old_name, new_name) for c in old.checks)
    new_args = replace(old, fields=fields, uniques=uniques, checks=checks)
    return FieldChange("rename", table, new_args, old, renames={old_name: new_name})


def plan_field_change(
    project: Project, change: FieldChange, *, approve: bool | None, no_version: bool
) -> tuple[ResourcePlan, Outcome]:
    """Render the changed resource and its migration.

    Escalations are computed from the planned change; without ``approve`` they
    raise before anything is planned to disk (``approve=None`` only collects them,
    for missions that ask once for several actions).
    """
    project.require_alembic()
    entry = entry_of(project, change.table)
    _refuse_versioned_unique_rename(change, no_version, int(entry.get("api_version", 1)))
    old_spec = build_spec(project, change.old_args)
    new_spec = build_spec(project, change.new_args)
    ops = alter.Ops(change.table)
    contracted = _contract_removed(project, entry, change, ops)
    summary = _diff(change, old_spec, new_spec, ops)
    command = "endpoint" if change.kind == "endpoint" else f"field {change.kind}"
    outcome = Outcome(command=command, actions=[summary])
    outcome.escalations = [{"reason": r, "trigger": t} for r, t in change.escalations]
    outcome.handoff += [_contract_step(change.table, o, n) for o, n in change.renames.items()]
    if change.escalations and approve is False:
        raise EscalationRequired.listing(
            outcome.escalations, example=f"scaffold {command} ... --approve"
        )
    migration = None
    if ops.upgrade:
        migration = alter.render_alter(
            project, ops, summary, f"{change.table}_{revision_slug(summary)}"
        )
    manifest = project.manifest.copy()
    new_entry = dict(entry)
    new_entry.setdefault("create_args", entry["args"])
    new_entry["args"] = change.new_args.to_dict()
    if migration is not None:
        new_entry["migrations"] = [*entry.get("migrations", []), migration[0]]
    for old_name in contracted:
        new_entry = _field_contract.contracted(new_entry, old_name)
    if change.renames:  # expanded on PostgreSQL: `field contract` drops the old column
        new_entry["expanded"] = {**entry.get("expanded", {}), **change.renames}
        # The sync triggers by name: a later table rename keeps them, not the names they had.
        triggers = {
            o: rename_expand.trigger_name(change.table, o, n) for o, n in change.renames.items()
        }
        new_entry["expanded_triggers"] = {**entry.get("expanded_triggers", {}), **triggers}
    versions = [dict(v) for v in entry.get("versions", [])]
    latest = int(entry.get("api_version", 1))
    if change.breaking and not no_version:
        versions.append({"version": latest, "args": entry["args"], "renames": {}, "removed": []})
        versions = _compose(versions, change)
        latest += 1
        outcome.handoff.append(
            f"/api/v{latest - 1} keeps the old contract of {change.table}; the new one is served at "
            f"/api/v{latest}. Tell clients to move, then retire v{latest - 1}."
        )
    elif change.breaking:
        outcome.handoff.append(
            f"--no-version: /api/v{latest} changed in place; clients that use the old contract break."
        )
        versions = _compose(versions, change)
    if change.kind == "alter":
        versions = _bind_versions(versions, change)
    new_entry["versions"] = versions
    new_entry["api_version"] = latest
    if not versions:
        del new_entry["versions"]
    manifest.resources[change.table] = new_entry
    current = replace(new_spec, api_version=latest)
    create_spec = build_created_spec(project, new_entry)
    slot = MigrationSlot(entry["revision"], entry.get("down_revision"), entry["migration"])
    version_specs = specs_for_versions(project, versions, current)
    files = render_resource(project, current, slot, create_spec=create_spec, versions=version_specs)
    database = [summary]
    if migration is not None:
        files.append(Rendered(migration[0], migration[1], resource=change.table, frozen=True))
        database.append(f"migration `{migration[0]}`")
    else:
        database = ["no schema change"]
    for layer, items in resource_layers(current, files).items():
        outcome.layers[layer] = database if layer == "Database" else items
    notes = ["Next steps:", "  alembic upgrade head", f"  pytest {project.layout.tests}"]
    return ResourcePlan(current, files, manifest, notes), outcome


def _contract_removed(
    project: Project, entry: dict, change: FieldChange, ops: alter.Ops
) -> list[str]:
    """A removed column that a rename not yet contracted keeps in sync with its old one:
    on PostgreSQL the trigger and the old column go first, in the same migration."""
    kept = {_name_of(t) for t in change.new_args.fields}
    gone = [o for o, n in entry.get("expanded", {}).items() if n not in kept]
    for old_name in gone:
        _field_contract.contract_ops(project, entry, change.table, old_name, ops)
    return gone


def _contract_step(table: str, old: str, new: str) -> str:
    """The Handoff line of a rename: the later command that finishes it."""
    return (
        f"Expand step only: on PostgreSQL {table}.{old} stays, kept equal to {new} by a "
        "trigger, so code of the previous release keeps working. Once none runs, contract: "
        f"scaffold field contract {table} {old} (drops the old column and the trigger; "
        "SQLite renamed the column in place already)"
    )


def _refuse_versioned_unique_rename(change: FieldChange, no_version: bool, served: int) -> None:
    """A --unique rule's 409 names its columns for every served version alike, so the old
    version would name the new column: such a rename changes the contract in place only."""
    for old_name, new_name in change.renames.items():
        for group in change.old_args.uniques:
            if not no_version and old_name in [part.strip() for part in group.split(",")]:
                raise InputError(
                    f"{old_name!r} is part of the rule --unique {group}, whose conflict message "
                    f"(409) would name {new_name!r} to the clients of /api/v{served} too; rename it "
                    "in place with --no-version, or rename a field that is in no --unique rule.",
                    token=old_name,
                    example=f"scaffold field rename {change.table} {old_name} {new_name} --approve --no-version",
                )


def revision_slug(summary: str) -> str:
    """``rooms: add capacity int`` → ``add_capacity_int`` (for the migration file name)."""
    return (
        re.sub(r"[^a-z0-9]+", "_", summary.partition(": ")[2].lower()).strip("_")[:40] or "change"
    )


def _compose(versions: list[dict], change: FieldChange) -> list[dict]:
    """Carry a column change into the mapping of every older API version."""
    out = []
    for v in versions:
        renames = dict(v.get("renames", {}))
        removed = list(v.get("removed", []))
        for token in stored_args(v).fields:
            api = _name_of(token)
            column = renames.get(api, api)
            if api in removed:
                continue
            if column in change.renames:
                renames[api] = change.renames[column]
            elif change.kind == "remove" and column not in {
                _name_of(t) for t in change.new_args.fields
            }:
                removed.append(api)
                renames.pop(api, None)
        out.append({**v, "renames": renames, "removed": removed})
    return out


def _bind_versions(versions: list[dict], change: FieldChange) -> list[dict]:
    """Older API versions serve the altered column too: its rules bind them (``bound_token``)."""
    before = set(change.old_args.fields)
    columns = {_name_of(t): t for t in change.new_args.fields if t not in before}
    out = []
    for v in versions:
        renames = v.get("renames", {})
        fields = []
        for token in stored_args(v).fields:
            api = _name_of(token)
            column = renames.get(api, api)
            if column in columns and api not in v.get("removed", []):
                token = bound_token(token, api + columns[column][len(column) :])
            fields.append(token)
        out.append({**v, "args": replace(stored_args(v), fields=tuple(fields)).to_dict()})
    return out


def _diff(change: FieldChange, old: ResourceSpec, new: ResourceSpec, ops: alter.Ops) -> str:
    """Fill ``ops`` and the escalations; return a one-line summary of the change."""
    table = change.table
    old_by = {f.name: f for f in old.fields}
    new_by = {f.name: f for f in new.fields}
    renamed_to = set(change.renames.values())
    parts = []
    for f in new.fields:
        if f.name in old_by or f.name in renamed_to:
            continue
        alter.add_column(ops, f, new)
        parts.append(f"add {f.name} {f.kind}{'' if f.optional else ' (required)'}")
        if not f.optional and not f.has_default:
            value = alter.backfill_value(f, new, alter.Imports())
            change.escalations.append(
                (REQUIRED_ON_LIVE.format(table=table, name=f.name, value=value), f.token)
            )
        if f.sensitive:
            change.escalations.append((SECURITY.format(table=table, name=f.name), f.name))
    for f in old.fields:
        if f.name in new_by or f.name in change.renames:
            continue
        alter.drop_column(ops, f, old)
        parts.append(f"remove {f.name}")
        change.escalations.append((BREAKING_REMOVE.format(table=table, name=f.name), f.name))
        change.breaking = True
    for old_name, new_name in change.renames.items():
        rename_expand.expand_rename(ops, old_by[old_name], new_by[new_name], old, new)
        parts.append(f"rename {old_name} to {new_name}")
        change.escalations.append(
            (BREAKING_RENAME.format(table=table, old=old_name, new=new_name), old_name)
        )
        change.breaking = True
    for name, f in new_by.items():
        before = old_by.get(name)
        if before is not None and before.token != f.token:
            _modify(change, before, f, old, new, ops, parts)
    from scaffold.generate.migration import join_table_migration

    old_many = {m.name: m for m in old.many}
    new_many = {m.name: m for m in new.many}
    for name, m in new_many.items():
        if name in old_many:
            continue
        up, down = join_table_migration(new, m)
        ops.pair(up, down)
        parts.append(f"link {name} ({m.target.table}) through {m.join_table}")
    for name, m in old_many.items():
        if name in new_many:
            continue
        up, down = join_table_migration(old, m)
        ops.pair(down, up)
        parts.append(f"unlink {name} (drop {m.join_table})")
        change.escalations.append(
            (
                f"breaking and destructive: {table}.{m.ids_field} leaves the API and the links "
                f"in {m.join_table} are deleted",
                name,
            )
        )
        change.breaking = True
    for parent in new.lists_under:
        if parent not in old.lists_under:
            parts.append(
                f"list under {parent.table} (GET /{parent.table.replace('_', '-')}/{{id}}/{new.route})"
            )
    if not parts:
        raise InputError(
            f"Nothing changes in {table}.",
            token=table,
            example=f"scaffold field add {table} notes:text:optional",
        )
    return f"{table}: " + ", ".join(parts)


def _modify(
    change: FieldChange,
    before: Field,
    after: Field,
    old: ResourceSpec,
    new: ResourceSpec,
    ops: alter.Ops,
    parts: list[str],
) -> None:
    """Fill ``ops``, ``parts`` and the escalations for a field whose token changed: its
    length, index or optional; exit 2 for any other change. ``field alter`` changes any
    attribute (``alter_migration``), each narrowing one escalated and breaking."""
    table = change.table
    if change.kind == "alter":
        changed = declared_diff(before, after)
        alter_migration.alter_column(ops, before, after, old, new, backfill=change.backfill)
        for attribute in changed:
            if attribute.narrowing:
                reason = f"breaking: {table}.{after.name} {attribute}: {attribute.why}"
                change.escalations.append((reason, after.token))
                change.breaking = True
            elif attribute.name == "type" and (before.kind, after.kind) in REWRITING_TYPES:
                reason = (
                    f"risky: {table}.{after.name} {attribute} rewrites {table} on PostgreSQL "
                    "under an ACCESS EXCLUSIVE lock (reads and writes wait until it ends): "
                    "approve it for a quiet moment"
                )
                change.escalations.append((reason, after.token))
        parts.append(f"alter {after.name}: " + ", ".join(map(str, changed)))
        return
    same = replace(
        after,
        token=before.token,
        length=before.length,
        index=before.index,
        optional=before.optional,
    )
    if same != before or before.kind != after.kind:
        raise InputError(
            f"Changing {table}.{before.name} from {before.token!r} to {after.token!r} is not supported "
            "here (only its length, index or optional); `scaffold field alter` changes the rest.",
            token=after.token,
            example=f"scaffold field alter {table} {shlex.quote(after.token)}",
        )
    if before.length != after.length and before.kind == "str":
        _alter_length(change, before, after, ops)
        parts.append(f"{before.name} length {before.length} → {after.length}")
    if before.index != after.index and not (before.is_ref or before.unique):
        if after.index:
            alter.add_index(ops, table, after.name)
        else:
            ops.pair(*reversed(_index_pair(ops, table, after.name)))
        parts.append(f"{'add' if after.index else 'drop'} index on {after.name}")
    if before.optional != after.optional:
        _alter_nullable(change, before, after, new, ops)
        parts.append(f"{after.name} {'optional' if after.optional else 'required'}")


def _alter_length(change: FieldChange, before: Field, after: Field, ops: alter.Ops) -> None:
    """A string column's new length; narrowing it is escalated."""
    ops.pair(
        [
            ops.batch(
                [
                    f"batch_op.alter_column({before.name!r}, existing_type=sa.String(length={before.length}), type_=sa.String(length={after.length}))"
                ]
            )
        ],
        [
            ops.batch(
                [
                    f"batch_op.alter_column({before.name!r}, existing_type=sa.String(length={after.length}), type_=sa.String(length={before.length}))"
                ]
            )
        ],
    )
    if after.length < before.length:
        change.escalations.append(
            (
                NARROWING.format(
                    table=change.table, name=before.name, old=before.length, new=after.length
                ),
                after.token,
            )
        )


def _alter_nullable(
    change: FieldChange, before: Field, after: Field, new: ResourceSpec, ops: alter.Ops
) -> None:
    """A column made optional, or required: then its empty rows are backfilled first,
    escalated."""
    table = change.table
    sa_type = sa_migration_type(after, new)
    up = [
        ops.batch(
            [
                f"batch_op.alter_column({after.name!r}, existing_type={sa_type}, nullable={after.optional})"
            ]
        )
    ]
    down = [
        ops.batch(
            [
                f"batch_op.alter_column({after.name!r}, existing_type={sa_type}, nullable={before.optional})"
            ]
        )
    ]
    if not after.optional:
        value = alter.backfill_value(after, new, ops.imports)
        # Typed, so the offline SQL (alembic upgrade --sql) can render the value.
        column = f"sa.column({after.name!r}, {sa_type})"
        fill = f"op.execute(sa.table({table!r}, {column}).update().where({column}.is_(None)).values({{{after.name!r}: {value}}}))"
        up.insert(0, fill)
        change.escalations.append(
            (REQUIRED_ON_LIVE.format(table=table, name=after.name, value=value), after.token)
        )
    ops.pair(up, down)


def _index_pair(ops: alter.Ops, table: str, column: str) -> tuple[list[str], list[str]]:
    probe = alter.Ops(table, ops.imports)
    alter.add_index(probe, table, column)
    return probe.upgrade, probe.downgrade
