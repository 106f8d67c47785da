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
        url = database_url or f"sqlite+aiosqlite:///{tmp}/check.db"
        findings = run_checks(root, config, project_python(root), url)
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
