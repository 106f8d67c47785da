"""End to end: new project → resources → the generated project's own pytest, ruff and Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import db_env, scaffold, tree
from tests.support.projects import (
    EVERYTHING,
    RESIDENTS,
    WEEKLY,
    verify_generated_project,
)


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
