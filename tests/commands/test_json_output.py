"""``--json`` on every command: one JSON document on stdout with the documented shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.helpers import scaffold

SHAPE = {"command", "actions", "files", "escalations", "checks", "report_path", "exit_code"}


def parse(result) -> dict:
    data = json.loads(result.stdout)
    assert set(data) >= SHAPE, sorted(data)
    assert isinstance(data["actions"], list) and isinstance(data["checks"], list)
    for item in data["files"]:
        assert set(item) == {"path", "status"}
        assert item["status"] in {
            "create",
            "update",
            "identical",
            "conflict",
            "skip",
            "force",
            "remove",
        }
    for item in data["escalations"]:
        assert set(item) == {"reason", "trigger"}
    for item in data["checks"]:
        assert {"name", "passed", "detail"} <= set(item)
    return data


@pytest.fixture
def contacts(mini_project: Path) -> Path:
    result = scaffold(
        "resource", "contacts", "name:str=80", "phone:str=20:optional", project=mini_project
    )
    assert result.exit_code == 0, result.output
    return mini_project


@pytest.mark.parametrize(
    ("argv", "command", "code"),
    [
        (["resource", "rooms", "name:str=40"], "resource", 0),
        (["field", "add", "contacts", "floor:int:optional"], "field add", 0),
        (["field", "remove", "contacts", "phone"], "field remove", 3),
        (["field", "rename", "contacts", "phone", "mobile", "--approve"], "field rename", 0),
        (["endpoint", "GET /api/v1/contacts/{id}"], "endpoint", 0),
        (["index", "--missing"], "index", 0),
        (["destroy", "contacts", "--approve"], "destroy", 0),
        (["mission", "add rooms table with name string", "--no-verify"], "mission", 0),
        (["mission", "drop table contacts"], "mission", 3),
        (["check", "--no-alembic"], "check", 0),
        (["report", "--last"], "report", 0),
        (["ide", "vscode"], "ide vscode", 0),
    ],
)
def test_every_command_prints_the_documented_json_shape(
    contacts: Path, argv, command, code
) -> None:
    result = scaffold(*argv, "--json", project=contacts)
    assert result.exit_code == code, result.output
    data = parse(result)
    assert data["command"] == command
    if code == 3:
        assert data["escalations"]


def test_errors_are_json_too(mini_project: Path) -> None:
    result = scaffold("resource", "Bad-Name", "--json", project=mini_project)
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2 and "Bad-Name" in data["error"]


def test_new_prints_json(tmp_path: Path) -> None:
    result = scaffold("new", str(tmp_path / "app1"), "--defaults", "--json")
    assert result.exit_code == 0, result.output
    data = parse(result)
    assert data["command"] == "new"
    assert {"path": "app/main.py", "status": "create"} in data["files"]
