"""Shared fixtures: a fresh generated project per test, a CLI runner, the PostgreSQL server."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.support.helpers import MINIMAL_PYPROJECT, REPO

pytest_plugins = ["tests.support.pg_fixture"]


@pytest.fixture(scope="session", autouse=True)
def _proofs_in_pytests_temp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The proofs' kept copies go under pytest's own temp folder (it keeps the last three
    runs), not the machine's scaffold-proofs/, which would grow with every test project."""
    import os

    os.environ["SCAFFOLD_PROOFS_DIR"] = str(tmp_path_factory.getbasetemp() / "proofs")


@pytest.fixture(scope="session", autouse=True)
def _generated_projects_keep_their_bytecode() -> None:
    """The generated projects' own runs (their suite, Alembic, the app) write bytecode even
    when the shell says PYTHONDONTWRITEBYTECODE, as a developer's machine does: a project
    run twice (SQLite, then PostgreSQL) compiles and rewrites its tests' asserts once."""
    import os

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


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


# The heaviest files first: `--dist loadfile` hands files to whichever worker is free, in
# this order, so a long file started last would leave the other worker idle at the end.
HEAVIEST_FIRST = (
    "e2e/test_everyday_names.py",
    "e2e/test_clinic_domain.py",
    "adopt/test_adopt_auth.py",
    "e2e/test_relationships.py",
    "e2e/",
    "adopt/",
    "commands/",
)
# Files that share a session fixture are handed out as one unit, so the fixture is built
# once: the canonical project (tests/e2e/conftest.py).
SHARED_UNITS = {
    "e2e/test_e2e.py": "canonical",
    "e2e/test_postgres.py": "canonical",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile``, except that the files of ``SHARED_UNITS`` go to one worker
    together. (xdist's own ``loadgroup`` marks no longer reach its scheduler under
    pytest 9, which keeps node ids in ``_id``.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedFileScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return SHARED_UNITS.get(path.removeprefix("tests/"), path)

    return SharedFileScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.path.relative_to(REPO / "tests").as_posix()
        return next(
            (i for i, prefix in enumerate(HEAVIEST_FIRST) if path.startswith(prefix)),
            len(HEAVIEST_FIRST),
        )

    items.sort(key=rank)  # stable: a file's own tests keep their order
