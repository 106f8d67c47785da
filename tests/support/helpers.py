"""Helpers for driving scaffold and the projects it generates."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from scaffold.apply.verify import _PYTEST

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# One mypy cache per test process (an xdist worker's own: two writers never share one),
# kept for the run: the generated projects share their third-party imports, which are
# most of a cold `mypy --strict`; a changed module of the project is rechecked as usual.
MYPY_CACHE = Path(tempfile.mkdtemp(prefix="scaffold-tests-mypy-"))
atexit.register(shutil.rmtree, MYPY_CACHE, ignore_errors=True)


# The writing commands whose proof our tests skip unless they are about it (they say
# ``--verify``, or ``prove=True``).
UNPROVED = frozenset({"resource", "field", "destroy", "rename", "auth", "endpoint", "index"})
UNPROVED |= {"upgrade", "mission"}


def unproved(args: tuple[str, ...] | list[str]) -> list[str]:
    """``args`` with ``--no-verify`` when they are a writing command that does not say
    ``--verify`` (or ``--no-verify``) itself."""
    argv = list(args)
    if argv[:1] and argv[0] in UNPROVED and not {"--verify", "--no-verify", "--help"} & set(argv):
        argv.append("--no-verify")
    return argv


def scaffold(*args: str, project: Path | None = None, prove: bool = False):
    """Run the CLI in-process through typer's CliRunner; returns the click Result.

    A writing command runs with ``--no-verify`` (the tests that are about the proof say
    ``prove=True`` or ``--verify``), so the suite is not the proof's many times over."""
    from scaffold.cli.app import app

    argv = list(args) if prove else unproved(args)
    if project is not None:
        argv += ["--project", str(project)]
    return CliRunner().invoke(app, argv, catch_exceptions=False)


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (caches excluded) with the hash of its bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and "__pycache__" not in rel
            and ".pytest_cache" not in rel
            and not rel.endswith(".db")
        ):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a project but its reports, git data and bytecode: its bytes and its
    mtime (ns), so a file written back as it was still shows."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and not rel.startswith((".git/", ".scaffold/reports/"))
            and "__pycache__" not in rel
        ):
            out[rel] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def run(
    project: Path, *cmd: str, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    """Run a tool of this venv inside a generated project; fail with its output if it fails."""
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
    full_env.pop("PYTEST_ADDOPTS", None)
    tool = cmd[0]
    if tool == "pytest":
        # As the proof runs them: with the pytest plugins of the project's dependencies
        # only (an unrelated installed plugin, a fuzzer say, costs seconds to load).
        argv = [sys.executable, "-c", _PYTEST, *cmd[1:]]
    elif tool == "alembic":
        argv = [sys.executable, "-m", tool, *cmd[1:]]
    else:
        argv = [str(BIN / tool), *cmd[1:]]
    proc = subprocess.run(
        argv, cwd=project, env=full_env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    )
    return proc


def db_env(url: str) -> dict[str, str]:
    """Environment pointing a generated project at ``url``: Alembic reads DATABASE_URL,
    the generated tests only ever TEST_DATABASE_URL."""
    return {"DATABASE_URL": url, "TEST_DATABASE_URL": url}


def passed_count(pytest_output: str) -> int:
    import re

    match = re.search(r"(\d+) passed", pytest_output)
    return int(match.group(1)) if match else 0


def make(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


MINIMAL_PYPROJECT = """\
[project]
name = "mini"

[tool.scaffold]

[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "I", "UP", "B", "ASYNC", "SIM"]
"""
