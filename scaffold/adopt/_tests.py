"""The project's own tests: where they are, the client fixture and its style, the
fixture of signed-in headers, and pytest-asyncio's mode."""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scaffold.adopt._findings import Findings
from scaffold.adopt._source import Project

_HEADERS_FIXTURES = ["auth_headers", "superuser_token_headers"]


@dataclass(frozen=True)
class ProjectTests:
    folder: str
    style: str  # "async" or "sync"
    client: str | None  # the client fixture
    headers: str | None  # the fixture of signed-in headers


def find_test_setup(project: Project) -> ProjectTests:
    """The shallowest conftest.py with a client fixture, or the defaults."""
    conftests = sorted(
        (m for m in project.modules.values() if m.rel.endswith("conftest.py")),
        key=lambda m: m.rel.count("/"),
    )
    for conf in conftests:
        fixtures = conftest_fixtures(project, conf.name)
        client_name = (
            "client"
            if "client" in fixtures
            else next(
                (
                    n
                    for n, fn in fixtures.items()
                    if re.search(r"TestClient|AsyncClient", ast.unparse(fn))
                ),
                None,
            )
        )
        if client_name is None:
            continue
        fn = fixtures[client_name]
        text = ast.unparse(fn)
        style = "async" if isinstance(fn, ast.AsyncFunctionDef) or "AsyncClient" in text else "sync"
        headers = next((n for n in _HEADERS_FIXTURES if n in fixtures), None) or next(
            (n for n in fixtures if "headers" in n and not n.startswith("make")), None
        )
        return ProjectTests(str(PurePosixPath(conf.rel).parent), style, client_name, headers)
    return ProjectTests("tests", "async", None, None)


def conftest_fixtures(
    project: Project, module: str, depth: int = 0
) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The fixtures a conftest provides: its own, and those of the modules it
    star-imports (``from tests.fixtures import *``) or names in ``pytest_plugins``."""
    mod = project.modules.get(module)
    if mod is None or depth > 4:
        return {}
    fixtures: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    package = module if mod.rel.endswith("__init__.py") else module.rpartition(".")[0]
    for node in mod.tree.body:
        others: list[str] = []
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([base] if base else [])])
            others.append(base)
        elif (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            others += [
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
        for other in others:
            for name, fixture in conftest_fixtures(project, other, depth + 1).items():
                fixtures.setdefault(name, fixture)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            "fixture" in ast.unparse(d) for d in node.decorator_list
        ):
            fixtures[fixture_name(node)] = node
    return fixtures


def fixture_name(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The name tests ask for: ``@pytest.fixture(name="client")`` renames the function."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if (
                    keyword.arg == "name"
                    and isinstance(keyword.value, ast.Constant)
                    and isinstance(keyword.value.value, str)
                ):
                    return keyword.value.value
    return node.name


def learn_tests(f: Findings, tests: ProjectTests, root: Path) -> None:
    """The fixtures generated tests use, and pytest-asyncio's mode."""
    p = f.profile
    if tests.client:
        p["client_fixture"] = tests.client
        p["test_style"] = tests.style
        f.found.append(
            f"tests in {tests.folder}/, {tests.style} client fixture {tests.client!r}"
            + (f", auth headers fixture {tests.headers!r}" if tests.headers else "")
        )
        if tests.headers:
            p["auth_headers_fixture"] = tests.headers
        elif p.get("auth_dependency"):
            f.unsupported.append(
                "no fixture of signed-in headers found: the generated tests cannot sign in (add one named auth_headers)"
            )
    elif p.get("app"):
        # No fixture to build on: the generated tests get a client of the app from
        # scaffold's test support module (client_fixture = "" says so).
        p["client_fixture"] = ""
        p["test_style"] = "async"
        f.found.append(
            f"no client fixture in {tests.folder}/conftest.py: the generated tests get a client "
            f"of {p['app']} from scaffold's test support module (an httpx AsyncClient over "
            "ASGITransport); set client_fixture to the name of one of yours to use it instead"
        )
    else:
        f.assumed.append(
            f"no client fixture found in {tests.folder}/conftest.py: generated tests expect one named 'client'"
        )
        p["test_style"] = "async"
    p["asyncio_mode"] = _asyncio_mode(root)


def _asyncio_mode(root: Path) -> str:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return "strict"
    mode = (
        data.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("asyncio_mode", "strict")
    )
    return str(mode)
