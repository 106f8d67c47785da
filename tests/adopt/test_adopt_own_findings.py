"""The proof holds against a change only what the change brought into a team's file it
edited: findings the file had before (an unused import, a sync route handler) are the
project's own, named as such in the report, never a failure of the change.

Fixture ``adopt_own_findings``: a team's ``app/main.py`` with an F401 and an SC102 of
its own; each test writes the module as a registry edit leaves it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scaffold.apply.verify import static_checks
from tests.support.adopted import FIXTURES

MAIN = "app/main.py"
# What scaffold's registry edit adds: an import and an include line.
IMPORT = "from app.weekly_requirements import router as weekly_requirements_router\n"
INCLUDE = "app.include_router(weekly_requirements_router)\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "adopt_own_findings", tmp_path / "ledger"))


def edit(root: Path, extra_import: str = "") -> str:
    """Write the registry edit into ``app/main.py``; return the text it had before."""
    before = (root / MAIN).read_text()
    after = before.replace(
        "from app.ledgers import router as ledgers_router\n",
        f"from app.ledgers import router as ledgers_router\n{IMPORT}{extra_import}",
    ).replace(
        "app.include_router(ledgers_router)\n", f"app.include_router(ledgers_router)\n{INCLUDE}"
    )
    assert after != before
    (root / MAIN).write_text(after)
    return before


def by_name(results: list) -> dict:
    return {r.name: r for r in results}


def test_an_edited_team_files_own_findings_pass_and_are_named_as_the_projects(root: Path) -> None:
    before = edit(root)
    checks = by_name(static_checks(root, [MAIN], before={MAIN: before}))
    assert checks["ruff"].passed is True, checks["ruff"].detail
    assert "the project's own" in checks["ruff"].detail
    assert "F401 `os` imported but unused" in checks["ruff"].detail
    assert checks["async_only"].passed is True, checks["async_only"].detail
    assert "the project's own" in checks["async_only"].detail
    assert "SC102" in checks["async_only"].detail and "ping()" in checks["async_only"].detail


def test_without_the_text_before_the_same_findings_fail_the_change(root: Path) -> None:
    """What the comparison changes: on the edited file alone both are failures."""
    edit(root)
    checks = by_name(static_checks(root, [MAIN]))
    assert checks["ruff"].passed is False
    assert "F401" in checks["ruff"].detail
    assert checks["async_only"].passed is False
    assert "SC102" in checks["async_only"].detail


def test_a_finding_the_edit_introduced_still_fails_and_only_it_is_blamed(root: Path) -> None:
    before = edit(root, extra_import="from app.zones import zone\n")
    ruff = by_name(static_checks(root, [MAIN], before={MAIN: before}))["ruff"]
    assert ruff.passed is False
    assert "1 finding of ruff check" in ruff.detail
    assert "`app.zones.zone` imported but unused" in ruff.detail
    assert "`os` imported but unused" not in ruff.detail


def test_a_second_finding_like_one_the_file_had_is_the_changes(root: Path) -> None:
    """Findings are counted: one alike before does not excuse two after."""
    before = (root / MAIN).read_text()
    after = before.replace("import os\n", "import os\nimport os\n") + INCLUDE
    (root / MAIN).write_text(after)
    ruff = by_name(static_checks(root, [MAIN], before={MAIN: before}))["ruff"]
    assert ruff.passed is False


def test_a_team_file_its_ruff_format_did_not_keep_before_is_not_held_to_it(root: Path) -> None:
    text = (root / MAIN).read_text().replace('{"status": "ok"}', "{ 'status' : 'ok' }")
    (root / MAIN).write_text(text)
    before = edit(root)
    ruff = by_name(static_checks(root, [MAIN], before={MAIN: before}))["ruff"]
    assert ruff.passed is True, ruff.detail


def test_a_team_file_formatted_before_is_held_to_its_format_after_the_edit(root: Path) -> None:
    before = edit(root)
    (root / MAIN).write_text((root / MAIN).read_text() + "LIMIT  =  1\n")
    ruff = by_name(static_checks(root, [MAIN], before={MAIN: before}))["ruff"]
    assert ruff.passed is False
    assert "would reformat app/main.py" in ruff.detail
