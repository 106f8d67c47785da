"""The project's routers and app: where routers are included (the registry generated
routers join), under which prefix, and each route with its dependencies."""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

from scaffold.adopt._dependencies import depends_targets
from scaffold.adopt._findings import Findings, Route
from scaffold.adopt._source import Module, Project
from scaffold.checks._syntax import keyword

_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}
_ROUTER_CLASSES = {
    "fastapi:APIRouter": "router",
    "fastapi.routing:APIRouter": "router",
    "fastapi:FastAPI": "app",
    "fastapi.applications:FastAPI": "app",
}


class Include(NamedTuple):
    """``owner.include_router(included, ...)`` in ``module``."""

    module: Module
    owner: str | None
    included: str | None
    call: ast.Call


@dataclass(frozen=True)
class Routing:
    routers: dict[str, dict[str, Any]]  # see find_routers
    router_files: Counter[str]  # the files of included routers, by how often
    includes: tuple[Include, ...] = ()


def learn_routing(f: Findings, project: Project) -> Routing:
    """The app, the router registry (what includes the most routers) and the prefix
    routes included in it are served under."""
    p = f.profile
    routers = find_routers(project)
    includes, mounts = _includes(project)
    router_files: Counter[str] = Counter()
    for include in includes:
        included = include.included
        if included and included in routers and routers[included]["kind"] == "router":
            inc_mod = project.modules.get(included.partition(":")[0])
            if inc_mod is not None:
                router_files[inc_mod.rel] += 1
    app_ref, mounted = _main_app(routers, mounts)
    # Never a sub-application the app mounts (a back office), nor a router only it serves.
    served = _served_by({app_ref} if app_ref else set(), includes)
    aside = _served_by(mounted, includes) - served
    registry_counts = Counter(
        i.owner for i in includes if i.owner in routers and i.owner not in aside
    )
    # On a tie, the router that includes the features' routers rather than the app
    # that includes that router.
    registry = (
        max(registry_counts, key=lambda r: (registry_counts[r], routers[r]["kind"] == "router"))
        if registry_counts
        else None
    )
    if app_ref:
        p["app"] = app_ref
    api_prefix = ""
    if registry is not None:
        api_prefix = _registry_prefix(f, project, routers, registry, includes)
        reg_mod = project.modules[registry.partition(":")[0]]
        p["router_registry"] = f"{reg_mod.rel}:{registry.partition(':')[2]}"
        f.found.append(
            f"routers are included in {reg_mod.rel} ({registry.partition(':')[2]}.include_router), under {api_prefix or '/'}"
        )
    else:
        f.unsupported.append(
            "no router registry (routers are included only inside functions, no module-level "
            "router or app includes them): the generated routers' include lines are printed "
            "instead; set router_registry to path.py:router of a module-level router"
            if includes
            else "no router registry (no include_router call): the generated routers' include "
            "lines are printed instead"
        )
    p["api_prefix"] = api_prefix
    return Routing(routers, router_files, tuple(includes))


def find_routers(project: Project) -> dict[str, dict[str, Any]]:
    """APIRouter and FastAPI objects: "module:name" -> {"kind", "prefix", "node", "module"}."""
    routers: dict[str, dict[str, Any]] = {}
    for mod in project.code_modules():
        for node in mod.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
                called = project.call_name(mod.name, node.value) or ""
                kind = router_class_kind(project, called)
                if kind is None and _makes_an_app(project, called):
                    kind = "app"  # app = create_app()
                if kind is None:
                    continue
                prefix = (
                    project.literal(mod.name, keyword(node.value, "prefix"))
                    if keyword(node.value, "prefix") is not None
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


def router_class_kind(project: Project, ref: str, depth: int = 0) -> str | None:
    """ "router" or "app" when ``ref`` is FastAPI's ``APIRouter``/``FastAPI`` or a class of
    the project's derived from one (also one a helper function makes:
    ``APIRouter = get_api_router_class(APIRoute)``)."""
    if ref in _ROUTER_CLASSES or depth > 6 or not ref:
        return _ROUTER_CLASSES.get(ref)
    module, _, name = ref.partition(":")
    mod = project.modules.get(module)
    if mod is None:
        return None
    for node in mod.tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            for base in node.bases:
                kind = router_class_kind(
                    project, project.resolve_expr(module, base) or "", depth + 1
                )
                if kind:
                    return kind
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            # A function that makes a router class: the class it defines and returns.
            for sub in ast.walk(node):
                if isinstance(sub, ast.ClassDef):
                    for base in sub.bases:
                        kind = router_class_kind(
                            project, project.resolve_expr(module, base) or "", depth + 1
                        )
                        if kind:
                            return kind
        elif (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            and isinstance(node.value, ast.Call)
        ):
            return router_class_kind(
                project, project.call_name(module, node.value) or "", depth + 1
            )
    return None


def _makes_an_app(project: Project, ref: str) -> bool:
    """Whether ``ref`` is a function of the project's that builds and returns a FastAPI app
    (an application factory, ``create_app()``)."""
    node = project.top_level(ref) if ref else None
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    module = ref.partition(":")[0]
    return any(
        isinstance(sub, ast.Call)
        and router_class_kind(project, project.call_name(module, sub) or "") == "app"
        for sub in ast.walk(node)
    )


def _main_app(
    routers: dict[str, dict[str, Any]], mounts: list[str | None]
) -> tuple[str | None, set[str]]:
    """The application (of the FastAPI objects, one no other app mounts: a back office or
    a redirect app served under the main one is not it), and the apps mounted."""
    apps = [r for r, v in routers.items() if v["kind"] == "app"]
    mounted = {ref for ref in mounts if ref in routers}
    top = [r for r in apps if r not in mounted]
    return (top or apps or [None])[0], mounted


def _served_by(roots: set[str], includes: list[Include]) -> set[str]:
    """``roots`` and every router they include, directly or through other routers."""
    served = set(roots)
    changed = True
    while changed:
        changed = False
        for include in includes:
            if include.owner in served and include.included and include.included not in served:
                served.add(include.included)
                changed = True
    return served


def _includes(project: Project) -> tuple[list[Include], list[str | None]]:
    """Every ``include_router`` call, and what each ``mount``/``host`` call serves (one
    pass over the trees)."""
    found = []
    mounts: list[str | None] = []
    for mod in project.code_modules():
        for node in ast.walk(mod.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr == "include_router" and node.args:
                owner = project.resolve_expr(mod.name, node.func.value)
                included = project.resolve_expr(mod.name, node.args[0])
                found.append(Include(mod, owner, included, node))
            elif node.func.attr in ("mount", "host") and len(node.args) >= 2:
                mounts.append(project.resolve_expr(mod.name, node.args[1]))
    return found, mounts


def _registry_prefix(
    f: Findings,
    project: Project,
    routers: dict[str, dict[str, Any]],
    registry: str,
    includes: list[Include],
) -> str:
    """A router registry's prefix: its own, under the prefixes it is included with (a
    router), or with the prefix the routers included in it share (the app itself:
    ``app.include_router(router, prefix="/api")``, which generated ones get too)."""
    api_prefix = routers[registry]["prefix"]
    name = registry.partition(":")[2]
    if routers[registry]["kind"] == "router":
        for include in includes:
            if include.included == registry and include.owner in routers:
                value = _include_prefix(project, include)
                if isinstance(value, str):
                    api_prefix = value + api_prefix
                else:
                    prefix = keyword(include.call, "prefix")
                    shown = ast.unparse(prefix) if prefix is not None else ""
                    f.assumed.append(
                        f"the prefix {shown!r} of {name} could not be read: assumed none"
                    )
        return api_prefix
    given: Counter[str | None] = Counter()
    for include in includes:
        if include.owner == registry:
            value = _include_prefix(project, include)
            given[value if isinstance(value, str) else None] += 1
    common = given.most_common(1)[0][0] if given else ""
    if common is None:
        f.assumed.append(
            f"the prefix of the routers included in {name} could not be read: assumed none"
        )
    elif common:
        api_prefix = api_prefix + common
        f.profile["include_prefix"] = True
    return api_prefix


def _include_prefix(project: Project, include: Include) -> Any:
    """The ``prefix=`` of an ``include_router`` call: "" when it has none, a str when it
    can be read, anything else when it cannot."""
    prefix = keyword(include.call, "prefix")
    return settings_value(project, include.module.name, prefix) if prefix is not None else ""


def settings_value(project: Project, module: str, node: ast.expr) -> Any:
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


def _include_dependencies(
    project: Project, includes: tuple[Include, ...], aliases: dict[str, str]
) -> dict[str, set[str]]:
    """The dependencies each router gets where it is included
    (``include_router(r, dependencies=[Depends(auth)])``), through nested includes."""
    given: dict[str, set[str]] = {}
    for _ in range(6):  # a router included in one included in one ...: a few levels
        changed = False
        for include in includes:
            if include.included is None:
                continue
            deps = depends_targets(project, include.module.name, include.call, aliases)
            deps |= given.get(include.owner or "", set())
            if not deps <= given.get(include.included, set()):
                given.setdefault(include.included, set()).update(deps)
                changed = True
        if not changed:
            break
    return given


def route_handlers(
    project: Project,
    routers: dict[str, dict[str, Any]],
    aliases: dict[str, str],
    includes: tuple[Include, ...] = (),
) -> list[Route]:
    """Every handler decorated on one of ``routers``, with the dependencies it has (its
    own, its decorator's, its router's and those its router is included with) and its
    body model."""
    included_with = _include_dependencies(project, includes, aliases)
    out = []
    for mod in project.code_modules():
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
                deps = depends_targets(project, mod.name, node.args, aliases)
                deps |= depends_targets(project, mod.name, deco, aliases)
                deps |= depends_targets(project, mod.name, routers[owner]["node"], aliases)
                deps |= included_with.get(owner, set())
                out.append(
                    Route(
                        deco.func.attr.upper(),
                        str(path),
                        mod.name,
                        node.name,
                        _body_model(project, mod.name, node),
                        deps,
                    )
                )
    return out


def _body_model(
    project: Project, module: str, node: ast.FunctionDef | ast.AsyncFunctionDef
) -> str | None:
    """The last parameter annotated with a class of the project's."""
    body_model = None
    for arg in node.args.args:
        if arg.annotation is not None and isinstance(arg.annotation, ast.Name | ast.Attribute):
            ref = project.resolve_expr(module, arg.annotation)
            if ref and isinstance(project.top_level(ref), ast.ClassDef):
                body_model = ref
    return body_model
