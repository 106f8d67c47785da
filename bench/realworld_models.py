"""Models and migrations as the real-world harness reads them from source.

Columns come from SQLAlchemy (`mapped_column`/`Column`, `Mapped[...]`, `declared_attr`
functions) and SQLModel (annotated fields of `table=True` classes), inherited ones
included (bases found by name anywhere in the project). Migrations are read for their
`revision`/`down_revision` and for the columns `op.create_table`/`op.add_column` create.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from realworld_source import Tree, call_name, const_str, kwarg, parse_file

_NOT_COLUMNS = {"relationship", "Relationship", "association_proxy", "column_property"}
_TYPE_FAMILIES = [
    ("uuid", re.compile(r"(?i)\b(uuid|uuid4|guid|uuidtype|uuid_type)\b")),
    ("bigint", re.compile(r"(?i)\b(biginteger|bigint|bigserial)\b")),
    ("smallint", re.compile(r"(?i)\b(smallinteger|smallint)\b")),
    ("int", re.compile(r"(?i)\b(integer|int|serial)\b")),
    ("str", re.compile(r"(?i)\b(string|str|text|unicode|varchar|citext)\b")),
]


@dataclass
class Column:
    name: str
    type_family: str | None  # uuid, int, bigint, str, or None when unknown
    foreign_key: str | None  # "table.column"
    source: str  # class that declares it


def type_family(text: str) -> str | None:
    for family, pattern in _TYPE_FAMILIES:
        if pattern.search(text):
            return family
    return None


def _mapped_inner(annotation: ast.expr | None) -> str:
    """`Mapped[Optional[uuid.UUID]]` -> 'Optional[uuid.UUID]' (source text)."""
    if annotation is None:
        return ""
    if isinstance(annotation, ast.Subscript) and call_name(annotation.value) == "Mapped":
        return ast.unparse(annotation.slice)
    return ast.unparse(annotation)


def _column_call(value: ast.expr | None) -> ast.Call | None:
    if isinstance(value, ast.Call) and call_name(value) in {"mapped_column", "Column", "Field"}:
        return value
    return None


def _from_call(name: str, call: ast.Call | None, annotation: str, owner: str) -> Column:
    fk = None
    explicit = None
    if call is not None:
        for arg in call.args:
            if isinstance(arg, ast.Call) and call_name(arg) == "ForeignKey":
                fk = const_str(arg.args[0]) if arg.args else None
            elif const_str(arg) is not None and call_name(call) != "Field":
                name = const_str(arg) or name
            elif explicit is None and not isinstance(arg, ast.Constant):
                explicit = ast.unparse(arg)
        fk_kw = kwarg(call, "foreign_key")
        fk = fk or const_str(fk_kw)
        sa_type = kwarg(call, "sa_type") or kwarg(call, "type_")
        if sa_type is not None:
            explicit = ast.unparse(sa_type)
        sa_column = kwarg(call, "sa_column")
        if isinstance(sa_column, ast.Call):
            return _from_call(name, sa_column, annotation, owner)
    family = type_family(explicit) if explicit else None
    return Column(name, family or type_family(annotation), fk, owner)


def own_columns(node: ast.ClassDef, sqlmodel: bool) -> list[Column]:
    """Columns declared in the class body itself."""
    out: list[Column] = []
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            value = stmt.value
            text = ast.unparse(stmt.annotation)
            if name.startswith("__") or "ClassVar" in text:
                continue
            if isinstance(value, ast.Call) and call_name(value) in _NOT_COLUMNS:
                continue
            is_mapped = text.startswith(("Mapped[", "orm.Mapped[", "sa.orm.Mapped["))
            if is_mapped and "relationship" not in (ast.unparse(value) if value else ""):
                out.append(
                    _from_call(name, _column_call(value), _mapped_inner(stmt.annotation), node.name)
                )
            elif sqlmodel and not is_mapped and re.search(r"\b(list|List)\[", text) is None:
                out.append(_from_call(name, _column_call(value), text, node.name))
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            call = _column_call(stmt.value)
            if isinstance(target, ast.Name) and call is not None and call_name(call) != "Field":
                out.append(_from_call(target.id, call, "", node.name))
        elif isinstance(stmt, ast.FunctionDef) and any(
            call_name(d) == "declared_attr" or ast.unparse(d).endswith("declared_attr")
            for d in stmt.decorator_list
        ):
            returned = [n.value for n in ast.walk(stmt) if isinstance(n, ast.Return)]
            call = _column_call(returned[0]) if returned else None
            if call is not None and not stmt.name.startswith("__"):
                out.append(_from_call(stmt.name, call, _mapped_inner(stmt.returns), node.name))
    return out


def is_sqlmodel_table(node: ast.ClassDef) -> bool:
    return any(k.arg == "table" and ast.unparse(k.value) == "True" for k in node.keywords)


def all_columns(tree: Tree, node: ast.ClassDef, seen: set[str] | None = None) -> list[Column]:
    """Own columns plus those inherited from the project's own bases (nearest wins)."""
    seen = seen or set()
    seen.add(node.name)
    sqlmodel = is_sqlmodel_table(node) or any("SQLModel" in ast.unparse(b) for b in node.bases)
    columns = {c.name: c for c in own_columns(node, sqlmodel or _inherits_sqlmodel(tree, node))}
    classes = tree.classes()
    for base in node.bases:
        name = call_name(base) if not isinstance(base, ast.Name) else base.id
        for _, base_node in classes.get(name, [])[:1]:
            if base_node.name in seen:
                continue
            for column in all_columns(tree, base_node, seen):
                columns.setdefault(column.name, column)
    return list(columns.values())


def _inherits_sqlmodel(tree: Tree, node: ast.ClassDef, depth: int = 0) -> bool:
    if depth > 8:
        return False
    classes = tree.classes()
    for base in node.bases:
        text = ast.unparse(base)
        if "SQLModel" in text:
            return True
        for _, base_node in classes.get(call_name(base) or text, [])[:1]:
            if _inherits_sqlmodel(tree, base_node, depth + 1):
                return True
    return False


def table_name(node: ast.ClassDef) -> str | None:
    for stmt in node.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        if any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
            return const_str(stmt.value)
    if is_sqlmodel_table(node):
        return node.name.lower()
    return None


def _declares_tablename(tree: Tree, node: ast.ClassDef, depth: int = 0) -> bool:
    """A base of `node` names tables itself (`@declared_attr def __tablename__`)."""
    classes = tree.classes()
    for base in node.bases:
        for _, base_node in classes.get(call_name(base), [])[:1] if depth < 8 else []:
            if any(
                isinstance(s, ast.FunctionDef) and s.name == "__tablename__" for s in base_node.body
            ) or _declares_tablename(tree, base_node, depth + 1):
                return True
    return False


def model_classes(tree: Tree) -> dict[str, tuple[str, ast.ClassDef]]:
    """Table name -> (module, class) for every mapped class in the project; a class whose
    base names tables with `declared_attr` is named after its class, lower-cased."""
    out: dict[str, tuple[str, ast.ClassDef]] = {}
    for entries in tree.classes().values():
        for module, node in entries:
            if module.split(".")[0] in {"tests", "test"}:
                continue
            table = table_name(node)
            bases = {call_name(b) for b in node.bases}
            if not table and "DeclarativeBase" not in bases and _declares_tablename(tree, node):
                table = node.name.lower()
            if table:
                out.setdefault(table, (module, node))
    return out


@dataclass
class Revision:
    path: Path
    revision: str | None
    down: tuple[str, ...]


def read_revision(path: Path) -> Revision:
    tree = parse_file(path)
    if tree is None:
        return Revision(path, None, ())
    values: dict[str, ast.expr | None] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            values[stmt.targets[0].id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            values[stmt.target.id] = stmt.value
    down = values.get("down_revision")
    downs: tuple[str, ...] = ()
    if isinstance(down, ast.Tuple | ast.List):
        downs = tuple(s for s in (const_str(e) for e in down.elts) if s)
    elif const_str(down):
        downs = (const_str(down) or "",)
    return Revision(path, const_str(values.get("revision")), downs)


def heads(revisions: list[Revision]) -> set[str]:
    pointed = {d for r in revisions for d in r.down}
    return {r.revision for r in revisions if r.revision and r.revision not in pointed}


def migration_columns(path: Path, table: str) -> set[str]:
    """Column names `op.create_table(table, ...)` and `op.add_column(table, ...)` create."""
    tree = parse_file(path)
    out: set[str] = set()
    if tree is None:
        return out
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args or const_str(node.args[0]) != table:
            continue
        if call_name(node) in {"create_table", "add_column"}:
            for arg in node.args[1:]:
                if isinstance(arg, ast.Call) and call_name(arg) == "Column" and arg.args:
                    out.update(filter(None, [const_str(arg.args[0])]))
    return out
