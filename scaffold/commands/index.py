"""``scaffold index --missing``: index the foreign keys and filter columns that lack one.

Nothing is imported: the project is read as syntax trees, with the definition of
"indexed" that ``scaffold check`` (SC501) uses (``scaffold.checks.indexes``): a
foreign key declared in a model, a Core table or a migration is indexed when an
index, unique constraint or primary key from the models or the migrations leads
with it. A column a service filters on with ``==`` is proposed too, unless it is a
boolean or an enum (too few distinct values for an index to help). One migration
adds them all (``CREATE INDEX CONCURRENTLY`` on PostgreSQL); the models gain
``index=True`` through a syntax-tree edit so ``alembic check`` stays clean.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from pathlib import Path

from scaffold.generate import alter
from scaffold.project.core import Project
from scaffold.project.files import Rendered
from scaffold.project.manifest import stored_args
from scaffold.project.outcome import Outcome


@dataclass
class ModelInfo:
    path: str
    class_name: str
    table: str
    # Attribute names; ``column_of`` maps each to its column (``metadata_`` -> "metadata").
    columns: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    column_of: dict[str, str] = field(default_factory=dict)
    low_cardinality: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Missing:
    model: ModelInfo
    attribute: str
    why: str

    @property
    def column(self) -> str:
        return self.model.column_of.get(self.attribute, self.attribute)


@dataclass
class _Read:
    """The project's models and migrations, read once (the same parse as scaffold check)."""

    models: list[ModelInfo]
    trees: dict[str, ast.Module]
    unindexed: list  # list[scaffold.checks.indexes.Unindexed]


def _read_project(root: Path) -> _Read:
    from scaffold.checks import CheckConfig, indexes
    from scaffold.checks._files import collect, versions_dirs
    from scaffold.checks._parse import requires_python
    from scaffold.checks.runner import _parse_file, histories, upgrade_order

    try:
        config = CheckConfig.from_pyproject(root)
    except ValueError:
        config = CheckConfig()
    target = requires_python(root)
    folders = [folder for folder in versions_dirs(root, config) if folder.is_dir()]
    collected = collect(root, config, [folder.parent for folder in folders])
    trees: dict[str, ast.Module] = {}
    facts = []
    for path in collected.modules:
        tree, _lines, _error, _ = _parse_file(path, (root / path).read_bytes(), target)
        if tree is None:
            continue
        trees[path] = tree
        found = indexes.model_facts(tree, path)
        if found.models:
            facts.append(found)
    revisions, events = [], {}
    from scaffold.checks import migrations

    for file in [f for folder in folders for f in sorted(folder.glob("*.py"))]:
        path = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
        tree, _lines, _error, _ = _parse_file(path, file.read_bytes(), target)
        if tree is None:
            continue
        revision = migrations.read_revision(tree, path)
        if revision is not None:
            revisions.append(revision)
            events[path] = indexes.migration_events(tree)
    ordered = [r for history in histories(revisions) for r in upgrade_order(history)]
    state = indexes.replay([(r.path, events[r.path]) for r in ordered])
    unindexed = indexes.unindexed(facts, state)
    models = []
    for found in facts:
        for model in found.models:
            info = ModelInfo(model.path, model.owner, model.table or "")
            info.columns = list(model.column_of)
            info.column_of = dict(model.column_of)
            info.low_cardinality = set(model.low_cardinality)
            info.foreign_keys = [
                fk.attribute
                for fk in found.foreign_keys
                if fk.owner == model.owner and fk.attribute and len(fk.columns) == 1
            ]
            leading = {
                index.columns[0]
                for source in facts
                for index in source.indexes
                if index.columns and (index.owner == model.owner or index.table == model.table)
            }
            leading |= {
                index.columns[0]
                for index in state.indexes.get(model.table or "", [])
                if index.columns
            }
            info.covered = {a for a, c in model.column_of.items() if c in leading}
            models.append(info)
    return _Read(models, trees, unindexed)


def read_models(root: Path, package: str | None = None) -> list[ModelInfo]:
    """Every model of the project (any module, not only ``<package>/models``), with the
    attributes an index, unique constraint or primary key already covers."""
    return _read_project(root).models


def filter_columns(trees: dict[str, ast.Module], models: list[ModelInfo]) -> set[tuple[str, str]]:
    """(class, attribute) pairs compared with ``==`` outside the models (equality filters)."""
    by_class = {m.class_name: m for m in models}
    model_paths = {m.path for m in models}
    found: set[tuple[str, str]] = set()
    for path, tree in trees.items():
        if path in model_paths:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq) for op in node.ops):
                for side in (node.left, *node.comparators):
                    if (
                        isinstance(side, ast.Attribute)
                        and isinstance(side.value, ast.Name)
                        and side.value.id in by_class
                        and side.attr in by_class[side.value.id].columns
                    ):
                        found.add((side.value.id, side.attr))
    return found


def find_missing(project: Project) -> tuple[list[Missing], list[str]]:
    """Foreign keys no index serves (the definition SC501 uses) and equality-filter
    columns with no index; booleans and enums are never proposed. The second list
    says what could not be indexed automatically."""
    read = _read_project(project.root)
    models = read.models
    by_owner = {(m.path, m.class_name): m for m in models}
    missing: list[Missing] = []
    notes: list[str] = []
    seen: set[tuple[str, str]] = set()
    for item in read.unindexed:
        fk = item.foreign_key
        model = by_owner.get((fk.path, fk.owner))
        if fk.source == "migration" and fk.table and len(fk.columns) == 1:
            # No model to edit: the migration alone adds it (alembic check has no model
            # of this table to compare, so nothing drifts).
            table_only = ModelInfo("", "", fk.table, column_of={fk.columns[0]: fk.columns[0]})
            missing.append(Missing(table_only, fk.columns[0], "foreign key (migrations only)"))
            continue
        if model is None or fk.attribute is None or len(fk.columns) != 1:
            columns = ", ".join(fk.columns)
            notes.append(
                f"{fk.table or fk.owner}({columns}) ({fk.path}:{fk.line}) has no index, but it "
                "spans several columns; add a composite index leading with them by hand."
            )
            continue
        if not model.table:
            notes.append(
                f"{model.class_name}.{fk.attribute} has no index, but its table name is computed; "
                "add index=True by hand."
            )
            continue
        seen.add((model.class_name, fk.attribute))
        missing.append(Missing(model, fk.attribute, "foreign key"))
    for class_name, attribute in sorted(filter_columns(read.trees, models)):
        model = next((m for m in models if m.class_name == class_name and m.table), None)
        if model is None or (class_name, attribute) in seen or attribute == "id":
            continue
        column = model.column_of.get(attribute, attribute)
        if attribute in model.covered or column in model.low_cardinality:
            continue
        missing.append(Missing(model, attribute, "equality filter in a service"))
    return missing, notes


def add_index_kwarg(source: str, class_name: str, column: str) -> str | None:
    """``index=True`` on ``column``'s ``mapped_column``/``Column`` call; None if the anchor is missing.

    >>> add_index_kwarg("class A:\\n    x: int = mapped_column(ForeignKey('b.id'))\\n", "A", "x")
    "class A:\\n    x: int = mapped_column(ForeignKey('b.id'), index=True)\\n"
    """
    import libcst as cst

    class Add(cst.CSTTransformer):
        def __init__(self) -> None:
            self.in_class = False
            self.done = False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            self.in_class = node.name.value == class_name
            return True

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            self.in_class = False
            return updated

        def _fix(self, call: cst.BaseExpression) -> cst.BaseExpression:
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Name):
                return call
            if call.func.value not in ("mapped_column", "Column"):
                return call
            if any(arg.keyword and arg.keyword.value == "index" for arg in call.args):
                return call
            self.done = True
            tight = cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            )
            index = cst.Arg(keyword=cst.Name("index"), value=cst.Name("True"), equal=tight)
            return call.with_changes(args=[*call.args, index])

        def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
            target = updated.target
            if (
                self.in_class
                and isinstance(target, cst.Name)
                and target.value == column
                and updated.value
            ):
                return updated.with_changes(value=self._fix(updated.value))
            return updated

        def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
            targets = updated.targets
            if (
                self.in_class
                and len(targets) == 1
                and isinstance(targets[0].target, cst.Name)
                and targets[0].target.value == column
            ):
                return updated.with_changes(value=self._fix(updated.value))
            return updated

    module = cst.parse_module(source)
    transformer = Add()
    result = module.visit(transformer)
    return result.code if transformer.done else None


def plan_index(project: Project) -> tuple[list[Rendered], Outcome, list[Missing]]:
    """The migration and model edits adding every missing index (empty when none is missing)."""
    project.require_alembic()
    missing, notes = find_missing(project)
    outcome = Outcome(command="index", actions=["index --missing"])
    outcome.notes.extend(notes)
    if not missing:
        outcome.notes.append("No missing indexes: every foreign key and filter column is indexed.")
        return [], outcome, []
    files: list[Rendered] = []
    edited: dict[str, str] = {}
    for item in missing:
        if not item.model.path:
            continue  # a table only the migrations know
        source = edited.get(item.model.path) or (project.root / item.model.path).read_text(
            encoding="utf-8"
        )
        new = add_index_kwarg(source, item.model.class_name, item.attribute)
        if new is None:
            outcome.notes.append(
                f"Could not edit {item.model.path}; add index=True to {item.model.class_name}.{item.attribute} by hand."
            )
            continue
        edited[item.model.path] = new
    tables = sorted({m.model.table for m in missing})
    ops = alter.Ops(tables[0])
    for item in missing:
        alter.add_index(ops, item.model.table, item.column)
    summary = "add missing indexes: " + ", ".join(f"{m.model.table}.{m.column}" for m in missing)
    path, text, _down, _rev = alter.render_alter(project, ops, summary, "add_missing_indexes")
    files.append(Rendered(path, text, frozen=True))
    for rel, source in edited.items():
        files.append(Rendered(rel, source, edit=True))
    outcome.actions = [summary]
    outcome.layers["Database"] = [f"index {m.model.table}.{m.column} ({m.why})" for m in missing]
    outcome.layers["Database"].append(
        f"migration `{path}` (CREATE INDEX CONCURRENTLY on PostgreSQL)"
    )
    outcome.layers["Services"] = ["no change: the same queries now use the indexes"]
    outcome.notes += ["Next steps:", "  alembic upgrade head"]
    return files, outcome, missing


def manifest_with_indexes(project: Project, missing: list[Missing]):
    """The manifest after the change: generated resources remember the new indexes in their spec."""
    manifest = project.manifest.copy()
    for item in missing:
        entry = manifest.resources.get(item.model.table)
        if entry is None:
            continue
        args = stored_args(entry)
        tokens = [
            f"{t}:index"
            if t.partition(":")[0] == item.column and ":index" not in t and ":unique" not in t
            else t
            for t in args.fields
        ]
        entry["args"] = replace(args, fields=tuple(tokens)).to_dict()
    return manifest


def refuse_hand_written_edits(
    project: Project,
    files: list[Rendered],
    *,
    edit: str = "index=True",
    example: str = "scaffold index --missing --approve",
) -> None:
    """Exit 3 with the diffs when the change edits models the project's team wrote
    (``edit``: what it adds; ``example``: the command again, approved)."""
    import difflib

    from scaffold.errors import EscalationRequired

    hand = [r for r in files if r.edit and r.path not in project.manifest.files]
    if not hand:
        return
    escalations = []
    diffs = []
    for r in hand:
        old = (project.root / r.path).read_text(encoding="utf-8")
        diffs += difflib.unified_diff(
            old.splitlines(keepends=True),
            r.text.splitlines(keepends=True),
            f"a/{r.path}",
            f"b/{r.path}",
        )
        escalations.append(
            {
                "reason": f"edits {r.path}, a model scaffold did not generate ({edit})",
                "trigger": r.path,
            }
        )
    error = EscalationRequired.listing(
        escalations,
        example=example,
        tail="The edits:\n" + "".join(diffs).rstrip("\n") + "\nNothing was written.",
    )
    raise error
