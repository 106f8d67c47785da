"""The fixture projects other teams wrote (tests/fixtures), copied, adopted and run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.helpers import BIN, unproved

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def scaffold(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess; a writing command unproved unless it says ``--verify``."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *unproved(args)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)


def copy_fixture(name: str, dest: Path) -> Path:
    root = dest / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    git(root, "init", "-q")
    commit_all(root, "the project as its team wrote it")
    return root


def without_reports(files: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in files.items() if not k.startswith(".scaffold/reports/")}


def alembic_steps(python: str, root: Path, env: dict[str, str], downgrade: str = "base") -> None:
    """upgrade head, check, downgrade to ``downgrade``, upgrade head: with the project's
    own Alembic config and ``python``, failing with the step that failed."""
    for command in (["upgrade", "head"], ["check"], ["downgrade", downgrade], ["upgrade", "head"]):
        done = subprocess.run(
            [python, "-m", "alembic", *command],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        assert done.returncode == 0, f"alembic {' '.join(command)}: {done.stdout}{done.stderr}"


def run_project_tests(
    root: Path, python: Path | str = sys.executable, verbosity: str = "-q"
) -> subprocess.CompletedProcess[str]:
    """The project's own pytest run, with no database URL of ours in its environment."""
    return subprocess.run(
        [str(python), "-m", "pytest", verbosity, "-p", "no:cacheprovider", "-W", "ignore"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if "DATABASE_URL" not in k},
    )


def assert_ruff_clean(root: Path) -> None:
    """``ruff check`` and ``ruff format --check`` pass with the project's own config."""
    for args in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        done = subprocess.run(
            [str(BIN / "ruff"), *args], cwd=root, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
