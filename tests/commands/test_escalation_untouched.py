"""An escalated change decides before anything touches disk: a mission or command
without --approve, and the MCP `apply` tool, leave every file's bytes and mtime as they
were (an editor, `uvicorn --reload` or a crash in between would see nothing). A dry run
too: tests/commands/test_missions.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import scaffold, snapshot

INVOICES = ["resource", "invoices", "number:str=20:unique", "amount:decimal=10,2"]


@pytest.fixture
def with_invoices(project: Path) -> Path:
    result = scaffold(*INVOICES, project=project)
    assert result.exit_code == 0, result.output
    return project


@pytest.mark.parametrize(
    "sentence",
    [
        "drop table invoices",
        "rename table invoices to bills",
        "drop the amount column from invoices",
        "add a priority enum low|medium|high to invoices",
    ],
)
def test_an_escalated_mission_leaves_every_file_as_it_was(
    with_invoices: Path, sentence: str
) -> None:
    before = snapshot(with_invoices)
    result = scaffold("mission", sentence, project=with_invoices)
    assert result.exit_code == 3, result.output
    assert "Nothing was written" in result.output
    assert snapshot(with_invoices) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["destroy", "invoices"],
        ["rename", "invoices", "bills"],
        ["field", "remove", "invoices", "amount"],
        ["field", "rename", "invoices", "amount", "total"],
        ["resource", "vaults", "api_key:str=80"],
        ["auth"],
    ],
)
def test_an_escalated_command_leaves_every_file_as_it_was(
    with_invoices: Path, argv: list[str]
) -> None:
    before = snapshot(with_invoices)
    result = scaffold(*argv, project=with_invoices)
    assert result.exit_code == 3, result.output
    assert snapshot(with_invoices) == before


def test_a_mission_rehearsed_in_a_scratch_copy_is_then_written_for_real(
    with_invoices: Path,
) -> None:
    result = scaffold(
        "mission", "add payments table with invoice_id, paid_on date", project=with_invoices
    )
    assert result.exit_code == 0, result.output
    assert (with_invoices / "app/models/payments.py").is_file()
    # Only what the mission changed was written: the invoices' own files kept their mtimes.
    again = snapshot(with_invoices)
    repeat = scaffold(
        "mission", "add payments table with invoice_id, paid_on date", project=with_invoices
    )
    assert repeat.exit_code == 0, repeat.output
    assert snapshot(with_invoices) == again


def test_an_escalated_apply_through_mcp_leaves_every_file_as_it_was(with_invoices: Path) -> None:
    pytest.importorskip("mcp")
    from tests.support.mcp import call

    before = snapshot(with_invoices)
    result = call(with_invoices, "apply", {"command": 'mission "drop table invoices"'})
    assert result.structured_content["exit_code"] == 3, result
    assert snapshot(with_invoices) == before
