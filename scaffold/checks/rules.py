"""The AST rules: one function per standing order, registered with its code.

Each rule takes a parsed :class:`Module` (plus the :class:`Project` for
cross-file facts) and yields :class:`Finding` objects pointing at the
offending node. Which files a rule sees is part of its registration: ``None``
means every scanned file, otherwise the layers named.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from scaffold.checks._finding import Finding
from scaffold.checks._syntax import (
    FunctionNode,
    Imports,
    Param,
    functions,
    handlers,
    identifiers,
    is_call_to,
    is_true,
    keyword,
    last_name,
    markers,
    name_parts,
    params,
    split_annotated,
    string_annotation,
    walk_scope,
)
from scaffold.spec.sensitive import sensitive_name


@dataclass
class Module:
    """One parsed project file and the layers (``models``, ``routers``...) it plays."""

    path: str
    tree: ast.Module
    lines: list[str]
    kinds: frozenset[str]
    imports: Imports = field(init=False)

    def __post_init__(self) -> None:
        self.imports = Imports(self.tree)

    def finding(self, node: ast.AST, code: str, message: str) -> Finding:
        line, offset = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        # ast columns count UTF-8 bytes; findings count characters like ruff does.
        col = len(text.encode()[:offset].decode(errors="ignore")) + 1
        return Finding(self.path, line, col, code, message)


@dataclass
class Project:
    """Facts that cross files: the schema classes, by name."""

    modules: list[Module]
    schemas: SchemaIndex = field(init=False)

    def __post_init__(self) -> None:
        self.schemas = SchemaIndex([m for m in self.modules if "schemas" in m.kinds])


RuleFunc = Callable[[Module, Project], Iterator[Finding]]
FILE_RULES: list[tuple[str, frozenset[str] | None, RuleFunc]] = []


def _rule(code: str, kinds: frozenset[str] | None = None) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        FILE_RULES.append((code, kinds, func))
        return func

    return register


# --- SC101 ----------------------------------------------------------------------------

_BLOCKING = frozenset(
    {
        "time.sleep",
        "urllib.request.urlopen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "os.system",
    }
)
# Sync HTTP client entry points of requests and httpx (httpx.AsyncClient is fine).
_SYNC_HTTP = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"}
    | {"Client", "Session", "session"}
)
_SYNC_ORM = frozenset({"Session", "sessionmaker", "scoped_session", "create_engine"})


def _is_session_name(node: ast.expr) -> bool:
    """``session``, ``db``, ``db_session``, ``self.session``: names that hold a session.

    Attributes count only on ``self`` so Starlette's ``request.session`` (a dict) is
    never mistaken for a database session.
    """
    if isinstance(node, ast.Attribute) and last_name(node.value) in {"self", "cls"}:
        name = node.attr
    elif isinstance(node, ast.Name):
        name = node.id
    else:
        return False
    lowered = name.lower()
    return lowered in {"db", "sess"} or "session" in lowered


def _blocking_call(call: ast.Call, imports: Imports) -> str | None:
    qualname = imports.qualname(call.func)
    if qualname:
        root = qualname.partition(".")[0]
        last = qualname.rpartition(".")[2]
        if qualname in _BLOCKING or (root in {"requests", "httpx"} and last in _SYNC_HTTP):
            return f"{qualname}()"
        if root in {"sqlalchemy", "sqlmodel"} and last in _SYNC_ORM:
            return f"sync SQLAlchemy {last}()"
    if (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "query"
        and _is_session_name(call.func.value)
    ):
        return "sync Session.query()"
    return None


@_rule("SC101")
def blocking_call_in_async(module: Module, project: Project) -> Iterator[Finding]:
    """SC101: a blocking call inside ``async def`` stalls the whole event loop.

    Flags ``time.sleep``, ``requests.get/post/.../Session``, the same sync calls of
    ``httpx`` (``httpx.AsyncClient`` is fine), ``urllib.request.urlopen``,
    ``subprocess.run/call/check_call/check_output``, ``os.system``, sync SQLAlchemy
    ``Session(``/``sessionmaker(``/``create_engine(`` and ``session.query(`` — with
    import aliases resolved (``import time as t``, ``from time import sleep``).
    ``open()`` is not flagged: small local file reads are common and harmless, and
    flagging them would bury the real problems. Code in a nested sync ``def`` or
    ``lambda`` is skipped, since that is how work is handed to a thread
    (``await asyncio.to_thread(work)``).
    """
    for func in functions(module.tree):
        if not isinstance(func, ast.AsyncFunctionDef):
            continue
        for node in walk_scope(func):
            if isinstance(node, ast.Call) and (what := _blocking_call(node, module.imports)):
                yield module.finding(
                    node,
                    "SC101",
                    f"blocking call {what} inside async def {func.name}(); "
                    "use an async library or run it with asyncio.to_thread",
                )


# --- SC102 ----------------------------------------------------------------------------


@_rule("SC102")
def sync_route_handler(module: Module, project: Project) -> Iterator[Finding]:
    """SC102: a route handler declared with plain ``def`` (standing order 2: async only).

    A handler is any function decorated with ``@<router-or-app>.get/post/put/patch/
    delete/head/options/trace/api_route(...)``. FastAPI would run a sync handler in a
    thread pool, which hides blocking I/O instead of removing it.
    """
    for func, _ in handlers(module.tree):
        if isinstance(func, ast.FunctionDef):
            yield module.finding(
                func, "SC102", f"route handler {func.name}() is a sync def; make it async def"
            )


# --- SC201 ----------------------------------------------------------------------------

_QUERY_BUILDERS = frozenset({"select", "insert", "update", "delete", "text"})
_SESSION_METHODS = frozenset(
    {
        "execute",
        "scalars",
        "scalar",
        "get",
        "add",
        "add_all",
        "commit",
        "delete",
        "flush",
        "refresh",
        "merge",
        "query",
        "stream",
        "stream_scalars",
        "exec",  # SQLModel
    }
)
_SESSION_TYPES = frozenset({"AsyncSession", "Session"})


def _mentions_session_type(node: ast.AST | None, aliases: set[str]) -> bool:
    return any(
        name in _SESSION_TYPES or name in aliases or name.endswith("SessionDep")
        for name in identifiers(node)
    )


def _session_aliases(tree: ast.Module) -> set[str]:
    """Module-level ``DB = Annotated[AsyncSession, Depends(get_db)]`` style aliases."""
    aliases: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if isinstance(target, ast.Name) and _mentions_session_type(value, aliases):
            aliases.add(target.id)
    return aliases


def _is_session_param(param: Param, aliases: set[str]) -> bool:
    if _mentions_session_type(param.annotation, aliases):
        return True
    # ``db = Depends(get_db)`` with no annotation still injects a session.
    return any(
        last_name(marker.func) == "Depends"
        and marker.args
        and any(word in ("db", "session") for word in name_parts(last_name(marker.args[0]) or ""))
        for marker in markers(param)
    )


def _is_generator(func: FunctionNode) -> bool:
    return any(isinstance(node, ast.Yield | ast.YieldFrom) for node in walk_scope(func))


@_rule("SC201", frozenset({"routers"}))
def query_in_router(module: Module, project: Project) -> Iterator[Finding]:
    """SC201: a router file queries the database itself (standing order 1: layers).

    Flags, in router files: ``select/insert/update/delete/text`` imported from
    SQLAlchemy or SQLModel; any method call on a parameter typed ``AsyncSession``,
    ``Session``, ``*SessionDep`` (or a module alias of them, or ``Depends(get_db)``);
    and ``execute/scalars/scalar/get/add/commit/delete...`` on a name that holds a
    session (``session``, ``db``, ``self.session``). Passing the session on to a
    service is fine. Dependency generators (functions that ``yield``) may manage the
    session's lifecycle (``commit``/``rollback``) and are not flagged for that.
    """

    def report(node: ast.Call, what: str) -> Finding:
        return module.finding(
            node, "SC201", f"router queries the database ({what}); move the query into a service"
        )

    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            qualname = module.imports.qualname(node.func) or ""
            root, last = qualname.partition(".")[0], qualname.rpartition(".")[2]
            if root in {"sqlalchemy", "sqlmodel"} and last in _QUERY_BUILDERS:
                yield report(node, f"{last}()")

    aliases = _session_aliases(module.tree)
    for func in functions(module.tree):
        if _is_generator(func):
            continue
        sessions = {p.name for p in params(func) if _is_session_param(p, aliases)}
        for node in walk_scope(func):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver, method = node.func.value, node.func.attr
            typed = isinstance(receiver, ast.Name) and receiver.id in sessions
            if typed or (method in _SESSION_METHODS and _is_session_name(receiver)):
                yield report(node, f"{ast.unparse(receiver)}.{method}()")


# --- SC301 ----------------------------------------------------------------------------

_UNTYPED = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "Any"})
_WRAPPERS = frozenset({"list", "List", "Sequence", "set", "Set", "tuple", "Tuple", "Optional"})
_NOT_BODY = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie", "Form", "File"})


def _is_untyped(node: ast.expr | None) -> bool:
    """``dict``, ``dict[str, Any]``, ``Any``, ``list[dict]``, ``dict | None``..."""
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
    and are left alone.
    """
    for func, _ in handlers(module.tree):
        requests: set[str] = set()
        for param in params(func):
            if _is_request(param):
                requests.add(param.name)
                continue
            kinds = {last_name(marker.func) for marker in markers(param)}
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
        for node in walk_scope(func):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"json", "body"}
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in requests
            ):
                yield module.finding(
                    node,
                    "SC301",
                    f"{func.name}() reads the raw body with {node.func.value.id}."
                    f"{node.func.attr}(); declare a Pydantic model parameter instead",
                )


# --- SC401 ----------------------------------------------------------------------------

_READ_SUFFIXES = ("Read", "Out", "Response", "Public", "Detail", "Item")


def _marked_sensitive(call: ast.AST) -> bool:
    extra = keyword(call, "json_schema_extra") if isinstance(call, ast.Call) else None
    return isinstance(extra, ast.Dict) and any(
        isinstance(k, ast.Constant) and k.value == "sensitive" and is_true(v)
        for k, v in zip(extra.keys, extra.values, strict=True)
    )


@dataclass(frozen=True)
class SchemaField:
    name: str
    node: ast.AnnAssign
    owner: str
    reason: str | None  # why it is sensitive; None when it is not


@dataclass
class SchemaClass:
    name: str
    module: Module
    node: ast.ClassDef
    bases: list[str]
    fields: dict[str, SchemaField]
    is_read: bool


def _schema_field(stmt: ast.AnnAssign, owner: str) -> SchemaField | None:
    if not isinstance(stmt.target, ast.Name):
        return None
    name = stmt.target.id
    annotation = string_annotation(stmt.annotation)
    base, metadata = split_annotated(annotation)
    if name.startswith("_") or name == "model_config" or last_name(base) == "ClassVar":
        return None
    calls = [n for n in (stmt.value, *metadata) if is_call_to(n, "Field")]
    if any(is_true(keyword(call, "exclude")) for call in calls):
        return SchemaField(name, stmt, owner, None)
    reason = None
    if any(_marked_sensitive(call) for call in calls):
        reason = "marked sensitive"
    elif sensitive_name(name) and last_name(base) != "bool":
        reason = "named like a secret"
    return SchemaField(name, stmt, owner, reason)


def _config_from_attributes(node: ast.ClassDef) -> bool:
    for stmt in node.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if not any(last_name(t) == "model_config" for t in targets):
                continue
            value = stmt.value
            if isinstance(value, ast.Call) and is_true(keyword(value, "from_attributes")):
                return True
            if isinstance(value, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "from_attributes" and is_true(v)
                for k, v in zip(value.keys, value.values, strict=True)
            ):
                return True
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":  # pydantic v1 style
            for inner in stmt.body:
                if (
                    isinstance(inner, ast.Assign)
                    and is_true(inner.value)
                    and any(last_name(t) in {"orm_mode", "from_attributes"} for t in inner.targets)
                ):
                    return True
    return False


class SchemaIndex:
    """Every class in the schema files, with its fields resolved through inheritance."""

    def __init__(self, modules: list[Module]) -> None:
        self.classes: dict[str, list[SchemaClass]] = {}
        self.by_module: dict[str, list[SchemaClass]] = {}
        for module in modules:
            for node in ast.walk(module.tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                fields: dict[str, SchemaField] = {}
                for stmt in node.body:
                    if isinstance(stmt, ast.AnnAssign):
                        found = _schema_field(stmt, node.name)
                        if found:
                            fields[found.name] = found
                is_read = node.name.endswith(_READ_SUFFIXES) or _config_from_attributes(node)
                bases = [name for base in node.bases if (name := last_name(base))]
                info = SchemaClass(node.name, module, node, bases, fields, is_read)
                self.classes.setdefault(node.name, []).append(info)
                self.by_module.setdefault(module.path, []).append(info)

    def lookup(self, name: str, near: Module) -> SchemaClass | None:
        candidates = self.classes.get(name, [])
        local = [c for c in candidates if c.module is near]
        return (local or candidates or [None])[0]

    def fields(
        self, cls: SchemaClass, seen: frozenset[str] = frozenset()
    ) -> dict[str, SchemaField]:
        """Fields as Pydantic sees them: bases first, the class's own overriding."""
        merged: dict[str, SchemaField] = {}
        for base_name in reversed(cls.bases):
            base = self.lookup(base_name, cls.module)
            if base is not None and base.name not in seen:
                merged.update(self.fields(base, seen | {cls.name}))
        merged.update(cls.fields)
        return merged

    def leak(self, name: str, near: Module) -> tuple[SchemaClass, SchemaField] | None:
        """The first sensitive field a class named ``name`` would serialise, if any."""
        cls = self.lookup(name, near)
        if cls is None:
            return None
        for found in self.fields(cls).values():
            if found.reason:
                return cls, found
        return None


@_rule("SC401", frozenset({"schemas"}))
def sensitive_field_in_read_schema(module: Module, project: Project) -> Iterator[Finding]:
    """SC401 (schemas): a read schema declares or inherits a sensitive field (order 5).

    A read schema is a class named ``*Read/*Out/*Response/*Public/*Detail/*Item`` or
    one with ``from_attributes=True`` (or v1 ``orm_mode``) in its own config. A field
    is sensitive when marked ``Field(json_schema_extra={"sensitive": True})`` or named
    like a secret (:func:`sensitive_name`), unless it is ``Field(exclude=True)`` or a
    ``bool``. Own fields are reported on their line; inherited ones on the class line,
    unless the declaring base is itself a read schema (reported there already).
    """
    index = project.schemas
    for cls in index.by_module.get(module.path, []):
        if not cls.is_read:
            continue
        for found in index.fields(cls).values():
            if not found.reason:
                continue
            if found.owner == cls.name:
                node: ast.AST = found.node
                where = ""
            else:
                owner = index.lookup(found.owner, module)
                if owner is not None and owner.is_read:
                    continue
                node, where = cls.node, f" (inherited from {found.owner})"
            yield module.finding(
                node,
                "SC401",
                f"read schema {cls.name} exposes {found.name!r}{where}, {found.reason}; "
                "keep it write-only or Field(exclude=True)",
            )


@_rule("SC401")
def sensitive_response_model(module: Module, project: Project) -> Iterator[Finding]:
    """SC401 (handlers): ``response_model=`` (or the return annotation when there is no
    ``response_model``) names a schema class with a sensitive field."""
    for func, decorators in handlers(module.tree):
        targets: list[ast.expr] = []
        for decorator in decorators:
            model = keyword(decorator, "response_model")
            if model is not None:
                targets.append(model)
        if not targets and func.returns is not None:
            targets.append(func.returns)
        for target in targets:
            for name in dict.fromkeys(identifiers(target)):
                leak = project.schemas.leak(name, module)
                if leak:
                    cls, found = leak
                    yield module.finding(
                        target,
                        "SC401",
                        f"{func.name}() responds with {cls.name}, which exposes "
                        f"{found.name!r} ({found.reason}); use a read schema without it",
                    )
                    break


# --- SC501 ----------------------------------------------------------------------------

_COVERING = ("Index", "UniqueConstraint", "PrimaryKeyConstraint")


def _column_name(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return last_name(node) if isinstance(node, ast.Name | ast.Attribute) else None


def _leading_column(call: ast.Call) -> ast.expr | None:
    """The first column of ``Index("ix", col, ...)`` / ``UniqueConstraint(col, ...)``."""
    columns = call.args[1:] if last_name(call.func) == "Index" else call.args
    return columns[0] if columns else None


def _leading_columns(nodes: list[ast.AST]) -> set[str]:
    names: set[str] = set()
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Call) and last_name(node.func) in _COVERING:
                name = _column_name(_leading_column(node))
                if name:
                    names.add(name)
    return names


def _external_indexes(tree: ast.Module) -> dict[str, set[str]]:
    """Module-level ``Index("ix", Model.col)`` / ``Index("ix", table.c.col)``: owner → cols."""
    found: dict[str, set[str]] = {}
    for stmt in tree.body:
        for node in ast.walk(stmt):
            if not is_call_to(node, "Index"):
                continue
            column = _leading_column(node)
            if not isinstance(column, ast.Attribute):
                continue
            owner = column.value
            if isinstance(owner, ast.Attribute) and owner.attr == "c":
                owner = owner.value
            if isinstance(owner, ast.Name):
                found.setdefault(owner.id, set()).add(column.attr)
    return found


def _fk_column(node: ast.AST) -> ast.Call | None:
    """The call if ``node`` declares a foreign key column.

    ``mapped_column(ForeignKey(...))``, ``Column(..., ForeignKey(...))`` and SQLModel's
    ``Field(foreign_key=...)`` / ``Field(sa_column=Column(ForeignKey(...)))``.
    """
    if not isinstance(node, ast.Call):
        return None
    name = last_name(node.func)
    if name in {"mapped_column", "Column"}:
        return node if any(is_call_to(arg, "ForeignKey") for arg in node.args) else None
    if name == "Field":
        if keyword(node, "foreign_key") is not None:
            return node
        sa_column = keyword(node, "sa_column")
        return _fk_column(sa_column) if sa_column is not None else None
    return None


def _db_name(call: ast.Call) -> str | None:
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _class_columns(node: ast.ClassDef) -> Iterator[tuple[str, ast.Call]]:
    """``name = mapped_column(...)`` in the body and ``@declared_attr def name`` returns."""
    for stmt in node.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(stmt.value, ast.Call):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                yield targets[0].id, stmt.value
        elif isinstance(stmt, ast.FunctionDef):
            for inner in walk_scope(stmt):
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Call):
                    yield stmt.name, inner.value


def _tables(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    """Core ``Table("name", metadata, Column(...), ...)`` calls with the variable they bind."""
    bound = {
        id(stmt.value): last_name(stmt.targets[0])
        for stmt in tree.body
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and last_name(node.func) == "Table":
            yield bound.get(id(node)) or _db_name(node) or "table", node


@_rule("SC501", frozenset({"models"}))
def unindexed_foreign_key(module: Module, project: Project) -> Iterator[Finding]:
    """SC501: a foreign key column with no index makes joins and cascades scan the table.

    Covered when the column has ``index=True``, ``primary_key=True`` or ``unique=True``,
    or when an ``Index``/``UniqueConstraint``/``PrimaryKeyConstraint`` (in
    ``__table_args__``, the class body, the same ``Table(...)`` or a module-level
    ``Index("ix", Model.col)``) has it as its first column. Works for declarative
    classes and Core ``Table(...)`` definitions.
    """
    external = _external_indexes(module.tree)
    candidates: list[tuple[str, str | None, ast.Call, set[str]]] = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ClassDef):
            covered = _leading_columns(list(node.body)) | external.get(node.name, set())
            for name, call in _class_columns(node):
                candidates.append((node.name, name, call, covered))
    for owner, table in _tables(module.tree):
        covered = _leading_columns(list(table.args)) | external.get(owner, set())
        candidates.extend((owner, None, arg, covered) for arg in table.args)
    for owner, attribute, node, covered in candidates:
        call = _fk_column(node)
        if call is None:
            continue
        if any(is_true(keyword(call, flag)) for flag in ("index", "primary_key", "unique")):
            continue
        column = _db_name(call) if last_name(call.func) != "Field" else None
        if {name for name in (attribute, column) if name} & covered:
            continue
        yield module.finding(
            call,
            "SC501",
            f"foreign key column {owner}.{attribute or column or '?'} has no index; "
            "add index=True or an Index leading with it (scaffold index --missing)",
        )
