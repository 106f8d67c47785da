"""PostgreSQL parity: generated projects migrate, check clean and pass their tests on a real PostgreSQL 15."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.helpers import BIN, db_env, run, scaffold
from tests.support.projects import CANONICAL, LONG_CHILD, verify_generated_project

pytestmark = [pytest.mark.pg, pytest.mark.e2e]


def squawk(project: Path, env: dict[str, str]) -> None:
    """The offline SQL of every migration passes squawk with the project's config."""
    sql = run(project, "alembic", "upgrade", "head", "--sql", env=env).stdout
    assert "CREATE TABLE" in sql
    proc = subprocess.run(
        [str(BIN / "squawk"), "--config", str(project / ".squawk.toml")],
        input=sql,
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_canonical_project_migrates_checks_and_passes_its_tests_on_postgres(
    canonical: Path, pg_url: str
) -> None:
    env = db_env(pg_url)
    # Every field type, datetimes with a timezone inserted through asyncpg (naive columns
    # would fail), UUID keys, names over 63 bytes.
    verify_generated_project(canonical, env=env, min_tests=11 * len(CANONICAL), static=False)
    squawk(canonical, env)


def test_constraint_names_over_63_bytes_are_shortened(canonical: Path) -> None:
    migration = next(
        (canonical / "migrations/versions").glob(f"*_create_{LONG_CHILD}.py")
    ).read_text()
    names = [
        line.split('op.f("')[1].split('"')[0] for line in migration.splitlines() if 'op.f("' in line
    ]
    assert names and all(len(name.encode()) <= 63 for name in names)
    assert any(len(name) == 63 for name in names), names


def test_pg_fixture_is_required_in_ci() -> None:
    """CI sets SCAFFOLD_REQUIRE_PG=1 so a missing server fails instead of skipping."""
    script = (Path(__file__).parents[2] / ".ci/run").read_text()
    assert "SCAFFOLD_REQUIRE_PG=1" in script
    assert "make test" in script
    assert sys.executable


def test_missing_index_is_built_concurrently_and_round_trips_on_postgres(
    project: Path, pg_url: str
) -> None:
    from tests.support.projects import CONTACTS, HAND_MIGRATION, HAND_MODEL

    assert scaffold(*CONTACTS, project=project).exit_code == 0
    head = next((project / "migrations/versions").glob("*_create_contacts.py")).name.split("_")[0]
    (project / "app/models/notes.py").write_text(HAND_MODEL)
    (project / "migrations/versions/0000notes001_notes.py").write_text(
        HAND_MIGRATION.format(down=head)
    )
    result = scaffold("index", "--missing", project=project)
    assert result.exit_code == 0, result.output
    migration = next((project / "migrations/versions").glob("*_add_missing_indexes.py")).read_text()
    assert "postgresql_concurrently=True" in migration and "autocommit_block" in migration
    env = db_env(pg_url)
    sql = run(project, "alembic", "upgrade", "head", "--sql", env=env).stdout
    assert "CREATE INDEX CONCURRENTLY" in sql
    for step in (["upgrade", "head"], ["downgrade", "-1"], ["upgrade", "head"], ["check"]):
        run(project, "alembic", *step, env=env)
