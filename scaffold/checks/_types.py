"""What a name holds: a small, flow-insensitive type resolver for the rules.

SC101 and SC201 fire on what a call is made on, never on what it is called: a
parameter annotated ``Session``, a ``Depends(get_db)`` whose dependency yields a
``Session``, the result of ``sessionmaker()``/``async_sessionmaker()``, ``with
Session(engine) as db``, ``self.session`` assigned from such a parameter, a
``requests.Session()`` or a sync ``redis.Redis()``. Names cross modules through the
project's own imports, re-exports included. Each module's facts (``_symbols``, cached
per file) merge into a SymbolTable; a :class:`Resolver` answers per function.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from scaffold.checks._kinds import (
    ANN,
    ANNOTATION_TYPES,
    ASYNC_FACTORY,
    ASYNC_SESSION,
    BARE_TYPES,
    CALL,
    CLS,
    CONNECTS,
    DEP,
    FN,
    GENERATORS,
    MAKERS,
    OBJ,
    OF,
    PRODUCES,
    REF,
    RETURNS,
    SYNC_FACTORY,
    SYNC_SESSION,
    TYPE,
)
from scaffold.checks._symbols import SymbolTable, absolute_imports
from scaffold.checks._syntax import (
    FunctionNode,
    Imports,
    dotted_name,
    index_of,
    is_new_type,
    last_name,
    looks_like_alias,
    markers,
    params,
    split_annotated,
    string_annotation,
    walk_scope,
)


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
        self._qualnames: dict[int, str | None] = {}  # by node: the rules ask many times
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
        key = id(node)
        if key in self._qualnames:
            return self._qualnames[key]
        found = self._qualnames[key] = dotted_name(node, self.absolute)
        return found

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
        if isinstance(stmt, ast.ClassDef):
            self.module_env[stmt.name] = self._class_kind(stmt)
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
        if kind is not None and kind.startswith(ANN) and value is not None:
            kind = self.expr_kind(value, {}) or kind
        if kind is None and is_new_type(value):  # X = NewType("X", AsyncSession)
            assert isinstance(value, ast.Call)
            known = self.annotation_kind(value.args[1])
            if known:
                self.module_env[target.id] = TYPE + known
            return
        if kind is None and isinstance(value, ast.Name | ast.Attribute):
            known = self._qualified_kind(value, ANNOTATION_TYPES)  # DBSession = Session
            kind = TYPE + known if known else None
        if kind is None and value is not None:
            kind = self.expr_kind(value, {})
            alias = self.annotation_kind(value) if kind is None else None
            if alias and looks_like_alias(value):
                self.module_env[target.id] = TYPE + alias
                return
        if kind:
            self.module_env[target.id] = kind

    def _class_kind(self, node: ast.ClassDef) -> str:
        """``type:<kind>`` for a subclass of a typed class (``APIRouter``, ``Session``),
        else the class itself (``type:@obj:Q``; ``@cls:Q|<base>`` while the base that
        may be typed is imported)."""
        own = f"{self.name}.{node.name}"
        for base in node.bases:
            known = self._qualified_kind(base, ANNOTATION_TYPES)
            if known:
                return TYPE + known
            bound = self.module_env.get(base.id) if isinstance(base, ast.Name) else None
            if bound is not None and bound.startswith(TYPE) and OBJ not in bound:
                return bound
            if bound is not None and bound.startswith((REF, CLS)):
                return f"{CLS}{own}|{bound}"
            qualname = self.qualname(base) if bound is None else None
            if qualname and (isinstance(base, ast.Attribute) or base.id in self.imports.names):
                return f"{CLS}{own}|{REF}{qualname}"
        return TYPE + OBJ + own

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
            assigns = [
                (inner, target)
                for inner in walk_scope(stmt)
                if type(inner) is ast.Assign or type(inner) is ast.AnnAssign
                for target in (inner.targets if type(inner) is ast.Assign else [inner.target])  # type: ignore[attr-defined]
                if type(target) is ast.Attribute
                and type(target.value) is ast.Name  # type: ignore[attr-defined]
                and target.value.id == "self"  # type: ignore[attr-defined]
            ]
            env = self.function_env(stmt) if assigns else {}
            for inner, target in assigns:
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
            if kind and not kind.startswith(ANN):
                return kind
            for marker in metadata:
                if isinstance(marker, ast.Call):
                    injected = self.dependency_kind(marker)
                    if injected:
                        return injected
            return kind
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.annotation_kind(node.left) or self.annotation_kind(node.right)
        if isinstance(node, ast.Subscript):
            outer = last_name(node.value)
            inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if outer in {"type", "Type"}:  # a factory's type[APIRouter]
                kind = self.annotation_kind(inner[0])
                return TYPE + kind if kind else None
            if outer in {"Optional", "Union"} | GENERATORS:
                for element in inner if outer != "Optional" else inner[:1]:
                    kind = self.annotation_kind(element)
                    if kind:
                        return kind
                return None
            return self.annotation_kind(node.value)
        if isinstance(node, ast.Name | ast.Attribute):
            kind = self._qualified_kind(node, ANNOTATION_TYPES)
            if kind:
                return kind
            if isinstance(node, ast.Name):
                bound = self._global(node.id)
                if bound and bound.startswith(TYPE):
                    return bound.removeprefix(TYPE)
                if bound is None and node.id not in self.imports.names:
                    return BARE_TYPES.get(node.id)
                if (
                    bound is not None
                    and bound.startswith(REF)  # facts: resolved later
                    and bound[len(REF) :].partition(".")[0] not in sys.stdlib_module_names
                ):
                    return ANN + bound.removeprefix(REF)
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
        if bound in PRODUCES:  # Depends(SessionLocal)
            return PRODUCES[bound]
        if bound and bound.startswith(TYPE + OBJ):  # Depends(OrderService)
            return bound.removeprefix(TYPE)
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
        maker = self._qualified_kind(func, MAKERS)
        if maker == SYNC_FACTORY:
            wanted = next((k.value for k in call.keywords if k.arg == "class_"), None)
            if wanted is not None and self.annotation_kind(wanted) == ASYNC_SESSION:
                return ASYNC_FACTORY
        if maker:
            return maker
        if call.args and self.qualname(func) == "functools.partial":
            target = called_function(self, call.args[0], env)
            return FN + target if target else None
        if isinstance(func, ast.Name) and func.id == "next" and call.args:
            inner = call.args[0]
            if isinstance(inner, ast.Call):
                bound = self._callable_result(inner.func)
                return bound
        callee = self.expr_kind(func, env)
        if callee in PRODUCES:
            return PRODUCES[callee]
        if callee and callee.startswith(REF):
            return CALL + callee.removeprefix(REF)
        if callee and callee.startswith((CALL, DEP, OF)):  # Router = factory(); Router()
            return OF + callee
        if isinstance(func, ast.Attribute):
            owner = self.expr_kind(func.value, env)
            if owner in CONNECTS and func.attr in {"connect", "begin"}:
                return CONNECTS[owner]
            if owner in PRODUCES and func.attr == "begin":
                return PRODUCES[owner]
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
        if bound and bound.startswith((RETURNS, TYPE)):  # a function, or a class
            return bound.removeprefix(RETURNS).removeprefix(TYPE)
        if bound and bound.startswith(REF):
            return CALL + bound.removeprefix(REF)
        return OF + bound if bound and bound.startswith(CLS) else None

    # -- functions ----------------------------------------------------------------------

    def param_kind(self, annotation: ast.expr | None, default: ast.expr | None) -> str | None:
        kind = self.annotation_kind(annotation)
        if kind and not kind.startswith(ANN):
            return kind
        if isinstance(default, ast.Call):
            return self.dependency_kind(default) or kind
        return kind

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
        binding = _BINDING
        statements = [node for node in walk_scope(func) if type(node) in binding]
        before = len(env)
        for node in statements:
            self._bind(node, env)
        if len(env) != before:  # a name bound late may type one bound earlier
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
            kind = self.annotation_kind(node.annotation)
            if kind is None or kind.startswith(ANN):
                kind = self.expr_kind(node.value, env) or kind
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
        if kind and not kind.startswith(ANN):
            return kind
        env: dict[str, str] | None = None  # the function's names, read only when used
        for node in walk_scope(func):
            if type(node) in _EXITS and (value := node.value) is not None:  # type: ignore[attr-defined]
                if env is None and any(
                    type(n) is ast.Name and n.id not in self.module_env  # type: ignore[attr-defined]
                    for n in ast.walk(value)
                ):
                    env = self.function_env(func)
                if found := self.expr_kind(value, env or {}):
                    return found
        return kind

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


def called_function(resolver: Resolver, func: ast.expr, env: dict[str, str]) -> str | None:
    """The qualified name of the project function (or class) ``func`` calls: a function
    of the module or imported, a method of an instance of a project class, a partial."""
    if isinstance(func, ast.Name):
        bound = env.get(func.id)
        if bound is not None:
            return bound.removeprefix(FN) if bound.startswith(FN) else None
        if func.id in resolver.functions or func.id in resolver.module_env:
            known = resolver.module_env.get(func.id, "")
            return known.removeprefix(FN) if known.startswith(FN) else f"{resolver.name}.{func.id}"
        return resolver.absolute.get(func.id)
    if isinstance(func, ast.Attribute):
        owner = resolver.expr_kind(func.value, env)
        if owner is not None:
            return owner.removeprefix(OBJ) + "." + func.attr if owner.startswith(OBJ) else None
        return resolver.qualname(func)
    return None


_BINDING = frozenset({ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith})
_EXITS = (ast.Yield, ast.Return)
