"""The resource command through typer's CliRunner: statuses, conflicts, --force, --dry-run, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import scaffold, tree

RESIDENTS = ["resource", "residents", "name:str=120", "email:str:unique"]


def statuses(output: str) -> dict[str, str]:
    out = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("create", "update", "identical", "conflict", "skip", "force"):
            out[parts[1]] = parts[0]
    return out


def test_first_run_creates_every_layer(mini_project: Path) -> None:
    result = scaffold(*RESIDENTS, project=mini_project)
    assert result.exit_code == 0, result.output
    files = statuses(result.output)
    assert set(files.values()) == {"create"}
    assert {
        "app/models/residents.py",
        "app/schemas/residents.py",
        "app/services/residents.py",
        "app/api/v1/residents.py",
        "tests/factories/residents.py",
        "tests/test_residents.py",
    } <= set(files)
    assert any(p.startswith("migrations/versions/") and p.endswith("_create_residents.py") for p in files)
    assert (mini_project / ".scaffold/manifest.toml").is_file()


def test_second_identical_run_prints_only_identical_and_writes_nothing(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    before = tree(mini_project)
    result = scaffold(*RESIDENTS, project=mini_project)
    assert result.exit_code == 0
    assert set(statuses(result.output).values()) == {"identical"}
    assert result.output.strip().splitlines() == [
        line for line in result.output.strip().splitlines() if line.split()[0] == "identical"
    ]
    assert tree(mini_project) == before
    assert len(list((mini_project / "migrations/versions").glob("*.py"))) == 1


def test_edited_router_is_a_conflict_and_the_edit_is_kept(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    router = mini_project / "app/api/v1/residents.py"
    edited = router.read_text() + "\n# my edit\n"
    router.write_text(edited)
    before = tree(mini_project)
    result = scaffold("resource", "residents", "name:str=200", "email:str:unique", project=mini_project)
    assert result.exit_code == 1
    assert statuses(result.output)["app/api/v1/residents.py"] == "conflict"
    assert "Nothing was written" in result.output
    assert tree(mini_project) == before
    assert router.read_text() == edited


def test_force_overwrites_the_conflict(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    router = mini_project / "app/api/v1/residents.py"
    router.write_text(router.read_text() + "\n# my edit\n")
    result = scaffold(*RESIDENTS, "--force", project=mini_project)
    assert result.exit_code == 0, result.output
    assert statuses(result.output)["app/api/v1/residents.py"] == "force"
    assert "# my edit" not in router.read_text()


def test_untouched_generated_file_is_updated_when_the_spec_changes(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    result = scaffold("resource", "residents", "name:str=200", "email:str:unique", project=mini_project)
    # The schema is regenerated; the applied migration is never rewritten silently.
    assert statuses(result.output)["app/schemas/residents.py"] == "update"
    migration = next(p for p in statuses(result.output) if p.startswith("migrations/"))
    assert statuses(result.output)[migration] == "conflict"
    assert result.exit_code == 1


def test_dry_run_prints_diffs_and_writes_nothing(mini_project: Path) -> None:
    before = tree(mini_project)
    result = scaffold(*RESIDENTS, "--dry-run", project=mini_project)
    assert result.exit_code == 0
    assert "+++ b/app/models/residents.py" in result.output
    assert "Dry run: nothing was written." in result.output
    assert tree(mini_project) == before


def test_json_output_has_the_documented_shape(mini_project: Path) -> None:
    result = scaffold(*RESIDENTS, "--json", project=mini_project)
    data = json.loads(result.stdout)
    assert set(data) >= {"command", "actions", "files", "escalations", "checks", "report_path"}
    assert data["command"] == "resource"
    assert {"path": "app/models/residents.py", "status": "create"} in data["files"]


@pytest.mark.parametrize(
    ("argv", "token"),
    [
        (["resource", "Residents"], "Residents"),
        (["resource", "class"], "class"),
        (["resource", "residents", "name:varchar"], "varchar"),
        (["resource", "residents", "résumé:str"], "résumé"),
        (["resource", "residents", "owner_id"], "owners"),
        (["resource", "residents", "id:int"], "id"),
        (["resource", "residents", "min_hours:int", "minhours:int"], "minhours"),
        (["resource", "residents", "--id", "serial"], "serial"),
        (["resource", "residents", "name", "--check", "name; DROP TABLE x"], "name; DROP TABLE x"),
        (["resource", "residents", "a:int", "--unique", "a,zzz"], "zzz"),
        (["resource", "sheep"], "sheep"),
    ],
)
def test_bad_input_exits_2_naming_the_token_and_changes_nothing(mini_project: Path, argv, token) -> None:
    before = tree(mini_project)
    result = scaffold(*argv, project=mini_project)
    assert result.exit_code == 2, result.output
    assert token in result.output
    assert "Example:" in result.output
    assert "Traceback" not in result.output
    assert tree(mini_project) == before


def test_not_a_project_exits_2(tmp_path: Path) -> None:
    result = scaffold(*RESIDENTS, project=tmp_path)
    assert result.exit_code == 2
    assert "not a scaffold project" in result.output
    assert list(tmp_path.iterdir()) == []
