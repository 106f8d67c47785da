"""Read an existing FastAPI + SQLAlchemy + Alembic project's conventions from its code.

Nothing is imported or run: every module is parsed (with the project's grammar, so
3.12+ syntax reads too) and names are followed through the project's own imports.
The result is a ``Findings``: the profile values, and what was found, assumed and
cannot be supported, in the user's terms.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from scaffold.checks._parse import parse, requires_python
from scaffold.checks._syntax import assignment_targets
from scaffold.project.alembic_config import AlembicConfigError, heads, read_revisions, read_settings

_SKIP = {"node_modules", "__pycache__", "build", "dist", "site-packages", ".scaffold"}
_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}
_AUTH_WORDS = re.compile(r"current|auth|user|account|principal|login|verify|member|tenant")
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


@dataclass
class Module:
    rel: str
    name: str
    tree: ast.Module
    imports: dict[str, str]  # local name -> "module.attr" or "module"
    is_test: bool = False


@dataclass
class Model:
    class_name: str
    module: str
    rel: str
    table: str
    key: str = "id"
    key_type: str = "int"


@dataclass
class Route:
    method: str
    path: str
    module: str
    handler: str
    body_model: str | None  # "module:Class"
    deps: set[str] = field(default_factory=set)


@dataclass
class Findings:
    profile: dict[str, Any] = field(default_factory=dict)
    found: list[str] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    refusal: str | None = None  # why the project cannot be adopted
    refusal_fix: str | None = None
    models: list[Model] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    head: str | None = None


class Project:
    """The parsed modules of a project, and name resolution through its imports."""

    def __init__(self, root: Path, skip: set[Path]) -> None:
        self.root = root
        self.target = requires_python(root)
        self.modules: dict[str, Module] = {}
        self.source_roots = [root / "src"] if (root / "src").is_dir() else []
        for path in self._files(skip):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            tree = parse(text, rel, self.target).tree
            if tree is None:
                continue
            name = self._module_name(path)
            is_test = (
                "/tests/" in f"/{rel}"
                or path.name.startswith("test_")
                or path.name == "conftest.py"
            )
            self.modules[name] = Module(
                rel, name, tree, _imports(tree, name, path.name == "__init__.py"), is_test
            )

    def _files(self, skip: set[Path]) -> list[Path]:
        out = []
        for current, dirs, files in os.walk(self.root):
            here = Path(current)
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d not in _SKIP
                and not (here / d / "pyvenv.cfg").is_file()
                and (here / d).resolve() not in skip
            )
            out += [
                here / f
                for f in sorted(files)
                if f.endswith(".py") and (here / f).resolve() not in skip
            ]
        return out

    def _module_name(self, path: Path) -> str:
        base = self.root
        for source in self.source_roots:
            if source in path.parents:
                base = source
        parts = list(path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def resolve(self, module: str, name: str, depth: int = 0) -> str:
        """``module:name`` of where ``name`` (as seen in ``module``) is defined."""
        head, _, rest = name.partition(".")
        mod = self.modules.get(module)
        if mod is None or depth > 8:
            return f"{module}:{name}"
        target = mod.imports.get(head)
        if target is None:
            return f"{module}:{name}"
        full = target + (f".{rest}" if rest else "")
        # "pkg.mod.attr": the longest project module prefix defines attr.
        parts = full.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in self.modules:
                return self.resolve(candidate, ".".join(parts[cut:]), depth + 1)
        if full in self.modules:
            return f"{full}:"
        return f"{'.'.join(parts[:-1])}:{parts[-1]}" if len(parts) > 1 else f"{full}:"

    def resolve_expr(self, module: str, node: ast.expr) -> str | None:
        dotted = _dotted(node)
        return None if dotted is None else self.resolve(module, dotted)

    def top_level(self, ref: str) -> ast.stmt | None:
        module, _, name = ref.partition(":")
        mod = self.modules.get(module)
        if mod is None:
            return None
        for node in mod.tree.body:
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and node.name == name
            ):
                return node
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    return node
        return None

    def literal(self, module: str, node: ast.expr) -> Any:
        """The value of a literal expression, following one module-level name."""
        if isinstance(node, ast.Name):
            found = self.top_level(self.resolve(module, node.id))
            if isinstance(found, ast.Assign | ast.AnnAssign) and found.value is not None:
                node = found.value
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _imports(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = alias.name
                else:
                    out[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*parts, *([base] if base else [])])
            for alias in node.names:
                out[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return out


def _call_name(project: Project, module: str, node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        return project.resolve_expr(module, node.func)
    return None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


# --- models -------------------------------------------------------------------------


def _bases(project: Project) -> dict[str, dict[str, Any]]:
    """Declarative bases: "module:Name" -> {"convention": dict | None}."""
    found: dict[str, dict[str, Any]] = {}
    for mod in project.modules.values():
        if mod.is_test:
            continue
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
                and _call_name(project, mod.name, node.value) in _DECLARATIVE_FACTORIES
            ):
                meta = _kw(node.value, "metadata")
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
    if isinstance(node, ast.Call) and (value := _kw(node, "naming_convention")) is not None:
        convention = project.literal(mod.name, value)
        if isinstance(convention, dict):
            return {str(k): v for k, v in convention.items() if isinstance(v, str)}
    return None


def _class_convention(project: Project, mod: Module, node: ast.ClassDef) -> dict[str, str] | None:
    for stmt in node.body:
        if any(isinstance(t, ast.Name) and t.id == "metadata" for t in assignment_targets(stmt)):
            return _metadata_convention(project, mod, stmt.value)  # type: ignore[union-attr]
    return None


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


def _type_word(node: ast.expr | None) -> str | None:
    """The key type an annotation or column type names (the first word we know)."""
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
    return None


def _column_type(call: ast.Call) -> str | None:
    for arg in call.args:
        inner = arg
        while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            inner = inner.func.value  # BigInteger().with_variant(...) -> BigInteger()
        if isinstance(inner, ast.Call):
            inner = inner.func
        word = _type_word(inner)
        if word:
            return word
    sa_type = _kw(call, "sa_type") or _kw(call, "type_")
    return _type_word(sa_type)


def _models(project: Project, bases: set[str]) -> tuple[list[Model], bool]:
    models: list[Model] = []
    sqlmodel = False
    model_classes = set(bases)
    # Two passes: subclasses of project classes that are themselves models' bases.
    for _ in range(3):
        for mod in project.modules.values():
            if mod.is_test:
                continue
            for node in mod.tree.body:
                if not isinstance(node, ast.ClassDef):
                    continue
                ref = f"{mod.name}:{node.name}"
                refs = {project.resolve_expr(mod.name, b) for b in node.bases}
                table_kw = any(
                    k.arg == "table" and getattr(k.value, "value", None) is True
                    for k in node.keywords
                )
                is_sqlmodel = table_kw and (
                    "sqlmodel:SQLModel" in refs or any(r in model_classes for r in refs if r)
                )
                if refs & model_classes or is_sqlmodel:
                    model_classes.add(ref)
    seen = set()
    for mod in project.modules.values():
        if mod.is_test:
            continue
        for node in mod.tree.body:
            if not isinstance(node, ast.ClassDef) or f"{mod.name}:{node.name}" in bases:
                continue
            refs = {project.resolve_expr(mod.name, b) for b in node.bases}
            table_kw = any(
                k.arg == "table" and getattr(k.value, "value", None) is True for k in node.keywords
            )
            if not (refs & model_classes) and not table_kw:
                continue
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
                    if (
                        "__abstract__" in names
                        and isinstance(value, ast.Constant)
                        and value.value is True
                    ):
                        abstract = True
            if table_kw:
                sqlmodel = True
                tablename = tablename or node.name.lower()
            if abstract or not tablename or tablename in seen:
                continue
            seen.add(tablename)
            key, key_type = _primary_key(project, mod, node)
            models.append(Model(node.name, mod.name, mod.rel, tablename, key, key_type))
    return models, sqlmodel


def _primary_key(
    project: Project, mod: Module, node: ast.ClassDef, depth: int = 0
) -> tuple[str, str]:
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign | ast.Assign) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            pk = _kw(call, "primary_key")
            if not (isinstance(pk, ast.Constant) and pk.value is True):
                continue
            target = stmt.target if isinstance(stmt, ast.AnnAssign) else stmt.targets[0]
            name = target.id if isinstance(target, ast.Name) else "id"
            if (
                call.args
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)
            ):
                name = call.args[0].value
            kind = _column_type(call) or (
                _type_word(stmt.annotation) if isinstance(stmt, ast.AnnAssign) else None
            )
            return name, kind or "int"
    if depth < 3:
        for base in node.bases:
            ref = project.resolve_expr(mod.name, base)
            found = project.top_level(ref) if ref else None
            if isinstance(found, ast.ClassDef):
                owner = project.modules[ref.partition(":")[0]]
                key = _primary_key(project, owner, found, depth + 1)
                if key != ("id", "int") or any(isinstance(s, ast.AnnAssign) for s in found.body):
                    return key
    return "id", "int"


# --- dependencies and routes ------------------------------------------------------


def _functions(project: Project) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    out = {}
    for mod in project.modules.values():
        if mod.is_test:
            continue
        for node in mod.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                out[f"{mod.name}:{node.name}"] = node
    return out


def _session_kind(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """ "async" / "sync" for a session dependency (a generator or function giving a session)."""
    returns = ast.unparse(node.returns) if node.returns else ""
    body = ast.unparse(node)
    yields = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ast.walk(node))
    if "AsyncSession" in returns or (
        isinstance(node, ast.AsyncFunctionDef) and yields and re.search(r"[Ss]ession", body)
    ):
        return "async" if isinstance(node, ast.AsyncFunctionDef) else None
    if re.search(r"\bSession\b", returns) or (yields and re.search(r"\bSession(Local)?\(", body)):
        return "sync" if isinstance(node, ast.FunctionDef) else None
    return None


def _depends_targets(
    project: Project, module: str, node: ast.AST, aliases: dict[str, str]
) -> set[str]:
    """Every ``Depends(X)`` under ``node`` (aliases like ``CurrentUser`` followed), as refs."""
    out = set()
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Call)
            and _dotted(sub.func) in ("Depends", "fastapi.Depends", "Security", "fastapi.Security")
            and sub.args
        ):
            ref = project.resolve_expr(module, sub.args[0])
            if ref:
                out.add(ref)
        elif isinstance(sub, ast.Name | ast.Attribute):
            dotted = _dotted(sub)
            if dotted:
                ref = project.resolve(module, dotted)
                if ref in aliases:
                    out.add(aliases[ref])
    return out


def _aliases(project: Project) -> dict[str, str]:
    """``X = Annotated[T, Depends(f)]`` -> {"module:X": "module:f"}."""
    out = {}
    for mod in project.modules.values():
        for node in mod.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                text = ast.unparse(node.value)
                if "Annotated" in text and "Depends(" in text:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    deps = _depends_targets(project, mod.name, node.value, {})
                    for t in targets:
                        if isinstance(t, ast.Name) and deps:
                            out[f"{mod.name}:{t.id}"] = sorted(deps)[0]
    return out


def _routers(project: Project) -> dict[str, dict[str, Any]]:
    """APIRouter and FastAPI objects: "module:name" -> {"prefix", "deps", "kind"}."""
    routers: dict[str, dict[str, Any]] = {}
    for mod in project.modules.values():
        if mod.is_test:
            continue
        for node in mod.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
                called = _call_name(project, mod.name, node.value)
                kind = {
                    "fastapi:APIRouter": "router",
                    "fastapi.routing:APIRouter": "router",
                    "fastapi:FastAPI": "app",
                    "fastapi.applications:FastAPI": "app",
                }.get(called or "")
                if kind is None:
                    continue
                prefix = (
                    project.literal(mod.name, _kw(node.value, "prefix"))
                    if _kw(node.value, "prefix") is not None
                    else ""
                )
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        routers[f"{mod.name}:{t.id}"] = {
                            "kind": kind,
                            "prefix": prefix if isinstance(prefix, str) else "",
                            "node": node.value,
                            "module": mod.name,
                        }
    return routers


def _settings_value(project: Project, module: str, node: ast.expr) -> Any:
    """``settings.API_V1_STR`` -> the default the Settings class declares for it."""
    literal = project.literal(module, node)
    if literal is not None:
        return literal
    if isinstance(node, ast.Attribute):
        for mod in project.modules.values():
            for cls in mod.tree.body:
                if isinstance(cls, ast.ClassDef):
                    for stmt in cls.body:
                        if (
                            isinstance(stmt, ast.AnnAssign)
                            and isinstance(stmt.target, ast.Name)
                            and stmt.target.id == node.attr
                            and stmt.value is not None
                        ):
                            value = project.literal(mod.name, stmt.value)
                            if value is not None:
                                return value
    return None


# --- the whole reading --------------------------------------------------------------


def read(root: Path, skip_files: frozenset[str] = frozenset()) -> Findings:
    """``skip_files``: files scaffold generated itself (its support module), never read as the project's."""
    f = Findings()
    try:
        alembic = read_settings(root)
    except AlembicConfigError as exc:
        f.refusal = f"its Alembic settings cannot be read ({exc})"
        f.refusal_fix = "fix alembic.ini so that `alembic heads` runs"
        return f
    skip = {(root / alembic.script_location).resolve()} if alembic else set()
    project = Project(root, skip | {(root / rel).resolve() for rel in skip_files})
    bases = _bases(project)
    models, sqlmodel = _models(project, set(bases))
    if not models:
        f.refusal = "it has no SQLAlchemy or SQLModel models (no class with __tablename__ on a declarative base)"
        f.refusal_fix = (
            "declare the tables as SQLAlchemy 2 models (a DeclarativeBase subclass and one class per table) "
            "and manage the schema with Alembic, then run scaffold adopt again"
        )
        return f
    if alembic is None:
        f.refusal = (
            "it has no Alembic set-up (no alembic.ini and no [tool.alembic] in pyproject.toml)"
        )
        f.refusal_fix = "run `alembic init -t async migrations` and point env.py's target_metadata at the models' metadata"
        return f
    p = f.profile
    f.models = models
    # Layout and package.
    model_files = Counter(m.rel for m in models)
    packages = Counter(m.module.split(".")[0] for m in models)
    package = packages.most_common(1)[0][0]
    package_dir = next(
        (m.rel.split("/")[0] for m in models if m.module.split(".")[0] == package), package
    )
    if any(m.rel.startswith("src/") for m in models):
        package_dir = f"src/{package}"
    feature_files = [
        r
        for r in model_files
        if PurePosixPath(r).name == "models.py" and len(PurePosixPath(r).parts) >= 3
    ]
    if len(model_files) == 1 and PurePosixPath(next(iter(model_files))).name in (
        "models.py",
        "tables.py",
        "db.py",
    ):
        layout = "single-file"
    elif len(feature_files) >= 2 and len(feature_files) >= len(model_files) / 2:
        layout = "features"
    else:
        layout = "layers"
    p["layout"] = layout
    p["package"] = package
    f.found.append(
        f"{len(models)} tables in {len(model_files)} model module{'s' if len(model_files) != 1 else ''} "
        f"({layout}): " + ", ".join(f"{m.table} ({m.key_type} {m.key})" for m in models)
    )
    feature_root = (
        str(PurePosixPath(feature_files[0]).parent.parent) if layout == "features" else package_dir
    )
    # Route modules: where the existing routers live.
    routers = _routers(project)
    include_calls = []
    for mod in project.modules.values():
        if mod.is_test:
            continue
        for node in ast.walk(mod.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "include_router"
                and node.args
            ):
                owner = project.resolve_expr(mod.name, node.func.value)
                included = project.resolve_expr(mod.name, node.args[0])
                include_calls.append((mod, owner, included, node))
    router_files = Counter()
    for _mod, _owner, included, _node in include_calls:
        if included and included in routers and routers[included]["kind"] == "router":
            inc_mod = project.modules.get(included.partition(":")[0])
            if inc_mod is not None:
                router_files[inc_mod.rel] += 1
    registry_counts = Counter(owner for _m, owner, _i, _n in include_calls if owner in routers)
    registry = None
    if registry_counts:
        registry = registry_counts.most_common(1)[0][0]
    app_ref = next((r for r, v in routers.items() if v["kind"] == "app"), None)
    if app_ref:
        p["app"] = app_ref
    api_prefix = ""
    if registry is not None:
        reg = routers[registry]
        api_prefix = reg["prefix"]
        if reg["kind"] == "router":
            for mod, owner, included, node in include_calls:
                if included == registry and owner in routers:
                    prefix = _kw(node, "prefix")
                    value = _settings_value(project, mod.name, prefix) if prefix is not None else ""
                    if isinstance(value, str):
                        api_prefix = value + api_prefix
                    else:
                        f.assumed.append(
                            f"the prefix {ast.unparse(prefix)!r} of {registry.partition(':')[2]} could not be read: assumed none"
                        )  # type: ignore[arg-type]
        else:
            # Routers included in the app itself, each under the same prefix
            # (`app.include_router(router, prefix="/api")`): generated ones get it too.
            given = Counter()
            for mod, owner, _included, node in include_calls:
                if owner == registry:
                    prefix = _kw(node, "prefix")
                    value = _settings_value(project, mod.name, prefix) if prefix is not None else ""
                    given[value if isinstance(value, str) else None] += 1
            common = given.most_common(1)[0][0] if given else ""
            if common is None:
                f.assumed.append(
                    f"the prefix of the routers included in {registry.partition(':')[2]} could not be read: assumed none"
                )
            elif common:
                api_prefix = api_prefix + common
                p["include_prefix"] = True
        reg_mod = project.modules[registry.partition(":")[0]]
        p["router_registry"] = f"{reg_mod.rel}:{registry.partition(':')[2]}"
        f.found.append(
            f"routers are included in {reg_mod.rel} ({registry.partition(':')[2]}.include_router), under {api_prefix or '/'}"
        )
    else:
        f.unsupported.append(
            "no router registry (no include_router call): the generated routers' include lines are printed instead"
        )
    p["api_prefix"] = api_prefix
    # Paths of each layer.
    route_dirs = Counter(str(PurePosixPath(r).parent) for r in router_files)
    if layout == "features":
        names = Counter(
            PurePosixPath(r).name
            for r in router_files
            if str(PurePosixPath(r).parent.parent) == feature_root
        )
        router_name = names.most_common(1)[0][0] if names else "router.py"
        p["models"] = f"{feature_root}/{{name}}/models.py"
        p["schemas"] = f"{feature_root}/{{name}}/schemas.py"
        p["services"] = f"{feature_root}/{{name}}/service.py"
        p["routers"] = f"{feature_root}/{{name}}/{router_name}"
    else:
        model_dir = (
            f"{package_dir}/{{name}}"
            if layout == "single-file"
            else str(PurePosixPath(model_files.most_common(1)[0][0]).parent)
        )
        if layout == "single-file":
            p["models"] = f"{model_dir}/models.py"
            p["schemas"] = f"{model_dir}/schemas.py"
            p["services"] = f"{model_dir}/service.py"
        else:
            p["models"] = f"{model_dir}/{{name}}.py"
            p["schemas"] = _layer_dir(root, package_dir, ("schemas",), "schemas") + "/{name}.py"
            p["services"] = (
                _layer_dir(root, package_dir, ("services", "crud", "repositories"), "services")
                + "/{name}.py"
            )
        route_dir = (
            route_dirs.most_common(1)[0][0]
            if route_dirs
            else _layer_dir(root, package_dir, ("api/routes", "routers", "api"), "routers")
        )
        p["routers"] = f"{route_dir}/{{name}}.py"
    # Tests.
    tests_dir, style, client, headers = _tests(project, root)
    p["tests"] = f"{tests_dir}/test_{{name}}.py"
    p["factories"] = f"{tests_dir}/factories/{{name}}.py"
    p["support_module"] = f"{package_dir}/scaffold_support.py"
    # Base.
    if sqlmodel and not bases:
        p["base"] = "sqlmodel:SQLModel"
        p["sqlmodel"] = True
        f.found.append(
            "SQLModel models: scaffold's models share SQLModel.metadata (one Alembic history)"
        )
    else:
        used = Counter()
        for m in models:
            mod = project.modules[m.module]
            node = project.top_level(f"{m.module}:{m.class_name}")
            if isinstance(node, ast.ClassDef):
                for b in node.bases:
                    ref = project.resolve_expr(mod.name, b)
                    if ref in bases:
                        used[ref] += 1
        base = used.most_common(1)[0][0] if used else next(iter(bases))
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
    # Sessions.
    functions = _functions(project)
    aliases = _aliases(project)
    uses = Counter()
    for mod in project.modules.values():
        if not mod.is_test:
            for ref in _depends_targets(project, mod.name, mod.tree, aliases):
                uses[ref] += 1
    sessions = {ref: kind for ref, fn in functions.items() if (kind := _session_kind(fn))}
    async_sessions = sorted(
        (r for r, k in sessions.items() if k == "async"), key=lambda r: (-uses[r], r)
    )
    sync_sessions = sorted(
        (r for r, k in sessions.items() if k == "sync"), key=lambda r: (-uses[r], r)
    )
    if sync_sessions:
        p["sync_session"] = sync_sessions[0]
    if async_sessions:
        p["session_dependency"] = async_sessions[0]
        f.found.append(f"async session dependency {async_sessions[0]}")
    else:
        engine = _sync_engine(project)
        if engine is None:
            f.refusal = (
                "it has no session dependency and no engine that scaffold's routes could use"
            )
            f.refusal_fix = "add an async session dependency (async def get_session() yielding an AsyncSession) and run scaffold adopt again"
            return f
        p["sync_engine"] = engine
        f.found.append(
            f"only sync sessions ({', '.join(sync_sessions) or 'none'}): adopt adds an async session "
            f"dependency beside them, get_async_session in {p['support_module']}, on the same database as {engine} "
            "through its async driver (standing order 2)"
        )
    # Auth.
    routes = _route_handlers(project, routers, aliases)
    f.routes = routes
    session_refs = set(sessions)
    counts = Counter(
        d
        for r in routes
        for d in r.deps
        if d not in session_refs and _AUTH_WORDS.search(d.partition(":")[2].lower())
    )
    if counts and routes:
        auth, protected = counts.most_common(1)[0]
        p["auth_dependency"] = auth
        f.found.append(
            f"auth dependency {auth} on {protected} of {len(routes)} routes ({round(100 * protected / len(routes))} %): generated routes use it"
        )
    else:
        f.found.append(
            f"no auth dependency on the {len(routes)} routes: generated routes are public like the project's"
        )
    # Alembic.
    p["alembic_ini"] = alembic.ini or "pyproject.toml"
    p["alembic_dir"] = alembic.script_location
    p["file_template"] = alembic.file_template
    graph = read_revisions(root / alembic.script_location / "versions", alembic.recursive)
    found_heads = heads(graph)
    f.head = found_heads[0] if len(found_heads) == 1 else None
    merges = sum(1 for r in graph.values() if len(r.down) > 1)
    f.found.append(
        f"Alembic in {alembic.script_location}/ ({len(graph)} revisions{f', {merges} merge' + ('s' if merges != 1 else '') if merges else ''}), "
        f"head {', '.join(found_heads) or '<base>'}, file_template {alembic.file_template!r}"
    )
    if len(found_heads) > 1:
        f.unsupported.append(
            f"{len(found_heads)} Alembic heads ({', '.join(found_heads)}): merge them (alembic merge heads) before generating"
        )
    registry_module = _model_registry(project, root, alembic.script_location)
    if registry_module:
        p["model_registry"] = registry_module
    else:
        f.assumed.append(
            "Alembic's env.py imports no module listing the models: add scaffold's model imports to it by hand"
        )
    # Tests.
    if client:
        p["client_fixture"] = client
        p["test_style"] = style
        f.found.append(
            f"tests in {tests_dir}/, {style} client fixture {client!r}"
            + (f", auth headers fixture {headers!r}" if headers else "")
        )
        if headers:
            p["auth_headers_fixture"] = headers
        elif p.get("auth_dependency"):
            f.unsupported.append(
                "no fixture of signed-in headers found: the generated tests cannot sign in (add one named auth_headers)"
            )
    else:
        f.assumed.append(
            f"no client fixture found in {tests_dir}/conftest.py: generated tests expect one named 'client'"
        )
        p["test_style"] = "async"
    p["asyncio_mode"] = _asyncio_mode(root)
    version = project.target
    if version:
        p["python"] = f"{version[0]}.{version[1]}"
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
    return f


def _layer_dir(root: Path, package_dir: str, names: tuple[str, ...], default: str) -> str:
    for name in names:
        if (root / package_dir / name).is_dir():
            return f"{package_dir}/{name}"
    return f"{package_dir}/{default}"


_ENGINE_FACTORIES = (
    "sqlalchemy:create_engine",
    "sqlmodel:create_engine",
    "sqlalchemy.engine:create_engine",
)


def _sync_engine(project: Project) -> str | None:
    for mod in project.modules.values():
        if mod.is_test:
            continue
        for node in mod.tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and _call_name(project, mod.name, node.value) in _ENGINE_FACTORIES
            ):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        return f"{mod.name}:{t.id}"
    return None


def _route_handlers(
    project: Project, routers: dict[str, dict[str, Any]], aliases: dict[str, str]
) -> list[Route]:
    out = []
    for mod in project.modules.values():
        if mod.is_test:
            continue
        for node in mod.tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for deco in node.decorator_list:
                if not (
                    isinstance(deco, ast.Call)
                    and isinstance(deco.func, ast.Attribute)
                    and deco.func.attr in _ROUTE_METHODS
                ):
                    continue
                owner = project.resolve_expr(mod.name, deco.func.value)
                if owner not in routers:
                    continue
                path = (
                    deco.args[0].value
                    if deco.args and isinstance(deco.args[0], ast.Constant)
                    else ""
                )
                deps = _depends_targets(project, mod.name, node.args, aliases)
                deps |= _depends_targets(project, mod.name, deco, aliases)
                deps |= _depends_targets(project, mod.name, routers[owner]["node"], aliases)
                body_model = None
                for arg in node.args.args:
                    if arg.annotation is not None and isinstance(
                        arg.annotation, ast.Name | ast.Attribute
                    ):
                        ref = project.resolve_expr(mod.name, arg.annotation)
                        if ref and isinstance(project.top_level(ref), ast.ClassDef):
                            body_model = ref
                out.append(
                    Route(deco.func.attr.upper(), str(path), mod.name, node.name, body_model, deps)
                )
    return out


def _tests(project: Project, root: Path) -> tuple[str, str, str | None, str | None]:
    conftests = sorted(
        (m for m in project.modules.values() if m.rel.endswith("conftest.py")),
        key=lambda m: m.rel.count("/"),
    )
    for conf in conftests:
        fixtures = {}
        for node in conf.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                "fixture" in ast.unparse(d) for d in node.decorator_list
            ):
                fixtures[node.name] = node
        client_name = (
            "client"
            if "client" in fixtures
            else next(
                (
                    n
                    for n, fn in fixtures.items()
                    if re.search(r"TestClient|AsyncClient", ast.unparse(fn))
                ),
                None,
            )
        )
        if client_name is None:
            continue
        fn = fixtures[client_name]
        text = ast.unparse(fn)
        style = "async" if isinstance(fn, ast.AsyncFunctionDef) or "AsyncClient" in text else "sync"
        order = ["auth_headers", "superuser_token_headers"]
        headers = next((n for n in order if n in fixtures), None) or next(
            (n for n in fixtures if "headers" in n and not n.startswith("make")), None
        )
        return str(PurePosixPath(conf.rel).parent), style, client_name, headers
    return ("tests", "async", None, None)


def _model_registry(project: Project, root: Path, script_location: str) -> str | None:
    """The module env.py imports that imports (or holds) the models."""
    env = root / script_location / "env.py"
    if not env.is_file():
        return None
    tree = parse(env.read_text(encoding="utf-8", errors="replace"), "env.py", project.target).tree
    if tree is None:
        return None
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.append(node.module)
            imported += [f"{node.module}.{a.name}" for a in node.names]
    for name in imported:
        mod = project.modules.get(name)
        if mod is None or mod.is_test:
            continue
        text = ast.unparse(mod.tree)
        if (
            "__tablename__" in text
            or "table=True" in text
            or re.search(r"import .*\b[A-Z]\w+", text)
            and ".models" in text
        ):
            return mod.rel
    return None


def _asyncio_mode(root: Path) -> str:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return "strict"
    mode = (
        data.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("asyncio_mode", "strict")
    )
    return str(mode)
