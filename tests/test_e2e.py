"""End to end: new project → resources → the generated project's own pytest, ruff and Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.verify import _ROUND_TRIP
from tests.helpers import MYPY_CACHE, db_env, passed_count, run, scaffold, tree

RESIDENTS = ["resource", "residents", "name:str=120", "email:str:unique", "pgy:int:min=1:max=3"]
WEEKLY = [
    "resource",
    "weekly_requirements",
    "resident_id:ref=residents:ondelete=cascade",
    "week_start:date",
    "min_hours:int:min=0",
    "max_hours:int:max=80",
    "notes:text:optional",
]
# Every type and every modifier of PRODUCT.md's field table at least once.
EVERYTHING = [
    "resource",
    "samples",
    "title:str=120:min=2:index",
    "code:str=12:pattern=^[A-Z]{3}-[0-9]{2}$",
    "body:text:optional",
    "hours:int:min=0:max=80:default=8",
    "views:bigint:optional",
    "ratio:float:min=0:max=1",
    "price:decimal=10,2:default=9.99",
    "active:bool:default=true",
    "week_start:date",
    "due_at:datetime",
    "starts:time:optional",
    "external_id:uuid:unique",
    "settings:json:optional",
    "status:enum=pending,approved,rejected:default=pending",
    "resident_id:ref=residents:optional:ondelete=set-null",
    "owner_id:ref=residents:ondelete=restrict",
    "email:unique",
    "api_token:str=64:sensitive",
    "password",
    "is_urgent",
]


def verify_generated_project(
    project: Path, env: dict[str, str] | None = None, min_tests: int = 10, *, static: bool = True
) -> None:
    """Its own tests and a migration round trip with no drift; with ``static`` (off for a
    second database's run of the same code) also lint, formatting and ``mypy --strict``."""
    result = run(project, "pytest", "-q", "-p", "no:cacheprovider", env=env)
    assert passed_count(result.stdout) >= min_tests, result.stdout[-2000:]
    # The generated suite says which database it used; a PostgreSQL run must not be SQLite.
    url = (env or {}).get("TEST_DATABASE_URL", "sqlite")
    assert f"tests ran on: {url.split('+')[0].split(':')[0]}" in result.stdout, result.stdout
    if static:
        run(project, "ruff", "check", ".")
        run(project, "ruff", "format", "--check", ".")
        # Strict, over app, tests and migrations (the project's config); the cache is the
        # test process's own, outside the project.
        run(project, "mypy", "--cache-dir", str(MYPY_CACHE))
    round_trip(project, (env or {}).get("DATABASE_URL", DEFAULT_URL))


DEFAULT_URL = "sqlite+aiosqlite:///./app.db"


def round_trip(project: Path, url: str) -> None:
    """upgrade head, downgrade base, upgrade head and `alembic check` on ``url``, in one
    interpreter (the proof's own script), failing with the step that failed."""
    run(project, "python", "-c", _ROUND_TRIP, "alembic.ini", url, env={"DATABASE_URL": url})


@pytest.mark.e2e
def test_new_project_with_two_resources_passes_its_own_checks(tmp_path: Path) -> None:
    project = tmp_path / "clinic"
    result = scaffold("new", str(project), "--defaults")
    assert result.exit_code == 0, result.output
    for argv in (RESIDENTS, WEEKLY):
        result = scaffold(*argv, project=project)
        assert result.exit_code == 0, result.output
        assert "create  app/models/" in result.output
    verify_generated_project(project, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"))

    before = tree(project)
    again = scaffold(*WEEKLY, project=project)
    assert again.exit_code == 0
    statuses = {line.split()[0] for line in again.output.splitlines() if line.strip()}
    assert statuses == {"identical"}, again.output
    assert tree(project) == before

    dry = scaffold(
        "resource", "shifts", "resident_id:ref=residents", "starts_at", "--dry-run", project=project
    )
    assert dry.exit_code == 0, dry.output
    assert "create  app/models/shifts.py" in dry.output
    assert "+class Shift(Base):" in dry.output
    assert tree(project) == before


@pytest.mark.e2e
def test_resource_with_every_type_and_modifier_passes_its_generated_tests(
    project: Path, tmp_path: Path
) -> None:
    assert scaffold(*RESIDENTS, project=project).exit_code == 0
    result = scaffold(*EVERYTHING, "--check", "hours<=80", "--approve", project=project)
    assert result.exit_code == 0, result.output
    verify_generated_project(project, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"))
    read_schema = (project / "app/schemas/samples.py").read_text()
    read_part = read_schema.split("class SampleRead")[1].split("class SamplePage")[0]
    assert "api_token" not in read_part and "password" not in read_part


@pytest.mark.e2e
def test_nested_uuid_and_composite_rules_pass_their_generated_tests(
    project: Path, tmp_path: Path
) -> None:
    assert scaffold(*RESIDENTS, project=project).exit_code == 0
    result = scaffold(
        *WEEKLY,
        "--parent",
        "residents",
        "--unique",
        "resident_id,week_start",
        "--check",
        "min_hours<=max_hours",
        project=project,
    )
    assert result.exit_code == 0, result.output
    events = scaffold(
        "resource",
        "events",
        "title:str=80",
        "parent_id:ref=events:optional",
        "--id",
        "uuid",
        project=project,
    )
    assert events.exit_code == 0, events.output
    people = scaffold(
        "resource", "people", "name:str=80", "event_id:ref=events:ondelete=cascade", project=project
    )
    assert people.exit_code == 0, people.output
    verify_generated_project(project, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"))


@pytest.mark.e2e
def test_fields_named_like_builtins_and_imports_produce_working_code(
    project: Path, tmp_path: Path
) -> None:
    """``date``, ``time``, ``type``, ``uuid``, ``decimal`` and ``status`` as field names shadow
    nothing the generated modules use (``import datetime as dt``, classes imported by name)."""
    result = scaffold(
        "resource",
        "events",
        "date",
        "time:time",
        "type:enum=talk,workshop",
        "uuid:uuid:unique",
        "decimal:decimal=6,2",
        "status:str=20:index",
        "settings:json:optional",
        "user_id_like:int",
        project=project,
    )
    assert result.exit_code == 0, result.output
    verify_generated_project(project, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"))
