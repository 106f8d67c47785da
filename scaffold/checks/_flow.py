"""Data flow inside one route handler, for the security rules (SC301, SC401/SC402).

What a value carries is followed through the handler's assignments (``payload = await
request.body()``, ``wh = Webhook(secret)``), never guessed from the name of the
function it reaches:

- SC301: a handler that reads the raw body verifies a signature when those bytes reach
  one call together with a secret, a signature header or an HMAC
  (``hmac.new(secret, payload, ...)``, ``Webhook.construct_event(payload, sig, key)``,
  ``wh.verify(body, request.headers)``).
- SC401: which schema classes a route returns (``response_model=``, the return
  annotation, the classes its ``return`` builds), whether a route lists them
  (``list[X]``) and whether it builds a credential itself from a call it makes
  (``Token(access_token=create_token(user))``: issued to this caller) or hands back one
  it loaded (``return await keys.get(id)``: a stored secret).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from scaffold.checks._syntax import (
    ROUTE_METHODS,
    FunctionNode,
    Imports,
    identifiers,
    index_of,
    keyword,
    last_name,
    walk_scope,
)
from scaffold.spec.sensitive import sensitive_name

RAW, SECRET, HEADER, HMAC = "raw", "secret", "header", "hmac"
_BUILTINS = frozenset({"len", "str", "int", "bool", "float", "list", "dict", "tuple", "sorted"})


def _assignments(func: FunctionNode) -> list[tuple[list[ast.expr], ast.expr]]:
    """(targets, value) of the handler's assignments, in source order."""
    found: list[tuple[int, int, list[ast.expr], ast.expr]] = []
    for node in walk_scope(func):
        if isinstance(node, ast.Assign):
            found.append((node.lineno, node.col_offset, list(node.targets), node.value))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
            found.append((node.lineno, node.col_offset, [node.target], node.value))
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    target = [item.optional_vars]
                    found.append((node.lineno, node.col_offset, target, item.context_expr))
    return [(targets, value) for _, _, targets, value in sorted(found, key=lambda f: f[:2])]


class Flow:
    """What each local name of a handler carries (``raw``, ``secret``, ``header``,
    ``hmac``), from its parameters and assignments."""

    def __init__(self, func: FunctionNode, imports: Imports, seeds: dict[str, set[str]]) -> None:
        self.imports = imports
        self.requests = {name for name, marks in seeds.items() if "request" in marks}
        self.names: dict[str, set[str]] = {k: set(v) - {"request"} for k, v in seeds.items()}
        assignments = _assignments(func)
        for _ in range(2):  # a name may be assigned from one assigned later in a loop
            for targets, value in assignments:
                carried = self.of(value)
                for target in targets:
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            self.names.setdefault(node.id, set()).update(carried)

    def _call_marks(self, node: ast.Call) -> set[str]:
        func = node.func
        marks = set()
        if (
            isinstance(func, ast.Attribute)
            and func.attr in {"body", "stream", "form"}
            and isinstance(func.value, ast.Name)
            and func.value.id in self.requests
        ):
            marks.add(RAW)
        qualname = self.imports.qualname(func) or ""
        if qualname.partition(".")[0] in {"hmac", "hashlib"}:
            marks.add(HMAC)
        return marks

    def of(self, node: ast.AST | None) -> set[str]:
        """What an expression carries: the union over its names and calls."""
        marks: set[str] = set()
        for inner in ast.walk(node) if node is not None else ():
            if isinstance(inner, ast.Name):
                marks |= self.names.get(inner.id, set())
                if sensitive_name(inner.id) and inner.id.isupper():  # SECRET = b"..."
                    marks.add(SECRET)
            elif isinstance(inner, ast.Attribute):
                if sensitive_name(inner.attr):  # settings.webhook_secret
                    marks.add(SECRET)
                if (
                    inner.attr == "headers"
                    and isinstance(inner.value, ast.Name)
                    and inner.value.id in self.requests
                ):
                    marks.add(HEADER)
            elif isinstance(inner, ast.Call):
                marks |= self._call_marks(inner)
                if last_name(inner.func) in {"getenv", "environ"}:
                    marks.add(SECRET)
            elif isinstance(inner, ast.Subscript) and last_name(inner.value) == "environ":
                marks.add(SECRET)
        return marks

    def verified(self, func: FunctionNode) -> bool:
        """The raw body reaches one call together with a secret, a header or an HMAC."""
        for node in walk_scope(func):
            if not isinstance(node, ast.Call):
                continue
            parts: list[ast.AST] = [*node.args, *(kw.value for kw in node.keywords)]
            if isinstance(node.func, ast.Attribute):
                parts.append(node.func.value)  # wh.verify(body, ...) with wh = Webhook(secret)
            carried = set().union(*(self.of(p) for p in parts)) if parts else set()
            if self._call_marks(node) & {HMAC}:
                carried.add(HMAC)
            if RAW in carried and carried & {SECRET, HEADER, HMAC}:
                return True
        return False


def returned_names(tree: ast.Module) -> set[str]:
    """The class names routes of a module return (a superset: receivers not resolved):
    ``response_model=``, else the return annotation, and the classes ``return`` builds."""
    found: set[str] = set()
    index = index_of(tree)
    for func in index.functions:
        routes = [
            d
            for d in func.decorator_list
            if isinstance(d, ast.Call)
            and isinstance(d.func, ast.Attribute)
            and d.func.attr in ROUTE_METHODS
        ]
        if not routes:
            continue
        models = [m for d in routes if (m := keyword(d, "response_model")) is not None]
        for target in models or ([func.returns] if func.returns is not None else []):
            found.update(identifiers(target))
        found |= built_classes(func)
    for call in index.calls:
        if last_name(call.func) in {"add_api_route", "APIRoute", "api_route"}:
            found.update(identifiers(keyword(call, "response_model")))
    return found


def built_classes(func: FunctionNode) -> set[str]:
    """Classes a handler's ``return`` builds: ``X(...)``, ``X.model_validate(...)``."""
    found: set[str] = set()
    for node in walk_scope(func):
        if isinstance(node, ast.Return) and node.value is not None:
            for inner in ast.walk(node.value):
                if isinstance(inner, ast.Call):
                    func_node = inner.func
                    if isinstance(func_node, ast.Attribute):
                        func_node = func_node.value
                    name = last_name(func_node)
                    if name and name[:1].isupper():
                        found.add(name)
    return found


def is_listed(target: ast.expr) -> bool:
    """``list[X]``, ``Page[X]``, ``list[X] | None``: the route lists what it returns (any
    generic container but ``Optional``/``Union``/``Annotated``)."""
    if isinstance(target, ast.BinOp):
        return is_listed(target.left) or is_listed(target.right)
    if not isinstance(target, ast.Subscript):
        return False
    outer = last_name(target.value)
    if outer in {"Optional", "Union", "Annotated"}:
        inner = target.slice.elts if isinstance(target.slice, ast.Tuple) else [target.slice]
        return any(is_listed(e) for e in inner[:1] if outer == "Annotated") or any(
            is_listed(e) for e in inner if outer != "Annotated"
        )
    return outer not in {"type", "Type", "Literal"}


def issues_here(func: FunctionNode, credentials: Iterable[str]) -> bool:
    """The handler builds the credential it returns from a call it makes itself
    (``Token(access_token=create_token(user))``, ``{"api_key": secrets.token_hex()}``),
    not from a field of an object it loaded (``key.secret``) or a constant."""
    wanted = set(credentials)
    fresh: set[str] = set()
    for targets, value in _assignments(func):
        if _fresh(value, fresh):
            fresh |= {t.id for t in targets if isinstance(t, ast.Name)}
    for node in walk_scope(func):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        for inner in ast.walk(node.value):
            values: list[ast.expr] = []
            if isinstance(inner, ast.Call):
                values = [kw.value for kw in inner.keywords if kw.arg in wanted]
                root = inner.func.value if isinstance(inner.func, ast.Attribute) else inner.func
                if (last_name(root) or "")[:1].isupper():  # Token(t), Token.respond(t)
                    values += inner.args
            elif isinstance(inner, ast.Dict):
                values = [
                    v
                    for k, v in zip(inner.keys, inner.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value in wanted
                ]
            if any(_fresh(value, fresh) for value in values):
                return True
    return False


def _fresh(node: ast.expr, fresh: set[str]) -> bool:
    """Made by a call here (or from such a value); a field read off an object is not."""
    if isinstance(node, ast.Await):
        return _fresh(node.value, fresh)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in _BUILTINS:  # len(rows)
            return False
        return not (isinstance(node.func, ast.Attribute) and node.func.attr in {"get", "scalar"})
    if isinstance(node, ast.Name):
        return node.id in fresh
    if isinstance(node, ast.JoinedStr | ast.BinOp | ast.FormattedValue):
        return any(_fresh(c, fresh) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr))
    return False
