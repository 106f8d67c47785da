"""Golden renders of every artifact. Regenerate with: SCAFFOLD_UPDATE_GOLDEN=1 make test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.helpers import scaffold

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CASES = {
    "weekly_requirements": [
        ["resource", "residents", "name:str=120", "email:str:unique", "pgy:int:min=1:max=3"],
        [
            "resource",
            "weekly_requirements",
            "resident_id:ref=residents:ondelete=cascade",
            "week_start:date",
            "min_hours:int:min=0",
            "max_hours:int:max=80",
            "notes:text:optional",
            "--unique",
            "resident_id,week_start",
            "--check",
            "min_hours<=max_hours",
        ],
    ],
    # Python attribute, column and JSON key of names that clash: metadata_ / "metadata",
    # from_ / "from"; order, user and payload stay as they are (SQLAlchemy quotes them).
    "everyday_names": [
        ["resource", "users", "email:str:unique", "role:enum=admin,member:default=member"],
        [
            "resource",
            "orders",
            "user_id:ref=users:ondelete=cascade",
            "user:str=40",
            "order:int:min=0",
            "from:str=40:index",
            "metadata:json:optional",
            "payload:json:optional",
            "limit:int:index",
            "status:enum=pending,paid:default=pending",
            "--check",
            "order<=limit",
        ],
    ],
    "nested_uuid": [
        ["resource", "boards", "title:str=80", "--id", "uuid"],
        [
            "resource",
            "cards",
            "title:str=80",
            "status:enum=todo,doing,done:default=todo",
            "--parent",
            "boards",
        ],
    ],
}


def _generate(root: Path, commands: list[list[str]]) -> dict[str, str]:
    for argv in commands:
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, result.output
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*.py"))
        if ".scaffold" not in p.parts and p.name != "env.py"
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_artifacts_match_golden_files(case: str, mini_project: Path) -> None:
    files = _generate(mini_project, CASES[case])
    golden_dir = GOLDEN / case
    if os.environ.get("SCAFFOLD_UPDATE_GOLDEN"):
        shutil.rmtree(golden_dir, ignore_errors=True)
        for rel, text in files.items():
            target = golden_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    expected = {
        p.relative_to(golden_dir).as_posix(): p.read_text()
        for p in sorted(golden_dir.rglob("*.py"))
    }
    assert sorted(files) == sorted(expected)
    for rel, text in files.items():
        assert text == expected[rel], f"{rel} differs from tests/golden/{case}/{rel}"
