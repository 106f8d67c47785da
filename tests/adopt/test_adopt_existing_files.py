"""Adopt uses the files a project already has and never claims them.

Shapes real codebases have (each reproduced by a small fixture of ours): a test
factories package of the team's own (``tests/factories/__init__.py``), a
``tests/factories.py`` module, a client fixture renamed with
``@pytest.fixture(name=...)``, a conftest that overrides the session dependency with a
test database, classic ``Column()``s (nullable unless told otherwise), a ruff config
that selects ARG, and an app that includes one router which includes the features'.
"""

from __future__ import annotations

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


def profile(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())["tool"]["scaffold"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture("adopt_factories_package", tmp_path)


def test_the_projects_factories_package_is_used_not_reported_as_a_conflict(project: Path) -> None:
    init = (project / "tests/factories/__init__.py").read_bytes()
    done = scaffold(project, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conflict" not in done.stdout + done.stderr
    # The one file of the team's adopt edits is named for review.
    assert "Handoff: scaffold edited pyproject.toml, which your team wrote" in done.stdout
    assert (project / "tests/factories/__init__.py").read_bytes() == init
    p = profile(project)
    assert p["test_support"] == "tests/factories/scaffold_api.py"
    assert p["factories"] == "tests/factories/{name}.py"
    assert "class Api" in (project / "tests/factories/scaffold_api.py").read_text()
    commit_all(project, "adopted")
    done = scaffold(project, *RESOURCE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "tests/factories/__init__.py").read_bytes() == init
    tests = (project / "tests/test_weekly_requirements.py").read_text()
    assert "from tests.factories.scaffold_api import Api" in tests
    parent = (project / "tests/factories/people.py").read_text()
    assert "from tests.factories.scaffold_api import Api" in parent


def test_a_renamed_client_fixture_is_found_by_its_pytest_name(project: Path) -> None:
    scaffold(project, "adopt")
    assert profile(project)["client_fixture"] == "client"


def test_the_router_registry_is_the_router_the_app_includes_not_the_app(project: Path) -> None:
    scaffold(project, "adopt")
    p = profile(project)
    assert p["router_registry"] == "app/api/routes/__init__.py:api_router"
    assert p["api_prefix"] == "/api/v1"


def test_parent_rows_fill_only_the_columns_column_makes_not_null(project: Path) -> None:
    scaffold(project, "adopt")
    commit_all(project, "adopted")
    done = scaffold(project, *RESOURCE)
    assert done.returncode == 0, done.stdout + done.stderr
    parent = (project / "tests/factories/people.py").read_text()
    assert '"name": ' in parent
    assert '"nickname"' not in parent
    assert '"pgy"' not in parent


def test_generated_tests_pass_on_the_conftests_test_database_and_its_ruff_rules(
    project: Path,
) -> None:
    # The production DATABASE_URL of the fixture cannot be opened: parent rows and the
    # foreign-key probe must go through the conftest's override of the session.
    scaffold(project, "adopt")
    commit_all(project, "adopted")
    done = scaffold(project, *RESOURCE, "--verify")
    assert done.returncode == 0, done.stdout + done.stderr
    tests = (project / "tests/test_weekly_requirements.py").read_text()
    assert '@pytest.mark.usefixtures("foreign_keys")' in tests
    assert "foreign_keys: None" not in tests


def test_a_factories_module_is_not_shadowed_by_a_new_package(tmp_path: Path) -> None:
    root = copy_fixture("adopt_factories_package", tmp_path)
    package = root / "tests/factories"
    (root / "tests/factories.py").write_text(
        "def person_values(name: str = 'Robin') -> dict[str, str]:\n    return {'name': name}\n"
    )
    for path in package.iterdir():
        path.unlink()
    package.rmdir()
    commit_all(root, "factories as one module")
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    p = profile(root)
    assert p["factories"] == "tests/scaffold_factories/{name}.py"
    assert "test_support" not in p
    assert (root / "tests/scaffold_factories/__init__.py").is_file()
    assert not (root / "tests/factories").exists()


def test_a_single_file_project_gets_modules_beside_its_files_and_tests_beside_its_own(
    tmp_path: Path,
) -> None:
    # app/models.py and app/crud.py hold every resource; the route tests mirror
    # app/api/routes/ under app/tests/api/routes/.
    root = copy_fixture("adopt_sqlmodel", tmp_path)
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    p = profile(root)
    assert (p["models"], p["schemas"], p["services"]) == (
        "app/models_{name}.py",
        "app/schemas_{name}.py",
        "app/crud_{name}.py",
    )
    assert p["routers"] == "app/api/routes/{name}.py"
    assert p["tests"] == "app/tests/api/routes/test_{name}.py"
    commit_all(root, "adopted")
    done = scaffold(root, "resource", "weekly_requirements", "owner_id:ref=user", "week_start:date")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (root / "app/weekly_requirements").exists()
    for path in (
        "app/models_weekly_requirements.py",
        "app/crud_weekly_requirements.py",
        "app/api/routes/weekly_requirements.py",
        "app/tests/api/routes/test_weekly_requirements.py",
    ):
        assert (root / path).is_file(), path
