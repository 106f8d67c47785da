"""The project's declarative bases and models: tables, primary keys, the naming
convention, and the base generated models share."""

from __future__ import annotations

import ast
import re
from collections import Counter
from typing import Any

from scaffold.adopt._findings import Findings, Model
from scaffold.adopt._source import Module, Project, dotted
from scaffold.checks._syntax import assignment_targets, keyword

_DECLARATIVE = {
    "sqlalchemy.orm:DeclarativeBase",
    "sqlalchemy.orm:DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api:DeclarativeBase",
}
_DECLARATIVE_FACTORIES = {
    "sqlalchemy.orm:declarative_base",
    "sqlalchemy.ext.declarative:declarative_base",
    "sqlalchemy.orm.decl_api:declarative_base",
}
_KEY_TYPES = {
    "uuid": "uuid",
    "UUID": "uuid",
    "Uuid": "uuid",
    "UUIDType": "uuid",
    "GUID": "uuid",
    "int": "int",
    "Integer": "int",
    "INTEGER": "int",
    "BigInteger": "bigint",
    "BIGINT": "bigint",
    "str": "str",
    "String": "str",
    "Text": "str",
}


# --- bases ---------------------------------------------------------------------------


def declarative_bases(project: Project) -> dict[str, dict[str, Any]]:
    """Declarative bases: "module:Name" -> {"convention": dict | None}."""
    found: dict[str, dict[str, Any]] = {}
    for mod in project.code_modules():
        for node in mod.tree.body:
            if isinstance(node, ast.ClassDef):
                refs = {project.resolve_expr(mod.name, b) for b in node.bases}
                if refs & _DECLARATIVE:
                    found[f"{mod.name}:{node.name}"] = {
                        "convention": _class_convention(project, mod, node)
                    }
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and project.call_name(mod.name, node.value) in _DECLARATIVE_FACTORIES
            ):
                meta = keyword(node.value, "metadata")
                convention = _metadata_convention(project, mod, meta)
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        found[f"{mod.name}:{t.id}"] = {"convention": convention}
    return found


def _metadata_convention(
    project: Project, mod: Module, node: ast.expr | None
) -> dict[str, str] | None:
    if isinstance(node, ast.Name):
        assigned = project.top_level(project.resolve(mod.name, node.id))
        if isinstance(assigned, ast.Assign | ast.AnnAssign):
            node = assigned.value
    if isinstance(node, ast.Call) and (value := keyword(node, "naming_convention")) is not None:
        convention = project.literal(mod.name, value)
        if isinstance(convention, dict):
            return {str(k): v for k, v in convention.items() if isinstance(v, str)}
    return None


def _class_convention(project: Project, mod: Module, node: ast.ClassDef) -> dict[str, str] | None:
    for stmt in node.body:
        if any(isinstance(t, ast.Name) and t.id == "metadata" for t in assignment_targets(stmt)):
            return _metadata_convention(project, mod, stmt.value)  # type: ignore[union-attr]
    return None


def learn_base(
    f: Findings,
    project: Project,
    models: list[Model],
    bases: dict[str, dict[str, Any]],
    sqlmodel: bool,
    target: str | None = None,
) -> None:
    """The base generated models share: SQLModel's, the one whose metadata Alembic's
    env.py targets (``target``), or the project's most used one."""
    p = f.profile
    if sqlmodel and not bases:
        p["base"] = "sqlmodel:SQLModel"
        p["sqlmodel"] = True
        f.found.append(
            "SQLModel models: scaffold's models share SQLModel.metadata (one Alembic history)"
        )
        return
    base = _most_used_base(project, models, bases)
    if target is not None and target in bases:
        base = target
    if len(bases) > 1:
        why = "the one Alembic's env.py targets" if base == target else "the most used"
        f.found.append(
            f"{len(bases)} declarative bases ({', '.join(sorted(bases))}): generated models "
            f"use {base}, {why}"
        )
    p["base"] = base
    if sqlmodel:
        p["sqlmodel"] = True
    convention = bases.get(base, {}).get("convention")
    if convention:
        p["naming_convention"] = convention
        f.found.append(
            f"declarative base {base} with a naming convention ({', '.join(sorted(convention))})"
        )
    else:
        f.found.append(
            f"declarative base {base}, no naming convention: scaffold names its constraints itself"
        )


def _most_used_base(project: Project, models: list[Model], bases: dict[str, Any]) -> str:
    """The declarative base most models derive from, through abstract bases and mixins."""
    used: Counter[str] = Counter()
    for m in models:
        found = base_of(project, f"{m.module}:{m.class_name}", bases, 0)
        if found is not None:
            used[found] += 1
    return used.most_common(1)[0][0] if used else next(iter(bases))


def base_of(project: Project, ref: str, bases: dict[str, Any], depth: int = 0) -> str | None:
    """The declarative base the class ``ref`` derives from, through any chain of bases."""
    node = project.top_level(ref)
    if not isinstance(node, ast.ClassDef) or depth > 5:
        return None
    module = ref.partition(":")[0]
    for b in node.bases:
        parent = project.resolve_expr(module, b)
        if parent in bases:
            return parent
        if parent is not None:
            found = base_of(project, parent, bases, depth + 1)
            if found is not None:
                return found
    return None


# --- models --------------------------------------------------------------------------


def find_models(project: Project, bases: set[str]) -> tuple[list[Model], bool]:
    """The project's tables (one per ``__tablename__``), and whether any is SQLModel's."""
    classes = [
        (mod, node, {project.resolve_expr(mod.name, b) for b in node.bases}, _table_keyword(node))
        for mod in project.code_modules()
        for node in mod.tree.body
        if isinstance(node, ast.ClassDef)
    ]
    model_classes = set(bases)
    # Three passes: subclasses of project classes that are themselves models' bases.
    for _ in range(3):
        for mod, node, refs, table_kw in classes:
            is_sqlmodel = table_kw and (
                "sqlmodel:SQLModel" in refs or any(r in model_classes for r in refs if r)
            )
            if refs & model_classes or is_sqlmodel:
                model_classes.add(f"{mod.name}:{node.name}")
    models: list[Model] = []
    sqlmodel = False
    seen = set()
    for mod, node, refs, table_kw in classes:
        if f"{mod.name}:{node.name}" in bases or (not (refs & model_classes) and not table_kw):
            continue
        tablename, abstract = _table_attributes(node)
        if tablename is None and not abstract:
            tablename = declared_tablename(project, mod.name, node)
        if table_kw:
            sqlmodel = True
            tablename = tablename or node.name.lower()
        if abstract or not tablename or tablename in seen:
            continue
        seen.add(tablename)
        key, key_type = _primary_key(project, mod, node)
        models.append(Model(node.name, mod.name, mod.rel, tablename, key, key_type))
    return models, sqlmodel


def _table_keyword(node: ast.ClassDef) -> bool:
    """``class X(SQLModel, table=True)``."""
    return any(k.arg == "table" and getattr(k.value, "value", None) is True for k in node.keywords)


def _table_attributes(node: ast.ClassDef) -> tuple[str | None, bool]:
    """The class's ``__tablename__`` (when a string) and whether it is ``__abstract__``."""
    tablename = None
    abstract = False
    for stmt in node.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            value = stmt.value
            if (
                "__tablename__" in names
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                tablename = value.value
            if "__abstract__" in names and isinstance(value, ast.Constant) and value.value is True:
                abstract = True
    return tablename, abstract


def declared_tablename(
    project: Project, module: str, node: ast.ClassDef, depth: int = 0
) -> str | None:
    """The table name a ``@declared_attr def __tablename__`` of one of the class's bases
    computes from the class's name (``cls.__name__.lower()``, a snake-case ``re.sub``, a
    suffix): None when there is none, or it computes something else."""
    if depth > 5:
        return None
    for b in node.bases:
        ref = project.resolve_expr(module, b)
        parent = project.top_level(ref) if ref else None
        if not isinstance(parent, ast.ClassDef) or ref is None:
            continue
        for stmt in parent.body:
            if (
                isinstance(stmt, ast.FunctionDef)
                and stmt.name == "__tablename__"
                and any("declared_attr" in ast.unparse(d) for d in stmt.decorator_list)
            ):
                return _named(stmt, node.name)
        found = declared_tablename(project, ref.partition(":")[0], parent, depth + 1)
        if found is not None:
            return found
    return None


def _named(func: ast.FunctionDef, class_name: str) -> str | None:
    """What ``func`` (``def __tablename__(cls): return <expr>``) returns for a class named
    ``class_name``, when its one statement is such an expression."""
    body = [
        s for s in func.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or not func.args.args:
        return None
    value = _evaluate(body[0].value, func.args.args[0].arg, class_name)
    return value if isinstance(value, str) and value.isidentifier() else None


def _evaluate(node: ast.expr | None, cls: str, class_name: str) -> str | None:
    """A string expression of ``<cls>.__name__``: methods of str without arguments,
    ``+``, f-strings and ``re.sub`` with literal pattern and replacement."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute) and node.attr == "__name__":
        return class_name if isinstance(node.value, ast.Name) and node.value.id == cls else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _evaluate(node.left, cls, class_name), _evaluate(node.right, cls, class_name)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        joined = ""
        for v in node.values:
            part = _evaluate(v.value if isinstance(v, ast.FormattedValue) else v, cls, class_name)
            if part is None:
                return None
            joined += part
        return joined
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    if node.func.attr in ("lower", "upper", "casefold") and not node.args:
        inner = _evaluate(node.func.value, cls, class_name)
        return None if inner is None else getattr(inner, node.func.attr)()
    if node.func.attr == "sub" and dotted(node.func.value) == "re" and len(node.args) == 3:
        pattern, repl = (_evaluate(a, cls, class_name) for a in node.args[:2])
        text = _evaluate(node.args[2], cls, class_name)
        if pattern is None or repl is None or text is None:
            return None
        try:
            return re.sub(pattern, repl, text)
        except re.error:
            return None
    return None


# --- primary keys --------------------------------------------------------------------


def _type_word(node: ast.expr | None, aliases: dict[str, str] | None = None) -> str | None:
    """The key type an annotation or column type names (the first word we know), through
    the module's import aliases (``UUID as PGUUID``)."""
    if node is None:
        return None
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            continue
        name = (
            sub.attr
            if isinstance(sub, ast.Attribute)
            else sub.id
            if isinstance(sub, ast.Name)
            else None
        )
        if name == "Mapped":
            continue
        if name in _KEY_TYPES:
            return _KEY_TYPES[name]
        imported = (aliases or {}).get(name or "", "").rpartition(".")[2]
        if imported in _KEY_TYPES:
            return _KEY_TYPES[imported]
    return None


def _column_type(call: ast.Call, aliases: dict[str, str] | None = None) -> str | None:
    for arg in call.args:
        inner = arg
        while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            inner = inner.func.value  # BigInteger().with_variant(...) -> BigInteger()
        if isinstance(inner, ast.Call):
            inner = inner.func
        word = _type_word(inner, aliases)
        if word:
            return word
    sa_type = keyword(call, "sa_type") or keyword(call, "type_")
    return _type_word(sa_type, aliases)


def _primary_key(
    project: Project, mod: Module, node: ast.ClassDef, depth: int = 0
) -> tuple[str, str]:
    return _declared_key(project, mod, node, depth) or ("id", "int")


def _declared_key(
    project: Project, mod: Module, node: ast.ClassDef, depth: int = 0
) -> tuple[str, str] | None:
    """The primary key the class declares or inherits (bases in order: a mixin with
    columns but no key, listed first, does not hide the key of the base after it); a
    key of several columns is ("a,b", "composite")."""
    keys = [
        stmt
        for stmt in node.body
        if isinstance(stmt, ast.AnnAssign | ast.Assign)
        and isinstance(stmt.value, ast.Call)
        and _true(keyword(stmt.value, "primary_key"))
    ]
    if len(keys) > 1:
        # A key column that is unique on its own can be referenced by one column: the
        # first such (`id` of a key `id, uuid`, both unique); else the key is composite.
        unique = [
            s for s in keys if isinstance(s.value, ast.Call) and _true(keyword(s.value, "unique"))
        ]
        if not unique:
            names = [(s.target if isinstance(s, ast.AnnAssign) else s.targets[0]) for s in keys]
            return ",".join(n.id for n in names if isinstance(n, ast.Name)), "composite"
        keys = unique[:1]
    for stmt in keys:
        if isinstance(stmt, ast.AnnAssign | ast.Assign) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            target = stmt.target if isinstance(stmt, ast.AnnAssign) else stmt.targets[0]
            name = target.id if isinstance(target, ast.Name) else "id"
            if (
                call.args
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)
            ):
                name = call.args[0].value
            kind = _column_type(call, mod.imports) or (
                _type_word(stmt.annotation, mod.imports)
                if isinstance(stmt, ast.AnnAssign)
                else None
            )
            return name, kind or "int"
    if depth < 4:
        for base in node.bases:
            ref = project.resolve_expr(mod.name, base)
            found = project.top_level(ref) if ref else None
            if isinstance(found, ast.ClassDef):
                owner = project.modules[ref.partition(":")[0]]
                key = _declared_key(project, owner, found, depth + 1)
                if key is not None:
                    return key
    return None


def learn_key_type(f: Findings, models: list[Model]) -> None:
    """New tables' key type (most of the project's), and every table with its key."""
    p = f.profile
    key_types = Counter(m.key_type for m in models if m.key_type in ("uuid", "int", "bigint"))
    if key_types:
        p["id_type"] = (
            "bigint" if key_types.most_common(1)[0][0] == "int" else key_types.most_common(1)[0][0]
        )
        f.found.append(
            f"new tables get {p['id_type']} keys, like most of the project's (--id overrides)"
        )
    p["tables"] = {
        m.table: {"class": m.class_name, "module": m.module, "key": m.key, "key_type": m.key_type}
        for m in models
    }


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
