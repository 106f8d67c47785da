"""Routers, their mount prefixes and route dependencies, read from source.

`route_reach` starts at every `FastAPI(...)` app and follows `include_router` calls
through the project's imports, so the judge can say under which prefix each router ends up.
`auth_dependencies` lists, per route, the dependencies it runs (per route, through
`Annotated` aliases, and router-level `dependencies=[...]`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from realworld_source import TYPE_ALIAS, Tree, call_name, const_str, kwarg

AUTHISH = re.compile(r"(?i)(current|auth|user|token|login|permission|superuser|admin|verif|scope)")
NOT_AUTH = re.compile(r"(?i)(db|session$|settings|page|pagination|repo|service)")
METHODS = {"get", "post", "put", "patch", "delete", "api_route"}
Node = tuple[str, str]  # (module, variable)


@dataclass
class Reach:
    module: str
    var: str
    base: str  # the mount prefix above the router's own feature segment


def _is_router_call(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Call) and call_name(value).endswith(("Router", "FastAPI"))


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    out: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            out.setdefault(node.target.id, node.value)
    return out


def _router_assignments(tree: ast.Module) -> list[tuple[str, ast.Call]]:
    """Every `name = APIRouter(...)` / `name = FastAPI(...)` (in functions too)."""
    out = []
    for node in ast.walk(tree):
        value = getattr(node, "value", None)
        if isinstance(node, ast.Assign | ast.AnnAssign) and _is_router_call(value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out += [(t.id, value) for t in targets if isinstance(t, ast.Name)]
    return out


@dataclass
class _Index:
    tree: Tree
    consts: dict[str, str] = field(default_factory=dict)  # NAME -> string, project-wide
    _names: dict[str, dict[str, Node | str]] = field(default_factory=dict)
    graph: tuple[dict[Node, str], dict[Node, list[tuple[Node, str]]], list[Node]] | None = None

    def __post_init__(self) -> None:
        for path in self.tree.modules.values():
            module = self.tree.parse(path)
            for name, value in _assignments(module).items() if module else []:
                if const_str(value) is not None:
                    self.consts.setdefault(name, const_str(value) or "")

    def string(self, node: ast.expr | None) -> str:
        if node is None:
            return ""
        if const_str(node) is not None:
            return const_str(node) or ""
        if isinstance(node, ast.JoinedStr):
            return "".join(self.string(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.string(node.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.string(node.left) + self.string(node.right)
        key = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        return self.consts.get(key, "{" + ast.unparse(node) + "}")

    def names(self, module: str) -> dict[str, Node | str]:
        """Local name -> (module, var) it was imported as, or a module name for modules."""
        if module in self._names:
            return self._names[module]
        out: dict[str, Node | str] = {}
        self._names[module] = out
        path = self.tree.modules.get(module)
        parsed = self.tree.parse(path) if path else None
        for node in ast.walk(parsed) if parsed else []:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    out[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = self.tree.absolute(node.module, node.level, module)
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    out[alias.asname or alias.name] = (
                        full if full in self.tree.modules else (source, alias.name)
                    )
        return out

    def resolve(self, module: str, expr: ast.expr) -> Node | None:
        imported = self.names(module)
        if isinstance(expr, ast.Name):
            found = imported.get(expr.id)
            return found if isinstance(found, tuple) else (module, expr.id)
        if isinstance(expr, ast.Attribute):
            base = ast.unparse(expr.value)
            head = imported.get(base.split(".")[0])
            if isinstance(head, str):
                return (".".join([head, *base.split(".")[1:]]), expr.attr)
            if isinstance(head, tuple):  # `from pkg import mod` seen as a name of pkg
                return (f"{head[0]}.{head[1]}", expr.attr)
        return None


def _with_routes(index: _Index) -> set[Node]:
    """Routers that declare routes (`@router.get(...)` and the like)."""
    out: set[Node] = set()
    for module, path in index.tree.modules.items():
        parsed = index.tree.parse(path)
        for node in ast.walk(parsed) if parsed else []:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for deco in node.decorator_list:
                    func = deco.func if isinstance(deco, ast.Call) else None
                    if isinstance(func, ast.Attribute) and func.attr in METHODS:
                        found = index.resolve(module, func.value)
                        if found:
                            out.add(found)
    return out


def _graph(index: _Index) -> tuple[dict[Node, str], dict[Node, list[tuple[Node, str]]], list[Node]]:
    """Own prefixes of routers, include edges (child, include prefix) and the apps."""
    if index.graph is not None:
        return index.graph
    own: dict[Node, str] = {}
    edges: dict[Node, list[tuple[Node, str]]] = {}
    apps: list[Node] = []
    helpers: list[tuple[str, ast.Call]] = []
    assigned_to: dict[int, str] = {}  # id(call) -> the name it is assigned to
    for module, path in index.tree.modules.items():
        parsed = index.tree.parse(path)
        if parsed is None or module.split(".")[0] in {"tests", "test"}:
            continue
        for name, value in _router_assignments(parsed):
            own.setdefault((module, name), index.string(kwarg(value, "prefix")))
            if call_name(value).endswith("FastAPI"):
                apps.append((module, name))
        for node in ast.walk(parsed):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                assigned_to[id(node.value)] = node.targets[0].id
            if not isinstance(node, ast.Call):
                continue
            if call_name(node) != "include_router":
                helpers.append((module, node))
                continue
            if not isinstance(node.func, ast.Attribute) or not node.args:
                continue
            parent = index.resolve(module, node.func.value)
            child = index.resolve(module, node.args[0])
            if parent and child:
                prefix = index.string(kwarg(node, "prefix"))
                edges.setdefault(parent, []).append((child, prefix))
    # `app = create_application(router=router)`: a project function that makes the app
    # from the routers it is given
    factories = _app_factories(index.tree)
    for module, node in helpers:
        target = assigned_to.get(id(node))
        if target is None or call_name(node) not in factories:
            continue
        app = (module, target)
        apps.append(app)
        given = [*node.args, *(k.value for k in node.keywords)]
        for arg in (
            index.resolve(module, a) for a in given if isinstance(a, ast.Name | ast.Attribute)
        ):
            if arg in own:
                edges.setdefault(app, []).append((arg, ""))
    # `add_versioned_routers(app, router)`: a helper given the app and routers includes them
    for module, node in helpers:
        args = [index.resolve(module, a) for a in node.args if isinstance(a, ast.Name)]
        app = next((a for a in args if a in apps), None)
        for arg in args if app else []:
            if arg != app and arg in own:
                edges.setdefault(app, []).append((arg, "{" + call_name(node) + "}"))
    index.graph = (own, edges, apps)
    return index.graph


def _app_factories(tree: Tree) -> set[str]:
    """Names of the project's functions that make a FastAPI app inside."""
    out: set[str] = set()
    for path in tree.modules.values():
        parsed = tree.parse(path)
        for node in ast.walk(parsed) if parsed else []:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(n, ast.Call) and call_name(n).endswith("FastAPI") for n in ast.walk(node)
            ):
                out.add(node.name)
    return out


def _index(tree: Tree) -> _Index:
    cached = getattr(tree, "_route_index", None)
    if cached is None:
        cached = _Index(tree)
        tree._route_index = cached  # type: ignore[attr-defined]
    return cached


def route_reach(tree: Tree) -> list[Reach]:
    """Every router with routes reached from a FastAPI app, with its mount base."""
    index = _index(tree)
    own, edges, apps = _graph(index)
    with_routes = _with_routes(index)
    out: list[Reach] = []
    stack: list[tuple[Node, str, str]] = [(app, "", "") for app in apps]
    seen: set[Node] = set()
    while stack:
        node, above, include_prefix = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        path = above + include_prefix + own.get(node, "")
        children = edges.get(node, [])
        if node not in apps and (node in with_routes or not children):
            base = above if (own.get(node) or include_prefix) else path
            out.append(Reach(node[0], node[1], base.rstrip("/") or "/"))
        stack.extend((child, path, prefix) for child, prefix in children)
    return out


@dataclass
class RouteDeps:
    routes: dict[str, set[str]] = field(default_factory=dict)  # "GET /x (module)" -> deps
    names: set[str] = field(default_factory=set)  # auth-like dependencies seen on routes

    @property
    def protected(self) -> bool:
        return bool(self.names)


def _depends_targets(node: ast.AST, aliases: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and call_name(sub) in {"Depends", "Security"} and sub.args:
            out.add(call_name(sub.args[0]) or ast.unparse(sub.args[0]))
        elif isinstance(sub, ast.Name) and sub.id in aliases:
            out |= aliases[sub.id]
    return out


def _aliases(tree: Tree) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in tree.modules.values():
        parsed = tree.parse(path)
        for node in parsed.body if parsed else []:
            value = getattr(node, "value", None)
            target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
            if isinstance(node, TYPE_ALIAS):
                target = node.name
            if isinstance(target, ast.Name) and value is not None:
                found = _depends_targets(value, {})
                if found:
                    out.setdefault(target.id, set()).update(found)
    return out


def auth_dependencies(
    tree: Tree, exclude: set[str] | None = None, only: set[str] | None = None
) -> RouteDeps:
    """Dependencies of every route in the project (or in `only`, or outside `exclude`)."""
    aliases = _aliases(tree)
    index = _index(tree)
    own, edges, _ = _graph(index)
    del own
    router_deps: dict[Node, set[str]] = {}
    for module, path in tree.modules.items():
        parsed = tree.parse(path)
        for name, value in _router_assignments(parsed) if parsed else []:
            deps = kwarg(value, "dependencies")
            found = _depends_targets(deps, aliases) if deps else set()
            router_deps.setdefault((module, name), set()).update(found)
        for node in ast.walk(parsed) if parsed else []:
            if isinstance(node, ast.Call) and call_name(node) == "include_router" and node.args:
                deps = kwarg(node, "dependencies")
                child = index.resolve(module, node.args[0])
                if deps is not None and child:
                    router_deps.setdefault(child, set()).update(_depends_targets(deps, aliases))
    for _ in range(4):  # a parent router's dependencies run for the routers it includes
        for parent, children in edges.items():
            for child, _prefix in children:
                router_deps.setdefault(child, set()).update(router_deps.get(parent, set()))
    result = RouteDeps()
    for module, path in tree.modules.items():
        if (only is not None and str(path) not in only) or (exclude and str(path) in exclude):
            continue
        parsed = tree.parse(path)
        for node in ast.walk(parsed) if parsed else []:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for deco in node.decorator_list:
                if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
                    continue
                if deco.func.attr not in METHODS:
                    continue
                router = index.resolve(module, deco.func.value)
                deps = _depends_targets(node.args, aliases) | _depends_targets(deco, aliases)
                deps |= router_deps.get(router, set()) if router else set()
                label = f"{deco.func.attr.upper()} {const_str(deco.args[0]) if deco.args else ''}"
                result.routes[f"{label} ({node.name})"] = deps
                result.names |= {d for d in deps if AUTHISH.search(d) and not NOT_AUTH.search(d)}
    return result
