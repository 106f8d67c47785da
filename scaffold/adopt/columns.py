"""The columns of one of the project's own models, read from its source (SQLAlchemy 2
typed models, classic ``Column(...)`` and SQLModel fields), with the project's bases."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from scaffold.adopt._source import module_imports
from scaffold.checks._parse import parse, requires_python

_KINDS = {
    "str": "str",
    "String": "str",
    "Text": "str",
    "Unicode": "str",
    "EmailStr": "str",
    "AutoString": "str",
    "int": "int",
    "Integer": "int",
    "SmallInteger": "int",
    "BigInteger": "bigint",
    "float": "float",
    "Float": "float",
    "bool": "bool",
    "Boolean": "bool",
    "date": "date",
    "Date": "date",
    "datetime": "datetime",
    "DateTime": "datetime",
    "UUID": "uuid",
    "Uuid": "uuid",
    "uuid": "uuid",
    "Decimal": "decimal",
    "Numeric": "decimal",
    "bytes": "bytes",
    "LargeBinary": "bytes",
}
_COLUMN_CALLS = {"mapped_column", "Column", "Field"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str | None
    required: bool
    foreign_key: bool
    length: int | None
    references: str | None = None  # the table of a foreign key written as "table.column"


def module_path(root: Path, module: str) -> Path | None:
    """The file of ``module`` under the project (or its ``src/``), or None."""
    for base in (root, root / "src"):
        for candidate in (
            base / (module.replace(".", "/") + ".py"),
            base / module.replace(".", "/") / "__init__.py",
        ):
            if candidate.is_file():
                return candidate
    return None


def _tree(root: Path, module: str) -> ast.Module | None:
    path = module_path(root, module)
    if path is None:
        return None
    return parse(
        path.read_text(encoding="utf-8", errors="replace"), str(path), requires_python(root)
    ).tree


def model_columns(root: Path, module: str, class_name: str, depth: int = 0) -> list[Column] | None:
    tree = _tree(root, module)
    if tree is None or depth > 4:
        return None
    node = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name), None
    )
    if node is None:
        return None
    columns: dict[str, Column] = {}
    imports = module_imports(tree, module, False)
    for base in node.bases:
        name = base.id if isinstance(base, ast.Name) else None
        if name is None:
            continue
        owner = (
            module
            if any(isinstance(n, ast.ClassDef) and n.name == name for n in tree.body)
            else None
        )
        if owner is None and name in imports and "." in imports[name]:
            owner = imports[name].rpartition(".")[0]
            name = imports[name].rpartition(".")[2]
        if owner is not None:
            inherited = model_columns(root, owner, name, depth + 1)
            for col in inherited or []:
                columns[col.name] = col
    for stmt in node.body:
        col = _column(stmt)
        if col is not None:
            columns[col.name] = col
    return list(columns.values())


def _column(stmt: ast.stmt) -> Column | None:
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        name, annotation, value = stmt.target.id, stmt.annotation, stmt.value
    elif (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        name, annotation, value = stmt.targets[0].id, None, stmt.value
    else:
        return None
    if name.startswith("__") or name in ("model_config", "metadata"):
        return None
    text = ast.unparse(annotation) if annotation is not None else ""
    if "relationship" in ast.unparse(value) if value is not None else False:
        return None
    if any(word in text for word in ("ClassVar", "list[", "List[", "Relationship")):
        return None
    call = value if isinstance(value, ast.Call) else None
    call_name = _name(call.func) if call is not None else None
    if call is not None and call_name not in _COLUMN_CALLS:
        return None  # relationship(), column_property(), a default value...
    if annotation is None and call is None:
        return None
    keywords = {k.arg: k.value for k in call.keywords} if call is not None else {}
    optional = "None" in text or "Optional" in text or _true(keywords.get("nullable"))
    # `Column()` is nullable unless told otherwise, and so is `mapped_column()` with no
    # `Mapped[...]` annotation to take it from (SQLAlchemy's own defaults).
    if call_name == "Column" or (call_name == "mapped_column" and not text.startswith("Mapped")):
        optional = True
    if _false(keywords.get("nullable")):
        optional = False
    defaulted = any(
        k in keywords for k in ("default", "default_factory", "server_default", "insert_default")
    )
    if (
        call is not None
        and call_name == "Field"
        and call.args
        and not (isinstance(call.args[0], ast.Constant) and call.args[0].value is Ellipsis)
    ):
        defaulted = True
    if call is None and value is not None:
        defaulted = True
    if annotation is not None and call is None and value is None and not text.startswith("Mapped"):
        defaulted = False  # SQLModel `name: str` is a required column
    primary = _true(keywords.get("primary_key"))
    foreign = "foreign_key" in keywords or any(
        isinstance(a, ast.Call) and _name(a.func) == "ForeignKey"
        for a in (call.args if call else [])
    )
    kind, length = _kind(annotation, call)
    required = not (optional or defaulted or primary)
    return Column(name, kind, required, foreign, length, _referenced_table(call))


def _referenced_table(call: ast.Call | None) -> str | None:
    """``ForeignKey("patients.id")`` or ``Field(foreign_key="patients.id")`` -> ``patients``."""
    if call is None:
        return None
    targets = [k.value for k in call.keywords if k.arg == "foreign_key"]
    targets += [
        a.args[0]
        for a in call.args
        if isinstance(a, ast.Call) and _name(a.func) == "ForeignKey" and a.args
    ]
    for target in targets:
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            table, dot, _column = target.value.rpartition(".")
            if dot and table:
                return table.rpartition(".")[2]  # "schema.table.column"
    return None


def _kind(annotation: ast.expr | None, call: ast.Call | None) -> tuple[str | None, int | None]:
    length = None
    if call is not None:
        for key in ("max_length", "length"):
            value = next((k.value for k in call.keywords if k.arg == key), None)
            if isinstance(value, ast.Constant) and isinstance(value.value, int):
                length = value.value
        for arg in call.args:
            inner = arg.func if isinstance(arg, ast.Call) else arg
            word = _name(inner)
            if word in _KINDS:
                if (
                    isinstance(arg, ast.Call)
                    and arg.args
                    and isinstance(arg.args[0], ast.Constant)
                    and isinstance(arg.args[0].value, int)
                ):
                    length = arg.args[0].value
                return _KINDS[word], length
    if annotation is not None:
        for sub in ast.walk(annotation):
            word = _name(sub) if isinstance(sub, ast.Name | ast.Attribute) else None
            if word in _KINDS:
                return _KINDS[word], length
    return None, length


def _name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False
