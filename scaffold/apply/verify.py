"""Quality checks that really run, for the Platform Coordination Report.

Each check returns ``passed`` True/False when it ran, or None with the reason
it could not run. Nothing here is inferred from file names or text alone:
migrations go up, down and up on a scratch database, ``alembic check``
compares models with that database, the touched resources' tests run under
pytest, and ruff and the standing-order rules run on the touched files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.project.interpreter import project_python
from scaffold.project.outcome import CHECK_NAMES

if TYPE_CHECKING:
    from scaffold.checks._finding import Finding
    from scaffold.project.profile import Profile

TIMEOUT = 600


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool | None
    detail: str

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _tail(proc: subprocess.CompletedProcess, lines: int = 6) -> str:
    text = (proc.stdout + "\n" + proc.stderr).strip().splitlines()
    return " | ".join(line.strip() for line in text[-lines:] if line.strip())[:600]


def _scratch_url(root: Path, tmp: Path) -> str:
    """A scratch SQLite database: a copy of the project's ``app.db`` if there is one."""
    target = tmp / "scratch.db"
    existing = root / "app.db"
    if existing.is_file():
        shutil.copy(existing, target)
    return f"sqlite+aiosqlite:///{target}"


def static_checks(
    root: Path,
    touched: list[str],
    *,
    lint: str | None = None,
    before: dict[str, str] | None = None,
) -> list[CheckResult]:
    """The standing-order rules (AST) on the touched Python files, and ruff.

    ``lint`` is what ruff reported on the rendered files in memory; without it
    ruff runs again on the files as they are on disk. ``before``: the team's files
    scaffold edited, as they were; what they had then is the project's own (named in the
    detail), not the change's.
    """
    import dataclasses

    from scaffold.checks import CheckConfig, run_checks

    py = [p for p in touched if p.endswith(".py") and (root / p).is_file()]
    config = (
        CheckConfig.from_pyproject(root) if (root / "pyproject.toml").is_file() else CheckConfig()
    )
    # Only the touched files' own rules (the cost stays flat however many resources the
    # project has); the migration graph is checked when planning.
    narrowed = dataclasses.replace(
        config, run_alembic=False, disable=frozenset(config.disable | {"SC501", "SC601", "SC602"})
    )
    findings = [f for f in run_checks(root, narrowed, only=py) if f.path in py]
    before = {rel: text for rel, text in (before or {}).items() if rel in py}
    own: list[Finding] = []
    if before:
        from scaffold.apply.own import split_checks

        findings, own = split_checks(root, narrowed, findings, before)
    groups = {
        "async_only": {"SC101", "SC102", "SC201"},
        "no_sensitive_read": {"SC401"},
        "input_validation": {"SC301"},
    }
    results = []
    for name, codes in groups.items():
        found = [f.format() for f in findings if f.code in codes]
        if name == "input_validation":
            found += _schemas_without_forbid(root, py)
        theirs = [f.format() for f in own if f.code in codes]
        detail = "; ".join(found[:5]) or f"{len(py)} files checked"
        if theirs:
            detail += (
                f"; the project's own, in files of the team's scaffold edited, there before "
                f"and left as they were: {'; '.join(theirs[:5])}"
            )
        results.append(CheckResult(name, not found, detail))
    if lint is not None:
        results.append(_lint_result(lint))
    elif py:
        from scaffold.apply.lint import ruff_on_disk

        results.append(CheckResult("ruff", *ruff_on_disk(root, py, before)))
    else:
        results.append(CheckResult("ruff", None, "no Python files touched"))
    return results


def _lint_result(lint: str) -> CheckResult:
    """ruff's verdict on the rendered files (after its safe fixes): each finding named."""
    from scaffold.apply.lint import explain

    return CheckResult("ruff", not lint, explain(lint) or "rendered code formatted and lint-clean")


def _schemas_without_forbid(root: Path, py: list[str]) -> list[str]:
    """Create/Update classes in touched schema modules must derive from InputModel."""
    import ast

    out = []
    for rel in py:
        if "/schemas/" not in f"/{rel}":
            continue
        tree = ast.parse((root / rel).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Create", "Update")):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if "InputModel" not in bases:
                    out.append(f"{rel}:{node.lineno}: {node.name} does not derive from InputModel")
    return out


_ROUND_TRIP = """
import os
import sys

# The app imports: first, since the env of every step below imports its models too.
APP = os.environ.get("SCAFFOLD_PROOF_APP")
if APP:
    import importlib
    import traceback

    print("@@step import", file=sys.stderr, flush=True)
    try:
        importlib.import_module(APP)
    except Exception as exc:
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        print("@@import-failed " + last[:300], flush=True)
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

config = Config(sys.argv[1])
config.set_main_option("sqlalchemy.url", sys.argv[2].replace("%", "%%"))
steps = (
    ("upgrade head", lambda: command.upgrade(config, "head")),
    ("downgrade base", lambda: command.downgrade(config, "base")),
    ("upgrade head", lambda: command.upgrade(config, "head")),
    ("check", lambda: command.check(config)),
)
for name, step in steps:
    print("@@step " + name, file=sys.stderr, flush=True)
    try:
        step()
    except CommandError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
if len(sys.argv) > 3:  # then the load probe, on the database just migrated to head
    import traceback

    print("@@step load", file=sys.stderr, flush=True)
    sys.argv = ["probe", *sys.argv[3:]]
    try:
        exec(compile(PROBE, "<load probe>", "exec"))
    except BaseException as exc:  # the probe's failure is reported, not the round trip's
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        print("@@load-failed " + last[:300], flush=True)
"""

# Only the pytest plugins of distributions the project depends on, directly or through
# its dependencies: a plugin that merely happens to be installed in the environment (a
# fuzzer of another project, say) is not part of the project's tests, and loading it
# costs seconds. Without a readable pyproject.toml every installed plugin loads.
_PYTEST = """
import re, sys
from importlib import metadata


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def declared():
    import tomllib

    with open("pyproject.toml", "rb") as handle:
        data = tomllib.load(handle)
    project = data.get("project", {})
    found = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        found += group
    for group in data.get("dependency-groups", {}).values():
        found += [item for item in group if isinstance(item, str)]
    poetry = data.get("tool", {}).get("poetry", {})
    found += list(poetry.get("dependencies", {}))
    found += list(poetry.get("dev-dependencies", {}))
    for group in poetry.get("group", {}).values():
        found += list(group.get("dependencies", {}))
    return found


def closure(requirements):
    seen, queue = set(), list(requirements)
    while queue:
        text = queue.pop()
        match = re.match(r"\\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
        if not match or "extra ==" in text.partition(";")[2]:
            continue
        name = canonical(match.group(1))
        if name in seen:
            continue
        seen.add(name)
        try:
            queue += metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            pass
    return seen


args = sys.argv[1:]
try:
    # Nothing declared (requirements files, say): every installed plugin loads.
    wanted = closure(declared()) or None
except (OSError, ValueError):
    wanted = None
if wanted is not None:
    # Blocked by name, as `-p no:NAME` in the project's own addopts would be.
    for point in metadata.entry_points(group="pytest11"):
        if point.dist is not None and canonical(point.dist.name) not in wanted:
            args = ["-p", "no:" + point.name, *args]
import pytest

sys.exit(pytest.main(args))
"""


def _async_env(root: Path, profile: Profile) -> bool:
    """Whether the project's Alembic env connects through an async driver."""
    env = root / profile.alembic_dir / "env.py"
    text = env.read_text(encoding="utf-8", errors="replace") if env.is_file() else ""
    return any(
        w in text for w in ("async_engine_from_config", "create_async_engine", "AsyncEngine")
    )


def dynamic_checks(root: Path, test_files: list[str], **options: Any) -> list[CheckResult]:
    """The checks that run the project's code (see ``_dynamic_checks``). One that fails in
    an interpreter older than the project's ``requires-python`` says so, not run: the
    project's own syntax or annotations may be what failed, not the change."""
    results = _dynamic_checks(root, test_files, **options)
    if not any(r.passed is False for r in results):
        return results
    older = _older_than_required(root, project_python(root))
    if older is None:
        return results
    return [
        CheckResult(r.name, None, f"{older} (here it failed: {r.detail[:200]})")
        if r.passed is False
        else r
        for r in results
    ]


def _dynamic_checks(
    root: Path,
    test_files: list[str],
    *,
    database_url: str | None = None,
    profile: Profile | None = None,
    load_targets: list[dict[str, str]] | None = None,
    measured: dict[str, object] | None = None,
    app_module: str | None = None,
) -> list[CheckResult]:
    """An import of ``app_module``, the migration round trip, alembic check and the
    touched tests, on scratch databases.

    In an adopted project the round trip runs on a scratch SQLite database through the
    driver its Alembic env uses (sync or async), and the tests run as the project runs
    them: its conftest picks its own test database (``TEST_DATABASE_URL`` if the user set
    one), scaffold points it nowhere.
    """
    python = project_python(root)
    ini = (profile.alembic_ini if profile is not None else None) or "alembic.ini"
    if not (root / ini).is_file():
        return _not_run(f"not run: no {ini} in the project")
    with tempfile.TemporaryDirectory(prefix="scaffold-verify-") as tmp:
        scratch = database_url or _scratch_url(root, Path(tmp))
        if profile is not None and not database_url:
            # The project's own scratch database when the user named one, through the
            # driver its env uses; SQLite otherwise, unless its schema is PostgreSQL-only.
            own = os.environ.get("TEST_DATABASE_URL")
            if own:
                scratch = _with_driver(own, asynchronous=_async_env(root, profile))
            elif _postgresql_only(root, profile):
                reason = (
                    "not run: this project's migrations use PostgreSQL-only types "
                    "(sqlalchemy.dialects.postgresql), so a SQLite scratch database cannot prove "
                    "them; set TEST_DATABASE_URL to a scratch PostgreSQL database"
                )
                return [
                    *_not_run(reason)[:2],
                    *_run_tests(root, python, test_files, profile, None),
                ]
            elif not _async_env(root, profile):
                scratch = scratch.replace("sqlite+aiosqlite://", "sqlite://")
        env = {**os.environ, "DATABASE_URL": scratch}
        env.pop("PYTEST_ADDOPTS", None)
        if app_module:
            env["SCAFFOLD_PROOF_APP"] = app_module
        # The touched tests run meanwhile, in an interpreter of their own on their own
        # scratch database (two cores: the proof costs the slower of the two); after it,
        # when the round trip runs on the user's database, which their tests may use too
        # (a downgrade waiting on a test's open transaction would hang them both).
        shared = tmp not in scratch
        with ThreadPoolExecutor(max_workers=1) as pool:
            tests = None
            if not shared:
                tests = pool.submit(
                    _run_tests, root, python, test_files, profile, tmp, database_url, dict(env)
                )
            # One interpreter for the round trip and the check: the project's models and
            # SQLAlchemy are imported once, not four times; then the load probe (a
            # template project's), on the database the round trip left at head.
            script, extra = _ROUND_TRIP, []
            if load_targets and profile is None:
                from scaffold.apply.load import PROBE, probe_args

                script = f"PROBE = {PROBE!r}\n{_ROUND_TRIP}"
                extra = probe_args(load_targets)
                env["RATE_LIMIT_DEFAULT"] = "100000000/minute"  # before the settings load
            here = root / Path(ini).parent  # Alembic resolves relative paths from where it runs
            proc = _run([python, "-c", script, Path(ini).name, scratch, *extra], here, env)
            if tests is None:
                tests = pool.submit(
                    _run_tests, root, python, test_files, profile, tmp, database_url, dict(env)
                )
            test_results = tests.result()
        if extra and measured is not None:
            from scaffold.apply.load import probe_result

            measured["load"] = probe_result(proc.stdout)
    if _missing_module(proc, "alembic"):
        return _not_run(f"not run: alembic is not installed in {python}")
    reason = _environment_lacks(proc, root, python, adopted=profile is not None)
    if reason is not None:
        return [r for r in _not_run(reason) if r.name != "tests"] + test_results
    return [*_round_trip_results(proc), _import_result(proc, app_module), *test_results]


def _environment_lacks(
    proc: subprocess.CompletedProcess, root: Path, python: str, *, adopted: bool
) -> str | None:
    """Why the round trip could not run here (not a failure of the change): a package
    ``python`` lacks, or a setting an adopted project's env.py needs; None otherwise."""
    absent = _absent_dependency(proc, root)
    if absent is not None:
        return _lacks(python, absent, "its migrations' env.py")
    setting = _missing_setting(proc) if adopted else None
    if setting is not None:
        return (
            f"not run: the project's settings need {setting}, which this environment does not "
            "set (its .env or deployment sets it): run scaffold where the project's settings load"
        )
    return None


def _missing_setting(proc: subprocess.CompletedProcess) -> str | None:
    """The setting an adopted project's env.py could not load before any migration ran
    (starlette's Config, pydantic-settings): the environment's, not the change's."""
    output = proc.stdout + proc.stderr
    if proc.returncode == 0 or re.findall(r"^@@step (.+)$", output, re.M)[-1:] != ["upgrade head"]:
        return None
    found = re.search(r"Config '(\w+)' is missing, and has no default", output)
    if found is None:
        found = re.search(r"validation errors? for \w*Settings\w*\s+(\w+)\s+Field required", output)
    return found.group(1) if found else None


def _import_result(proc: subprocess.CompletedProcess, app_module: str | None) -> CheckResult:
    """Whether the app imported, read from the round trip's output."""
    if not app_module:
        return CheckResult(
            "app_import",
            None,
            "not run: an adopted app may need settings only its own environment has; "
            "its tests import it",
        )
    failed = re.search(r"^@@import-failed (.+)$", proc.stdout, re.M)
    if failed:
        return CheckResult("app_import", False, f"import {app_module} failed: {failed.group(1)}")
    if "@@step import" not in proc.stderr:
        return CheckResult("app_import", None, f"not run: {_tail(proc)}")
    return CheckResult("app_import", True, f"import {app_module}")


def _not_run(reason: str) -> list[CheckResult]:
    """The dynamic checks, none of them run, for ``reason``."""
    return [
        CheckResult("migrations", None, reason),
        CheckResult("alembic_check", None, reason),
        CheckResult("tests", None, reason),
        CheckResult("app_import", None, reason),
    ]


def _round_trip_results(proc: subprocess.CompletedProcess) -> list[CheckResult]:
    """The migrations and alembic check results, read from the round trip's output."""
    output = proc.stdout + proc.stderr
    reached = re.findall(r"^@@step (.+)$", output, re.M)
    last = reached[-1] if reached else "upgrade head"
    failed = None
    if proc.returncode != 0 and last != "check":
        failed = f"alembic {last} failed: {_tail(proc)}"
    migrations = CheckResult(
        "migrations", failed is None, failed or "upgrade head → downgrade base → upgrade head"
    )
    if failed:
        return [
            migrations,
            CheckResult("alembic_check", None, "not run: the migrations did not apply"),
        ]
    said = [line for line in output.splitlines() if "upgrade operations" in line]
    return [
        migrations,
        CheckResult("alembic_check", proc.returncode == 0, (said or [_tail(proc, 2)])[0].strip()),
    ]


def _run_tests(
    root: Path,
    python: str,
    test_files: list[str],
    profile: Profile | None,
    tmp: str | None,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
) -> list[CheckResult]:
    """The touched generated tests, run in the project's interpreter."""
    env = env or dict(os.environ)
    results: list[CheckResult] = []
    existing = [t for t in test_files if (root / t).is_file()]
    if not existing:
        results.append(CheckResult("tests", None, "no generated tests for this change"))
    else:
        # The project's own conftest builds its scratch database from TEST_DATABASE_URL
        # (projects made before it existed read DATABASE_URL: both point at it).
        test_url = database_url or f"sqlite+aiosqlite:///{tmp}/tests.db"
        test_env = {**env, "DATABASE_URL": test_url, "TEST_DATABASE_URL": test_url}
        if profile is not None:
            test_env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
        proc = _run(
            [python, "-c", _PYTEST, "-q", "-p", "no:cacheprovider", *existing], root, test_env
        )
        if _missing_module(proc, "pytest"):
            # Not a failure of the change: the project's environment cannot run tests.
            results.append(
                CheckResult(
                    "tests",
                    None,
                    f"not run: pytest is not installed in {python} "
                    "(install the project's dev dependencies to run them)",
                )
            )
            return results
        absent = _absent_dependency(proc, root)
        if absent is not None:
            results.append(CheckResult("tests", None, _lacks(python, absent, "its tests")))
            return results
        summary = next(
            (
                line
                for line in reversed(proc.stdout.splitlines())
                if " passed" in line or " failed" in line or "error" in line
            ),
            _tail(proc),
        )
        results.append(CheckResult("tests", proc.returncode == 0, summary.strip("= ")))
    return results


def _older_than_required(root: Path, python: str) -> str | None:
    """Why ``python`` cannot run the project's code: older than its ``requires-python``
    (its syntax and annotations may be a newer Python's); None when it can."""
    from scaffold.checks._parse import requires_python

    needed = requires_python(root)
    if needed is None:
        return None
    if Path(python) == Path(sys.executable):
        have = sys.version_info[:2]
    else:
        proc = _run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"], root, dict(os.environ)
        )
        if proc.returncode != 0:
            return None
        have = tuple(int(part) for part in proc.stdout.split()[:2])
    if have >= needed:
        return None
    return (
        f"not run: the project requires Python >={needed[0]}.{needed[1]} (requires-python) and "
        f"{python} is {have[0]}.{have[1]}: run scaffold with the project's own environment "
        "active (its .venv), where the proof runs the project's code"
    )


def _missing_module(proc: subprocess.CompletedProcess, module: str) -> bool:
    text = proc.stderr + proc.stdout
    return proc.returncode != 0 and re.search(rf"No module named '?{module}'?", text) is not None


def _absent_dependency(proc: subprocess.CompletedProcess, root: Path) -> str | None:
    """The third-party package a failed run could not import (the project's environment
    lacks it: not a failure of the change); None when the run failed otherwise, or on a
    module of the project's own, which the change may have broken."""
    if proc.returncode == 0:
        return None
    found = re.search(r"No module named '([A-Za-z_][\w.]*)'", proc.stderr + proc.stdout)
    if found is None:
        return None
    top = found.group(1).split(".")[0]
    for base in (root, root / "src"):
        if (base / top).is_dir() or (base / f"{top}.py").is_file():
            return None
    return top


def _lacks(python: str, package: str, what: str) -> str:
    return (
        f"not run: {python} lacks {package}, which {what} import: run scaffold with the "
        "project's own environment active, or install the project's dependencies in it"
    )


def run_all(
    root: Path,
    touched: list[str],
    test_files: list[str],
    *,
    dynamic: bool,
    lint: str | None = None,
    profile: Profile | None = None,
    load_targets: list[dict[str, str]] | None = None,
    measured: dict[str, object] | None = None,
    app_module: str | None = None,
    before: dict[str, str] | None = None,
) -> list[CheckResult]:
    """Every check with ``dynamic`` (the default); with ``--no-verify`` only ruff, whose
    verdict on the rendered files came for free while formatting them. The others are
    reported as not run, so no box is ticked unearned."""
    if dynamic:
        results = dynamic_checks(
            root,
            test_files,
            profile=profile,
            load_targets=load_targets,
            measured=measured,
            app_module=app_module,
        ) + static_checks(root, touched, before=before)
        if profile is not None:
            # An adopted project's own models and migrations are its team's: drift among
            # them from before is theirs (a template project's is refused, as any drift).
            results = [_project_drift(r, root, touched) for r in results]
    else:
        reason = "not run: written with --no-verify, unproved"
        skipped = (
            "app_import",
            "migrations",
            "alembic_check",
            "tests",
            "async_only",
            "no_sensitive_read",
            "input_validation",
        )
        results = [CheckResult(name, None, reason) for name in skipped]
        results.append(_lint_result(lint or ""))
    order = list(CHECK_NAMES)
    return sorted(results, key=lambda r: order.index(r.name))


def _project_drift(result: CheckResult, root: Path, touched: list[str]) -> CheckResult:
    """A failed ``alembic check`` whose operations all name tables the change's migrations
    leave alone: the project's own models and migrations differed before the change, which
    cannot prove or disprove it (not run, the drift named; a migration of theirs settles it)."""
    if result.name != "alembic_check" or result.passed is not False:
        return result
    named = set(re.findall(r"\('\w+', (?:None|'[^']*'), '(\w+)'", result.detail))
    for a, b in re.findall(r"Table\('(\w+)'|table=<(\w+)>", result.detail):
        named.add(a or b)
    from scaffold.project.manifest import Manifest

    # The tables of the change's migrations and of the models scaffold generates (not of
    # the team's models file a registry edit added an import to).
    generated = set(Manifest.load(root).files)
    changed: set[str] = set()
    migrated = False
    for rel in touched:
        path = root / rel
        if not (rel.endswith(".py") and path.is_file()):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if rel in generated:
            changed.update(re.findall(r"__tablename__\s*=\s*[\"'](\w+)[\"']", text))
        if "versions" in Path(rel).parts:
            migrated = True
            changed.update(re.findall(r"op\.\w+\(\s*[\"'](\w+)[\"']", text))
            changed.update(re.findall(r"table_name=[\"'](\w+)[\"']", text))
    if not named or not migrated or named & changed:
        return result
    return CheckResult(
        "alembic_check",
        None,
        f"not run: the project's models and migrations already differ in {', '.join(sorted(named))}, "
        f"which this change does not touch (a migration of yours settles it): {result.detail[:300]}",
    )


def _with_driver(url: str, *, asynchronous: bool) -> str:
    """``url`` through the driver an env of that kind needs (``postgresql+asyncpg`` or psycopg)."""
    scheme, sep, rest = url.partition("://")
    backend = scheme.split("+")[0]
    drivers = {
        ("postgresql", True): "postgresql+asyncpg",
        ("postgresql", False): "postgresql+psycopg",
        ("sqlite", True): "sqlite+aiosqlite",
        ("sqlite", False): "sqlite",
    }
    return drivers.get((backend, asynchronous), scheme) + sep + rest


def _postgresql_only(root: Path, profile: Profile) -> bool:
    """Whether the project's revisions use PostgreSQL dialect types SQLite cannot create."""
    versions = root / profile.alembic_dir / "versions"
    pattern = re.compile(
        r"dialects\.postgresql|\bpostgresql\.(JSONB|ARRAY|INET|TSVECTOR|ENUM|HSTORE)"
    )
    return any(
        pattern.search(path.read_text(encoding="utf-8", errors="replace"))
        for path in versions.glob("*.py")
    )
