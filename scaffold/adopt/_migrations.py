"""The project's Alembic set-up: its settings, its revision graph and head, and the
module env.py imports the models through."""

from __future__ import annotations

import ast
from pathlib import Path

from scaffold.adopt._findings import Findings
from scaffold.adopt._source import Project, imported_from, module_imports
from scaffold.checks._parse import parse
from scaffold.project.alembic_config import AlembicSettings, heads, read_revisions


def learn_alembic(f: Findings, project: Project, root: Path, alembic: AlembicSettings) -> None:
    """Where migrations go and how they are named, the single head new ones chain to,
    and where generated models are registered."""
    p = f.profile
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
    registry_module = _model_registry(project, root, alembic.script_location, f.models)
    env = f"{alembic.script_location}/env.py"
    walked = _walked_package(project, root, alembic.script_location)
    if registry_module:
        p["model_registry"] = registry_module
    elif walked is not None and str(p.get("models", "")).startswith(walked):
        f.found.append(
            f"{env} imports every module of {walked} (it walks the package): new models "
            "there reach it with no edit"
        )
    elif _imports_the_project_first(project, root, alembic.script_location):
        # env.py takes its metadata from a base and imports no models: scaffold imports
        # each new model in env.py itself, so autogenerate and `alembic check` see it.
        p["model_registry"] = env
        f.found.append(
            f"{env} imports no module listing the models (target_metadata comes from the "
            "base): scaffold imports each new model in env.py, beside its own imports"
        )
    else:
        f.assumed.append(
            "Alembic's env.py imports no module listing the models: add scaffold's model imports to it by hand"
        )


def _walked_package(project: Project, root: Path, script_location: str) -> str | None:
    """The folder (``src/app/models/``) of the package whose modules env.py imports by walking it
    (``pkgutil.walk_packages`` or ``importlib.import_module`` on a name it is given)."""
    tree = _env_tree(project, root, script_location)
    if tree is None:
        return None
    calls = {
        (node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", ""))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    if not calls & {"walk_packages", "iter_modules"} or "import_module" not in calls:
        return None
    names = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in project.modules
        and project.modules[node.value].rel.endswith("__init__.py")
    ]
    return project.modules[names[0]].rel.rpartition("/")[0] + "/" if len(names) == 1 else None


def _imports_the_project_first(project: Project, root: Path, script_location: str) -> bool:
    """Whether env.py's first block of imports already imports a module of the project's
    (where a new model's import, added after that block, imports as theirs do)."""
    tree = _env_tree(project, root, script_location)
    if tree is None:
        return False
    body = tree.body[1:] if tree.body and _is_docstring(tree.body[0]) else tree.body
    for node in body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            return False
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        if any(n and n.split(".")[0] in _top_packages(project) for n in names):
            return True
    return False


def _top_packages(project: Project) -> set[str]:
    return {name.split(".")[0] for name, mod in project.modules.items() if not mod.is_test}


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def _model_registry(project: Project, root: Path, script_location: str, models: list) -> str | None:
    """The module env.py imports that holds or imports the models: checked against the
    models found (a settings module env.py also imports is not a registry)."""
    tree = _env_tree(project, root, script_location)
    if tree is None:
        return None
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.append(node.module)
            imported += [f"{node.module}.{a.name}" for a in node.names]
    classes = {f"{m.module}.{m.class_name}" for m in models}
    modules = {m.module for m in models}
    for name in imported:
        mod = project.modules.get(name)
        if mod is None or mod.is_test:
            continue
        if mod.name in modules or set(mod.imports.values()) & (classes | modules):
            return mod.rel
    # A registry of registries: a module that imports the packages holding the models
    # (`from .recipe import *`, each package's __init__ importing its model modules); or
    # the package of a module env.py imports (`from app.models.base import Base` runs
    # app/models/__init__.py first).
    parents = [".".join(n.split(".")[:i]) for n in imported for i in range(n.count("."), 0, -1)]
    for name in dict.fromkeys([*imported, *parents]):
        mod = project.modules.get(name)
        if mod is not None and not mod.is_test and _reaches_models(project, mod.name, modules):
            return mod.rel
    return None


def _reaches_models(project: Project, name: str, modules: set[str], depth: int = 0) -> bool:
    """Whether module ``name``'s imports (star and relative ones included) reach a module
    of ``modules``, through the project's own modules (a few levels deep)."""
    mod = project.modules.get(name)
    if mod is None or depth > 3:
        return False
    for other in imported_modules(mod.tree, name, mod.rel.endswith("__init__.py")):
        if other in modules:
            return True
        if other != name and _reaches_models(project, other, modules, depth + 1):
            return True
    return False


def imported_modules(tree: ast.Module, module: str, is_package: bool) -> list[str]:
    """The absolute names of the modules ``tree`` imports from, each ``from X import a``
    also as ``X.a`` (a submodule of a package), relative and star imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = imported_from(node, package)
            out.append(base)
            out += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
    return [name for name in out if name]


def env_metadata_base(project: Project, root: Path, script_location: str) -> str | None:
    """``module:Base`` of ``target_metadata = Base.metadata`` in Alembic's env.py."""
    tree = _env_tree(project, root, script_location)
    if tree is None:
        return None
    imports = module_imports(tree, "env", False)
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "target_metadata" for t in node.targets)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "metadata"
            and isinstance(node.value.value, ast.Name)
        ):
            dotted = imports.get(node.value.value.id)
            if dotted is None or "." not in dotted:
                return None
            module, _, name = dotted.rpartition(".")
            if module in project.modules:
                return project.resolve(module, name)
            return f"{module}:{name}"
    return None


def _env_tree(project: Project, root: Path, script_location: str) -> ast.Module | None:
    """Alembic's env.py, parsed; None when there is none or it does not parse."""
    env = root / script_location / "env.py"
    if not env.is_file():
        return None
    return parse(env.read_text(encoding="utf-8", errors="replace"), "env.py", project.target).tree
