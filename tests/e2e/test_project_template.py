"""The copier template renders a project that passes its own tests, lint and migrations."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest

REPO = Path(__file__).resolve().parents[2]


def render(destination: Path, **answers: str) -> Path:
    """Render the template with default answers, overridden by `answers`.

    The template is copied out of the repository first: copier renders a git
    repository from its last commit, and the working tree may hold uncommitted edits.
    """
    source = destination.parent / f"{destination.name}-template"
    shutil.copytree(
        REPO / "templates", source / "templates", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "copier.yml", source / "copier.yml")
    copier.run_copy(
        str(source), str(destination), data=answers, defaults=True, unsafe=False, quiet=True
    )
    return destination


def run(project: Path, *args: str, database_url: str | None = None) -> str:
    """Run `python ARGS` in the project with this interpreter; fail showing its output.

    DATABASE_URL and TEST_DATABASE_URL are removed unless given (both then), so the
    project uses its own scratch database.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    if database_url is not None:
        env.update(DATABASE_URL=database_url, TEST_DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = f"$ python {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, output
    return result.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("render") / "myapp")


def test_defaults_render_a_complete_sqlite_project(project: Path) -> None:
    assert not list(project.rglob("*.jinja"))
    for path in [
        "app/main.py",
        "app/core/config.py",
        "app/core/errors.py",
        "app/db/base.py",
        "app/db/types.py",
        "app/db/session.py",
        "app/models/__init__.py",
        "app/schemas/base.py",
        "app/api/discovery.py",
        "app/api/v1/__init__.py",
        "app/api/health.py",
        "migrations/env.py",
        "migrations/script.py.mako",
        "migrations/versions/.gitkeep",
        "tests/conftest.py",
        "tests/factories/__init__.py",
        "alembic.ini",
        ".squawk.toml",
        ".gitignore",
        ".env.example",
        "Makefile",
        "AGENTS.md",
        "Dockerfile",
        "compose.yaml",
    ]:
        assert (project / path).is_file(), path
    agents = (project / "AGENTS.md").read_text()
    assert "scaffold mcp" in agents and "--approve" in agents
    assert (
        'database_url: str = "sqlite+aiosqlite:///./app.db"'
        in (project / "app/core/config.py").read_text()
    )
    assert "[tool.scaffold]" in (project / "pyproject.toml").read_text()
    assert (project / "README.md").read_text().splitlines()[2:5] == [
        "```sh",
        "make run    # create .venv, install, migrate the database, serve on http://127.0.0.1:8000",
        "make test   # pytest, then ruff and mypy --strict",
    ]
    answers = (project / ".copier-answers.yml").read_text()
    assert "project_name: myapp" in answers
    assert "db: sqlite" in answers


def test_postgresql_answer_sets_the_default_url(tmp_path: Path) -> None:
    project = render(tmp_path / "clinic", project_name="clinic", db="postgresql")

    url = "postgresql+asyncpg://postgres:postgres@localhost:5432/clinic"
    assert f'database_url: str = "{url}"' in (project / "app/core/config.py").read_text()
    assert f"DATABASE_URL={url}" in (project / ".env.example").read_text()


NAMING_PROBE = """
from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from app.db.base import Base, fit_identifier

table, column = "t" * 40, "c" * 30
Table("parents", Base.metadata, Column("id", Integer, primary_key=True))
probe = Table(
    table,
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column(column, ForeignKey("parents.id"), index=True),
    Column("code", String(5)),
    UniqueConstraint(column, "code"),
)
fk = next(iter(probe.foreign_key_constraints))
uq = next(c for c in probe.constraints if isinstance(c, UniqueConstraint))
ix = next(iter(probe.indexes))
assert ix.name == fit_identifier(f"ix_{table}_{column}"), ix.name
assert uq.name == fit_identifier(f"uq_{table}_{column}_code"), uq.name
assert fk.name == fit_identifier(f"fk_{table}_{column}_parents"), fk.name
assert probe.primary_key.name == f"pk_{table}"
assert all(len(n.encode()) == 63 for n in (ix.name, uq.name, fk.name)), (ix.name, uq.name)
assert fit_identifier("ix_short") == "ix_short"
print("ok")
"""


def test_long_constraint_names_are_hashed_to_63_bytes(project: Path) -> None:
    assert run(project, "-c", NAMING_PROBE) == "ok\n"


@pytest.mark.e2e
def test_generated_project_passes_its_own_tests(project: Path) -> None:
    run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider")


@pytest.mark.e2e
def test_generated_tests_never_touch_the_database_in_database_url(
    project: Path, tmp_path: Path
) -> None:
    import sqlite3

    precious = tmp_path / "precious.db"
    with sqlite3.connect(precious) as db:
        db.execute("CREATE TABLE keep (value TEXT)")
        db.execute("INSERT INTO keep VALUES ('production data')")
    before = precious.read_bytes()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{precious}"
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tests ran on: sqlite" in result.stdout
    assert precious.read_bytes() == before


@pytest.mark.e2e
def test_generated_project_is_ruff_clean(project: Path) -> None:
    run(project, "-m", "ruff", "check", ".")
    run(project, "-m", "ruff", "format", "--check", ".")


@pytest.mark.e2e
def test_generated_project_migrates_up_and_down_without_drift(
    project: Path, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"

    run(project, "-m", "alembic", "upgrade", "head", database_url=url)
    run(project, "-m", "alembic", "check", database_url=url)
    run(project, "-m", "alembic", "downgrade", "base", database_url=url)
    run(project, "-m", "alembic", "upgrade", "head", "--sql", database_url=url)
