"""AST helpers shared by the rules: import aliases, route handlers, annotations."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route"}
)
_NOT_ROUTERS = frozenset({"mock", "unittest", "pytest", "mocker", "monkeypatch"})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_SCOPE_TYPES = frozenset(_SCOPES)
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


# What the index never descends into: expression contexts and operators (singletons),
# and annotations, signatures and return types (the rules read those from the function).
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "type_ignores", "type_comment"})
_SIGNATURE_FIELDS = frozenset({"args", "returns", "type_params"})
_FIELDS: dict[type, tuple[str, ...]] = {}
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LEAVES = frozenset({ast.Name, ast.Constant})


def _fields(kind: type) -> tuple[str, ...]:
    found = _FIELDS.get(kind)
    if found is None:
        skipped = _SKIPPED_FIELDS
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
            skipped = skipped | _SIGNATURE_FIELDS
        elif kind is ast.AnnAssign or kind is ast.arg:
            skipped = skipped | {"annotation"}
        found = _FIELDS[kind] = tuple(f for f in kind._fields if f not in skipped)  # type: ignore[attr-defined]
    return found


class ModuleIndex:
    """One pass over a module's tree, shared by every rule.

    It lists the functions, classes, imports and calls, and gives each function the
    nodes that run when it runs (its body, not nested defs, lambdas or classes), which
    :func:`walk_scope` returns from then on. Names, constants, annotations and
    signatures are not listed (the rules read those from their parent node).
    """

    def __init__(self, tree: ast.AST) -> None:
        self.functions: list[FunctionNode] = []
        self.classes: list[ast.ClassDef] = []
        self.imports: list[ast.Import | ast.ImportFrom] = []
        self.calls: list[ast.Call] = []
        stack: list[tuple[ast.AST, list[ast.AST] | None]] = [(tree, None)]
        push, pop, leaves = stack.append, stack.pop, _LEAVES
        calls = self.calls
        while stack:
            node, scope = pop()
            kind = type(node)
            if kind is ast.Call:
                calls.append(node)  # type: ignore[arg-type]
            elif kind is ast.Import or kind is ast.ImportFrom:
                self.imports.append(node)  # type: ignore[arg-type]
            elif kind in _SCOPE_TYPES:
                inner: list[ast.AST] | None = None
                if kind is not ast.Lambda and kind is not ast.ClassDef:
                    self.functions.append(node)  # type: ignore[arg-type]
                    inner = []
                    node._scaffold_scope = inner  # type: ignore[attr-defined]
                elif kind is ast.ClassDef:
                    self.classes.append(node)  # type: ignore[arg-type]
                for name in _fields(kind):
                    value = getattr(node, name, None)
                    target = inner if name == "body" else None
                    if type(value) is list:
                        for item in value:
                            if isinstance(item, ast.AST) and type(item) not in leaves:
                                push((item, target))
                    elif isinstance(value, ast.AST) and type(value) not in leaves:
                        push((value, target))
                continue
            if scope is not None:
                scope.append(node)
            for name in _fields(kind):
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast.AST) and type(item) not in leaves:
                            push((item, scope))
                elif isinstance(value, ast.AST) and type(value) not in leaves:
                    push((value, scope))
        self.functions.reverse()
        self.classes.reverse()


def index_of(tree: ast.AST) -> ModuleIndex:
    """The tree's :class:`ModuleIndex`, built on first use."""
    found = getattr(tree, "_scaffold_index", None)
    if found is None:
        found = ModuleIndex(tree)
        tree._scaffold_index = found  # type: ignore[attr-defined]
    return found


class Imports:
    """Maps the names a module binds by ``import`` to dotted paths, so aliases resolve.

    >>> imports = Imports(ast.parse("import time as t\\nfrom time import sleep as nap"))
    >>> imports.qualname(ast.parse("t.sleep", mode="eval").body)
    'time.sleep'
    >>> imports.qualname(ast.parse("nap", mode="eval").body)
    'time.sleep'
    """

    def __init__(self, tree: ast.AST) -> None:
        self.names: dict[str, str] = {}
        for node in index_of(tree).imports:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        head = alias.name.partition(".")[0]
                        self.names[head] = head
            elif isinstance(node, ast.ImportFrom):
                base = "." * node.level + (f"{node.module}." if node.module else "")
                for alias in node.names:
                    if alias.name != "*":
                        self.names[alias.asname or alias.name] = base + alias.name

    def qualname(self, node: ast.expr) -> str | None:
        """Dotted name of ``node`` with its leading import resolved; None if not a name."""
        return dotted_name(node, self.names)


def dotted_name(node: ast.expr, names: dict[str, str]) -> str | None:
    """``a.b.c`` for ``a.b.c`` with ``a`` replaced by what ``names`` maps it to."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(names.get(node.id, node.id))
    return ".".join(reversed(parts))


def last_name(node: ast.AST) -> str | None:
    """``x`` for ``x``, ``a.b.x`` and ``a.b.x[...]``; None for anything else."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def is_call_to(node: ast.AST, *names: str) -> bool:
    return isinstance(node, ast.Call) and last_name(node.func) in names


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def walk_scope(func: FunctionNode) -> Iterator[ast.AST]:
    """Nodes that run when ``func`` runs: its body, not nested defs, lambdas or classes."""
    indexed = getattr(func, "_scaffold_scope", None)
    if indexed is not None:
        yield from indexed
        return
    stack: list[ast.AST] = [node for node in func.body if not isinstance(node, _SCOPES)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _SCOPES))


def functions(tree: ast.AST) -> Iterator[FunctionNode]:
    if isinstance(tree, ast.Module):
        yield from index_of(tree).functions
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def route_decorators(func: FunctionNode) -> list[ast.Call]:
    """``@router.get(...)``, ``@app.post(...)``, ``@api.api_route(...)`` calls on ``func``.

    The receiver is not resolved (routers are often imported from elsewhere), so any
    ``@<name>.<method>(...)`` counts except ``@mock.patch(...)`` and friends.
    """
    return [
        dec
        for dec in func.decorator_list
        if isinstance(dec, ast.Call)
        and isinstance(dec.func, ast.Attribute)
        and dec.func.attr in ROUTE_METHODS
        and isinstance(dec.func.value, ast.Name | ast.Attribute)
        and _root(dec.func.value) not in _NOT_ROUTERS
    ]


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def handlers(tree: ast.AST) -> Iterator[tuple[FunctionNode, list[ast.Call]]]:
    """Every route handler of a module with its route decorators."""
    for func in functions(tree):
        decorators = route_decorators(func)
        if decorators:
            yield func, decorators


@dataclass(frozen=True)
class Param:
    """A named parameter with its annotation and default (both may be None)."""

    arg: ast.arg
    annotation: ast.expr | None
    default: ast.expr | None

    @property
    def name(self) -> str:
        return self.arg.arg


def params(func: FunctionNode) -> list[Param]:
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += args.defaults
    pairs = [
        *zip(positional, defaults, strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    return [Param(arg, string_annotation(arg.annotation), default) for arg, default in pairs]


def string_annotation(node: ast.expr | None) -> ast.expr | None:
    """Parse ``"AsyncSession"``-style string annotations; others pass through."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    return node


def split_annotated(node: ast.expr | None) -> tuple[ast.expr | None, list[ast.expr]]:
    """``Annotated[T, m1, m2]`` → ``(T, [m1, m2])``; anything else → ``(node, [])``."""
    if (
        isinstance(node, ast.Subscript)
        and last_name(node.value) == "Annotated"
        and isinstance(node.slice, ast.Tuple)
        and node.slice.elts
    ):
        first, *metadata = node.slice.elts
        return first, metadata
    return node, []


def markers(param: Param) -> list[ast.Call]:
    """FastAPI markers (``Depends(...)``, ``Body()``, ``Query()``...) on a parameter."""
    _, metadata = split_annotated(param.annotation)
    return [node for node in (*metadata, param.default) if isinstance(node, ast.Call)]


def identifiers(node: ast.AST | None) -> Iterator[str]:
    """Every ``Name`` id and ``Attribute`` attr inside an expression."""
    if node is None:
        return
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            yield child.id
        elif isinstance(child, ast.Attribute):
            yield child.attr
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield from identifiers(string_annotation(child))


def name_parts(name: str) -> list[str]:
    """``accessToken`` and ``access_token`` both → ``['access', 'token']``."""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return [part for part in snake.split("_") if part]


def assignment_targets(stmt: ast.stmt) -> list[ast.expr]:
    """The targets of an assignment statement (plain or annotated); [] for anything else."""
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, ast.AnnAssign):
        return [stmt.target]
    return []


def is_new_type(value: ast.expr | None) -> bool:
    return (
        isinstance(value, ast.Call) and last_name(value.func) == "NewType" and len(value.args) == 2
    )


def looks_like_alias(value: ast.expr) -> bool:
    """``Annotated[Session, Depends(get_db)]`` or a bare type name: an annotation alias."""
    return isinstance(value, ast.Subscript | ast.Name | ast.Attribute)
