"""``scaffold limit RESOURCE RATE`` and ``scaffold resource ... --rate-limit RATE`` (SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.project.manifest import Manifest
from scaffold.spec.rates import parse_rate
from tests.support.helpers import run, scaffold, snapshot

pytestmark = pytest.mark.e2e

RESIDENTS = ["resource", "residents", "name:str=80"]
CHILDREN = ["resource", "weekly_requirements", "resident_id:ref=residents", "week_start:date"]


def _args(project: Path, table: str) -> dict:
    return Manifest.load(project).resources[table]["args"]


def test_limit_is_proved_by_its_429_test_kept_by_upgrade_and_spares_the_suite(
    project: Path,
) -> None:
    assert scaffold(*RESIDENTS, project=project).exit_code == 0
    assert scaffold(*CHILDREN, project=project).exit_code == 0
    result = scaffold("limit", "residents", "2 per minute", project=project, prove=True)
    assert result.exit_code == 0, result.output
    router = (project / "app/api/v1/residents.py").read_text()
    assert 'RATE_LIMIT = parse("2/minute")' in router
    assert "dependencies=[Depends(limit_requests)]" in router
    tests = (project / "tests/test_residents.py").read_text()
    assert "test_the_residents_rate_limit_answers_429_after_2_requests" in tests
    assert "[404] * 2 + [429]" in tests
    assert _args(project, "residents")["rate_limit"] == "2/minute"
    report = next((project / ".scaffold/reports").glob("*limit-residents*.md")).read_text()
    assert "- [x] Tests created" in report
    # The child's tests create residents through the API far more than twice a minute.
    run(project, "pytest", "-q", "tests/test_weekly_requirements.py")
    before = (project / "app/api/v1/residents.py").read_bytes()
    assert scaffold("upgrade", project=project).exit_code == 0
    assert (project / "app/api/v1/residents.py").read_bytes() == before


def test_rate_limit_option_of_a_new_resource_is_stored_and_rendered(project: Path) -> None:
    result = scaffold(*RESIDENTS, "--rate-limit", "100/minute", project=project)
    assert result.exit_code == 0, result.output
    assert _args(project, "residents")["rate_limit"] == "100/minute"
    assert 'parse("100/minute")' in (project / "app/api/v1/residents.py").read_text()


def test_rate_limit_option_on_a_live_resource_changes_only_its_limit(project: Path) -> None:
    assert scaffold(*RESIDENTS, project=project).exit_code == 0
    migrations = sorted((project / "migrations/versions").glob("*.py"))
    result = scaffold(*RESIDENTS, "--rate-limit", "10/second", project=project)
    assert result.exit_code == 0, result.output
    assert sorted((project / "migrations/versions").glob("*.py")) == migrations
    assert 'parse("10/second")' in (project / "app/api/v1/residents.py").read_text()


def test_the_same_limit_again_is_answered_and_writes_nothing(project: Path) -> None:
    assert scaffold(*RESIDENTS, "--rate-limit", "5/minute", project=project).exit_code == 0
    before = snapshot(project)
    result = scaffold("limit", "residents", "5/minute", "--no-verify", project=project)
    assert result.exit_code == 0, result.output
    assert "already limited to 5/minute" in result.output
    assert snapshot(project) == before


def test_remove_takes_the_limit_out_of_the_router_and_the_manifest(project: Path) -> None:
    assert scaffold(*RESIDENTS, "--rate-limit", "5/minute", project=project).exit_code == 0
    result = scaffold("limit", "residents", "--remove", "--no-verify", project=project)
    assert result.exit_code == 0, result.output
    assert "limit_requests" not in (project / "app/api/v1/residents.py").read_text()
    assert "rate_limit" not in _args(project, "residents")


@pytest.mark.parametrize(
    ("argv", "token"),
    [
        (["limit", "residents", "5/fortnight"], "5/fortnight"),
        (["limit", "residents", "0/minute"], "0/minute"),
        (["limit", "rooms", "5/minute"], "rooms"),
        (["limit", "residents"], "residents"),
        ([*RESIDENTS, "--rate-limit", "lots"], "lots"),
    ],
)
def test_a_bad_limit_exits_2_naming_it_and_writes_nothing(
    project: Path, argv: list[str], token: str
) -> None:
    assert scaffold(*RESIDENTS, project=project).exit_code == 0
    before = snapshot(project)
    result = scaffold(*argv, "--no-verify", project=project)
    assert result.exit_code == 2, result.output
    assert token in result.output and "Example: scaffold" in result.output
    assert snapshot(project) == before


def test_rates_are_read_in_words_and_canonicalised() -> None:
    assert parse_rate("100/minute") == "100/minute"
    assert parse_rate("30 per Hour") == "30/hour"
    assert parse_rate("5 a second") == "5/second"
    assert parse_rate(" 1000/days ") == "1000/day"


def test_an_adopted_project_keeps_its_own_rate_limiting(tmp_path: Path) -> None:
    from tests.support.adopted import copy_fixture
    from tests.support.adopted import scaffold as scaffold_in

    root = copy_fixture("adopt_layered", tmp_path)
    assert scaffold_in(root, "adopt").returncode == 0
    before = snapshot(root)
    result = scaffold("resource", "rooms", "name:str", "--rate-limit", "5/minute", project=root)
    assert result.exit_code == 2, result.output
    assert "--rate-limit is for the projects scaffold made" in result.output
    assert "Example: scaffold resource rooms name:str" in result.output
    assert snapshot(root) == before
