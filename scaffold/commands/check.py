"""``scaffold check``: the standing-orders linter over any project folder."""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.errors import InputError
from scaffold.project.interpreter import project_python
from scaffold.project.outcome import Outcome

if TYPE_CHECKING:
    from scaffold.checks import CheckConfig, CheckReport


def _migrations_key(root: Path, config) -> str:  # type: ignore[no-untyped-def]
    """A hash of everything that decides the schema a scratch database is migrated to."""
    import hashlib

    from scaffold.checks._files import versions_dir

    digest = hashlib.sha256()
    versions = versions_dir(root, config)
    env = versions.parent / "env.py"
    for path in [root / config.alembic_ini, env, *sorted(versions.glob("*.py"))]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _check_on_scratch(root: Path, config, db: Path):  # type: ignore[no-untyped-def]
    """``alembic check`` on a scratch SQLite database. The database migrated to head is
    cached by the hash of the migrations, so a repeated check only compares."""
    import shutil

    from scaffold.checks import check_project
    from scaffold.resources import cache_dir, prune

    folder = cache_dir("check-db")
    cached = folder / f"{_migrations_key(root, config)}.db"
    url = f"sqlite+aiosqlite:///{db}"
    hit = cached.is_file()
    if hit:
        shutil.copyfile(cached, db)
    report = check_project(
        root,
        config,
        project_python(root),
        url,
        upgrade=not hit,
        environment={"origin": "a scratch SQLite database scaffold made"},
    )
    if not hit and db.is_file() and not any(f.code == "SC700" for f in report.findings):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(db, cached)
            prune(folder, "*.db", keep=8)
        except OSError:
            pass
    return report


def _root(project: Path | None) -> Path:
    from scaffold.checks._files import find_root

    if project is not None:
        root = project.resolve()
        if not root.is_dir():
            raise InputError(
                f"--project {str(project)!r} is not a folder.",
                token=str(project),
                example="scaffold check --project .",
            )
        return root
    return find_root(Path.cwd())


def explain(code: str) -> str:
    from scaffold.checks import RULES

    rule = RULES.get(code.strip().upper())
    if rule is None:
        close = [c for c in RULES if c[:4] == code.strip().upper()[:4]] or list(RULES)[:3]
        raise InputError(
            f"{code!r} is not a scaffold check rule; the rules are {', '.join(RULES)}.",
            token=code,
            example=f"scaffold check --explain {close[0]}",
        )
    return rule.explain()


def run_check(
    project: Path | None,
    *,
    database_url: str | None,
    alembic: bool,
    quiet: bool,
    use_cache: bool = True,
) -> Outcome:
    """Lint the project (``project``, or the one around the working directory), print its
    findings and the verdict; the outcome exits 1 on an error finding."""
    root = _root(project)
    config = _config(root, alembic=alembic)
    report = _lint(root, config, database_url, use_cache=use_cache)
    if report.modules == 0 and report.migrations == 0:
        raise InputError(
            f"No Python module to check in {str(root)!r}: tests, migrations, virtualenvs, "
            "hidden folders and [tool.scaffold] exclude globs are not linted, and nothing "
            "else is there.",
            token=str(root),
            example="scaffold check --project path/to/your/project",
        )
    if not quiet:
        for finding in report.findings:
            print(finding.format())
    counts = {
        level: sum(1 for f in report.findings if f.severity == level)
        for level in ("error", "warning", "info")
    }
    outcome = _outcome(root, report)
    outcome.exit_code = 1 if counts["error"] else 0
    _print_summary(report, counts, quiet=quiet)
    return outcome


def _config(root: Path, *, alembic: bool) -> CheckConfig:
    """The project's ``[tool.scaffold]`` settings; exit 2 where they do not parse."""
    from scaffold.checks import CheckConfig

    try:
        config = CheckConfig.from_pyproject(root)
    except ValueError as exc:
        raise InputError(
            f"[tool.scaffold] in pyproject.toml: {exc}",
            token="tool.scaffold",
            example='disable = ["SC501"]',
        ) from None
    if not alembic:
        config = dataclasses.replace(config, run_alembic=False)
    return config


def _lint(
    root: Path, config: CheckConfig, database_url: str | None, *, use_cache: bool
) -> CheckReport:
    """The report of every rule, ``alembic check`` against the database it is given
    (``--database-url``, else ``TEST_DATABASE_URL`` upgraded first, else a scratch one)."""
    from scaffold.checks import check_project

    python = project_python(root)
    test_url = os.environ.get("TEST_DATABASE_URL")
    ini = root / config.alembic_ini
    with tempfile.TemporaryDirectory(prefix="scaffold-check-") as tmp:
        if database_url:
            return check_project(
                root,
                config,
                python,
                database_url,
                upgrade=False,
                use_cache=use_cache,
                catalog_url=database_url,
                environment={"origin": "--database-url"},
            )
        if test_url and config.run_alembic and ini.is_file():
            return check_project(
                root,
                config,
                python,
                test_url,
                upgrade=True,
                use_cache=use_cache,
                environment={"origin": "TEST_DATABASE_URL"},
            )
        if config.run_alembic and ini.is_file():
            return _check_on_scratch(root, config, Path(tmp) / "check.db")
        return check_project(root, config, python, use_cache=use_cache)


def _outcome(root: Path, report: CheckReport) -> Outcome:
    """Each rule passed or not, the findings and what was read, for ``--json``."""
    from scaffold.checks import RULES

    findings = report.findings
    outcome = Outcome(command="check", actions=["check"])
    outcome.checks = [
        {
            "name": code,
            "passed": not any(f.code == code for f in findings),
            "detail": RULES[code].summary,
            "severity": RULES[code].severity,
        }
        for code in RULES
    ]
    outcome.extra["findings"] = [
        {
            "path": f.path,
            "line": f.line,
            "col": f.col,
            "code": f.code,
            "severity": f.severity,
            "message": f.message,
        }
        for f in findings
    ]
    outcome.extra["summary"] = {
        "root": str(root),
        "modules": report.modules,
        "migrations": report.migrations,
        "cached": report.cached,
        "python_3_12_syntax": report.rewritten,
    }
    return outcome


def _print_summary(report: CheckReport, counts: dict[str, int], *, quiet: bool) -> None:
    """What was checked and the verdict, on stderr."""
    print(report.summary(), file=sys.stderr)
    for note in report.notes:
        print(note, file=sys.stderr)
    if report.findings:
        shown = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items() if n)
        verdict = "" if counts["error"] else " (no error: exit 0)"
        print(f"{len(report.findings)} finding(s): {shown}{verdict}.", file=sys.stderr)
    elif not quiet:
        print("No findings: the project follows the standing orders.", file=sys.stderr)
