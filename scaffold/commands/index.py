"""``scaffold index --missing``: index the foreign keys and filter columns that lack one.

The models are read as syntax trees (nothing is imported): a column needs an
index when it is a foreign key, or when a service filters on it with ``==``,
and neither ``index=``/``unique=``/``primary_key=`` nor an ``Index``/unique
constraint leading with it covers it. One migration adds them all
(``CREATE INDEX CONCURRENTLY`` on PostgreSQL); the models gain ``index=True``
through a syntax-tree edit so ``alembic check`` stays clean.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.generators import alter
from scaffold.output import Outcome
from scaffold.plan import Rendered
from scaffold.project import Project


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


@dataclass(frozen=True)
class Missing:
    model: ModelInfo
    attribute: str
    why: str

    @property
    def column(self) -> str:
        return self.model.column_of.get(self.attribute, self.attribute)


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _call_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        return (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else ""
        )
    return ""


def _first_column(call: ast.Call) -> str | None:
    args = [
        a
        for a in call.args
        if not (
            isinstance(a, ast.Constant) and call.args.index(a) == 0 and _call_name(call) == "Index"
        )
    ]
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        if isinstance(arg, ast.Attribute):
            return arg.attr
        if isinstance(arg, ast.Name):
            return arg.id
    return None


def read_models(root: Path, package: str) -> list[ModelInfo]:
    models = []
    for path in sorted((root / package / "models").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                info = _model(node, path.relative_to(root).as_posix())
                if info is not None:
                    models.append(info)
    return models


def _model(node: ast.ClassDef, path: str) -> ModelInfo | None:
    table = None
    info = ModelInfo(path, node.name, "")
    covered_columns: set[str] = set()
    for stmt in node.body:
        target, value = None, None
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target, value = stmt.target.id, stmt.value
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            target, value = stmt.targets[0].id, stmt.value
        if target is None:
            continue
        if target == "__tablename__" and isinstance(value, ast.Constant):
            table = value.value
        elif target == "__table_args__" and isinstance(value, ast.Tuple):
            for item in value.elts:
                if isinstance(item, ast.Call) and _call_name(item) in (
                    "Index",
                    "UniqueConstraint",
                    "PrimaryKeyConstraint",
                ):
                    first = _first_column(item)
                    if first:
                        covered_columns.add(first)
        elif isinstance(value, ast.Call) and _call_name(value) in ("mapped_column", "Column"):
            info.columns.append(target)
            name = value.args[0] if value.args else None
            is_name = isinstance(name, ast.Constant) and isinstance(name.value, str)
            info.column_of[target] = name.value if is_name else target
            if any(_is_true(_kw(value, k)) for k in ("index", "unique", "primary_key")):
                info.covered.add(target)
            if any(_call_name(a) == "ForeignKey" for a in value.args):
                info.foreign_keys.append(target)
    if not isinstance(table, str):
        return None
    info.covered |= {a for a, c in info.column_of.items() if c in covered_columns}
    info.table = table
    return info


def filter_columns(root: Path, package: str, models: list[ModelInfo]) -> set[tuple[str, str]]:
    """(class, column) pairs compared with ``==`` in the services (equality filters)."""
    by_class = {m.class_name: m for m in models}
    found: set[tuple[str, str]] = set()
    for path in sorted((root / package / "services").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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


def find_missing(project: Project) -> list[Missing]:
    models = read_models(project.root, project.layout.package)
    filters = filter_columns(project.root, project.layout.package, models)
    missing: list[Missing] = []
    for model in models:
        for attribute in model.columns:
            if attribute in model.covered or attribute == "id":
                continue
            if attribute in model.foreign_keys:
                missing.append(Missing(model, attribute, "foreign key"))
            elif (model.class_name, attribute) in filters:
                missing.append(Missing(model, attribute, "equality filter in a service"))
    return missing


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
    missing = find_missing(project)
    outcome = Outcome(command="index", actions=["index --missing"])
    if not missing:
        outcome.notes.append("No missing indexes: every foreign key and filter column is indexed.")
        return [], outcome, []
    files: list[Rendered] = []
    edited: dict[str, str] = {}
    for item in missing:
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
    from scaffold.commands.field import args_from_argv

    manifest = project.manifest.copy()
    for item in missing:
        entry = manifest.resources.get(item.model.table)
        if entry is None:
            continue
        args = args_from_argv(entry["argv"])
        tokens = [
            f"{t}:index"
            if t.partition(":")[0] == item.column and ":index" not in t and ":unique" not in t
            else t
            for t in args.fields
        ]
        entry["argv"] = ["resource", args.name, *tokens, *args.argv()[2 + len(args.fields) :]]
    return manifest
