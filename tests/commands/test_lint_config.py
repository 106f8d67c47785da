"""A project whose ruff config selects rules beyond those scaffold's output is held to.

What ruff can fix safely is fixed under the project's config before the proof; what it
cannot makes the proof fail, naming each finding with what to change.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from scaffold.apply.lint import advice, explain, family, ruff_on_disk, scaffolds
from scaffold.generate.format import ruff_binary
from tests.support.helpers import scaffold

GIZMOS = ["resource", "gizmos", "name:str=40", "size:int:min=0"]
WRITTEN = [
    "app/models/gizmos.py",
    "app/schemas/gizmos.py",
    "app/services/gizmos.py",
    "app/api/v1/gizmos.py",
    "tests/factories/gizmos.py",
    "tests/test_gizmos.py",
]


def selecting(project: Path, *codes: str) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    selected = re.search(r"^select = \[(.*)\]$", text, re.M)
    assert selected is not None
    extra = ", ".join(f'"{code}"' for code in codes)
    pyproject.write_text(
        text.replace(selected.group(0), f"select = [{selected.group(1)}, {extra}]")
    )


def ruff_check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ruff_binary(), "check", "--no-cache", "--output-format", "concise", *args, *WRITTEN],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_rule_ruff_fixes_safely_is_fixed_before_the_proof(
    project: Path, pristine_project: Path, tmp_path: Path
) -> None:
    # The resource as our defaults write it breaks COM812 (no trailing comma where the
    # formatter joined a call's arguments)...
    assert scaffold(*GIZMOS, project=project).exit_code == 0
    assert "COM812" in ruff_check(project, "--select", "COM812").stdout, "choose another rule"
    # ...a project that selects COM gets the commas: its own ruff config is clean.
    selected = tmp_path / "selected"
    shutil.copytree(pristine_project, selected)
    selecting(selected, "COM")
    result = scaffold(*GIZMOS, project=selected)
    assert result.exit_code == 0, result.output
    checked = ruff_check(selected)
    assert checked.returncode == 0, checked.stdout


def test_a_rule_ruff_cannot_fix_fails_the_proof_naming_each_finding(project: Path) -> None:
    selecting(project, "D103")
    result = scaffold(*GIZMOS, project=project)
    assert result.exit_code == 1, result.output
    assert "Nothing was written: the proof failed." in result.output
    failed = re.search(
        r"ruff check and ruff format --check clean — FAILED: (.+?)\. The report",
        result.output,
        re.S,
    )
    assert failed is not None, result.output
    detail = " ".join(failed.group(1).split())
    assert re.match(r"\d+ findings of ruff check: [a-z/0-9_]+\.py:\d+:\d+: D103 Missing", detail)
    assert re.search(r"tests/test_gizmos\.py:\d+:\d+: D103 ", detail)
    todo = detail.partition(". What to change: ")[2]
    assert todo.startswith("D103 — your [tool.ruff] selects it, a rule scaffold's output is")
    assert '"tests/test_gizmos.py" = ["D103"]' in todo
    assert todo.count("D103 —") == 1, "the advice is given once per rule"
    assert "more (`ruff check " in detail  # more than ten: the command that lists them
    assert not (project / "tests/test_gizmos.py").exists()


def test_the_written_files_findings_are_named_by_the_proof_on_disk(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ruff]\nextend-exclude = ["migrations"]\n[tool.ruff.lint]\nselect = ["F", "S"]\n'
        '[tool.ruff.lint.per-file-ignores]\n"tests/**" = ["S101"]\n'
    )
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations/0001_gizmos.py").write_text("import sys\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "app/gizmos.py").write_text("import os\n")
    (tmp_path / "tests/test_gizmos.py").write_text("def test_a() -> None:\n    assert True\n")
    written = ["app/gizmos.py", "tests/test_gizmos.py", "migrations/0001_gizmos.py"]
    passed, detail = ruff_on_disk(tmp_path, written)
    assert not passed
    assert detail.startswith("1 finding of ruff check: app/gizmos.py:1:8: F401 `os` imported")
    assert (
        "F401 — scaffold's templates (templates/) produce this and should not: report it" in detail
    )
    assert "tests/test_gizmos.py" not in detail  # S101 is ignored there by the project
    assert "migrations" not in detail  # and its ruff never sees its migrations

    (tmp_path / "app/gizmos.py").write_text("x  =  1\n")
    passed, detail = ruff_on_disk(tmp_path, ["app/gizmos.py"])
    assert not passed
    assert detail.startswith("ruff format --check would reformat app/gizmos.py")


def test_a_finding_of_a_tested_rule_is_scaffolds_and_others_the_projects() -> None:
    assert [
        family(code) for code in ("PLR2004", "C401", "C901", "S101", "SIM102", "T201", "D103")
    ] == [
        "PLR",
        "C4",
        None,
        "S",
        "SIM",
        "T20",
        None,
    ]
    assert advice("ARG001", ["app/models/gizmos.py"]).startswith(
        "ARG001 — scaffold's templates (templates/resource/model.py.jinja) produce this"
    )
    # Tests are held to S only outside tests: an assert there is the project's choice.
    assert not scaffolds("tests/test_gizmos.py", "S101")
    assert scaffolds("app/services/gizmos.py", "S101")
    assert not scaffolds("app/services/gizmos.py", "D103")
    assert explain("not a finding") == "not a finding"
