"""Every fact adopt records, checked against the code it came from.

Reading follows names through imports; a fact that does not land on a definition of
the project's (a dependency, the app, the base, a registry, a table's class) would make
generated code import what is not there. Such a fact is left out of the profile and
said in one line, with the key that would fix it.
"""

from __future__ import annotations

import ast

from scaffold.adopt._findings import Findings
from scaffold.adopt._source import Project, assigns, defines

# Profile keys naming "module:object" that generated code imports.
_OBJECTS = ("session_dependency", "sync_session", "sync_engine", "auth_dependency", "app")


def check_facts(f: Findings, project: Project) -> None:
    """Drop (and say) each recorded object that is not defined where the profile says."""
    p = f.profile
    for key in _OBJECTS:
        ref = p.get(key)
        if isinstance(ref, str) and not _defined(project, ref):
            del p[key]
            f.unsupported.append(
                f"{key} {ref} was found but is not defined there: set {key} in [tool.scaffold] "
                "to the module:object generated code should import"
            )
    base = p.get("base")
    if isinstance(base, str) and not base.startswith("sqlmodel:") and not _defined(project, base):
        f.unsupported.append(
            f"the declarative base {base} is not defined there: set base in [tool.scaffold]"
        )
    registry = p.get("router_registry")
    if isinstance(registry, str):
        rel, _, name = registry.partition(":")
        module = next((m for m in project.modules.values() if m.rel == rel), None)
        if module is None or not _assigns(module.tree, name):
            del p["router_registry"]
            f.unsupported.append(
                f"the router registry {registry} is not in the code: the include lines are "
                "printed instead (set router_registry to path.py:router)"
            )
    for model in list(f.models):
        if project.top_level(f"{model.module}:{model.class_name}") is None:
            f.models.remove(model)


def _defined(project: Project, ref: str) -> bool:
    """Whether ``ref`` is defined where it says; an object of another package (a library's
    auth dependency) is the library's to define."""
    module, _, name = ref.partition(":")
    if module not in project.modules:
        packages = {m.split(".")[0] for m in project.modules}
        return module.split(".")[0] not in packages
    if project.top_level(ref) is not None:
        return True
    if project.top_level(project.resolve(module, name)) is not None:
        return True
    body = project.modules[module].tree.body
    # Possibly bound by a star import, or inside a top-level `if`/`try` block: trusted.
    if any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in body):
        return True
    return any(isinstance(n, ast.If | ast.Try) and _binds(n, name) for n in body)


def _binds(block: ast.stmt, name: str) -> bool:
    return any(defines(node, name) for node in ast.walk(block))


def _assigns(tree: ast.Module, name: str) -> bool:
    """Whether the module binds ``name`` at its top level (where a registry edit appends
    its ``include_router`` line): an app made only inside ``create_app()`` is not."""
    return any(assigns(node, name) for node in tree.body)
