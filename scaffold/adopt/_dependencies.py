"""What the project's routes depend on: its session dependencies (async or sync), its
engine, and the auth dependency most routes use."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass

from scaffold.adopt._findings import Findings, Route
from scaffold.adopt._source import Project, dotted

_AUTH_WORDS = re.compile(
    r"current|auth|user|account|principal|login|verify|member|tenant|permission|bearer|token"
)
# Marks a dependency given as an instance of a class (``Depends(AuthBearer())``).
INSTANCE = "()"
_ENGINE_FACTORIES = (
    "sqlalchemy:create_engine",
    "sqlmodel:create_engine",
    "sqlalchemy.engine:create_engine",
)


@dataclass(frozen=True)
class Dependencies:
    sessions: dict[str, str]  # "module:function" -> "async" or "sync"
    aliases: dict[str, str]  # see dependency_aliases


def depends_targets(
    project: Project, module: str, node: ast.AST, aliases: dict[str, str]
) -> set[str]:
    """Every ``Depends(X)`` under ``node`` (aliases like ``CurrentUser`` followed), as refs."""
    out = set()
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Call)
            and dotted(sub.func) in ("Depends", "fastapi.Depends", "Security", "fastapi.Security")
            and sub.args
        ):
            target = sub.args[0]
            if isinstance(target, ast.Call):
                # A dependency instance (``Depends(AuthBearer())``): its class, marked.
                ref = project.resolve_expr(module, target.func)
                if ref:
                    out.add(ref + INSTANCE)
                continue
            ref = project.resolve_expr(module, target)
            if ref:
                out.add(ref)
        elif isinstance(sub, ast.Name | ast.Attribute):
            name = dotted(sub)
            if name:
                ref = project.resolve(module, name)
                if ref in aliases:
                    out.add(aliases[ref])
    return out


def dependency_aliases(project: Project) -> dict[str, str]:
    """``X = Annotated[T, Depends(f)]`` -> {"module:X": "module:f"}."""
    out = {}
    for mod in project.modules.values():
        for node in mod.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                text = ast.unparse(node.value)
                if "Annotated" in text and "Depends(" in text:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    deps = depends_targets(project, mod.name, node.value, {})
                    for t in targets:
                        if isinstance(t, ast.Name) and deps:
                            out[f"{mod.name}:{t.id}"] = sorted(deps)[0]
    return out


# --- sessions and the engine ---------------------------------------------------------


def learn_sessions(f: Findings, project: Project) -> Dependencies:
    """The session dependency generated routes use: the project's most used async one, or
    an async one adopt adds on its sync engine. Refuses when there is neither."""
    p = f.profile
    aliases = dependency_aliases(project)
    uses: Counter[str] = Counter()
    for mod in project.code_modules():
        for ref in depends_targets(project, mod.name, mod.tree, aliases):
            uses[ref] += 1
    sessions = {ref: kind for ref, fn in _functions(project).items() if (kind := _session_kind(fn))}
    async_sessions = sorted(
        (r for r, k in sessions.items() if k == "async"), key=lambda r: (-uses[r], r)
    )
    sync_sessions = sorted(
        (r for r, k in sessions.items() if k == "sync"), key=lambda r: (-uses[r], r)
    )
    if sync_sessions:
        p["sync_session"] = sync_sessions[0]
    if async_sessions:
        p["session_dependency"] = async_sessions[0]
        f.found.append(f"async session dependency {async_sessions[0]}")
    elif (engine := _sync_engine(project)) is None:
        f.refuse(
            "it has no session dependency and no engine that scaffold's routes could use",
            "add an async session dependency (async def get_session() yielding an AsyncSession) and run scaffold adopt again",
        )
    else:
        p["sync_engine"] = engine
        f.found.append(
            f"only sync sessions ({', '.join(sync_sessions) or 'none'}): adopt adds an async session "
            f"dependency beside them, get_async_session in {p['support_module']}, on the same database as {engine} "
            "through its async driver (standing order 2)"
        )
    return Dependencies(sessions, aliases)


def _functions(project: Project) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    out = {}
    for mod in project.code_modules():
        for node in mod.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                out[f"{mod.name}:{node.name}"] = node
    return out


def _session_kind(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """ "async" / "sync" for a session dependency (a generator or function giving a session)."""
    returns = ast.unparse(node.returns) if node.returns else ""
    if re.search(r"sessionmaker|Engine|Callable|type\[", returns):
        return None  # a factory of sessions or engines, not a session (a helper function)
    body = ast.unparse(node)
    yields = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ast.walk(node))
    if "AsyncSession" in returns or (
        isinstance(node, ast.AsyncFunctionDef) and yields and re.search(r"[Ss]ession", body)
    ):
        return "async" if isinstance(node, ast.AsyncFunctionDef) else None
    if re.search(r"\bSession\b", returns) or (yields and re.search(r"\bSession(Local)?\(", body)):
        return "sync" if isinstance(node, ast.FunctionDef) else None
    return None


def _sync_engine(project: Project) -> str | None:
    for mod in project.code_modules():
        for node in mod.tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and _makes_an_engine(project, project.call_name(mod.name, node.value) or "")
            ):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        return f"{mod.name}:{t.id}"
                    # ``SessionLocal, engine = init_db(url)``: the name that says engine.
                    if isinstance(t, ast.Tuple):
                        for element in t.elts:
                            if isinstance(element, ast.Name) and "engine" in element.id.lower():
                                return f"{mod.name}:{element.id}"
    return None


def _makes_an_engine(project: Project, ref: str) -> bool:
    """``create_engine`` itself, or a function of the project's that returns one it makes
    (``engine = make_engine(settings.url)``)."""
    if ref in _ENGINE_FACTORIES:
        return True
    node = project.top_level(ref)
    if not isinstance(node, ast.FunctionDef):
        return False
    module = ref.partition(":")[0]
    return any(
        isinstance(sub, ast.Call) and project.call_name(module, sub) in _ENGINE_FACTORIES
        for sub in ast.walk(node)
    )


# --- auth ----------------------------------------------------------------------------


def learn_auth(f: Findings, routes: list[Route], sessions: dict[str, str]) -> None:
    """The dependency most routes sign in with (not a session), if any: generated routes
    use it too."""
    counts = Counter(
        d
        for r in routes
        for d in r.deps
        if d not in sessions and _AUTH_WORDS.search(d.partition(":")[2].lower())
    )
    if counts and routes:
        auth, protected = counts.most_common(1)[0]
        if auth.endswith(INSTANCE):
            # Generated routes depend on a dependency by name; an instance made inline at
            # each route has none.
            name = auth.removesuffix(INSTANCE)
            f.unsupported.append(
                f"{protected} of {len(routes)} routes sign in through Depends({name.partition(':')[2]}(...)), "
                "an instance made at each route, which generated routes cannot import: generated "
                "routes get no sign-in until auth_dependency in [tool.scaffold] names a function "
                f"that depends on it (e.g. `def require_user(user=Depends({name.partition(':')[2]}(...)))`)"
            )
            return
        if protected * 4 < len(routes) and len(counts) >= 3:
            # Each feature signs in its own way: no one dependency is the project's.
            f.unsupported.append(
                f"routes are protected per feature ({len(counts)} different auth dependencies, "
                f"the most used, {auth}, on {protected} of {len(routes)} routes): generated "
                "routes get none; set auth_dependency in [tool.scaffold] to the one new routes use"
            )
            return
        f.profile["auth_dependency"] = auth
        f.found.append(
            f"auth dependency {auth} on {protected} of {len(routes)} routes ({round(100 * protected / len(routes))} %): generated routes use it"
        )
    else:
        f.found.append(
            f"no auth dependency on the {len(routes)} routes: generated routes are public like the project's"
        )
