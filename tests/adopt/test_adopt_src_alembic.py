"""An Alembic config in a folder of the project (``src/alembic.ini``, as src/ layouts
keep it): adopted, with the migration commands run from that folder, and the modules of
``src/app/`` imported as ``app``.

Fixture ``adopt_src_alembic``: ``src/alembic.ini`` with ``script_location = migrations``
and ``prepend_sys_path = .`` (relative to ``src/``, where the team runs Alembic).
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.support.adopted import commit_all, copy_fixture, scaffold

RESOURCE = ("resource", "weekly_requirements", "person_id:ref=people", "week_start:date")


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = copy_fixture("adopt_src_alembic", tmp_path_factory.mktemp("src_alembic"))
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    commit_all(root, "adopted")
    return root, done.stdout


def test_an_alembic_ini_under_src_is_adopted_and_says_where_alembic_runs(
    adopted: tuple[Path, str],
) -> None:
    root, said = adopted
    profile = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["scaffold"]
    assert (profile["alembic_ini"], profile["alembic_dir"]) == ("src/alembic.ini", "src/migrations")
    assert "its commands run from src/ (cd src && alembic upgrade head)" in said


def test_the_proof_migrates_from_the_configs_folder_and_imports_src_modules_by_package(
    tmp_path: Path, adopted: tuple[Path, str]
) -> None:
    root = tmp_path / "depot"
    subprocess.run(["git", "clone", "-q", str(adopted[0]), str(root)], check=True)
    done = scaffold(root, *RESOURCE, "--verify")
    assert done.returncode == 0, done.stdout + done.stderr
    report = next((root / ".scaffold/reports").glob("*.md")).read_text()
    assert "- [x] Alembic migration created and tested" in report
    assert next((root / "src/migrations/versions").glob("*_create_weekly_requirements.py"))
    model = (root / "src/app/models_weekly_requirements.py").read_text()
    assert "from app.scaffold_support import" in model
    assert "src." not in model


def test_an_ini_with_one_history_per_named_section_is_refused_naming_them(
    tmp_path: Path,
) -> None:
    root = copy_fixture("adopt_src_alembic", tmp_path)
    (root / "src/alembic.ini").write_text(
        "[alembic]\n\n[core]\nscript_location = migrations\n\n[tenant]\nscript_location = tenant\n"
    )
    done = scaffold(root, "adopt")
    assert done.returncode == 2, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "src/alembic.ini keeps one migration history per named section (core, tenant" in said
    assert not (root / ".scaffold").exists()
