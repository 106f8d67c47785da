"""A project in Python 3.12+ syntax (our fixture ``adopt_py312``): read and edited
whatever Python scaffold runs on, or refused in one line when its requires-python
denies the syntax its code uses."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.adopted import commit_all, copy_fixture, scaffold


def test_registries_in_pep_695_syntax_are_edited_and_restored_by_their_syntax_tree(
    tmp_path: Path,
) -> None:
    root = copy_fixture("adopt_py312", tmp_path)
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    commit_all(root, "adopted")
    registry = (root / "app/routes/__init__.py").read_text()
    done = scaffold(root, "resource", "visits", "person_id:ref=people", "seen_on:date")
    assert done.returncode == 0, done.stdout + done.stderr
    edited = (root / "app/routes/__init__.py").read_text()
    assert "type Routers = list[APIRouter]" in edited
    assert "from app.routes.visits import router as visits_router" in edited
    assert edited.rstrip().endswith("api_router.include_router(visits_router)")
    assert "from app.models.visits import Visit" in (root / "app/models/__init__.py").read_text()
    commit_all(root, "visits")
    done = scaffold(root, "destroy", "visits", "--approve")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "app/routes/__init__.py").read_text() == registry


def test_code_newer_than_requires_python_is_refused_naming_file_line_and_fix(
    tmp_path: Path,
) -> None:
    root = copy_fixture("adopt_py312", tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(">=3.12", ">=3.11"))
    commit_all(root, "claims 3.11")
    done = scaffold(root, "adopt")
    assert done.returncode == 2, done.stdout + done.stderr
    message = done.stderr.strip().splitlines()[0]
    assert "needs Python 3.12, but requires-python allows 3.11" in message
    assert 'set requires-python to ">=3.12"' in message
    assert "no SQLAlchemy" not in done.stderr
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_an_alembic_config_in_a_subfolder_is_the_refusals_named_cause(tmp_path: Path) -> None:
    root = copy_fixture("adopt_py312", tmp_path)
    (root / "db").mkdir()
    (root / "alembic.ini").rename(root / "db/alembic.ini")
    commit_all(root, "alembic.ini in db/")
    done = scaffold(root, "adopt")
    assert done.returncode == 2, done.stdout + done.stderr
    # Adopted where its script_location leads; here, from db/, to no folder.
    assert "its Alembic config is db/alembic.ini, whose script_location leads" in done.stderr
    assert "from db/ (where Alembic runs) to db/alembic/, which does not exist" in done.stderr


def test_an_alembic_config_above_the_project_root_is_the_refusals_named_cause(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    root = copy_fixture("adopt_py312", repo)
    subprocess.run(["rm", "-rf", ".git"], cwd=root, check=True)
    (root / "alembic.ini").rename(repo / "alembic.ini")
    done = scaffold(root, "adopt")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "its Alembic config is ../alembic.ini" in done.stderr
    assert "run scaffold adopt in the folder that holds alembic.ini" in done.stderr
