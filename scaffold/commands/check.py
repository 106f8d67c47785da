"""``scaffold check``: the standing-orders linter over any project folder."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

from scaffold.errors import InputError
from scaffold.output import Outcome


def project_python(root: Path) -> str:
    """The project's own interpreter when it has a ``.venv``, else ours."""
    for candidate in (root / ".venv/bin/python", root / ".venv/Scripts/python.exe"):
        if candidate.is_file():
            return str(candidate)
    return sys.executable


def _migrations_key(root: Path, config) -> str:
    """A hash of everything that decides the schema a scratch database is migrated to."""
    import hashlib

    digest = hashlib.sha256()
    versions = root / config.alembic_dir / "versions"
    env = root / config.alembic_dir / "env.py"
    for path in [root / config.alembic_ini, env, *sorted(versions.glob("*.py"))]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _check_on_scratch(root: Path, config, db: Path) -> list:
    """``alembic check`` on a scratch SQLite database. The database migrated to head is
    cached by the hash of the migrations, so a repeated check only compares."""
    import shutil

    from scaffold.checks import run_checks
    from scaffold.resources import cache_dir, prune

    folder = cache_dir("check-db")
    cached = folder / f"{_migrations_key(root, config)}.db"
    url = f"sqlite+aiosqlite:///{db}"
    hit = cached.is_file()
    if hit:
        shutil.copyfile(cached, db)
    findings = run_checks(root, config, project_python(root), url, upgrade=not hit)
    if not hit and db.is_file() and not any(f.code == "SC700" for f in findings):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(db, cached)
            prune(folder, "*.db", keep=8)
        except OSError:
            pass
    return findings


def run_check(
    project: Path | None, *, database_url: str | None, alembic: bool, quiet: bool
) -> Outcome:
    from scaffold.checks import RULES, CheckConfig, run_checks

    root = (project or Path.cwd()).resolve()
    if not root.is_dir():
        raise InputError(
            f"--project {str(root)!r} is not a folder.",
            token=str(root),
            example="scaffold check --project .",
        )
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
    with tempfile.TemporaryDirectory(prefix="scaffold-check-") as tmp:
        if database_url:
            findings = run_checks(root, config, project_python(root), database_url)
        else:
            findings = _check_on_scratch(root, config, Path(tmp) / "check.db")
    for finding in findings:
        if not quiet:
            print(finding.format())
    outcome = Outcome(command="check", actions=["check"])
    outcome.checks = [
        {"name": code, "passed": not any(f.code == code for f in findings), "detail": RULES[code]}
        for code in RULES
    ]
    outcome.extra["findings"] = [
        {"path": f.path, "line": f.line, "col": f.col, "code": f.code, "message": f.message}
        for f in findings
    ]
    if findings:
        outcome.exit_code = 1
        print(f"{len(findings)} finding(s).", file=sys.stderr)
    elif not quiet:
        print("No findings: the project follows the standing orders.", file=sys.stderr)
    return outcome
