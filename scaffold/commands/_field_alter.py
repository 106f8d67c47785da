"""``scaffold field alter RESOURCE FIELD:SPEC``: a live column given a new definition.

SPEC is the whole new definition, in ``field add``'s syntax. The plan lists each
attribute that changes (``spec.field_diff``), each one widening (safe) or narrowing
(breaking: escalated, and versioned like ``field rename``/``field remove`` unless
``--no-version``). Rows of the database the project points at that the new definition
cannot keep (NULLs without ``--backfill``, values too long, enum values removed, numbers
out of range, duplicates) are named and nothing is written; the migration
(``generate.alter_migration``) re-checks them before it changes anything.
"""

from __future__ import annotations

import shlex
from dataclasses import replace

from scaffold.commands._index_catalog import live_duplicates
from scaffold.commands.field import FieldChange, entry_of, plan_field_change, refuse_pending
from scaffold.errors import CheckFailed, EscalationRequired, InputError
from scaffold.generate.alter_migration import Probe, offenders
from scaffold.project.core import Project, build_spec
from scaffold.project.files import Rendered
from scaffold.project.manifest import Manifest, stored_args
from scaffold.project.outcome import Outcome
from scaffold.spec.field_diff import NUMBERS, castable, declared_diff, same_definition
from scaffold.spec.fields import EXAMPLE, Field, parse_field
from scaffold.spec.resource import ResourceSpec

_FIXED = ("ref", "json")
# What the column enforces (an older API version cannot keep its own); a number's range too.
_COLUMN_RULES = ("type", "length", "precision", "nullability", "enum values", "unique")


def plan_alter(
    project: Project,
    table: str,
    token: str,
    *,
    backfill: str | None = None,
    approve: bool = False,
    no_version: bool = False,
    database_url: str | None = None,
) -> tuple[Outcome, list[Rendered] | None, Manifest | None]:
    """(outcome, files, manifest); files None when the definition does not change."""
    command = f"scaffold field alter {table} {shlex.quote(token)}"
    if backfill is not None:
        command += f" --backfill {shlex.quote(backfill)}"
    change, (before, old), (after, new) = _request(project, table, token, backfill, command)
    if change is None:
        outcome = Outcome(command="field alter", actions=[command.removeprefix("scaffold ")])
        outcome.notes.append(
            f"{table}.{before.name} is already {before.token!r}: nothing to change."
        )
        return outcome, None, None
    probes = offenders(before, after, old, new, backfill=change.backfill is not None)
    checked = _refuse_offending_rows(project, table, after, probes, database_url)
    try:
        plan, outcome = plan_field_change(project, change, approve=approve, no_version=no_version)
    except EscalationRequired as exc:
        raise EscalationRequired.listing(exc.escalations, example=f"{command} --approve") from None
    attributes = declared_diff(before, after)
    database = [
        f"{table}.{after.name}: {a} ({'narrowing: ' + a.why if a.narrowing else 'widening'})"
        for a in attributes
    ]
    if change.backfill is not None and before.optional and not after.optional:
        database.append(f"NULLs in {table}.{after.name} are set to {change.backfill!r} first")
    if any(a.name == "default" for a in attributes):
        database.append("the default is the model's and the schemas' (no server default)")
    outcome.layers["Database"] = database + outcome.layers.get("Database", [])[1:]
    bound = [
        a.name
        for a in attributes
        if a.name in _COLUMN_RULES or (a.name in ("min", "max") and after.kind in NUMBERS)
    ]
    if plan.manifest.resources[table].get("versions") and bound:
        outcome.handoff.append(
            f"Every API version of {table} reads and writes the same column: the older ones "
            f"take {after.name}'s new {', '.join(bound)} too, and keep their own pattern, "
            "default and filters."
        )
    if checked:
        outcome.notes.append(checked)
    if any(a.name == "pattern" and a.narrowing for a in attributes):
        outcome.notes.append(
            f"Stored values of {table}.{after.name} are not checked against the new pattern "
            "(SQL has no portable regex); rows that do not match it still read back."
        )
    return outcome, plan.files, plan.manifest


def _request(
    project: Project, table: str, token: str, backfill: str | None, command: str
) -> tuple[FieldChange | None, tuple[Field, ResourceSpec], tuple[Field, ResourceSpec]]:
    """The change, the field and its resource's spec before and after it; exit 2 for what
    cannot be altered."""
    old_args = stored_args(entry_of(project, table))
    name = token.partition(":")[0]
    tokens = {t.partition(":")[0]: t for t in old_args.fields}
    if name not in tokens:
        have = ", ".join(tokens) or "none"
        raise InputError(
            f"{table} has no field {name!r} (fields: {have}); `field add` adds one.",
            token=name,
            example=_unknown_example(table, token, list(tokens.values())),
        )
    refuse_pending(project, table, name)
    old_spec = build_spec(project, old_args)
    if name not in {f.name for f in old_spec.fields}:
        raise InputError(
            f"{table}.{name} is a many-to-many link (a join table, no column): remove it and "
            "add the link you want.",
            token=name,
            example=f"scaffold field remove {table} {name} --approve",
        )
    example = f"scaffold field alter {table} {_widened(tokens[name])}"
    try:
        parse_field(token)
    except InputError as exc:
        raise InputError(exc.message, token=exc.token, example=example) from None
    new_args = replace(
        old_args, fields=tuple(token if t == tokens[name] else t for t in old_args.fields)
    )
    before = _field(old_spec.fields, name)
    try:
        new_spec = build_spec(project, new_args)
    except InputError as exc:
        raise InputError(exc.message, token=exc.token, example=example) from None
    after = _field(new_spec.fields, name)
    _refuse_unsupported(table, before, after, example)
    if same_definition(before, after):
        if backfill is not None:
            raise InputError(
                f"--backfill fills NULLs when {name} becomes required, and {token!r} changes nothing.",
                token="--backfill",
                example=example,
            )
        return None, (before, old_spec), (after, new_spec)
    change = FieldChange("alter", table, new_args, old_args)
    change.backfill = _backfill(table, before, after, backfill, command)
    return change, (before, old_spec), (after, new_spec)


def _unknown_example(table: str, token: str, tokens: list[str]) -> str:
    """``field add`` of the user's token when it parses; else an alter of a field there is."""
    try:
        parse_field(token)
    except InputError:
        return f"scaffold field alter {table} {_widened(tokens[0])}" if tokens else EXAMPLE
    return f"scaffold field add {table} {shlex.quote(token)}"


def _field(fields: tuple[Field, ...], name: str) -> Field:
    return next(f for f in fields if f.name == name)


def _widened(token: str) -> str:
    """A runnable alter of ``token``: the same field made optional (or given an index)."""
    parts = token.split(":")
    for extra in ("optional", "index"):
        if extra not in parts:
            return shlex.quote(f"{token}:{extra}")
    return shlex.quote(token)


def _refuse_unsupported(table: str, before: Field, after: Field, example: str) -> None:
    why = None
    if before.kind in _FIXED or after.kind in _FIXED:
        kind = before.kind if before.kind in _FIXED else after.kind
        if before.kind != after.kind or before.ref_table != after.ref_table:
            why = f"a {kind} column cannot change its type or target in place"
        elif before.ondelete != after.ondelete:
            why = "ondelete of a foreign key cannot change in place"
    elif not castable(before, after):
        why = f"a {before.kind} column has no cast to {after.kind} that keeps its data"
    if before.sensitive != after.sensitive:
        why = "sensitive changes who may read the field (a security change)"
    if why is None:
        return
    raise InputError(
        f"{table}.{before.name} cannot become {after.token!r}: {why}; add a new field, copy "
        "the data, then remove the old one.",
        token=after.token,
        example=example,
    )


def _backfill(
    table: str, before: Field, after: Field, text: str | None, command: str
) -> object | None:
    """The value NULLs get when the column becomes NOT NULL: ``--backfill``, else the new
    default; None when there is nothing to fill."""
    required = before.optional and not after.optional
    if text is None:
        return after.default if required and after.has_default and after.default != "now" else None
    if not required:
        raise InputError(
            f"--backfill fills NULLs when {after.name} becomes required; {after.token!r} "
            f"{'is optional' if after.optional else 'was required already'}.",
            token="--backfill",
            example=command.partition(" --backfill")[0],
        )
    from scaffold.spec.field_values import parse_default

    example = f"{command.partition(' --backfill')[0]} --backfill {shlex.quote(_sample(after))}"
    try:
        value = parse_default(after.kind, text, dict(vars(after)), after.token)
    except InputError as exc:
        raise InputError(
            exc.message.replace("default=", "--backfill "), token=text, example=example
        ) from None
    if value == "now" and after.kind == "datetime":
        raise InputError(
            "--backfill now would stamp every empty row with the time of the migration; "
            "give the timestamp they should have.",
            token=text,
            example=example,
        )
    return value


def _sample(f: Field) -> str:
    """A --backfill value of ``f``'s type that its rules accept."""
    if f.kind == "enum":
        return f.choices[0]
    if f.kind in NUMBERS:
        return str(f.min if f.min is not None else 0)
    return {
        "bool": "false",
        "date": "2026-01-01",
        "uuid": "00000000-0000-0000-0000-000000000000",
    }.get(f.kind, "unknown")


def _refuse_offending_rows(
    project: Project, table: str, after: Field, probes: list[Probe], database_url: str | None
) -> str:
    """Exit 1 naming the first rows the new definition cannot keep; else what was read."""
    if not probes:
        return ""
    from scaffold.project.interpreter import project_python

    python = project_python(project.root)
    settings = None if project.adopted else f"{project.layout.package}.core.config"
    where = ""
    for probe in probes:
        where, rows = live_duplicates(project.root, python, probe.sql, database_url, settings)
        if rows is None:
            return (
                f"Rows not checked in {where}; the migration checks them before it alters anything."
            )
        if rows:
            raise CheckFailed(
                f"{probe.message}: {_shown(probe, after.name, rows)} in {where}. Nothing was "
                "written; fix those rows (or give --backfill), then run it again.",
                token=after.token,
                example=f"scaffold field alter {table} {shlex.quote(after.token)}",
            )
    return f"Rows checked in {where}: all fit {after.token!r}."


def _shown(probe: Probe, name: str, rows: list[list[str | None]]) -> str:
    n = len(probe.duplicates)
    if n:
        return "; ".join(
            ", ".join(f"{c}={v!r}" for c, v in zip(probe.duplicates, r[:n], strict=True))
            + f" ({r[n]} rows, ids {r[n + 1]}…{r[n + 2]})"
            for r in rows
        )
    return "; ".join(f"id {r[0]}: {name}={r[1]!r}" for r in rows)
