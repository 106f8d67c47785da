"""`.vscode/tasks.json`: generated fresh, merged into a user's JSONC file, idempotent."""

from __future__ import annotations

import json
import re

import pytest

from scaffold.checks import Finding
from scaffold.ide import TASK_LABELS, TASKS_PATH, vscode_tasks

USER_FILE = """\
// See https://go.microsoft.com/fwlink/?LinkId=733558
{
  /* the version
     VS Code wants */
  "version": "2.0.0",
  "tasks": [
    {
      "label": "serve", // run the app
      "type": "shell",
      "command": "uvicorn app.main:app --reload",
      "detail": "docs at http://localhost:8000/docs /* not a comment */",
      "problemMatcher": [],
    },
    {
      "label": "say \\"hi\\" // still a string",
      "type": "process",
      "command": "echo",
      "args": ["${input:greeting}",],
    },
  ],
  "inputs": [
    {"id": "greeting", "type": "promptString", "description": "Greeting",},
  ],
  "presentation": {"reveal": "always"},
}
"""


def tasks_of(text: str) -> list[dict]:
    return json.loads(text)["tasks"]


def labels(text: str) -> list[str]:
    return [task["label"] for task in tasks_of(text)]


def test_fresh_file_has_every_task_and_input() -> None:
    text = vscode_tasks(None)
    data = json.loads(text)
    assert data["version"] == "2.0.0"
    assert labels(text) == list(TASK_LABELS)
    assert [item["id"] for item in data["inputs"]] == [
        "resourceName",
        "resourceFields",
        "endpointSpec",
        "missionSentence",
    ]
    for item in data["inputs"]:
        assert item["type"] == "promptString"
        assert item["description"] and item["default"]
    assert text.endswith("}\n")
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_task_arguments() -> None:
    by_label = {task["label"]: task for task in tasks_of(vscode_tasks(None))}
    assert by_label["scaffold: new resource"]["args"] == [
        "resource",
        "${input:resourceName}",
        "${input:resourceFields}",
    ]
    assert by_label["scaffold: add endpoint"]["args"] == ["endpoint", "${input:endpointSpec}"]
    assert by_label["scaffold: run mission"]["args"] == ["mission", "${input:missionSentence}"]
    assert by_label["scaffold: add missing indexes"]["args"] == ["index", "--missing"]
    assert by_label["scaffold: check"]["args"] == ["check"]
    assert by_label["scaffold: report"]["args"] == ["report", "--last"]


def test_every_task_runs_scaffold_without_a_shell() -> None:
    data = json.loads(vscode_tasks(None))
    declared = {item["id"] for item in data["inputs"]}
    for task in data["tasks"]:
        assert task["command"] == "scaffold"
        assert task["type"] == "process"  # argv array: typed text is never shell-parsed
        assert isinstance(task["args"], list)
        for arg in task["args"]:
            assert isinstance(arg, str)
            # An input is a whole argument, never spliced into a larger string.
            if "${input:" in arg:
                assert re.fullmatch(r"\$\{input:(\w+)\}", arg)
                assert arg[len("${input:") : -1] in declared


def test_existing_user_tasks_inputs_and_keys_are_kept() -> None:
    text = vscode_tasks(USER_FILE)
    data = json.loads(text)
    assert labels(text) == ["serve", 'say "hi" // still a string', *TASK_LABELS]
    serve = data["tasks"][0]
    assert serve["detail"] == "docs at http://localhost:8000/docs /* not a comment */"
    assert serve["command"] == "uvicorn app.main:app --reload"
    assert data["tasks"][1]["args"] == ["${input:greeting}"]
    assert [item["id"] for item in data["inputs"]][0] == "greeting"
    assert data["presentation"] == {"reveal": "always"}
    assert list(data)[:2] == ["version", "tasks"]


def test_second_run_is_identical() -> None:
    for start in (None, USER_FILE):
        once = vscode_tasks(start)
        assert vscode_tasks(once) == once


def test_commented_file_that_needs_nothing_is_returned_untouched() -> None:
    merged = json.loads(vscode_tasks(USER_FILE))
    commented = "// mine\n" + json.dumps(merged, indent=4).replace("\n}", ",\n}") + "\n"
    assert vscode_tasks(commented) == commented


def test_our_task_is_replaced_in_place_not_duplicated() -> None:
    stale = {"label": "scaffold: check", "type": "shell", "command": "scaffold check --old"}
    existing = json.dumps(
        {
            "version": "2.0.0",
            "tasks": [{"label": "first"}, stale, {"label": "last"}, stale],
            "inputs": [{"id": "endpointSpec", "type": "promptString", "description": "old"}],
        }
    )
    text = vscode_tasks(existing)
    data = json.loads(text)
    assert labels(text)[:3] == ["first", "scaffold: check", "last"]
    assert labels(text).count("scaffold: check") == 1
    assert sorted(labels(text)) == sorted(["first", "last", *TASK_LABELS])
    assert data["tasks"][1]["command"] == "scaffold"
    assert data["tasks"][1]["args"] == ["check"]
    ids = [item["id"] for item in data["inputs"]]
    assert ids[0] == "endpointSpec" and ids.count("endpointSpec") == 1
    assert data["inputs"][0]["description"] != "old"


@pytest.mark.parametrize("start", ["", "  \n", "\ufeff// nothing yet\n"])
def test_empty_file_is_treated_as_absent(start: str) -> None:
    assert vscode_tasks(start) == vscode_tasks(None)


def test_invalid_json_names_the_file_and_line() -> None:
    broken = '{\n  /* a\n     b */\n  "version": "2.0.0"\n  "tasks": []\n}\n'
    with pytest.raises(ValueError, match=r"\.vscode/tasks\.json: line 5, column 3"):
        vscode_tasks(broken)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  "tasks": [] /* open\n', r"line 2: a /\* comment is never closed"),
        ("[1, 2]", r"must hold a JSON object"),
        ('{"tasks": {"label": "x"}}', r'"tasks" must be a JSON array'),
        ('{"version": "0.1.0", "tasks": []}', r"version '0\.1\.0' is not supported"),
    ],
)
def test_files_we_cannot_merge_into_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        vscode_tasks(text)
    assert TASKS_PATH in str(info.value)


def test_problem_matcher_reads_check_output() -> None:
    check = next(t for t in tasks_of(vscode_tasks(None)) if t["label"] == "scaffold: check")
    matcher = check["problemMatcher"]
    assert matcher["owner"] == "scaffold"
    assert matcher["severity"] == "warning"
    assert matcher["fileLocation"] == ["relative", "${workspaceFolder}"]
    pattern = matcher["pattern"]
    line = Finding(
        "app/api/v1/items.py", 12, 5, "SC201", "router queries the database", "warning"
    ).format()
    found = re.match(pattern["regexp"], line)
    assert found is not None
    keys = ("file", "line", "column", "code", "severity", "message")
    got = {k: found.group(pattern[k]) for k in keys}
    assert got == {
        "file": "app/api/v1/items.py",
        "line": "12",
        "column": "5",
        "code": "SC201",
        "severity": "warning",
        "message": "router queries the database",
    }
    for other in ("Found 3 problems.", "  12 | x = 1", "app/x.py:12: SC201 no column"):
        assert re.match(pattern["regexp"], other) is None


def test_other_tasks_do_not_scan_output() -> None:
    for task in tasks_of(vscode_tasks(None)):
        if task["label"] != "scaffold: check":
            assert task["problemMatcher"] == []


def test_ide_vscode_command_writes_tasks_whose_commands_run(mini_project) -> None:
    """Every generated task, with its inputs at their defaults, runs against a project."""
    import json as _json

    from tests.support.helpers import scaffold

    vscode = mini_project / ".vscode"
    vscode.mkdir()
    (vscode / "tasks.json").write_text(
        '{\n  // mine\n  "version": "2.0.0",\n  "tasks": [{"label": "build", "type": "shell", "command": "make"}],\n}\n'
    )
    result = scaffold("ide", "vscode", project=mini_project)
    assert result.exit_code == 0, result.output
    data = _json.loads((vscode / "tasks.json").read_text())
    assert data["tasks"][0]["label"] == "build"
    again = scaffold("ide", "vscode", project=mini_project)
    assert "identical" in again.output
    defaults = {item["id"]: item["default"] for item in data["inputs"]}
    scaffold("resource", "residents", "name:str=80", project=mini_project)
    project = mini_project  # in task order, as a user would run them
    for task in data["tasks"][1:]:
        assert task["command"] == "scaffold"
        args = [a for a in task["args"]]
        for key, value in defaults.items():
            args = [a.replace(f"${{input:{key}}}", value) for a in args]
        args += ["--no-verify"] if args[0] == "mission" else []
        outcome = scaffold(
            *args, *(["--no-alembic"] if args[0] == "check" else []), project=project
        )
        assert outcome.exit_code == 0, f"{task['label']}: {outcome.output}"
