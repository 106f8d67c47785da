"""Blocking calls through the project's own functions (SC101, interprocedural).

Each file's rules pass records, per function and method, what it calls of the project
and the first blocking call it makes itself (:func:`call_facts`, cached with the file's
findings). Over the whole project (:func:`blocking_findings`) a sync function is
blocking when it makes a blocking call or calls a blocking function of the project,
transitively: through methods (inherited ones too), ``self.x`` attributes set in
``__init__``, objects the project's factories return and ``functools.partial``. Each
call of a blocking function made in an ``async def`` is reported with its chain:
``repo.get()`` → ``OrderRepository.get`` → ``sync Session call self.session.execute()``.

A function handed to ``run_in_threadpool``/``asyncio.to_thread``/``anyio.to_thread.
run_sync`` is an argument, not a call: it runs in a thread and is not reported. A
function with a decorator that may change how it runs (anything but ``staticmethod``,
``classmethod``, ``cache``/``lru_cache`` and ``contextmanager``) is not followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scaffold.checks._blocking import advice, blocking_call
from scaffold.checks._finding import Finding, char_column
from scaffold.checks._kinds import FN
from scaffold.checks._syntax import FunctionNode, dotted_name, last_name, walk_scope
from scaffold.checks._types import called_function

if TYPE_CHECKING:
    from scaffold.checks._symbols import SymbolTable
    from scaffold.checks.rules import Module, Project

_TRANSPARENT = frozenset({"staticmethod", "classmethod", "cache", "lru_cache", "contextmanager"})


@dataclass
class Function:
    """One function or method of the project, as the call graph needs it."""

    path: str
    name: str  # as shown in a chain: "load" or "OrderRepository.get"
    is_async: bool
    followed: bool  # a sync def whose body runs when it is called
    blocks: str | None = None  # the first blocking call it makes itself
    calls: list[tuple[int, int, str, str]] = field(default_factory=list)  # line, col, callee, shown


@dataclass
class CallFacts:
    """A module's functions (by qualified name) and its classes' bases."""

    functions: dict[str, Function] = field(default_factory=dict)
    bases: dict[str, list[str]] = field(default_factory=dict)


def _followed(func: FunctionNode) -> bool:
    if isinstance(func, ast.AsyncFunctionDef):
        return False
    decorators = {last_name(d.func if isinstance(d, ast.Call) else d) for d in func.decorator_list}
    if not decorators <= _TRANSPARENT:
        return False
    if "contextmanager" in decorators:
        return True
    yields = (ast.Yield, ast.YieldFrom)
    return not any(type(n) in yields for n in walk_scope(func))  # a generator runs later


def call_facts(module: Module, project: Project) -> CallFacts:
    """What each top-level function and method of ``module`` calls of the project."""
    resolver = module.resolver(project)
    tops = project.table.tops()
    facts = CallFacts()
    owners: dict[int, str] = {}
    for node in module.tree.body:
        if isinstance(node, ast.ClassDef):
            qualname = f"{resolver.name}.{node.name}"
            facts.bases[qualname] = [b for b in (_qualify(resolver, b) for b in node.bases) if b]
            for stmt in node.body:
                if isinstance(stmt, FunctionNode):
                    owners[id(stmt)] = qualname
        elif isinstance(node, FunctionNode):
            owners[id(node)] = resolver.name
    for func, env in module.functions(project):
        owner = owners.get(id(func))
        if owner is None:
            continue
        shown = func.name if owner == resolver.name else f"{owner.rpartition('.')[2]}.{func.name}"
        entry = Function(
            module.path, shown, isinstance(func, ast.AsyncFunctionDef), _followed(func)
        )
        facts.functions[f"{owner}.{func.name}"] = entry
        first = (0, 0)
        for node in walk_scope(func):
            if type(node) is not ast.Call:
                continue
            assert isinstance(node, ast.Call)
            where = (node.lineno, node.col_offset)
            if entry.followed and (entry.blocks is None or where < first):
                blocks = blocking_call(node, resolver, env)
                if blocks:  # the first in the source, whatever order the walk takes
                    entry.blocks, first = blocks, where
            target = _target(node.func, resolver, env, owner, owner != resolver.name)
            if target and target.partition(".")[0] in tops:
                line, col = node.lineno, char_column(module.lines, node.lineno, node.col_offset)
                shown = dotted_name(node.func, {}) or ast.unparse(node.func)
                entry.calls.append((line, col, target, shown + "()"))
    return facts


def _qualify(resolver, node: ast.expr) -> str | None:  # type: ignore[no-untyped-def]
    """``Base`` defined in this module → ``app.db.Base``; imported names resolved."""
    if isinstance(node, ast.Name) and node.id not in resolver.absolute:
        return f"{resolver.name}.{node.id}"
    return resolver.qualname(node)


def _target(func: ast.expr, resolver, env, owner: str, method: bool) -> str | None:  # type: ignore[no-untyped-def]
    if (
        method
        and isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"self", "cls"}
        and f"self.{func.attr}" not in env
    ):
        return f"{owner}.{func.attr}"
    return called_function(resolver, func, env)


class _Graph:
    """The project's functions and classes, with names resolved through re-exports."""

    def __init__(self, facts: list[CallFacts], table: SymbolTable) -> None:
        self.functions = {q: f for fact in facts for q, f in fact.functions.items()}
        self.bases = {q: b for fact in facts for q, b in fact.bases.items()}
        self.links = table.links
        self.kinds = table.kinds

    def _follow(self, name: str) -> str:
        for _ in range(8):
            if name in self.functions or name in self.bases:
                return name
            if name in self.links:
                name = self.links[name]
            elif self.kinds.get(name, "").startswith(FN):  # later = partial(pause)
                name = self.kinds[name].removeprefix(FN)
            else:
                return name
        return name

    def resolve(self, name: str, depth: int = 0) -> str | None:
        """The function ``name`` calls: itself, a re-export, an inherited method, or a
        class's ``__init__``."""
        name = self._follow(name)
        if name in self.functions or depth > 6:
            return name if name in self.functions else None
        if name in self.bases:
            return self.resolve(name + ".__init__", depth + 1)
        owner, _, attr = name.rpartition(".")
        owner = self._follow(owner) if owner else owner
        if owner in self.bases:
            if f"{owner}.{attr}" in self.functions:
                return f"{owner}.{attr}"
            for base in self.bases[owner]:
                found = self.resolve(f"{base}.{attr}", depth + 1)
                if found:
                    return found
        return None

    def blocking(self) -> dict[str, list[str]]:
        """Each blocking sync function with the chain of calls that blocks."""
        chains: dict[str, list[str]] = {
            q: [f.blocks] for q, f in self.functions.items() if f.followed and f.blocks
        }
        edges = {
            q: [(target, shown) for _, _, c, shown in f.calls if (target := self.resolve(c))]
            for q, f in self.functions.items()
            if f.followed and q not in chains
        }
        changed = True
        while changed:
            changed = False
            for q, targets in edges.items():
                if q in chains:
                    continue
                for target, _ in targets:
                    if target in chains and target != q:
                        chains[q] = [self.functions[target].name, *chains[target]]
                        changed = True
                        break
        return chains


def blocking_findings(facts: list[CallFacts], table: SymbolTable) -> list[Finding]:
    """SC101 for each call made in ``async def`` of a project function that blocks."""
    graph = _Graph(facts, table)
    chains = graph.blocking()
    findings = []
    for function in graph.functions.values():
        if not function.is_async:
            continue
        for line, col, called, shown in function.calls:
            target = graph.resolve(called)
            if target is None or target not in chains:
                continue
            steps = [graph.functions[target].name, *chains[target]]
            findings.append(
                Finding(
                    function.path,
                    line,
                    col,
                    "SC101",
                    f"blocking call {shown} → {' → '.join(steps)} inside async def "
                    f"{function.name.rpartition('.')[2]}(); {advice(steps[-1])}",
                )
            )
    return findings
