"""The real-world harness's judges: each reads the files a `scaffold resource` wrote into a
project and says ok / FAIL / skip with the detail. None of them imports the project.

Every judge takes a `Change` (the project root, its source index and the written files)
and returns a `Verdict`.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from realworld_models import (
    Column,
    all_columns,
    heads,
    migration_columns,
    model_classes,
    read_revision,
)
from realworld_routes import auth_dependencies, route_reach
from realworld_source import Tree, call_name, const_str, kwarg, parse_file

OK, FAIL, SKIP, REFUSED = "ok", "FAIL", "skip", "refused"


@dataclass
class Verdict:
    status: str
    detail: str = ""


@dataclass
class Change:
    root: Path  # the project folder (the one with alembic.ini / pyproject.toml)
    written: list[str]  # paths relative to root, created or updated by the resource
    table: str = "weekly_requirements"
    created: list[str] | None = None  # the written paths that are new (None: all of them)
    original: Path | None = None  # the project folder before the change (for edited files)
    tree: Tree = field(init=False)

    def __post_init__(self) -> None:
        self.tree = Tree.read(self.root)

    def python_files(self) -> list[Path]:
        return [self.root / p for p in self.written if p.endswith(".py")]

    def new_routers(self) -> list[Path]:
        """Written modules, new ones, that make an APIRouter and declare routes on it."""
        new = set(self.written if self.created is None else self.created)
        return [
            self.root / p
            for p in sorted(new)
            if p.endswith(".py")
            and not Path(p).name.startswith("test")
            and re.search(r"APIRouter\(", text := (self.root / p).read_text(encoding="utf-8"))
            and re.search(r"@\w+\.(get|post|put|patch|delete)\(", text)
        ]

    def new_model(self) -> tuple[str, ast.ClassDef] | None:
        return model_classes(self.tree).get(self.table)

    def new_migrations(self) -> list[Path]:
        return [p for p in self.python_files() if read_revision(p).revision]


def judge_imports(change: Change) -> Verdict:
    """Every import a written file makes into the project resolves: module and name."""
    tree = change.tree
    # A folder without __init__.py (an `alembic/` migrations folder) does not shadow the
    # installed package of that name: regular packages win over namespace portions.
    tops = {
        top
        for top in {m.split(".")[0] for m in tree.modules}
        if top in tree.modules or importlib.util.find_spec(top) is None
    }
    bad: list[str] = []
    for path in change.python_files():
        module = tree.module_of(path)
        if module is None:
            continue
        for target, name, line in tree.imports(module):
            if target.split(".")[0] not in tops:
                continue
            rel = path.relative_to(change.root)
            if target not in tree.modules:
                bad.append(f"{rel}:{line}: module {target} does not exist")
            elif name and name != "*" and not tree.defines(target, name):
                bad.append(f"{rel}:{line}: {target} defines no {name}")
    return Verdict(FAIL, "; ".join(bad)) if bad else Verdict(OK)


def judge_migration_head(change: Change) -> Verdict:
    """One head after the change: the new revision, whose down_revision is the old head."""
    new = change.new_migrations()
    if len(new) != 1:
        return Verdict(FAIL, f"{len(new)} new migration files written (expected 1)")
    created = read_revision(new[0])
    siblings = [read_revision(p) for p in sorted(new[0].parent.glob("*.py"))]
    old = [r for r in siblings if r.path != new[0] and r.revision]
    old_heads, all_heads = heads(old), heads([*old, created])
    if len(old_heads) > 1:
        return Verdict(SKIP, f"the project has {len(old_heads)} heads before the change")
    if all_heads != {created.revision}:
        return Verdict(FAIL, f"heads after the change: {sorted(all_heads)}")
    if old_heads and set(created.down) != old_heads:
        return Verdict(FAIL, f"down_revision {created.down} is not the old head {old_heads}")
    return Verdict(OK)


def _env_py(migration: Path) -> Path | None:
    for parent in migration.parents:
        if (parent / "env.py").is_file():
            return parent / "env.py"
    return None


def judge_env_reaches_model(change: Change) -> Verdict:
    """Alembic's env.py imports the new model's module (directly or through registries)."""
    model = change.new_model()
    new = change.new_migrations()
    if model is None or not new:
        return Verdict(FAIL, f"no model with __tablename__ {change.table!r} or no migration")
    env = _env_py(new[0])
    env_module = change.tree.module_of(env) if env else None
    if env is None:
        return Verdict(FAIL, "no env.py above the new migration")
    if env_module is None:  # env.py in a folder that is no package: index it by hand
        change.tree.modules["__alembic_env__"] = env
        env_module = "__alembic_env__"
    if _reached(change.tree, env_module, model[0]):
        return Verdict(OK)
    others = [m for t, (m, _) in model_classes(change.tree).items() if t != change.table]
    if others and not any(_reached(change.tree, env_module, m) for m in set(others)):
        return Verdict(SKIP, "env.py reaches none of the project's own models either")
    return Verdict(FAIL, f"{env.relative_to(change.root)} never imports {model[0]}")


def _reached(tree: Tree, env_module: str, target: str) -> bool:
    """`target` is imported from env.py, through imports or a package env.py walks by name
    (`pkgutil.walk_packages` / `importlib.import_module("app.models")`)."""
    if tree.reaches(env_module, target) is not None:
        return True
    env = tree.parse(tree.modules[env_module])
    walked = {
        n.value
        for n in ast.walk(env or ast.Module(body=[], type_ignores=[]))
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and tree.is_package(n.value)
    }
    walks = env is not None and any(
        call_name(n) in {"walk_packages", "iter_modules", "import_module"}
        for n in ast.walk(env)
        if isinstance(n, ast.Call)
    )
    return walks and any(target.startswith(f"{package}.") for package in walked)


def judge_router(change: Change) -> Verdict:
    """The app includes the new router, under the prefix most of its routers share."""
    routers = change.new_routers()
    if not routers:
        return Verdict(FAIL, "no written module defines an APIRouter")
    reach = route_reach(change.tree)
    new_module = change.tree.module_of(routers[0])
    mine = [r for r in reach if r.module == new_module]
    if not mine:
        return Verdict(FAIL, f"{new_module} is not included by the app (from any FastAPI())")
    others = Counter(r.base for r in reach if r.module != new_module)
    if not others:
        return Verdict(OK, f"mounted at {mine[0].base}")
    usual, count = others.most_common(1)[0]
    if mine[0].base != usual:
        return Verdict(
            FAIL,
            f"new router mounted under {mine[0].base!r}, the project's routers under {usual!r} "
            f"({count} of {sum(others.values())})",
        )
    return Verdict(OK, f"mounted under {usual!r}")


def judge_fk_types(change: Change) -> Verdict:
    """Every foreign key of the new model has the referenced column's type family."""
    model = change.new_model()
    if model is None:
        return Verdict(FAIL, f"no model for {change.table}")
    tables = model_classes(change.tree)
    bad, seen = [], 0
    for column in all_columns(change.tree, model[1]):
        if not column.foreign_key or "." not in column.foreign_key:
            continue
        seen += 1
        ref_table, ref_col = column.foreign_key.rsplit(".", 1)
        target = tables.get(ref_table)
        if target is None:
            bad.append(f"{column.name} -> {column.foreign_key}: no model for table {ref_table}")
            continue
        ref = {c.name: c for c in all_columns(change.tree, target[1])}.get(ref_col)
        if ref is None or ref.type_family != column.type_family:
            found = ref.type_family if ref else "no such column"
            bad.append(f"{column.name} is {column.type_family}, {column.foreign_key} is {found}")
    if bad:
        return Verdict(FAIL, "; ".join(bad))
    return Verdict(OK, f"{seen} foreign key(s)") if seen else Verdict(FAIL, "no foreign key")


def judge_migration_columns(change: Change) -> Verdict:
    """The new migration creates every column of the new model, inherited ones included."""
    model, new = change.new_model(), change.new_migrations()
    if model is None or len(new) != 1:
        return Verdict(FAIL, "no new model or not exactly one new migration")
    wanted: list[Column] = all_columns(change.tree, model[1])
    created = migration_columns(new[0], change.table)
    missing = [f"{c.name} (from {c.source})" for c in wanted if c.name not in created]
    return Verdict(FAIL, "missing: " + ", ".join(missing)) if missing else Verdict(OK)


def judge_ruff(change: Change, repo_root: Path, ruff: str) -> Verdict:
    """`ruff check` with the project's own config, run from the checkout root."""
    files = [str(p) for p in change.python_files() if p.is_file()]
    configs = [
        p
        for d in [change.root, *change.root.parents]
        for p in (d / "ruff.toml", d / ".ruff.toml", d / "pyproject.toml")
        if p.is_file() and (p.name != "pyproject.toml" or "[tool.ruff" in p.read_text())
        if d == repo_root or repo_root in d.parents
    ]
    if not configs:
        return Verdict(SKIP, "the project has no ruff config")
    proc = subprocess.run(
        [ruff, "check", "--no-cache", "--force-exclude", "--output-format=concise", *files],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode == 0:
        return Verdict(OK, f"config {configs[0].relative_to(repo_root)}")
    lines = [ln for ln in proc.stdout.splitlines() if ": " in ln and ln[:1] != " "]
    return Verdict(FAIL, "; ".join(ln.replace(str(change.root) + "/", "") for ln in lines[:8]))


def judge_auth(change: Change) -> Verdict:
    """Where the project protects routes, every new route carries that dependency."""
    project = auth_dependencies(change.tree, exclude=set(map(str, change.python_files())))
    if not project.protected:
        return Verdict(SKIP, "the project protects no route")
    new = auth_dependencies(change.tree, only={str(p) for p in change.new_routers()})
    unprotected = [name for name, deps in new.routes.items() if not deps & project.names]
    if not new.routes:
        return Verdict(FAIL, "no route in the new router")
    if unprotected:
        return Verdict(
            FAIL, f"unprotected: {', '.join(unprotected)} (project uses {project.names})"
        )
    return Verdict(OK, ", ".join(sorted(project.names)))


def judge_placement(change: Change) -> Verdict:
    """New modules do not go inside another feature's folder, and of the project's own
    modules only registries are edited (routers included, models imported, `__init__`,
    `conftest`, `pyproject.toml`, a module that defines models)."""
    tables = {t for t in model_classes(change.tree) if t != change.table}
    names = tables | {t.rstrip("s") for t in tables} | {f"{t}s" for t in tables}
    bad = []
    for rel in change.created if change.created is not None else []:
        inside = [part for part in Path(rel).parts[:-1] if part in names]
        if inside and not rel.startswith(("tests/", "test/")):
            bad.append(f"{rel} is inside the folder of feature {inside[-1]!r}")
    new = set(change.created or [])
    model_modules = {m for m, _ in model_classes(change.tree).values()}
    for rel in sorted(set(change.written) - new):
        name = Path(rel).name
        if not rel.endswith(".py") or name in {"__init__.py", "conftest.py"}:
            continue
        before = change.original / rel if change.original else None
        text = before.read_text(errors="replace") if before and before.is_file() else ""
        imports_models = any(
            f"from {m} import" in text or f"import {m}" in text for m in model_modules
        ) or _imports_model_packages(change, rel, text, model_modules)
        defines_models = change.tree.module_of(change.root / rel) in model_modules
        registry = "include_router" in text or imports_models or defines_models
        if not registry and name != "env.py":
            bad.append(f"edited {rel}, which neither includes routers nor imports models")
    return Verdict(FAIL, "; ".join(bad)) if bad else Verdict(OK)


def _imports_model_packages(change: Change, rel: str, text: str, model_modules: set[str]) -> bool:
    """`text` (module `rel` before the change) imports a package of model modules, relative
    imports resolved (`from .recipe import *` in a registry of the models' packages)."""
    module = change.tree.module_of(change.root / rel)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    targets = {
        change.tree.absolute(node.module, node.level, module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and module is not None
    }
    return any(m.startswith(f"{t}.") for t in targets if t for m in model_modules)


PYTEST_BUILTINS = {
    "cache", "capfd", "capfdbinary", "caplog", "capsys", "capsysbinary", "capteesys",
    "doctest_namespace", "monkeypatch", "pytestconfig", "record_property",
    "record_testsuite_property", "record_xml_attribute", "recwarn", "request",
    "tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory", "subtests",
}  # fmt: skip
PLUGIN_FIXTURES = {
    "pytest-asyncio": {"event_loop", "event_loop_policy", "unused_tcp_port"},
    "anyio": {"anyio_backend", "anyio_backend_name", "anyio_backend_options"},
    "pytest-mock": {"mocker", "class_mocker", "module_mocker", "session_mocker"},
    "pytest-httpx": {"httpx_mock"},
    "faker": {"faker"},
}


def _fixtures_in(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                if "fixture" in ast.unparse(deco):
                    named = kwarg(deco, "name") if isinstance(deco, ast.Call) else None
                    out.add(const_str(named) or node.name)
    return out


def _requested(tree: ast.Module) -> dict[str, int]:
    out: dict[str, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        is_fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
        if not (node.name.startswith("test") or is_fixture):
            continue
        params = {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and call_name(deco) == "parametrize" and deco.args:
                names = const_str(deco.args[0]) or ""
                params -= {n.strip() for n in names.split(",")}
            if isinstance(deco, ast.Call) and call_name(deco) == "usefixtures":
                params |= {s for s in map(const_str, deco.args) if s}
        for name in params - {"self", "cls"}:
            out.setdefault(name, node.lineno)
    return out


def judge_fixtures(change: Change, repo_root: Path) -> Verdict:
    """Every fixture the written tests ask for is defined in scope, builtin or a plugin's."""
    tests = [p for p in change.python_files() if p.name.startswith("test") and p.is_file()]
    if not tests:
        return Verdict(FAIL, "no test file written")
    deps = " ".join(
        p.read_text(errors="replace").lower()
        for p in (change.root / "pyproject.toml", repo_root / "pyproject.toml")
        if p.is_file()
    )
    plugins = set().union(*(f for name, f in PLUGIN_FIXTURES.items() if name in deps))
    bad = []
    for test in tests:
        module = parse_file(test) or ast.Module(body=[], type_ignores=[])
        available = PYTEST_BUILTINS | plugins | _fixtures_in(module)
        for folder in [test.parent, *test.parent.parents]:
            conftest = folder / "conftest.py"
            if conftest.is_file():
                available |= _conftest_fixtures(change.tree, conftest)
            if folder == repo_root:
                break
        for name, line in sorted(_requested(module).items()):
            if name not in available:
                bad.append(f"{test.relative_to(change.root)}:{line}: {name}")
    return Verdict(FAIL, "missing fixtures: " + "; ".join(bad)) if bad else Verdict(OK)


def _conftest_fixtures(tree: Tree, conftest: Path) -> set[str]:
    """Fixtures of a conftest and of the modules its `pytest_plugins` and imports load
    (followed through their own imports: `from tests.fixtures import *` and the like)."""
    module = parse_file(conftest) or ast.Module(body=[], type_ignores=[])
    out = _fixtures_in(module)
    sources: list[str] = []
    for node in module.body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "pytest_plugins":
            sources += [s for s in (const_str(e) for e in ast.walk(node.value)) if s]
    sources += [target for target, _, _ in _imports_of(tree, module, conftest)]
    seen: set[str] = set()
    while sources:
        source = sources.pop()
        path = tree.modules.get(source)
        if source in seen or path is None:
            continue
        seen.add(source)
        parsed = tree.parse(path) or ast.Module(body=[], type_ignores=[])
        out |= _fixtures_in(parsed)
        sources += [
            f"{m}.{n}" if f"{m}.{n}" in tree.modules else m for m, n, _ in tree.imports(source) if n
        ]
    return out


def _imports_of(tree: Tree, module: ast.Module, path: Path) -> list[tuple[str, str | None, int]]:
    name = tree.module_of(path)
    if name is not None:
        return [
            (f"{m}.{n}" if f"{m}.{n}" in tree.modules else m, n, ln)
            for m, n, ln in tree.imports(name)
        ]
    return [
        (n.module, None, n.lineno)
        for n in module.body
        if isinstance(n, ast.ImportFrom) and n.module
    ]
