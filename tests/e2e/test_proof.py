"""Every writing command proves its change before writing it, by default.

The proof (the touched resources' tests, the migration round trip, ``alembic check`` and
an import of the app) runs in a scratch copy of the project; nothing of the project is
touched until it passes, and a failed proof leaves every byte and mtime as it was but
for the run's report. ``--no-verify`` writes unproved, and the report says so.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.helpers import scaffold, snapshot

PROVED = {"tests", "migrations", "alembic_check", "app_import"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("proof") / "clinic"
    assert scaffold("new", str(root), "--defaults").exit_code == 0
    made = scaffold("resource", "clinics", "name:str=80:unique", project=root)
    assert made.exit_code == 0, made.output
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "made"], cwd=root, check=True)
    return root


def _proved(root: Path, *argv: str) -> dict:
    result = scaffold(*argv, "--json", project=root, prove=True)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    checks = {c["name"]: c for c in data["checks"]}
    ran = {name for name in PROVED if checks[name]["passed"] is True}
    assert ran == PROVED, (argv, checks)
    return data


@pytest.mark.e2e
def test_every_writing_command_proves_its_change_by_default(project: Path) -> None:
    data = _proved(project, "resource", "rooms", "clinic_id:ref=clinics", "name:str=40")
    assert "passed" in {c["name"]: c for c in data["checks"]}["tests"]["detail"]
    _proved(project, "field", "add", "rooms", "floor:int:optional")
    _proved(project, "endpoint", "GET /api/v1/clinics/{id}/rooms")
    _proved(project, "field", "rename", "rooms", "floor", "level", "--approve")
    _proved(project, "field", "remove", "rooms", "level", "--approve")
    # The proof ran in a copy: the project has no trace of its scratch databases.
    assert not list(project.glob("*.db"))


@pytest.mark.e2e
def test_a_failed_proof_touches_no_file_of_the_project(project: Path, tmp_path: Path) -> None:
    """An app that no longer imports: the new resource's tests and the import fail in the
    copy, and the project keeps every byte and mtime; only the run's report is added."""
    router = project / "app/api/v1/clinics.py"
    broken = router.read_text() + "\nraise RuntimeError('broken on purpose')\n"
    router.write_text(broken)
    try:
        before, reports = snapshot(project), set(project.glob(".scaffold/reports/*"))
        result = scaffold("resource", "wards", "name:str=40", "--json", project=project, prove=True)
        assert result.exit_code == 1, result.output
        assert snapshot(project) == before
        assert len(set(project.glob(".scaffold/reports/*")) - reports) == 1
        data = json.loads(result.stdout)
        checks = {c["name"]: c for c in data["checks"]}
        assert checks["app_import"]["passed"] is False
        assert "broken on purpose" in checks["app_import"]["detail"]
        assert "the proof failed" in result.stderr and "FAILED" in result.stderr
        # Paths the user reads are the project's, not the scratch copy's.
        assert "scaffold-proof-" not in result.stdout + result.stderr
    finally:
        subprocess.run(["git", "checkout", "-q", "--", "."], cwd=project, check=True)


@pytest.mark.e2e
def test_no_verify_writes_unproved_and_says_so(project: Path) -> None:
    result = scaffold("resource", "beds", "label:str=20", "--no-verify", "--json", project=project)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    checks = {c["name"]: c for c in data["checks"]}
    for name in PROVED:
        assert checks[name]["passed"] is None
        assert "--no-verify" in checks[name]["detail"]
    assert "Written with --no-verify: not proved" in result.stderr
    report = (project / data["report_path"]).read_text()
    assert "not run: written with --no-verify" in report
