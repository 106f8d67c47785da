"""`scaffold mcp`: the server driven by the official SDK's own client, in-process and over
stdio, on a real generated project."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.helpers import run, tree
from tests.support.mcp import call, talk, text_of

mcp = pytest.importorskip("mcp")

TOOLS = {"plan", "apply", "check", "report", "resources", "explain"}
ROOMS = "resource rooms name:str=80 capacity:int:min=0"


def test_the_server_lists_typed_tools_and_the_documents_agents_need(project: Path) -> None:
    async def conversation(client: Any) -> Any:
        tools = (await client.list_tools()).tools
        listed = (await client.list_resources()).resources
        fields = await client.read_resource("scaffold://docs/fields")
        return tools, listed, fields

    tools, listed, fields = talk(project, conversation)
    by_name = {tool.name: tool for tool in tools}
    assert set(by_name) == TOOLS
    schema = by_name["apply"].input_schema
    assert schema["required"] == ["command"]
    assert schema["properties"]["command"]["type"] == "string"
    assert "resource rooms" in schema["properties"]["command"]["description"]
    assert {str(r.uri) for r in listed} == {
        "scaffold://docs/fields",
        "scaffold://docs/missions",
        "scaffold://docs/standing-orders",
    }
    assert "name[:type[=ARGS]][:modifier[=VALUE]]" in fields.contents[0].text


@pytest.mark.e2e
def test_plan_writes_nothing_then_apply_writes_a_resource_whose_tests_pass(
    project: Path,
) -> None:
    before = tree(project)
    planned = call(project, "plan", {"command": ROOMS})
    assert not planned.is_error, text_of(planned)
    plan = planned.structured_content
    assert plan["exit_code"] == 0 and plan["written"] is False
    created = {f["path"]: f for f in plan["files"] if f["status"] == "create"}
    assert "app/models/rooms.py" in created
    assert "+class Room(Base):" in created["app/models/rooms.py"]["diff"]
    assert tree(project) == before, "plan writes nothing"

    applied = call(project, "apply", {"command": ROOMS}).structured_content
    assert applied["exit_code"] == 0 and applied["written"] is True
    assert (project / "app/models/rooms.py").is_file()
    assert applied["report_path"].startswith(".scaffold/reports/")
    run(project, "pytest", "-q", "-p", "no:cacheprovider", "tests/test_rooms.py")

    listed = call(project, "resources", {}).structured_content["resources"]
    assert [(r["table"], r["fields"]) for r in listed] == [
        ("rooms", ["name:str=80", "capacity:int:min=0"])
    ]
    assert "app/api/v1/rooms.py" in listed[0]["files"]
    last = call(project, "report", {"which": "last"}).structured_content
    assert last["report_path"] == applied["report_path"]
    assert "rooms" in last["markdown"]

    # A live table's rule is a change agents may plan too.
    rule = call(project, "plan", {"command": "constraint add rooms --unique name"})
    assert not rule.is_error, text_of(rule)
    paths = [f["path"] for f in rule.structured_content["files"] if f["status"] == "create"]
    assert any(path.endswith("_rooms_add_unique_name.py") for path in paths), paths


def test_an_escalated_change_through_apply_writes_nothing_and_says_who_decides(
    project: Path,
) -> None:
    before = tree(project)
    result = call(project, "apply", {"command": 'mission "add sign-in with email and password"'})
    assert not result.is_error, text_of(result)
    document = result.structured_content
    assert document["exit_code"] == 3
    assert document["written"] is False
    assert document["escalations"]
    assert "--approve" in document["needs_human"]
    assert tree(project) == before


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("resource rooms name:str --approve", "--approve is not accepted here"),
        ("resource rooms name:str --project /etc", "--project is not accepted here"),
        ("new /tmp/elsewhere --defaults", "'new' is not a change scaffold makes"),
        ("resource ../../etc name:str", "../../etc"),
        ("resource rooms 'name:str; rm -rf /'", "name:str; rm -rf /"),
        ('mission "unterminated', "cannot be read"),
    ],
)
def test_a_hostile_input_is_a_tool_error_and_writes_nothing(
    project: Path, command: str, says: str
) -> None:
    before = tree(project)
    for tool in ("plan", "apply"):
        result = call(project, tool, {"command": command})
        assert result.is_error, text_of(result)
        assert says in text_of(result)
    assert tree(project) == before


def test_a_report_outside_the_reports_folder_is_refused(project: Path) -> None:
    for which in ("../../pyproject.toml", "/etc/passwd", "missing.md"):
        result = call(project, "report", {"which": which})
        assert result.is_error
        assert which in text_of(result)


def test_check_returns_the_findings_of_a_broken_file(project: Path) -> None:
    (project / "app/jobs.py").write_text("import time\n\n\nasync def warm():\n    time.sleep(1)\n")
    result = call(project, "check", {})
    assert not result.is_error, text_of(result)
    [finding] = result.structured_content["findings"]
    assert finding == {
        "path": "app/jobs.py",
        "line": 5,
        "col": 5,
        "code": "SC101",
        "severity": "error",
        "message": finding["message"],
    }
    assert result.structured_content["exit_code"] == 1


def test_explain_knows_rules_and_exit_codes(project: Path) -> None:
    rule = call(project, "explain", {"code": "sc101"}).structured_content
    assert rule["code"] == "SC101" and "AsyncSession" in rule["explanation"]
    code = call(project, "explain", {"code": "3"}).structured_content
    assert "--approve" in code["explanation"]
    assert call(project, "explain", {"code": "SC999"}).is_error


def test_scaffold_mcp_serves_over_stdio(project: Path) -> None:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "scaffold", "mcp", "--project", str(project)]
    )

    async def main() -> Any:
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
            explained = await client.call_tool("explain", {"code": "SC501"})
            return {t.name for t in tools}, explained.structured_content

    names, explained = asyncio.run(main())
    assert names == TOOLS
    assert explained["severity"] == "warning"
