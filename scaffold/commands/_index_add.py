"""``scaffold index add TABLE COLUMNS [--unique] [--where EXPR]``: one index on any table.

The tables, columns and indexes are read from the migrations (``_index_catalog``). An
index that already does the job answers with its name and writes nothing. Otherwise one
reversible migration adds it (``CREATE INDEX CONCURRENTLY`` on PostgreSQL, through
``alter.add_index`` as ``index --missing`` does) and the model follows, so ``alembic
check`` stays clean:

- a resource scaffold generated takes the rule into its spec when the spec can say it
  (one column ``:index``/``:unique``, a ``--unique a,b`` set) and is re-rendered: a unique
  rule then answers 409 in the API, and the generated tests cover it;
- otherwise the model gains ``Index(...)`` by a syntax-tree edit (``_index_model``): in
  its ``__table_args__``, or after the class in a generated model, where the next render
  of the resource merges with it.

A unique rule is refused, nothing written, while rows of the database the project points
at already share values (the first ones are named); the migration re-checks the same
before it creates anything.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scaffold.commands._index_catalog import (
    IndexRequest,
    already_there,
    live_duplicates,
    scratch_catalog,
    validate,
)
from scaffold.errors import CheckFailed
from scaffold.generate import alter
from scaffold.project.core import Project
from scaffold.project.files import Rendered
from scaffold.project.manifest import Manifest, stored_args
from scaffold.project.outcome import Outcome


def plan_index_add(
    project: Project, request: IndexRequest, *, database_url: str | None = None
) -> tuple[Outcome, list[Rendered] | None, Manifest | None]:
    """(outcome, files, manifest); files None when an index already does it."""
    from scaffold.project.interpreter import project_python

    project.require_alembic()
    python = project_python(project.root)
    info = validate(request, _catalog(project, python))
    outcome = Outcome(command="index add", actions=[request.command()])
    existing = already_there(request, info)
    if existing is not None:
        outcome.notes.append(
            f"{request.label} is already {'unique' if existing.unique else 'indexed'}: "
            f"{existing.kind} {existing.name + ' ' if existing.name else ''}({', '.join(existing.columns)}"
            f"{'; WHERE ' + existing.where if existing.where else ''}). Nothing to write."
        )
        return outcome, None, None
    if request.unique:
        _refuse_duplicates(project, request, python, "id" in info.columns, database_url, outcome)
    entry = project.manifest.resources.get(request.table)
    new_args = _spec_args(entry, request) if entry is not None else None
    if new_args is not None:
        files, manifest = _through_spec(project, request, entry or {}, new_args, outcome)
    else:
        files, manifest = _through_model(project, request, outcome), project.manifest.copy()
    outcome.extra["index_missing"] = [
        (request.table, ",".join(request.columns))
        if request.where is None
        else (request.table, ",".join(request.columns), request.where)
    ]
    outcome.notes += ["Next steps:", "  alembic upgrade head"]
    return outcome, files, manifest


def _catalog(project: Project, python: str) -> dict:
    """The tables the migrations build, read through the driver the project's env uses."""
    from scaffold.apply.verify import _async_env

    profile = project.profile
    if profile is None:
        return scratch_catalog(project.root, python)
    return scratch_catalog(
        project.root,
        python,
        asynchronous=_async_env(project.root, profile),
        ini=profile.alembic_ini or "alembic.ini",
    )


def _refuse_duplicates(
    project: Project,
    request: IndexRequest,
    python: str,
    has_id: bool,
    url: str | None,
    outcome: Outcome,
) -> None:
    """Exit 1 naming the first rows that already share values; a note when none do."""
    key = "id" if has_id else None
    sql = alter.duplicates_sql(request.table, request.columns, request.where, key)
    settings = None if project.adopted else f"{project.layout.package}.core.config"
    where, rows = live_duplicates(project.root, python, sql, url, settings)
    outcome.notes.append(
        f"Duplicates checked in {where}: none."
        if rows is not None
        else f"Duplicates not checked in {where}."
    )
    if not rows:
        return
    n = len(request.columns)
    shown = []
    for row in rows:
        values = ", ".join(f"{c}={v!r}" for c, v in zip(request.columns, row[:n], strict=True))
        ids = f", ids {row[n + 1]}…{row[n + 2]}" if key else ""
        shown.append(f"{values} ({row[n]} rows{ids})")
    raise CheckFailed(
        f"{request.label} cannot be made unique: rows of {where} already share values: "
        + "; ".join(shown)
        + ". Nothing was written; fix or remove those rows, then run it again.",
        token=request.table,
        example=request.command(),
    )


def _spec_args(entry: dict, request: IndexRequest) -> Any:
    """The resource's new args when its spec can say the rule, else None."""
    if request.where is not None:
        return None
    args = stored_args(entry)
    if len(request.columns) > 1:
        if not request.unique:
            return None
        return replace(args, uniques=(*args.uniques, ",".join(request.columns)))
    column = request.columns[0]
    tokens = []
    for token in args.fields:
        if token.partition(":")[0] == column:
            parts = [p for p in token.split(":") if p not in ("index", "unique")]
            token = ":".join([*parts, "unique" if request.unique else "index"])
        tokens.append(token)
    if tuple(tokens) == args.fields:
        return None  # not a field of the spec (id, owner_id, a timestamp): the model says it
    return replace(args, fields=tuple(tokens))


def _through_spec(
    project: Project, request: IndexRequest, entry: dict, new_args: Any, outcome: Outcome
) -> tuple[list[Rendered], Manifest]:
    """The resource re-rendered from its new spec, and the migration adding the rule."""
    from scaffold.generate.values import own_index, unique_sets
    from scaffold.project.core import build_spec

    old_spec = build_spec(project, stored_args(entry))
    new_spec = build_spec(project, new_args)
    ops = alter.Ops(request.table)
    added = [g for g in unique_sets(new_spec) if g not in unique_sets(old_spec)]
    names = [alter.add_unique_constraint(ops, request.table, tuple(g)) for g in added]
    if not request.unique:
        names.append(alter.add_index(ops, request.table, request.columns[0]))
    for old_field, new_field in zip(old_spec.fields, new_spec.fields, strict=True):
        if own_index(old_spec, old_field) and not own_index(new_spec, new_field):
            # The unique rule (on it, or one it leads) serves its lookups: the plain index
            # goes, as the re-rendered model no longer declares it.
            alter.drop_index(ops, request.table, old_field.name)
    summary = _summary(request, names)
    path, text, _down, _rev = alter.render_alter(
        project, ops, summary, f"{request.table}_{_slug(request)}"
    )
    files, manifest = rerender(project, entry, new_args, new_spec, path)
    files.append(Rendered(path, text, resource=request.table, frozen=True))
    outcome.actions = [summary]
    outcome.layers["Database"] = [
        _index_line(request, names),
        f"migration `{path}` ({_how(request)})",
    ]
    outcome.extra["index_migration"] = path
    outcome.layers["Models"] = [f"{request.table}: the spec says it (manifest), model re-rendered"]
    if request.unique:
        outcome.layers["Services"] = [
            f"a create or update that repeats {', '.join(request.columns)} answers 409 Conflict"
        ]
        outcome.layers["Tests"] = ["the duplicate-is-409 tests of the rule"]
    return files, manifest


def rerender(
    project: Project, entry: dict, new_args: Any, new_spec: Any, migration: str
) -> tuple[list[Rendered], Manifest]:
    """A generated resource rendered from its new args (the rule in its spec), and the
    manifest that remembers them and the new migration (not among the files)."""
    from scaffold.generate.compose import MigrationSlot, render_resource
    from scaffold.project.core import build_created_spec, specs_for_versions

    manifest = project.manifest.copy()
    new_entry = dict(entry)
    new_entry.setdefault("create_args", entry["args"])
    new_entry["args"] = new_args.to_dict()
    new_entry["migrations"] = [*entry.get("migrations", []), migration]
    manifest.resources[new_spec.table] = new_entry
    current = replace(new_spec, api_version=int(entry.get("api_version", 1)))
    slot = MigrationSlot(entry["revision"], entry.get("down_revision"), entry["migration"])
    versions = specs_for_versions(project, [dict(v) for v in entry.get("versions", [])], current)
    created = build_created_spec(project, new_entry)
    files = render_resource(project, current, slot, create_spec=created, versions=versions)
    return files, manifest


def _through_model(project: Project, request: IndexRequest, outcome: Outcome) -> list[Rendered]:
    """The migration, and the model's ``Index(...)`` (``_index_model``; a table only the
    migrations know needs no model edit)."""
    from scaffold.commands.index import read_models

    ops = alter.Ops(request.table)
    name = alter.add_index(
        ops, request.table, request.columns, unique=request.unique, where=request.where
    )
    summary = _summary(request, [name])
    path, text, _down, _rev = alter.render_alter(
        project, ops, summary, f"{request.table}_{_slug(request)}"
    )
    files = [Rendered(path, text, frozen=True)]
    model = next((m for m in read_models(project.root) if m.table == request.table), None)
    models = ["no model of this table: the migration alone adds it"]
    if model is not None:
        models = [_edit_model(project, model, name, request, files, outcome)]
    outcome.actions = [summary]
    outcome.layers["Database"] = [
        _index_line(request, [name]),
        f"migration `{path}` ({_how(request)})",
    ]
    outcome.extra["index_migration"] = path
    outcome.layers["Models"] = models
    outcome.layers["Services"] = ["no change: the same queries now use the index"]
    return files


def _edit_model(
    project: Project,
    model: Any,
    name: str,
    request: IndexRequest,
    files: list[Rendered],
    outcome: Outcome,
) -> str:
    """Append the model's edit to ``files``; the report's line for it."""
    from scaffold.commands._index_model import add_module_index, add_table_index

    source = (project.root / model.path).read_text(encoding="utf-8")
    generated = model.path in project.manifest.files
    if generated:
        attributes = {column: attribute for attribute, column in model.column_of.items()}
        edited = add_module_index(source, model.class_name, name, request, attributes)
        where = f"Index({name!r}) after class {model.class_name}"
    else:
        edited = add_table_index(source, model.class_name, name, request)
        where = f"{model.class_name}.__table_args__ gains Index({name!r})"
    if edited is None:
        outcome.notes.append(
            f"Could not edit {model.path}; add Index({name!r}) to {model.class_name} by hand, "
            "or `alembic check` reports it."
        )
        return f"{model.path}: not edited (see the notes)"
    # A generated model keeps its render as the base: the next render merges with it.
    files.append(Rendered(model.path, edited, edit=True, as_user_edit=generated))
    return f"{model.path}: {where}"


def _summary(request: IndexRequest, names: list[str]) -> str:
    kind = "unique index" if request.unique else "index"
    where = f" WHERE {request.where}" if request.where else ""
    return (
        f"{request.table}: add {kind} {', '.join(names)} on ({', '.join(request.columns)}){where}"
    )


def _index_line(request: IndexRequest, names: list[str]) -> str:
    """The report's line for the index (its Database impact)."""
    kind = "unique " if request.unique else ""
    where = f" WHERE {request.where}" if request.where else ""
    return f"index {', '.join(names)}: {kind}on {request.label}{where}"


def _slug(request: IndexRequest) -> str:
    kind = "unique" if request.unique else "index"
    return f"add_{kind}_{'_'.join(request.columns)}"[:40]


def _how(request: IndexRequest) -> str:
    how = "CREATE INDEX CONCURRENTLY on PostgreSQL"
    if request.unique:
        how = "re-checks for duplicates first; " + how
    return how
