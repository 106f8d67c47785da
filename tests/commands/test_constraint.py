"""``scaffold constraint add TABLE --unique a,b | --check EXPR`` in temp projects (SQLite)."""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path

import pytest

from scaffold.project.manifest import Manifest
from tests.support.helpers import db_env, run, scaffold, snapshot

pytestmark = pytest.mark.e2e

SHIFTS = [
    "resource",
    "shifts",
    "name:str=40",
    "starts_at:datetime",
    "ends_at:datetime",
    "hours:int",
]
LATE = "'2026-01-02 09:00:00.000000'"
EARLY = "'2026-01-01 09:00:00.000000'"


def unproved(*args: str, project: Path):
    """A constraint command, without its proof (the tests about the proof run it)."""
    return scaffold(*args, "--no-verify", project=project)


def _rows(project: Path, db: Path, values: list[str]) -> dict[str, str]:
    """The project's database at ``db``, migrated to head, with shifts (name, starts, ends, hours)."""
    env = db_env(f"sqlite+aiosqlite:///{db}")
    run(project, "alembic", "upgrade", "head", env=env)
    con = sqlite3.connect(db)
    for row in values:
        con.execute(
            "INSERT INTO shifts (name, starts_at, ends_at, hours, created_at, updated_at) "
            f"VALUES ({row}, '2026-01-01', '2026-01-01')"
        )
    con.commit()
    con.close()
    return env


def test_check_on_a_generated_resource_enters_its_spec_and_its_suite_passes(
    project: Path,
) -> None:
    assert scaffold(*SHIFTS, project=project).exit_code == 0
    result = scaffold(
        "constraint", "add", "shifts", "--check", "starts_at<ends_at", project=project, prove=True
    )
    assert result.exit_code == 0, result.output
    migration = next((project / "migrations/versions").glob("*_add_check_*.py")).read_text()
    assert "postgresql_not_valid=True" in migration and "VALIDATE CONSTRAINT" in migration
    assert "cannot add CHECK starts_at<ends_at" in migration
    schemas = (project / "app/schemas/shifts.py").read_text()
    assert "starts_at must be < ends_at" in schemas
    assert "starts_at" in (project / "tests/test_shifts.py").read_text()


def test_a_unique_rule_led_by_a_foreign_key_drops_its_own_index_and_passes_its_proof(
    project: Path,
) -> None:
    # The composite unique serves lookups by its leading key, so the model no longer
    # declares the key's own index: the migration drops it (CONCURRENTLY on PostgreSQL),
    # else `alembic check` sees the drift and the proof fails.
    assert scaffold("resource", "residents", "name:str=80", project=project).exit_code == 0
    assert scaffold(*SHIFTS, "resident_id:ref=residents", project=project).exit_code == 0
    result = scaffold(
        "constraint", "add", "shifts", "--unique", "resident_id,starts_at",
        project=project, prove=True,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    migration = next((project / "migrations/versions").glob("*_add_unique_*.py")).read_text()
    assert 'op.drop_index(\n                op.f("ix_shifts_resident_id")' in migration
    assert "index=True" not in (project / "app/models/shifts.py").read_text()


def test_check_over_rows_that_break_it_names_them_and_writes_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert scaffold(*SHIFTS, project=project).exit_code == 0
    env = _rows(
        project, tmp_path / "live.db", [f"'a', {EARLY}, {LATE}, 3", f"'b', {LATE}, {EARLY}, 4"]
    )
    monkeypatch.setenv("DATABASE_URL", env["DATABASE_URL"])
    before = snapshot(project)
    result = unproved(
        "constraint", "add", "shifts", "--check", "starts_at<ends_at", project=project
    )
    assert result.exit_code == 1, result.output
    assert f"id 2: starts_at={LATE[1:-1]!r}" in result.output
    assert "Nothing was written" in result.output
    assert snapshot(project) == before


def test_the_check_migration_rechecks_the_rows_before_adding_it(
    project: Path, tmp_path: Path
) -> None:
    assert scaffold(*SHIFTS, project=project).exit_code == 0
    assert (
        unproved("constraint", "add", "shifts", "--check", "hours>0", project=project).exit_code
        == 0
    )
    text = next((project / "migrations/versions").glob("*_add_check_hours_gt_0.py")).read_text()
    down = text.split('down_revision = "')[1].split('"')[0]
    db = tmp_path / "late.db"
    env = db_env(f"sqlite+aiosqlite:///{db}")
    run(project, "alembic", "upgrade", down, env=env)
    con = sqlite3.connect(db)
    con.execute(
        "INSERT INTO shifts (name, starts_at, ends_at, hours, created_at, updated_at) "
        f"VALUES ('z', {EARLY}, {LATE}, 0, '2026-01-01', '2026-01-01')"
    )
    con.commit()
    con.close()
    with pytest.raises(AssertionError, match=r"cannot add CHECK hours>0 to shifts.*\(1, 0\)"):
        run(project, "alembic", "upgrade", "head", env=env)


def test_a_rule_already_there_answers_zero_and_writes_nothing(project: Path) -> None:
    assert (
        scaffold(*SHIFTS, "--check", "hours>0", "--unique", "name,hours", project=project).exit_code
        == 0
    )
    before = snapshot(project)
    check = unproved("constraint", "add", "shifts", "--check", "hours > 0", project=project)
    assert check.exit_code == 0 and "already has the rule" in check.output
    unique = unproved("constraint", "add", "shifts", "--unique", "name,hours", project=project)
    assert unique.exit_code == 0 and "uq_shifts_name_hours" in unique.output
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("argv", "token"),
    [
        (["shifts", "--check", "hourz>0"], "'hourz'"),
        (["shifts", "--unique", "name,hourz"], "'hourz'"),
        (["shift", "--check", "hours>0"], "'shift'"),
    ],
)
def test_bad_rule_exits_2_naming_the_token_with_an_example_that_works(
    project: Path, argv: list[str], token: str
) -> None:
    assert scaffold(*SHIFTS, project=project).exit_code == 0
    before = snapshot(project)
    result = unproved("constraint", "add", *argv, project=project)
    assert result.exit_code == 2, result.output
    assert token in result.output
    assert snapshot(project) == before
    example = shlex.split(result.output.split("Example: ", 1)[1].strip().splitlines()[0])
    again = unproved(*example[1:], project=project)
    assert again.exit_code == 0, again.output


def test_constraint_add_takes_exactly_one_rule(project: Path) -> None:
    assert scaffold(*SHIFTS, project=project).exit_code == 0
    both = unproved(
        "constraint", "add", "shifts", "--unique", "name", "--check", "hours>0", project=project
    )
    assert both.exit_code == 2 and "one rule" in both.output
    neither = unproved("constraint", "add", "shifts", project=project)
    assert neither.exit_code == 2 and "one rule" in neither.output
    unknown = unproved("constraint", "remove", "shifts", "--check", "hours>0", project=project)
    assert unknown.exit_code == 2 and "'remove'" in unknown.output


def test_drop_removes_the_rule_from_the_spec_and_its_migration_round_trips(
    project: Path, tmp_path: Path
) -> None:
    rules = ["--check", "hours>0", "--unique", "name,hours"]
    assert scaffold(*SHIFTS, *rules, project=project).exit_code == 0
    env = _rows(project, tmp_path / "d.db", [f"'a', {EARLY}, {LATE}, 3"])
    for rule in (["--check", "hours > 0"], ["--unique", "name,hours"]):
        dropped = unproved("constraint", "drop", "shifts", *rule, project=project)
        assert dropped.exit_code == 0, dropped.output
    args = Manifest.load(project).resources["shifts"]["args"]
    assert not args.get("checks") and not args.get("uniques")
    model = (project / "app/models/shifts.py").read_text()
    assert "CheckConstraint" not in model and "UniqueConstraint" not in model
    for step in (["upgrade", "head"], ["downgrade", "-2"], ["upgrade", "head"], ["check"]):
        run(project, "alembic", *step, env=env)


def test_drop_of_a_rule_that_is_not_there_exits_2_with_one_that_is(project: Path) -> None:
    assert scaffold(*SHIFTS, "--check", "hours>0", project=project).exit_code == 0
    before = snapshot(project)
    result = unproved("constraint", "drop", "shifts", "--check", "hours>1", project=project)
    assert result.exit_code == 2 and '"hours>1"' in result.output
    assert snapshot(project) == before
    example = shlex.split(result.output.split("Example: ", 1)[1].strip().splitlines()[0])
    assert example[1:] == ["constraint", "drop", "shifts", "--check", "hours>0"]
    assert unproved(*example[1:], project=project).exit_code == 0
