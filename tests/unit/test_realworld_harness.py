"""The real-world harness's own logic (bench/realworld.py): finding the project folder,
noticing writes, choosing the referenced table, per-project expectations, the table."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import realworld  # noqa: E402
import realworld_live  # noqa: E402
import realworld_steps as steps  # noqa: E402
from realworld_judges import FAIL, OK, REFUSED, SKIP, Verdict  # noqa: E402

RAWSQL = ROOT / "tests" / "fixtures" / "adopt_rawsql"


def test_project_folder_is_found_in_backend_or_given_after_double_colon(tmp_path: Path) -> None:
    (tmp_path / "repo" / "backend").mkdir(parents=True)
    (tmp_path / "repo" / "backend" / "alembic.ini").write_text("[alembic]\n")
    assert realworld.project_from_arg(str(tmp_path / "repo")).subdir == "backend"
    assert realworld.project_from_arg(f"{tmp_path / 'repo'}::api/x").subdir == "api/x"
    # a corpus checkout takes the corpus's folder; another folder makes a second row
    known = realworld.project_from_arg(str(tmp_path / "polar"))
    assert (known.name, known.subdir) == ("polar", "server")
    assert realworld.project_from_arg(f"{tmp_path / 'polar'}::").name == "polar:."


def test_corpus_expects_realworld_to_be_refused() -> None:
    expected = {name: expect for name, _, _, expect, _ in realworld.CORPUS}
    assert expected["fastapi-realworld-example-app"] == "refuse"
    assert [n for n, e in expected.items() if e == "refuse"] == ["fastapi-realworld-example-app"]
    assert len(expected) >= 10


def test_snapshot_sees_a_touched_mtime_even_with_the_same_bytes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = steps.snapshot(tmp_path)
    os.utime(tmp_path / "a.py", ns=(1, 1))
    assert steps.changed(before, steps.snapshot(tmp_path)) == ["a.py"]
    before = steps.snapshot(tmp_path)
    (tmp_path / ".scaffold" / "reports").mkdir(parents=True)
    (tmp_path / ".scaffold" / "reports" / "r.md").write_text("a failed proof keeps its report")
    assert steps.changed(before, steps.snapshot(tmp_path)) == []


def test_reference_prefers_a_people_like_table() -> None:
    tables = {"tables": {"blocks": {}, "people": {}, "users": {}}}
    assert steps.pick_reference(tables) == "people"
    assert steps.pick_reference({"tables": {"blocks": {}, "app_user": {}}}) == "app_user"
    assert steps.pick_reference({}) is None
    assert steps.singular("people") == "person"
    assert steps.singular("users") == "user"


def test_raw_sql_project_is_a_true_refusal_only_when_expected(tmp_path: Path) -> None:
    project = steps.Project("raw", RAWSQL, "", "refuse", work=tmp_path)
    copy = steps.fresh_copy(project, tmp_path, "main")
    assert steps.step_adopt(project, copy, copy) is False
    assert project.cells["adopt-dry"].status == REFUSED
    assert project.cells["adopt"].status == REFUSED
    assert [s["exit"] for s in project.steps] == [2, 2]
    expecting = steps.Project("raw", RAWSQL, "", "adopt", work=tmp_path)
    shutil.rmtree(copy)
    copy = steps.fresh_copy(expecting, tmp_path, "main")
    steps.step_adopt(expecting, copy, copy)
    assert expecting.cells["adopt"].status == FAIL


def test_table_has_one_row_per_project_and_details_for_non_ok_cells() -> None:
    good = steps.Project("good", Path("."), "", "adopt")
    good.cells = {c: Verdict(OK) for c in steps.COLUMNS}
    bad = steps.Project("bad", Path("."), "", "adopt")
    bad.cells = {"adopt": Verdict(FAIL, "exit 1: conflict tests/factories/__init__.py")}
    bad.cells["live"] = Verdict(SKIP, "deps do not install: no wheel for x")
    out = io.StringIO()
    realworld.print_table([good, bad], out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["project", *steps.COLUMNS]
    assert lines[2].split()[:3] == ["bad", "skip(not", "run)"]
    assert "skip(deps do not instal)" in lines[2]
    assert "bad / adopt: FAIL: exit 1: conflict tests/factories/__init__.py" in lines
    assert not any(line.startswith("good /") for line in lines)


def test_live_python_follows_requires_python(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = "==3.99.0"\n')
    assert realworld_live.pick_python(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.10"\n')
    assert realworld_live.pick_python(tmp_path) is not None
    env = realworld_live.database_env("postgresql+asyncpg://postgres@127.0.0.1:5433/db1")
    assert (env["POSTGRES_PORT"], env["POSTGRES_DB"]) == ("5433", "db1")
