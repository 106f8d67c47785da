"""``scaffold constraint add TABLE --unique a,b | --check "a<b"``: a rule on a live table.

``--unique`` is ``index add --unique`` (a unique constraint in a generated resource's
spec, 409 on a duplicate; a unique index elsewhere). ``--check`` goes into a generated
resource's spec like ``resource --check``: the schemas answer 422 when it is broken, the
model gains the CheckConstraint, the tests cover both, and one migration adds it (``NOT
VALID`` then ``VALIDATE CONSTRAINT`` in a step of its own on PostgreSQL). Rows of the
database the project points at that already break the rule refuse it, named; the
migration re-checks before it adds anything.
"""

from __future__ import annotations

import re
from dataclasses import replace

from scaffold.commands._index_add import plan_index_add, rerender
from scaffold.commands._index_catalog import IndexRequest, live_duplicates, parse_columns
from scaffold.errors import CheckFailed, InputError
from scaffold.generate import alter
from scaffold.project.core import Project
from scaffold.project.files import Rendered
from scaffold.project.manifest import Manifest, stored_args
from scaffold.project.outcome import Outcome
from scaffold.spec.constraints import Check

_SQL_OP = {"=": "=", "!=": "<>"}


def plan_constraint_add(
    project: Project,
    table: str,
    *,
    unique: str | None,
    check: str | None,
    database_url: str | None = None,
) -> tuple[Outcome, list[Rendered] | None, Manifest | None]:
    """(outcome, files, manifest); files None when the rule is already there."""
    example = f'scaffold constraint add {table} --check "start_at<end_at"'
    if (unique is None) == (check is None):
        raise InputError(
            "constraint add takes one rule: --unique a,b or --check EXPR.",
            token="--check" if check is not None else "--unique",
            example=f"scaffold constraint add {table} --unique {unique}" if unique else example,
        )
    if unique is not None:
        request = IndexRequest(table, parse_columns(unique, table), unique=True)
        outcome, files, manifest = plan_index_add(project, request, database_url=database_url)
        outcome.command = "constraint add"
        return outcome, files, manifest
    return _plan_check(project, table, check or "", database_url)


def _plan_check(
    project: Project, table: str, text: str, database_url: str | None
) -> tuple[Outcome, list[Rendered] | None, Manifest | None]:
    from scaffold.project.core import build_spec
    from scaffold.project.interpreter import project_python

    project.require_alembic()
    entry = project.manifest.resources.get(table)
    if entry is None:
        have = ", ".join(sorted(project.manifest.resources)) or "none yet"
        raise InputError(
            f"--check rules go on resources scaffold generated ({have}); {table!r} is not one.",
            token=table,
            example=f'scaffold constraint add {next(iter(sorted(project.manifest.resources)), table)} --check "{text}"',
        )
    args = stored_args(entry)
    outcome = Outcome(
        command="constraint add", actions=[f'constraint add {table} --check "{text}"']
    )
    if _squeezed(text) in {_squeezed(c) for c in args.checks}:
        outcome.notes.append(f"{table} already has the rule --check {text!r}. Nothing to write.")
        return outcome, None, None
    new_args = replace(args, checks=(*args.checks, text))
    spec = build_spec(project, args)
    try:
        new_spec = build_spec(project, new_args)
    except InputError as exc:
        raise InputError(
            exc.message,
            token=exc.token or text,
            example=_check_example(table, spec, text, exc.token),
        ) from None
    rule = new_spec.checks[-1]
    sql = violations_sql(table, rule)
    python = project_python(project.root)
    settings = None if project.adopted else f"{project.layout.package}.core.config"
    where, rows = live_duplicates(project.root, python, sql, database_url, settings)
    if rows:
        shown = "; ".join(
            f"id {row[0]}: {rule.left}={row[1]!r}"
            + (f", {rule.right}={row[2]!r}" if rule.right_is_field else "")
            for row in rows
        )
        raise CheckFailed(
            f"{table} cannot take --check {text!r}: rows of {where} break it: {shown}. "
            "Nothing was written; fix those rows, then run it again.",
            token=text,
            example=f'scaffold constraint add {table} --check "{text}"',
        )
    outcome.notes.append(
        f"Rows checked in {where}: none break it."
        if rows is not None
        else f"Rows not checked in {where}."
    )
    ops = alter.Ops(table)
    name = alter.add_check(ops, new_spec, rule, sql)
    summary = f"{table}: add CHECK {name} ({rule.left} {rule.op} {rule.right})"
    slug = f"{table}_add_check_{rule.slug}"[:60]
    path, migration, _down, _rev = alter.render_alter(project, ops, summary, slug)
    files, manifest = rerender(project, entry, new_args, new_spec, path)
    files.append(Rendered(path, migration, resource=table, frozen=True))
    outcome.actions = [summary]
    outcome.layers["Database"] = [
        f"CHECK {name}: {rule.text}",
        f"migration `{path}` (NOT VALID, then VALIDATE CONSTRAINT on PostgreSQL; re-checks the rows first)",
    ]
    outcome.layers["Schemas"] = [f"422 when {rule.message}, on create and update"]
    outcome.layers["Tests"] = ["the tests of the rule (422 on a request that breaks it)"]
    outcome.notes += ["Next steps:", "  alembic upgrade head"]
    return outcome, files, manifest


def violations_sql(table: str, rule: Check) -> str:
    """The rows (id and the compared columns) that break ``rule``; five at most. NULLs
    pass, as they pass a CHECK."""
    op = _SQL_OP.get(rule.op, rule.op)
    right = f'"{rule.right}"' if rule.right_is_field else rule.right
    columns = f'"id", "{rule.left}"' + (f", {right}" if rule.right_is_field else "")
    return (
        f'SELECT {columns} FROM "{table}" WHERE NOT ("{rule.left}" {op} {right}) '
        'ORDER BY "id" LIMIT 5'
    )


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _check_example(table: str, spec: object, text: str, token: str | None) -> str:
    """The user's rule with the field they misspelt corrected; else a rule that works on
    this resource: two comparable fields, else a number field."""
    import difflib

    from scaffold.spec.constraints import COMPARABLE

    names = [f.name for f in getattr(spec, "fields", ())]
    close = difflib.get_close_matches(token or "", names, n=1) if token not in names else []
    if close and token:
        fixed = re.sub(rf"\b{re.escape(token)}\b", close[0], text)
        return f'scaffold constraint add {table} --check "{fixed}"'
    fields = [f for f in getattr(spec, "fields", ()) if f.kind in COMPARABLE]
    for a in fields:
        for b in fields:
            if a is not b and COMPARABLE[a.kind] == COMPARABLE[b.kind] != "str":
                return f'scaffold constraint add {table} --check "{a.name}<={b.name}"'
    numbers = [f for f in fields if COMPARABLE[f.kind] == "number"]
    if numbers:
        return f'scaffold constraint add {table} --check "{numbers[0].name}>=0"'
    return f"scaffold constraint add {table} --unique {fields[0].name if fields else 'name'}"


def plan_constraint_drop(
    project: Project, table: str, *, unique: str | None, check: str | None
) -> tuple[Outcome, list[Rendered] | None, Manifest | None]:
    """Remove a --unique or --check rule from a generated resource: its spec, every layer
    (no more 409/422 for it) and one migration dropping the constraint (its downgrade
    re-checks the rows and adds it back)."""
    from scaffold.generate.values import unique_sets
    from scaffold.project.core import build_spec

    project.require_alembic()
    rule_text = f"--unique {unique}" if unique is not None else f'--check "{check}"'
    entry = project.manifest.resources.get(table)
    if entry is None:
        raise InputError(
            f"{table!r} is not a resource scaffold generated; drop its rules in a migration by hand.",
            token=table,
            example=f"scaffold constraint drop {next(iter(sorted(project.manifest.resources)), table)} {rule_text}",
        )
    args = stored_args(entry)
    rules = [f"--unique {g}" for g in args.uniques] + [f'--check "{c}"' for c in args.checks]
    rules += [f"--unique {t.partition(':')[0]}" for t in args.fields if ":unique" in t]
    example = f"scaffold constraint drop {table} {rules[0]}" if rules else None
    if (unique is None) == (check is None):
        raise InputError(
            f"constraint drop takes one rule: --unique a,b or --check EXPR (rules: {', '.join(rules) or 'none'}).",
            token="--check" if check is not None else "--unique",
            example=example,
        )
    if unique is not None:
        columns = parse_columns(unique, table)
        group = ",".join(columns)
        fields = tuple(
            ":".join(p for p in t.split(":") if p != "unique")
            if len(columns) == 1 and t.partition(":")[0] == columns[0]
            else t
            for t in args.fields
        )
        uniques = tuple(g for g in args.uniques if _squeezed(g) != group)
        new_args = replace(args, fields=fields, uniques=uniques)
    else:
        checks = tuple(c for c in args.checks if _squeezed(c) != _squeezed(check or ""))
        new_args = replace(args, checks=checks)
    if new_args == args:
        raise InputError(
            f"{table} has no rule {rule_text} (rules: {', '.join(rules) or 'none'}).",
            token=unique or check or table,
            example=example or f"scaffold constraint add {table} {rule_text}",
        )
    old_spec = build_spec(project, args)
    new_spec = build_spec(project, new_args)
    ops = alter.Ops(table)
    reverse = alter.Ops(table, ops.imports)
    names = [
        alter.add_unique_constraint(reverse, table, tuple(g))
        for g in unique_sets(old_spec)
        if g not in unique_sets(new_spec)
    ]
    for rule in old_spec.checks:
        if rule not in new_spec.checks:
            names.append(alter.add_check(reverse, old_spec, rule, violations_sql(table, rule)))
    reverse.reversed_into(ops)
    summary = f"{table}: drop {', '.join(names)} ({rule_text})"
    slug = f"{table}_drop_{re.sub(r'[^a-z0-9]+', '_', (unique or check or '').lower())}"[:60]
    path, migration, _down, _rev = alter.render_alter(project, ops, summary, slug.rstrip("_"))
    files, manifest = rerender(project, entry, new_args, new_spec, path)
    files.append(Rendered(path, migration, resource=table, frozen=True))
    outcome = Outcome(command="constraint drop", actions=[summary])
    outcome.layers["Database"] = [f"drop {', '.join(names)}", f"migration `{path}`"]
    outcome.layers["Services"] = [f"no more 409/422 for {rule_text}"]
    outcome.notes += ["Next steps:", "  alembic upgrade head"]
    return outcome, files, manifest
