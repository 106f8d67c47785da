"""What a name holds: a small, flow-insensitive type resolver for the rules.

SC101 and SC201 fire on what a call is made on, never on what it is called: a
parameter annotated ``Session``, a ``Depends(get_db)`` whose dependency yields a
``Session``, the result of ``sessionmaker()``/``async_sessionmaker()``, ``with
Session(engine) as db``, ``self.session`` assigned from such a parameter, a
``requests.Session()`` or a sync ``redis.Redis()``. Names cross modules through the
project's own imports (``from app.db.session import SessionLocal``), re-exports
included.

Each module yields :class:`ModuleFacts` (plain data, cached per file); the project's
facts merge into a :class:`SymbolTable`; a :class:`Resolver` answers per function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from scaffold.checks._syntax import (
    FunctionNode,
    Imports,
    dotted_name,
    index_of,
    last_name,
    markers,
    params,
    split_annotated,
    string_annotation,
    walk_scope,
)

SYNC_SESSION = "sync Session"
ASYNC_SESSION = "AsyncSession"
SCOPED_SESSION = "scoped_session"
SYNC_CONNECTION = "sync Connection"
ASYNC_CONNECTION = "AsyncConnection"
SYNC_ENGINE = "sync Engine"
ASYNC_ENGINE = "AsyncEngine"
SYNC_FACTORY = "sessionmaker"
ASYNC_FACTORY = "async_sessionmaker"
SYNC_HTTP = "sync HTTP client"
SYNC_REDIS = "sync Redis client"

DATABASE = frozenset(
    {SYNC_SESSION, ASYNC_SESSION, SCOPED_SESSION, SYNC_CONNECTION, ASYNC_CONNECTION}
    | {SYNC_ENGINE, ASYNC_ENGINE}
)
SYNC_SESSIONS = frozenset({SYNC_SESSION, SCOPED_SESSION})

# Methods that do I/O or belong to the sync API, per kind of receiver.
_SESSION_METHODS = frozenset(
    {"execute", "scalars", "scalar", "get", "get_one", "add", "add_all", "commit", "delete"}
    | {"flush", "refresh", "merge", "query", "rollback", "close", "connection", "exec"}
    | {"bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings", "begin"}
    | {"begin_nested", "stream", "stream_scalars", "expire_all", "invalidate", "run_sync"}
)
BLOCKING_METHODS: dict[str, frozenset[str]] = {
    SYNC_SESSION: _SESSION_METHODS - {"stream", "stream_scalars", "run_sync"},
    SCOPED_SESSION: _SESSION_METHODS - {"stream", "stream_scalars", "run_sync"} | {"remove"},
    SYNC_CONNECTION: frozenset(
        {"execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback", "begin"}
        | {"begin_nested", "close", "invalidate"}
    ),
    SYNC_ENGINE: frozenset({"connect", "begin", "execute", "raw_connection", "dispose"}),
    SYNC_HTTP: frozenset(
        {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"}
    ),
    # Every command of a sync client talks to the server; building a pipeline does not.
    SYNC_REDIS: frozenset(),
}
_REDIS_QUIET = frozenset({"pipeline", "lock", "pubsub", "register_script", "client"})

# Annotations: qualified type name -> kind.
_TYPES = {
    "sqlalchemy.orm.Session": SYNC_SESSION,
    "sqlalchemy.orm.session.Session": SYNC_SESSION,
    "sqlmodel.Session": SYNC_SESSION,
    "sqlmodel.orm.session.Session": SYNC_SESSION,
    "sqlalchemy.ext.asyncio.AsyncSession": ASYNC_SESSION,
    "sqlalchemy.ext.asyncio.session.AsyncSession": ASYNC_SESSION,
    "sqlmodel.ext.asyncio.session.AsyncSession": ASYNC_SESSION,
    "sqlalchemy.orm.scoped_session": SCOPED_SESSION,
    "sqlalchemy.orm.scoping.scoped_session": SCOPED_SESSION,
    "sqlalchemy.Connection": SYNC_CONNECTION,
    "sqlalchemy.engine.Connection": SYNC_CONNECTION,
    "sqlalchemy.engine.base.Connection": SYNC_CONNECTION,
    "sqlalchemy.ext.asyncio.AsyncConnection": ASYNC_CONNECTION,
    "sqlalchemy.Engine": SYNC_ENGINE,
    "sqlalchemy.engine.Engine": SYNC_ENGINE,
    "sqlalchemy.engine.base.Engine": SYNC_ENGINE,
    "sqlalchemy.ext.asyncio.AsyncEngine": ASYNC_ENGINE,
    "sqlalchemy.orm.sessionmaker": SYNC_FACTORY,
    "sqlalchemy.ext.asyncio.async_sessionmaker": ASYNC_FACTORY,
    "requests.Session": SYNC_HTTP,
    "requests.sessions.Session": SYNC_HTTP,
    "httpx.Client": SYNC_HTTP,
    "redis.Redis": SYNC_REDIS,
    "redis.StrictRedis": SYNC_REDIS,
    "redis.client.Redis": SYNC_REDIS,
}
# A bare, unimported name in an annotation (a string annotation, a star import).
_BARE_TYPES = {"Session": SYNC_SESSION, "AsyncSession": ASYNC_SESSION}

# Calls: qualified callable -> kind of what it returns.
_MAKERS = {
    **{name: kind for name, kind in _TYPES.items() if kind not in {SYNC_FACTORY, ASYNC_FACTORY}},
    "sqlalchemy.orm.sessionmaker": SYNC_FACTORY,
    "sqlalchemy.ext.asyncio.async_sessionmaker": ASYNC_FACTORY,
    "sqlalchemy.ext.asyncio.async_scoped_session": ASYNC_SESSION,
    "sqlalchemy.create_engine": SYNC_ENGINE,
    "sqlalchemy.engine.create_engine": SYNC_ENGINE,
    "sqlmodel.create_engine": SYNC_ENGINE,
    "sqlalchemy.engine_from_config": SYNC_ENGINE,
    "sqlalchemy.ext.asyncio.create_async_engine": ASYNC_ENGINE,
    "requests.session": SYNC_HTTP,
    "redis.from_url": SYNC_REDIS,
    "redis.Redis.from_url": SYNC_REDIS,
    "redis.StrictRedis.from_url": SYNC_REDIS,
}
_PRODUCES = {  # calling a value of this kind, or .begin() on it
    SYNC_FACTORY: SYNC_SESSION,
    ASYNC_FACTORY: ASYNC_SESSION,
    SCOPED_SESSION: SYNC_SESSION,
}
_CONNECTS = {SYNC_ENGINE: SYNC_CONNECTION, ASYNC_ENGINE: ASYNC_CONNECTION}
_GENERATORS = frozenset(
    {"Generator", "Iterator", "Iterable", "AsyncGenerator", "AsyncIterator", "AsyncIterable"}
)

# Symbol table values: "<kind>" for a value, "type:<kind>" for an annotation alias,
# "returns:<kind>" for a function (a dependency) that returns or yields one. A module's
# own facts are read without the other modules, so what comes from an import is kept
# symbolic and resolved by the SymbolTable: "@ref:Q" (the value of Q), "@call:Q" (what
# calling Q gives), "@dep:Q" (what Depends(Q) injects).
TYPE, RETURNS = "type:", "returns:"
REF, CALL, DEP = "@ref:", "@call:", "@dep:"


@dataclass
class ModuleFacts:
    """What one module tells the others: its dotted name, imports and typed names."""

    name: str
    imports: dict[str, str] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)


def module_name(path: str) -> str:
    """``app/db/session.py`` → ``app.db.session``; ``src/pkg/__init__.py`` → ``pkg``."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] == "src" and len(parts) > 1:
        parts.pop(0)
    return ".".join(parts)


def absolute_imports(imports: Imports, name: str, is_package: bool) -> dict[str, str]:
    """The module's import map with ``from .x import y`` made absolute."""
    package = name if is_package else name.rpartition(".")[0]
    resolved: dict[str, str] = {}
    for local, target in imports.names.items():
        if target.startswith("."):
            level = len(target) - len(target.lstrip("."))
            base = package.split(".") if package else []
            base = base[: len(base) - (level - 1)] if level > 1 else base
            rest = target.lstrip(".")
            target = ".".join([*base, rest]) if rest else ".".join(base)
        resolved[local] = target
    return resolved


class SymbolTable:
    """Every typed name of the project, by qualified name, with import links followed."""

    def __init__(self, facts: Iterable[ModuleFacts]) -> None:
        self.kinds: dict[str, str] = {}
        self.links: dict[str, str] = {}
        for module in facts:
            for name, kind in module.exports.items():
                self.kinds[f"{module.name}.{name}"] = kind
            for local, target in module.imports.items():
                self.links[f"{module.name}.{local}"] = target

    def lookup(self, qualified: str, depth: int = 0) -> str | None:
        """The resolved kind of a qualified name, following imports and symbolic kinds."""
        for _ in range(8):
            if qualified in self.kinds:
                return self.resolve(self.kinds[qualified], depth + 1)
            if qualified not in self.links:
                return None
            qualified = self.links[qualified]
        return None

    def resolve(self, kind: str | None, depth: int = 0) -> str | None:
        if kind is None or depth > 12:
            return None
        for prefix in (TYPE, RETURNS):
            if kind.startswith(prefix):
                inner = self.resolve(kind.removeprefix(prefix), depth + 1)
                return prefix + inner if inner else None
        if kind.startswith(REF):
            return self.lookup(kind.removeprefix(REF), depth + 1)
        if kind.startswith((CALL, DEP)):
            target = self.lookup(
                kind[len(CALL) :] if kind.startswith(CALL) else kind[len(DEP) :], depth + 1
            )
            if target in _PRODUCES:
                return _PRODUCES[target]
            if target and target.startswith(RETURNS):
                return target.removeprefix(RETURNS)
            return None
        return kind

    def digest_items(self) -> list[tuple[str, str]]:
        return sorted(self.kinds.items()) + sorted(("->" + k, v) for k, v in self.links.items())


class Resolver:
    """Kinds of expressions in one module, given the project's symbol table."""

    def __init__(
        self,
        tree: ast.Module,
        imports: Imports,
        name: str,
        table: SymbolTable | None,
        is_package: bool = False,
        exports: dict[str, str] | None = None,
    ) -> None:
        """``exports`` are the module's own facts when already known (symbolic kinds,
        resolved through ``table`` on use), which spares reading the module again."""
        self.imports = imports
        self.name = name
        self.table = table
        self.absolute = absolute_imports(imports, name, is_package)
        self.module_env: dict[str, str] = {}
        self.functions: dict[str, FunctionNode] = {}
        self._class_nodes = [s for s in tree.body if isinstance(s, ast.ClassDef)]
        self._classes: dict[str, dict[str, str]] | None = None
        self._envs: dict[tuple[int, int], dict[str, str]] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[stmt.name] = stmt
        # Assignments twice (a name may be defined from one assigned later in the file),
        # then what each function returns; environments computed on the way are dropped,
        # as they saw an incomplete module.
        if exports is not None:
            self.module_env = dict(exports)
            return
        for functions in (False, False, True):
            for stmt in tree.body:
                self._module_statement(stmt, functions)
        self._envs.clear()

    @property
    def classes(self) -> dict[str, dict[str, str]]:
        """The typed ``self.x`` attributes of each class, by class name (computed once)."""
        if self._classes is None:
            self._classes = {node.name: self._class_attributes(node) for node in self._class_nodes}
        return self._classes

    def qualname(self, node: ast.expr) -> str | None:
        """Dotted name of ``node`` with its leading import resolved (relative ones too)."""
        return dotted_name(node, self.absolute)

    # -- module level -------------------------------------------------------------------

    def _module_statement(self, stmt: ast.stmt, functions: bool) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if functions:
                produced = self.function_result(stmt)
                if produced:
                    self.module_env[stmt.name] = RETURNS + produced
            return
        if isinstance(stmt, ast.If | ast.Try):  # TYPE_CHECKING blocks, optional imports
            for inner in stmt.body:
                self._module_statement(inner, functions)
            return
        if functions:
            return
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value, annotation = stmt.targets[0], stmt.value, None
        elif isinstance(stmt, ast.AnnAssign):
            target, value, annotation = stmt.target, stmt.value, stmt.annotation
        else:
            return
        if not isinstance(target, ast.Name):
            return
        if annotation is not None and last_name(annotation) == "TypeAlias" and value is not None:
            kind = self.annotation_kind(value)
            if kind:
                self.module_env[target.id] = TYPE + kind
            return
        kind = self.annotation_kind(annotation) if annotation is not None else None
        if kind is None and value is not None:
            kind = self.expr_kind(value, {})
            alias = self.annotation_kind(value) if kind is None else None
            if alias and _looks_like_alias(value):
                self.module_env[target.id] = TYPE + alias
                return
        if kind:
            self.module_env[target.id] = kind

    def exports(self) -> dict[str, str]:
        return dict(self.module_env)

    def _class_attributes(self, node: ast.ClassDef) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                kind = self.annotation_kind(stmt.annotation)
                if kind:
                    attributes[stmt.target.id] = kind
        for stmt in node.body:
            if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            env = self.function_env(stmt)
            for inner in walk_scope(stmt):
                if isinstance(inner, ast.Assign | ast.AnnAssign):
                    targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                    for target in targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                        ):
                            kind = (
                                self.annotation_kind(inner.annotation)
                                if isinstance(inner, ast.AnnAssign)
                                else None
                            ) or (self.expr_kind(inner.value, env) if inner.value else None)
                            if kind:
                                attributes.setdefault(target.attr, kind)
        return attributes

    # -- names --------------------------------------------------------------------------

    def _global(self, name: str) -> str | None:
        """The kind bound to a module-level or imported ``name``."""
        if name in self.module_env:
            bound = self.module_env[name]
            return self.table.resolve(bound) if self.table is not None else bound
        target = self.absolute.get(name)
        if target is None:
            return None
        if self.table is None:
            return REF + target
        return self.table.lookup(target)

    def _qualified_kind(self, node: ast.expr, table: dict[str, str]) -> str | None:
        qualname = self.qualname(node)
        if qualname is None:
            return None
        if qualname in table:
            return table[qualname]
        if self.table is not None and "." in qualname:
            found = self.table.lookup(qualname)
            if found and not found.startswith((TYPE, RETURNS)):
                return found
        return None

    # -- annotations --------------------------------------------------------------------

    def annotation_kind(self, node: ast.expr | None) -> str | None:
        """The kind an annotation declares: ``Session``, ``Annotated[AsyncSession, ...]``,
        ``Session | None``, ``Generator[Session, None, None]``, an alias like
        ``SessionDep``, or ``Annotated[X, Depends(get_db)]`` resolved through get_db."""
        node = string_annotation(node)
        if node is None:
            return None
        base, metadata = split_annotated(node)
        if base is not node:
            kind = self.annotation_kind(base)
            if kind:
                return kind
            for marker in metadata:
                if isinstance(marker, ast.Call):
                    kind = self.dependency_kind(marker)
                    if kind:
                        return kind
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.annotation_kind(node.left) or self.annotation_kind(node.right)
        if isinstance(node, ast.Subscript):
            outer = last_name(node.value)
            inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if outer in {"Optional", "Union"} | _GENERATORS:
                for element in inner if outer != "Optional" else inner[:1]:
                    kind = self.annotation_kind(element)
                    if kind:
                        return kind
                return None
            return self.annotation_kind(node.value)
        if isinstance(node, ast.Name | ast.Attribute):
            kind = self._qualified_kind(node, _TYPES)
            if kind:
                return kind
            if isinstance(node, ast.Name):
                bound = self._global(node.id)
                if bound and bound.startswith(TYPE):
                    return bound.removeprefix(TYPE)
                if bound is None and node.id not in self.imports.names:
                    return _BARE_TYPES.get(node.id)
            elif self.table is not None:
                qualname = self.qualname(node)
                bound = self.table.lookup(qualname) if qualname else None
                if bound and bound.startswith(TYPE):
                    return bound.removeprefix(TYPE)
        return None

    def dependency_kind(self, call: ast.Call) -> str | None:
        """``Depends(get_db)`` → what ``get_db`` yields or returns, if known."""
        if last_name(call.func) not in {"Depends", "Security"} or not call.args:
            return None
        dependency = call.args[0]
        if isinstance(dependency, ast.Name):
            bound = self._global(dependency.id)
        elif isinstance(dependency, ast.Attribute) and self.table is not None:
            qualname = self.qualname(dependency)
            bound = self.table.lookup(qualname) if qualname else None
        else:
            return None
        if bound and bound.startswith(RETURNS):
            return bound.removeprefix(RETURNS)
        if bound in _PRODUCES:  # Depends(SessionLocal)
            return _PRODUCES[bound]
        if bound and bound.startswith(REF):
            return DEP + bound.removeprefix(REF)
        return None

    # -- expressions --------------------------------------------------------------------

    def expr_kind(self, node: ast.expr | None, env: dict[str, str]) -> str | None:
        """The kind of the value ``node`` evaluates to, or None when not known."""
        if node is None:
            return None
        if isinstance(node, ast.Await):
            return self.expr_kind(node.value, env)
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            bound = self._global(node.id)
            return bound if bound and not bound.startswith((TYPE, RETURNS)) else None
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}:
                return env.get(f"self.{node.attr}")
            return self._qualified_kind(node, {})
        if isinstance(node, ast.Call):
            return self._call_kind(node, env)
        return None

    def _call_kind(self, call: ast.Call, env: dict[str, str]) -> str | None:
        func = call.func
        maker = self._qualified_kind(func, _MAKERS)
        if maker == SYNC_FACTORY:
            wanted = next((k.value for k in call.keywords if k.arg == "class_"), None)
            if wanted is not None and self.annotation_kind(wanted) == ASYNC_SESSION:
                return ASYNC_FACTORY
        if maker:
            return maker
        if isinstance(func, ast.Name) and func.id == "next" and call.args:
            inner = call.args[0]
            if isinstance(inner, ast.Call):
                bound = self._callable_result(inner.func)
                return bound
        callee = self.expr_kind(func, env)
        if callee in _PRODUCES:
            return _PRODUCES[callee]
        if callee and callee.startswith(REF):
            return CALL + callee.removeprefix(REF)
        if isinstance(func, ast.Attribute):
            owner = self.expr_kind(func.value, env)
            if owner in _CONNECTS and func.attr in {"connect", "begin"}:
                return _CONNECTS[owner]
            if owner in _PRODUCES and func.attr == "begin":
                return _PRODUCES[owner]
            if owner in {SYNC_SESSION, ASYNC_SESSION} and func.attr == "begin":
                return None
        result = self._callable_result(func)
        return result

    def _callable_result(self, func: ast.expr) -> str | None:
        """What calling a project function returns (``get_session()``), if known."""
        bound = None
        if isinstance(func, ast.Name):
            bound = self._global(func.id)
        elif isinstance(func, ast.Attribute) and self.table is not None:
            qualname = self.qualname(func)
            bound = self.table.lookup(qualname) if qualname else None
        if bound and bound.startswith(RETURNS):
            return bound.removeprefix(RETURNS)
        if bound and bound.startswith(REF):
            return CALL + bound.removeprefix(REF)
        return None

    # -- functions ----------------------------------------------------------------------

    def param_kind(self, annotation: ast.expr | None, default: ast.expr | None) -> str | None:
        kind = self.annotation_kind(annotation)
        if kind:
            return kind
        if isinstance(default, ast.Call):
            return self.dependency_kind(default)
        return None

    def function_env(
        self, func: FunctionNode, owner: dict[str, str] | None = None
    ) -> dict[str, str]:
        """Kinds of the function's parameters and local names (and ``self.x`` attributes
        of its class, under ``self.x``)."""
        key = (id(func), id(owner) if owner else 0)
        cached = self._envs.get(key)
        if cached is not None:
            return cached
        env = self._envs[key] = {}
        for attribute, kind in (owner or {}).items():
            env[f"self.{attribute}"] = kind
        for param in params(func):
            kind = self.param_kind(param.annotation, param.default)
            if kind is None:
                for marker in markers(param):
                    kind = self.dependency_kind(marker) or kind
            if kind:
                env[param.name] = kind
        statements = list(walk_scope(func))
        for _ in range(2):
            for node in statements:
                self._bind(node, env)
        return env

    def _bind(self, node: ast.AST, env: dict[str, str]) -> None:
        if isinstance(node, ast.Assign):
            kind = self.expr_kind(node.value, env)
            if kind:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        env[target.id] = kind
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            kind = self.annotation_kind(node.annotation) or self.expr_kind(node.value, env)
            if kind:
                env[node.target.id] = kind
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    kind = self.expr_kind(item.context_expr, env)
                    if kind:
                        env[item.optional_vars.id] = kind

    def function_result(self, func: FunctionNode) -> str | None:
        """What a function returns or yields (for dependencies), from its annotation or
        from the values it yields/returns."""
        kind = self.annotation_kind(func.returns) if func.returns is not None else None
        if kind:
            return kind
        env = self.function_env(func)
        for node in walk_scope(func):
            value = None
            if isinstance(node, ast.Yield | ast.Return):
                value = node.value
            if value is not None:
                found = self.expr_kind(value, env)
                if found:
                    return found
        return None

    def functions_with_env(self, tree: ast.Module) -> Iterator[tuple[FunctionNode, dict[str, str]]]:
        """Every function of the module with its environment (methods see ``self.x``)."""
        index = index_of(tree)
        methods: dict[int, dict[str, str]] = {}
        for node in index.classes:
            owner = self.classes.get(node.name, {})
            for stmt in node.body:
                if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                    methods[id(stmt)] = owner
        for func in index.functions:
            yield func, self.function_env(func, methods.get(id(func)))


def _looks_like_alias(value: ast.expr) -> bool:
    """``Annotated[Session, Depends(get_db)]`` or a bare type name: an annotation alias."""
    return isinstance(value, ast.Subscript | ast.Name | ast.Attribute)


def module_facts(tree: ast.Module, imports: Imports, path: str) -> ModuleFacts:
    """The typed names one module exports, resolved without other modules' facts."""
    name = module_name(path)
    resolver = Resolver(tree, imports, name, None, path.endswith("__init__.py"))
    return ModuleFacts(name, resolver.absolute, resolver.exports())


def blocking_method(kind: str, method: str) -> bool:
    if kind == SYNC_REDIS:
        return method not in _REDIS_QUIET and not method.startswith("_")
    return method in BLOCKING_METHODS.get(kind, frozenset())
