"""End to end: new project → resources → the generated project's own pytest, ruff, mypy and
Alembic, on the canonical project (tests/e2e/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import db_env, scaffold, tree
from tests.support.projects import CANONICAL, WEEKLY, verify_generated_project

pytestmark = pytest.mark.e2e


def test_canonical_project_passes_its_own_tests_lint_types_and_migrations(
    canonical: Path, tmp_path: Path
) -> None:
    # Every resource's generated tests (11 or more each) and the template's own.
    verify_generated_project(
        canonical,
        env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"),
        min_tests=11 * len(CANONICAL),
    )


def test_rerunning_a_resource_is_identical_and_a_dry_run_writes_nothing(canonical: Path) -> None:
    before = tree(canonical)
    nested = next(argv for argv in CANONICAL if argv[:2] == WEEKLY[:2])
    again = scaffold(*nested, project=canonical)
    assert again.exit_code == 0
    statuses = {line.split()[0] for line in again.output.splitlines() if line.strip()}
    assert statuses == {"identical"}, again.output
    assert tree(canonical) == before

    dry = scaffold(
        "resource",
        "visits",
        "resident_id:ref=residents",
        "starts_at",
        "--dry-run",
        project=canonical,
    )
    assert dry.exit_code == 0, dry.output
    assert "create  app/models/visits.py" in dry.output
    assert "+class Visit(Base):" in dry.output
    assert tree(canonical) == before


def test_sensitive_fields_stay_out_of_the_read_schema(canonical: Path) -> None:
    read_schema = (canonical / "app/schemas/samples.py").read_text()
    read_part = read_schema.split("class SampleRead")[1].split("class SamplePage")[0]
    assert "api_token" not in read_part and "password" not in read_part
