"""Which functions are FastAPI routes: the handlers of FastAPI/Starlette routing only.

A route is made by a decorator ``@<r>.get/post/.../api_route(...)`` whose receiver is a
FastAPI or Starlette app or router (``FastAPI()``, ``APIRouter()``, a subclass of either,
a factory's ``type[APIRouter]``, a parameter annotated ``FastAPI``, one imported from
another module of the project), by ``<r>.add_api_route(path, endpoint)`` and by
``Route(path, endpoint)`` / ``APIRoute(...)`` (inside a ``Mount`` or a ``routes=`` list).
The decorators of any other framework (Flask, Celery, Typer, an MCP server...) are not
routes. A receiver whose type is not known counts when the module imports FastAPI or
Starlette and the receiver does not come from another library.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from scaffold.checks._kinds import ROUTER, ROUTING_ROOTS
from scaffold.checks._syntax import (
    ROUTE_METHODS,
    FunctionNode,
    index_of,
    keyword,
    last_name,
    walk_scope,
)

if TYPE_CHECKING:
    from scaffold.checks._types import Resolver

_ADDERS = frozenset({"add_api_route", "add_route"})
_ROUTE_CLASSES = frozenset(
    {"starlette.routing.Route", "fastapi.routing.APIRoute", "fastapi.APIRoute"}
)
_ROUTE_NAMES = frozenset({"Route", "APIRoute"})
_NOT_ROUTERS = frozenset({"mock", "unittest", "pytest", "mocker", "monkeypatch"})

Routes = list[tuple[FunctionNode, list[ast.Call]]]


class RouteFinder:
    """The route handlers of one module, given its resolver and function environments."""

    def __init__(
        self,
        tree: ast.Module,
        resolver: Resolver,
        envs: Callable[[], dict[int, dict[str, str]]],
        project_tops: frozenset[str],
    ) -> None:
        """``envs`` gives each function's names, asked only for a route in a function."""
        self.tree = tree
        self.resolver = resolver
        self._envs_of = envs
        self._envs: dict[int, dict[str, str]] | None = None
        self.project_tops = project_tops
        self._parents: dict[int, FunctionNode] | None = None
        self._top = {id(stmt) for stmt in tree.body}
        self.uses_fastapi = any(
            target.partition(".")[0] in ROUTING_ROOTS for target in resolver.absolute.values()
        )

    @property
    def envs(self) -> dict[int, dict[str, str]]:
        if self._envs is None:
            self._envs = self._envs_of()
        return self._envs

    def handlers(self) -> Routes:
        index = index_of(self.tree)
        by_name = {f.name: f for f in self.tree.body if isinstance(f, FunctionNode)}
        found: dict[int, tuple[FunctionNode, list[ast.Call]]] = {}
        for func in index.functions:
            decorators = [d for d in self._route_decorators(func) if self._routes(d, func)]
            if decorators:
                found[id(func)] = (func, decorators)
        for call, env in self._calls():
            endpoint = self._registered_endpoint(call, env)
            func = by_name.get(endpoint) if endpoint else None
            if func is not None:
                found.setdefault(id(func), (func, []))[1].append(call)
        order = {id(f): i for i, f in enumerate(index.functions)}
        return sorted(found.values(), key=lambda item: order.get(id(item[0]), 0))

    @staticmethod
    def _route_decorators(func: FunctionNode) -> Iterator[ast.Call]:
        for dec in func.decorator_list:
            if (
                isinstance(dec, ast.Call)
                and isinstance(dec.func, ast.Attribute)
                and dec.func.attr in ROUTE_METHODS
                and isinstance(dec.func.value, ast.Name | ast.Attribute)
            ):
                yield dec

    def _calls(self) -> Iterator[tuple[ast.Call, dict[str, str]]]:
        """The calls that may register an endpoint, each with its function's names."""
        index = index_of(self.tree)
        candidates = {
            id(c)
            for c in index.calls
            if (type(c.func) is ast.Attribute and c.func.attr in _ADDERS)  # type: ignore[attr-defined]
            or (type(c.func) is ast.Name and c.func.id in _ROUTE_NAMES)  # type: ignore[attr-defined]
            or (type(c.func) is ast.Attribute and c.func.attr in _ROUTE_NAMES)  # type: ignore[attr-defined]
        }
        if not candidates:
            return
        seen: set[int] = set()
        for func in index.functions:
            for node in walk_scope(func):
                if id(node) in candidates:
                    seen.add(id(node))
                    yield node, self.envs.get(id(func), {})  # type: ignore[misc]
        for call in index.calls:
            if id(call) in candidates and id(call) not in seen:
                yield call, {}

    def _registered_endpoint(self, call: ast.Call, env: dict[str, str]) -> str | None:
        """The function name ``add_api_route(path, f)`` or ``Route(path, f)`` registers."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _ADDERS:
            if not self._is_router(func.value, env):
                return None
        elif self.resolver.qualname(func) not in _ROUTE_CLASSES:
            return None
        endpoint = call.args[1] if len(call.args) > 1 else keyword(call, "endpoint")
        return endpoint.id if isinstance(endpoint, ast.Name) else None

    def _routes(self, decorator: ast.Call, func: FunctionNode) -> bool:
        assert isinstance(decorator.func, ast.Attribute)
        parent = self.parents().get(id(func)) if id(func) not in self._top else None
        env = self.envs.get(id(parent), {}) if parent is not None else {}
        return self._is_router(decorator.func.value, env)

    def _is_router(self, receiver: ast.expr, env: dict[str, str]) -> bool:
        resolver = self.resolver
        kind = resolver.expr_kind(receiver, env)
        if kind == ROUTER:
            return True
        if (
            isinstance(receiver, ast.Attribute)
            and receiver.attr == "router"  # app.router
            and resolver.expr_kind(receiver.value, env) == ROUTER
        ):
            return True
        if kind is not None:  # a session, an HTTP client...: not a router
            return False
        root = receiver
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id in _NOT_ROUTERS:
            return False
        return self.uses_fastapi and not self._foreign(root.id, env)

    def _foreign(self, name: str, env: dict[str, str]) -> bool:
        """``name`` is imported from, or made by a call into, a library other than
        FastAPI/Starlette (``app = Flask(...)``, ``from celery_app import app``)."""
        if name in env:
            return False
        origin = self.resolver.absolute.get(name)
        table = self.resolver.table
        if origin is not None and table is not None and self._in_project(origin):
            origin = table.origin(origin) or origin  # app = App() in another module
        if origin is None:
            made = _module_call(self.tree, name)
            origin = self.resolver.qualname(made.func) if made is not None else None
        if origin is None or origin.startswith("."):
            return False
        return origin.partition(".")[0] not in ROUTING_ROOTS and not self._in_project(origin)

    def _in_project(self, qualname: str) -> bool:
        return qualname.partition(".")[0] in self.project_tops

    def parents(self) -> dict[int, FunctionNode]:
        """Each nested function's enclosing function (a route defined in a factory)."""
        if self._parents is None:
            self._parents = {}
            for func in index_of(self.tree).functions:
                for inner in _nested(func.body):
                    self._parents[id(inner)] = func
        return self._parents


def _nested(body: list[ast.stmt]) -> Iterator[FunctionNode]:
    for stmt in body:
        if isinstance(stmt, FunctionNode):
            yield stmt
        elif not isinstance(stmt, ast.ClassDef):
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(stmt, name, None)
                if isinstance(inner, list):
                    yield from _nested([s for s in inner if isinstance(s, ast.AST)])  # type: ignore[misc]


def _module_call(tree: ast.Module, name: str) -> ast.Call | None:
    """The call a module-level ``name = Call(...)`` assigns, if any."""
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
        ):
            return stmt.value
    return None


def outside_requests(
    tree: ast.Module, routes: Routes, functions: list[tuple[FunctionNode, dict[str, str]]]
) -> set[int]:
    """In a module that is a router only because it defines routes (an app factory with
    a docs route), the functions no request runs: not a handler, not nested in one, not
    called from one by name or as ``self.helper()`` (start-up code: ``create_tables()``)."""
    top = {f.name: [f] for f in tree.body if isinstance(f, FunctionNode)}
    methods: dict[str, list[FunctionNode]] = {}
    for cls in index_of(tree).classes:
        for stmt in cls.body:
            if isinstance(stmt, FunctionNode):
                methods.setdefault(stmt.name, []).append(stmt)
    pending = [func for func, _ in routes]
    inside: set[int] = set()
    while pending:
        func = pending.pop()
        if id(func) in inside:
            continue
        inside.add(id(func))
        for node in ast.walk(func):
            if node is not func and isinstance(node, FunctionNode):
                pending.append(node)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                pending.extend(top.get(node.func.id, []))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"self", "cls"}
            ):
                pending.extend(methods.get(node.func.attr, []))
    return {id(func) for func, _ in functions if id(func) not in inside}


def route_methods(routes: list[ast.Call]) -> set[str]:
    """The HTTP methods of a handler's routes (``methods=`` where listed, else GET)."""
    methods: set[str] = set()
    for route in routes:
        attr = last_name(route.func) or ""
        if attr.lower() in ROUTE_METHODS - {"api_route"}:
            methods.add(attr.lower())
            continue
        listed = keyword(route, "methods")
        if isinstance(listed, ast.List | ast.Tuple | ast.Set):
            methods |= {
                e.value.lower()
                for e in listed.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
        else:
            methods.add("get")
    return methods
