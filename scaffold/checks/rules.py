"""The AST rules: one function per standing order, registered with its code.

Each rule takes a parsed :class:`Module` (plus the :class:`Project` for cross-file
facts: the symbol table of typed names and the schema classes) and yields
:class:`Finding` objects pointing at the offending node. Which files a rule sees is
part of its registration: ``None`` means every module, otherwise the layers named
(a module with route handlers is a router whatever its path).

What the rules know lives beside them: what blocks the event loop (``_blocking``),
the kinds of names (``_kinds``, ``_types``), schema classes (``_schemas``). SC501 is
not here: it needs every model and migration at once (``indexes.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from scaffold.checks._blocking import advice, blocking_call
from scaffold.checks._finding import Finding, char_column
from scaffold.checks._flow import HEADER, Flow, is_listed, issues_here
from scaffold.checks._kinds import DATABASE, SYNC_SESSIONS
from scaffold.checks._routes import RouteFinder, Routes, outside_requests, route_methods
from scaffold.checks._schemas import SchemaIndex
from scaffold.checks._symbols import SymbolTable, module_name
from scaffold.checks._syntax import (
    FunctionNode,
    Imports,
    Param,
    identifiers,
    index_of,
    keyword,
    last_name,
    markers,
    params,
    split_annotated,
    walk_scope,
)
from scaffold.checks._types import Resolver


@dataclass
class Module:
    """One parsed project file and the layers (``models``, ``routers``...) it plays."""

    path: str
    tree: ast.Module
    lines: list[str]
    kinds: frozenset[str]
    imports: Imports = field(init=False)
    exports: dict[str, str] | None = field(default=None, repr=False)  # its own facts
    _resolver: Resolver | None = field(default=None, init=False, repr=False)
    _envs: list[tuple[FunctionNode, dict[str, str]]] | None = field(
        default=None, init=False, repr=False
    )
    _handlers: Routes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.imports = Imports(self.tree)

    def resolver(self, project: Project) -> Resolver:
        if self._resolver is None:
            self._resolver = Resolver(
                self.tree,
                self.imports,
                module_name(self.path),
                project.table,
                self.path.endswith("__init__.py"),
                self.exports,
            )
        return self._resolver

    def functions(self, project: Project) -> list[tuple[FunctionNode, dict[str, str]]]:
        """Every function with the kinds of its names (computed once per module)."""
        if self._envs is None:
            resolver = self.resolver(project)
            self._envs = list(resolver.functions_with_env(self.tree))
        return self._envs

    def handlers(self, project: Project) -> Routes:
        """The module's FastAPI/Starlette route handlers with what registers each."""
        if self._handlers is None:
            finder = RouteFinder(
                self.tree,
                self.resolver(project),
                lambda: {id(func): env for func, env in self.functions(project)},
                project.table.tops(),
            )
            self._handlers = finder.handlers()
        return self._handlers

    def finding(self, node: ast.AST, code: str, message: str) -> Finding:
        line, offset = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        return Finding(self.path, line, char_column(self.lines, line, offset), code, message)


@dataclass
class Project:
    """Facts that cross files: typed names (sessions, factories...) and schema classes."""

    table: SymbolTable = field(default_factory=lambda: SymbolTable([]))
    schemas: SchemaIndex = field(default_factory=lambda: SchemaIndex([]))
    returned: frozenset[str] = frozenset()  # class names routes return (``_flow``)
    _exposed: frozenset[str] | None = field(default=None, repr=False)

    def exposed(self) -> frozenset[str]:
        """The schema classes a route returns, with the schemas nested in their fields."""
        if self._exposed is None:
            seen: set[str] = set()
            pending = list(self.returned)
            while pending:
                name = pending.pop()
                if name in seen:
                    continue
                seen.add(name)
                for cls in self.schemas.classes.get(name, []):
                    for found in self.schemas.fields(cls).values():
                        pending.extend(r for r in found.refs if r not in seen)
            self._exposed = frozenset(seen)
        return self._exposed


RuleFunc = Callable[[Module, Project], Iterator[Finding]]
FILE_RULES: list[tuple[str, frozenset[str] | None, RuleFunc]] = []


def _rule(code: str, kinds: frozenset[str] | None = None) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        FILE_RULES.append((code, kinds, func))
        return func

    return register


# --- SC101 ----------------------------------------------------------------------------


def _sync_blocking_calls(
    module: Module, project: Project
) -> Iterator[tuple[FunctionNode, ast.Call, str]]:
    resolver = module.resolver(project)
    for func, env in module.functions(project):
        if not isinstance(func, ast.AsyncFunctionDef):
            continue
        for node in walk_scope(func):
            if isinstance(node, ast.Call) and (what := blocking_call(node, resolver, env)):
                yield func, node, what


@_rule("SC101")
def blocking_call_in_async(module: Module, project: Project) -> Iterator[Finding]:
    """SC101: a blocking call inside ``async def`` stalls the whole event loop.

    The receiver's type is resolved, never guessed from its name: methods of a sync
    SQLAlchemy ``Session``/``scoped_session``/``Connection``/``Engine``, of a
    ``requests.Session``/``httpx.Client`` and of a sync ``redis.Redis``; and the
    blocking functions ``time.sleep``, ``requests.*``/``httpx.*``, ``open``,
    ``subprocess.*``, ``os.system``, ``urllib.request.urlopen``, ``sqlite3.connect``,
    ``psycopg2.connect``, ``smtplib.SMTP`` (import aliases resolved). Code in a nested
    sync ``def`` or ``lambda`` is skipped: that is how work goes to a thread
    (``await asyncio.to_thread(work)``). Calls of the project's own functions that
    block are reported by the project-wide pass (``_calls``), with their chain.
    """
    for func, node, what in _sync_blocking_calls(module, project):
        yield module.finding(
            node,
            "SC101",
            f"blocking {what} inside async def {func.name}(); {advice(what)}",
        )


# --- SC102 ----------------------------------------------------------------------------


def _uses_sync_session(func: FunctionNode, env: dict[str, str]) -> bool:
    return any(kind in SYNC_SESSIONS for name, kind in env.items() if not name.startswith("self."))


@_rule("SC102")
def sync_route_handler(module: Module, project: Project) -> Iterator[Finding]:
    """SC102: a route handler declared with plain ``def`` (standing order 2: async only).

    A handler is a FastAPI/Starlette route (``_routes``): ``@<router-or-app>.get/post/
    put/patch/delete/head/options/trace/api_route(...)`` on a FastAPI or Starlette app
    or router (or a subclass), ``add_api_route`` or a ``Route`` endpoint; other
    frameworks' decorators (Flask, Slack, Celery...) are not routes. FastAPI runs a sync handler in a thread
    pool, which hides blocking I/O instead of removing it. When the handler uses a sync
    ``Session``, the message says to switch it to ``AsyncSession`` in the same change:
    ``async def`` alone would block the event loop (SC101).
    """
    envs: dict[int, dict[str, str]] = {}
    for func, _ in module.handlers(project):
        if not isinstance(func, ast.FunctionDef):
            continue
        envs = envs or {id(f): env for f, env in module.functions(project)}
        if _uses_sync_session(func, envs.get(id(func), {})):
            message = (
                f"route handler {func.name}() is a sync def on a sync Session; make it "
                "async def and switch the session to AsyncSession in the same change "
                "(async def alone would block the event loop: SC101)"
            )
        else:
            message = f"route handler {func.name}() is a sync def; make it async def"
        yield module.finding(func, "SC102", message)


# --- SC201 ----------------------------------------------------------------------------

_QUERY_BUILDERS = frozenset({"select", "insert", "update", "delete", "text"})
_WRITES = frozenset({"add", "add_all", "delete", "commit", "flush", "merge", "rollback"})


def _is_generator(func: FunctionNode) -> bool:
    return any(isinstance(node, ast.Yield | ast.YieldFrom) for node in walk_scope(func))


def is_router(module: Module, project: Project) -> bool:
    return "routers" in module.kinds or bool(module.handlers(project))


@_rule("SC201")
def query_in_router(module: Module, project: Project) -> Iterator[Finding]:
    """SC201: a router queries the database itself (standing order 1: layers).

    A router is a module matched by the ``routers`` globs or one that defines route
    handlers. Flags ``select/insert/update/delete/text`` from SQLAlchemy or SQLModel
    and any method call on a value whose type is a database session, connection or
    engine (a parameter typed ``AsyncSession``/``Session``, a ``Depends(get_db)``
    whose dependency yields one, an alias such as ``SessionDep``, a subclass, a
    ``NewType`` or a re-export under the project's own name); writes (``add``,
    ``delete``, ``commit``, ``flush``...) say so. Passing the session
    to a service is fine. Dependency generators (functions that ``yield``) may manage
    the session (``commit``/``rollback``). A call already reported as SC101 is not
    reported again, and a query builder inside a reported call is part of it. In a
    module that is a router only by its routes, code no request runs (start-up code
    in an app factory) is left alone.
    """
    if not is_router(module, project):
        return
    resolver = module.resolver(project)
    blocking = {id(node) for _, node, _ in _sync_blocking_calls(module, project)}
    reported: set[int] = set()
    findings: list[Finding] = []
    outside = (
        set()
        if "routers" in module.kinds
        else outside_requests(module.tree, module.handlers(project), module.functions(project))
    )
    for func, env in module.functions(project):
        if _is_generator(func) or id(func) in outside:
            continue
        for node in walk_scope(func):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            kind = resolver.expr_kind(node.func.value, env)
            if kind not in DATABASE:
                continue
            inner = {id(n) for n in ast.walk(node)}
            if id(node) not in blocking:
                call = f"{ast.unparse(node.func.value)}.{node.func.attr}()"
                message = (
                    f"router writes through the session ({call}); move the write into a service"
                    if node.func.attr in _WRITES
                    else f"router queries the database ({call}); move the query into a service"
                )
                findings.append(module.finding(node, "SC201", message))
            reported |= inner
    generators = {
        id(n)
        for func, _ in module.functions(project)
        if _is_generator(func) or id(func) in outside
        for n in walk_scope(func)
    }
    for node in index_of(module.tree).calls:
        if id(node) not in reported and id(node) not in generators:
            qualname = resolver.qualname(node.func) or ""
            root, last = qualname.partition(".")[0], qualname.rpartition(".")[2]
            if root in {"sqlalchemy", "sqlmodel"} and last in _QUERY_BUILDERS:
                findings.append(
                    module.finding(
                        node,
                        "SC201",
                        f"router builds a query ({last}()); move the query into a service",
                    )
                )
                reported |= {id(n) for n in ast.walk(node)}
    yield from findings


# --- SC301 ----------------------------------------------------------------------------

_UNTYPED = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "Any"})
_WRAPPERS = frozenset({"list", "List", "Sequence", "set", "Set", "tuple", "Tuple", "Optional"})
_NOT_BODY = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie", "Form", "File"})


def _is_untyped(node: ast.expr | None) -> bool:
    """``dict``, ``dict[str, Any]``, ``Any``, ``list[dict]``, ``dict | None``...

    >>> [_is_untyped(ast.parse(t, mode="eval").body) for t in ("list[dict] | None", "Item")]
    [True, False]
    """
    node, _ = split_annotated(node)
    if node is None:
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _is_untyped(node.left) or _is_untyped(node.right)
    name = last_name(node)
    if name in _UNTYPED:
        return True
    if isinstance(node, ast.Subscript) and name in (_WRAPPERS | {"Union"}):
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return any(_is_untyped(element) for element in elements)
    return False


def _is_request(param: Param) -> bool:
    if param.annotation is None:
        return param.name in {"request", "req"}
    return last_name(split_annotated(param.annotation)[0]) == "Request"


@_rule("SC301")
def untyped_request_body(module: Module, project: Project) -> Iterator[Finding]:
    """SC301: a request body not validated by a Pydantic model (standing order 4).

    Flags handler parameters annotated ``dict``, ``dict[...]``, ``Any``, ``list[dict]``
    (also under ``Optional``/``| None``/``Annotated``), a ``Body()`` with no
    annotation, and ``request.json()`` / ``request.body()`` on a ``Request``
    parameter. Parameters injected by ``Depends``/``Query``/``Header``... are not bodies
    and are left alone. ``request.body()`` is fine when those bytes reach a call
    together with a secret, a signature header or an HMAC (``_flow``: data flow, not
    the verifier's name): that is a webhook checking its signature.
    """
    for func, _ in module.handlers(project):
        requests: set[str] = set()
        seeds: dict[str, set[str]] = {}
        for param in params(func):
            if _is_request(param):
                requests.add(param.name)
                seeds[param.name] = {"request"}
                continue
            kinds = {last_name(marker.func) for marker in markers(param)}
            if "Header" in kinds:
                seeds[param.name] = {HEADER}
            if kinds & _NOT_BODY:
                continue
            if _is_untyped(param.annotation):
                shown = ast.unparse(param.annotation)
                yield module.finding(
                    param.arg,
                    "SC301",
                    f"parameter {param.name!r} of {func.name}() is typed {shown}; "
                    "declare a Pydantic model for the body",
                )
            elif param.annotation is None and "Body" in kinds:
                yield module.finding(
                    param.arg,
                    "SC301",
                    f"parameter {param.name!r} of {func.name}() is a Body() with no model; "
                    "annotate it with a Pydantic model",
                )
        verified = Flow(func, module.imports, seeds).verified(func) if requests else False
        for node in walk_scope(func):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"json", "body"}
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in requests
                and not (node.func.attr == "body" and verified)
            ):
                yield module.finding(
                    node,
                    "SC301",
                    f"{func.name}() reads the raw body with {node.func.value.id}."
                    f"{node.func.attr}(); declare a Pydantic model parameter instead",
                )


# --- SC401 / SC402 ----------------------------------------------------------------------

_ISSUING_METHODS = frozenset({"post", "put", "patch"})


@_rule("SC401")
def sensitive_field_in_read_schema(module: Module, project: Project) -> Iterator[Finding]:
    """SC401 (schemas): a read schema declares or inherits a sensitive field (order 5).

    A read schema is a Pydantic class named ``*Read/*Out/*Response/*Public/*Detail/*Item``
    or one with ``from_attributes=True`` (or v1 ``orm_mode``) in its own config, and it
    is judged only when a route returns it (``response_model=``, the return annotation,
    a class its ``return`` builds, or a schema nested in one of those). A field
    is sensitive when marked ``Field(json_schema_extra={"sensitive": True})`` or named
    like a secret (:func:`sensitive_name`), unless it is ``Field(exclude=True)`` or a
    ``bool``. Own fields are reported on their line; inherited ones on the class line,
    unless the declaring base is itself a read schema (reported there already).
    Credentials a route may issue (tokens, API keys, client secrets) are judged where
    they are returned (SC401 on a GET, SC402 on a route that issues them).
    """
    index = project.schemas
    exposed = project.exposed()
    for cls in index.by_path.get(module.path, []):
        if not cls.is_read or not index.is_schema(cls) or cls.name not in exposed:
            continue
        for found in index.fields(cls).values():
            if not found.reason or found.credential:
                continue
            if found.owner == cls.name:
                line, col, where = found.line, found.col, ""
            else:
                owner = index.lookup(found.owner, module.path)
                if owner is not None and owner.is_read and owner.name in exposed:
                    continue
                line, col, where = cls.line, 1, f" (inherited from {found.owner})"
            yield Finding(
                module.path,
                line,
                col,
                "SC401",
                f"read schema {cls.name} exposes {found.name!r}{where}, {found.reason}; "
                "keep it write-only or Field(exclude=True)",
            )


@_rule("SC401")
def sensitive_response_model(module: Module, project: Project) -> Iterator[Finding]:
    """SC401 (handlers): ``response_model=`` (or the return annotation when there is no
    ``response_model``) names a schema class with a sensitive field. A route whose only
    sensitive fields are credentials issues them to its caller when it is a
    POST/PUT/PATCH (a login's access token, an API key shown once on creation) or when
    it builds the credential it returns from a call it makes (a token minted for the
    caller): that is SC402, for information. A route that lists them (``list[X]``) or
    hands back a stored one (a GET of a saved key) stays SC401."""
    for func, decorators in module.handlers(project):
        targets: list[ast.expr] = []
        for decorator in decorators:
            model = keyword(decorator, "response_model")
            if model is not None:
                targets.append(model)
        if not targets and func.returns is not None:
            targets.append(func.returns)
        issues = bool(route_methods(decorators) & _ISSUING_METHODS)
        for target in targets:
            for name in dict.fromkeys(identifiers(target)):
                leak = project.schemas.sensitive(name, module.path)
                if not leak:
                    continue
                cls, found = leak
                credentials = [f.name for f in found if f.credential]
                if (
                    len(credentials) == len(found)
                    and not is_listed(target)
                    and (issues or issues_here(func, credentials))
                ):
                    shown = ", ".join(repr(f.name) for f in found)
                    yield module.finding(
                        target,
                        "SC402",
                        f"{func.name}() issues a credential ({cls.name}: {shown}); "
                        "make sure it goes only to its owner, once, and is stored hashed",
                    )
                else:
                    first = next((f for f in found if not f.credential), found[0])
                    yield module.finding(
                        target,
                        "SC401",
                        f"{func.name}() responds with {cls.name}, which exposes "
                        f"{first.name!r} ({first.reason}); use a read schema without it",
                    )
                break
