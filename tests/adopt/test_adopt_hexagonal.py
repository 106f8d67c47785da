"""A project in hexagonal layers with one feature, whose tests have no client fixture.

Fixture ``adopt_hexagonal``: the table ``people`` lives in its feature's folder
(``app/people/domain/entity/``), its router in ``app/people/adapter/api/``, and the tests
build their HTTP client inside each test. A new table gets a feature folder of its own
shaped alike, and the generated tests (a resource's and sign-in's) get a client of the
app from scaffold's test support module.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.support.adopted import commit_all, copy_fixture, scaffold

RESOURCE = (
    "resource",
    "weekly_requirements",
    "person_id:ref=people",
    "week_start:date",
    "min_hours:int:min=0",
)


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_fixture("adopt_hexagonal", tmp_path_factory.mktemp("hexagonal"))
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    commit_all(root, "adopted")
    return root


def profile(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())["tool"]["scaffold"]


def test_a_table_kept_in_its_own_feature_folder_makes_new_tables_a_folder_of_theirs(
    adopted: Path,
) -> None:
    p = profile(adopted)
    assert p["models"] == "app/{name}/domain/entity/{name}.py"
    assert p["routers"] == "app/{name}/adapter/api/{name}.py"


def test_a_project_without_a_client_fixture_gets_a_client_of_its_app(adopted: Path) -> None:
    assert profile(adopted)["client_fixture"] == ""
    support = (adopted / "tests/factories/__init__.py").read_text()
    assert "from app.server import app as project_app" in support
    assert "async def app_client()" in support


def test_the_resources_tests_ask_for_no_fixture_the_project_lacks_and_pass_the_proof(
    tmp_path: Path, adopted: Path
) -> None:
    root = tmp_path / "roster"
    subprocess.run(["git", "clone", "-q", str(adopted), str(root)], check=True)
    done = scaffold(root, *RESOURCE, "--verify")
    assert done.returncode == 0, done.stdout + done.stderr
    report = next((root / ".scaffold/reports").glob("*.md")).read_text()
    assert "- [x] Tests created" in report
    assert (root / "app/weekly_requirements/domain/entity/weekly_requirements.py").is_file()
    assert (root / "app/weekly_requirements/__init__.py").is_file()
    tests = (root / "tests/test_weekly_requirements.py").read_text()
    assert "from tests.factories import" in tests and "app_client" in tests
    assert "async def client()" in tests


def test_sign_in_tests_run_the_command_line_without_blocking_the_event_loop(
    tmp_path: Path, adopted: Path
) -> None:
    """ASYNC221: a blocking subprocess call in an async test; the sign-in tests await
    the command line instead, and get their client from the test support module."""
    from scaffold.generate.format import ruff_binary

    root = tmp_path / "roster"
    subprocess.run(["git", "clone", "-q", str(adopted), str(root)], check=True)
    done = scaffold(root, "auth", "--approve")
    assert done.returncode == 0, done.stdout + done.stderr
    tests = (root / "tests/test_auth.py").read_text()
    assert "subprocess.run" not in tests
    assert "async def client()" in tests
    lint = subprocess.run(
        [ruff_binary(), "check", "--no-cache", "--isolated", "--select", "ASYNC,F", "tests"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    # The users package holds the model; the command line is a module beside it.
    assert (root / "app/users/domain/entity/users.py").is_file()
    assert (root / "app/manage_users.py").is_file()
    assert (
        "from app.users.domain.entity.users import User"
        in (root / "app/auth/adapter/api/deps.py").read_text()
    )
