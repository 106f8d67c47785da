"""The resource command through typer's CliRunner: statuses, conflicts, --force, --dry-run, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.helpers import scaffold, tree

RESIDENTS = ["resource", "residents", "name:str=120", "email:str:unique"]


def statuses(output: str) -> dict[str, str]:
    out = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in (
            "create",
            "update",
            "identical",
            "conflict",
            "skip",
            "force",
        ):
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
    assert any(
        p.startswith("migrations/versions/") and p.endswith("_create_residents.py") for p in files
    )
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


def test_user_edit_that_does_not_overlap_survives_a_spec_change(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    schemas = mini_project / "app/schemas/residents.py"
    schemas.write_text(schemas.read_text() + "\n\nLOCAL_CONSTANT = 1\n")
    result = scaffold(
        "resource", "residents", "name:str=200", "email:str:unique", project=mini_project
    )
    assert result.exit_code == 0, result.output
    assert statuses(result.output)["app/schemas/residents.py"] == "update"
    assert "merged with your edits" in result.output
    text = schemas.read_text()
    assert "LOCAL_CONSTANT = 1" in text and "max_length=200" in text
    # The widened column is a new migration; the create migration is never rewritten.
    assert any(p.endswith("_residents_name_length_120_200.py") for p in statuses(result.output))
    again = scaffold(
        "resource", "residents", "name:str=200", "email:str:unique", project=mini_project
    )
    assert set(statuses(again.output).values()) == {"identical"}, again.output


def test_overlapping_edit_is_a_conflict_and_nothing_is_written(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    schemas = mini_project / "app/schemas/residents.py"
    schemas.write_text(schemas.read_text().replace("max_length=120", "max_length=150"))
    before = tree(mini_project)
    result = scaffold(
        "resource", "residents", "name:str=200", "email:str:unique", project=mini_project
    )
    assert result.exit_code == 1
    assert statuses(result.output)["app/schemas/residents.py"] == "conflict"
    assert "Nothing was written" in result.output
    assert tree(mini_project) == before


def test_force_resolves_the_conflict_with_the_new_render(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    schemas = mini_project / "app/schemas/residents.py"
    schemas.write_text(schemas.read_text().replace("max_length=120", "max_length=150"))
    result = scaffold(
        "resource", "residents", "name:str=200", "email:str:unique", "--force", project=mini_project
    )
    assert result.exit_code == 0, result.output
    assert statuses(result.output)["app/schemas/residents.py"] == "force"
    assert "max_length=200" in schemas.read_text() and "max_length=150" not in schemas.read_text()


def test_edited_router_rerun_with_the_same_spec_keeps_the_edit(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    router = mini_project / "app/api/v1/residents.py"
    edited = router.read_text().replace('tags=["residents"]', 'tags=["residents", "people"]')
    router.write_text(edited)
    before = tree(mini_project)
    result = scaffold(*RESIDENTS, project=mini_project)
    assert result.exit_code == 0
    assert statuses(result.output)["app/api/v1/residents.py"] == "identical"
    assert router.read_text() == edited
    assert tree(mini_project) == before


def test_generated_file_replaced_by_an_unrelated_file_is_a_conflict(mini_project: Path) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    (mini_project / ".scaffold/base/app/api/v1/residents.py").unlink()
    router = mini_project / "app/api/v1/residents.py"
    router.write_text("# my own router\n")
    result = scaffold(*RESIDENTS, project=mini_project)
    assert result.exit_code == 1
    assert statuses(result.output)["app/api/v1/residents.py"] == "conflict"
    assert router.read_text() == "# my own router\n"


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
def test_bad_input_exits_2_naming_the_token_and_changes_nothing(
    mini_project: Path, argv, token
) -> None:
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


def test_layout_from_tool_scaffold_moves_the_generated_package(tmp_path: Path) -> None:
    root = tmp_path / "svc-project"
    (root / "db/versions").mkdir(parents=True)
    (root / "db/env.py").write_text("# Alembic env\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\n\n[tool.scaffold]\npackage = "svc"\ntests = "checks"\nmigrations = "db"\n'
    )
    result = scaffold("resource", "rooms", "name:str=40", project=root)
    assert result.exit_code == 0, result.output
    model = (root / "svc/models/rooms.py").read_text()
    assert "from svc.db.base import Base" in model and "from app." not in model
    assert (root / "checks/test_rooms.py").is_file()
    assert "from checks.factories.rooms import" in (root / "checks/test_rooms.py").read_text()
    assert list((root / "db/versions").glob("*_create_rooms.py"))


def test_upgrade_merges_new_templates_with_user_edits(
    mini_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scaffold(*RESIDENTS, project=mini_project)
    router = mini_project / "app/api/v1/residents.py"
    router.write_text(
        router.read_text().replace('tags=["residents"]', 'tags=["residents", "people"]')
    )
    # A newer scaffold whose service template gained a line.
    from scaffold.generate import engine

    original = engine.render

    def newer(name: str, override: str | None = None, **context):
        text = original(name, override, **context)
        return text + "\n\nTEMPLATE_VERSION = 2\n" if name == "service.py.jinja" else text

    monkeypatch.setattr("scaffold.generate.compose.render", newer)
    result = scaffold("upgrade", project=mini_project)
    assert result.exit_code == 0, result.output
    assert statuses(result.output)["app/services/residents.py"] == "update"
    assert "TEMPLATE_VERSION = 2" in (mini_project / "app/services/residents.py").read_text()
    assert 'tags=["residents", "people"]' in router.read_text()


def test_uncommitted_user_edits_are_not_rewritten(mini_project: Path) -> None:
    import subprocess

    scaffold(*RESIDENTS, project=mini_project)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=mini_project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=mini_project, check=True)
    subprocess.run([*git, "commit", "-qm", "generated"], cwd=mini_project, check=True)
    schemas = mini_project / "app/schemas/residents.py"
    schemas.write_text(schemas.read_text() + "\n\nLOCAL_CONSTANT = 1\n")
    before = tree(mini_project)
    result = scaffold(
        "resource", "residents", "name:str=200", "email:str:unique", project=mini_project
    )
    assert result.exit_code == 2
    assert "uncommitted edits" in result.output and "app/schemas/residents.py" in result.output
    assert tree(mini_project) == before
    subprocess.run([*git, "commit", "-qam", "mine"], cwd=mini_project, check=True)
    assert (
        scaffold(
            "resource", "residents", "name:str=200", "email:str:unique", project=mini_project
        ).exit_code
        == 0
    )
