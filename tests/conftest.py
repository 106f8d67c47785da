"""Shared fixtures: a fresh generated project per test, a CLI runner, the PostgreSQL server."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from tests.support.helpers import MINIMAL_PYPROJECT, REPO

pytest_plugins = ["tests.support.pg_fixture"]


@pytest.fixture(scope="session")
def template_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree (uncommitted edits included), outside git."""
    dst = tmp_path_factory.mktemp("template-src")
    shutil.copy(REPO / "copier.yml", dst / "copier.yml")
    shutil.copytree(REPO / "templates", dst / "templates")
    return dst


@pytest.fixture(scope="session")
def pristine_project(tmp_path_factory: pytest.TempPathFactory, template_src: Path) -> Path:
    """One project rendered from the template; tests get copies of it."""
    import copier

    dst = tmp_path_factory.mktemp("pristine") / "myapp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(template_src), str(dst), defaults=True, quiet=True, data={"project_name": "myapp"}
        )
    return dst


@pytest.fixture
def project(tmp_path: Path, pristine_project: Path) -> Path:
    """A fresh copy of a newly generated project."""
    dst = tmp_path / "myapp"
    shutil.copytree(pristine_project, dst)
    return dst


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """The smallest folder scaffold accepts: [tool.scaffold] and an Alembic env (fast tests)."""
    root = tmp_path / "mini"
    (root / "migrations/versions").mkdir(parents=True)
    (root / "migrations/env.py").write_text("# Alembic env\n")
    (root / "pyproject.toml").write_text(MINIMAL_PYPROJECT)
    return root


collect_ignore = ["golden", "fixtures"]  # fixtures: projects other teams wrote, not tests
