"""The real-world harness's live check (`--live`): install the project into its own venv,
apply its migrations on a throwaway PostgreSQL 15 up to the old head (skip when the
project's own history does not apply here), then the new migration (must apply), then the
generated tests (must pass). Every step has a time limit; a step that cannot run is a
`skip` with its reason, never a `FAIL`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from realworld_judges import FAIL, OK, SKIP, Change, Verdict
from realworld_models import read_revision

PYENV = Path("/root/.pyenv/versions")
INSTALL_TIMEOUT = 900
STEP_TIMEOUT = 300


def _tail(text: str, n: int = 300) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return " | ".join(lines[-3:])[-n:]


def pick_python(root: Path) -> str | None:
    """An interpreter new enough for the project's `requires-python` (None: none here)."""
    try:
        spec = tomllib.loads((root / "pyproject.toml").read_text())["project"]["requires-python"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        spec = ""
    found = re.search(r"(>=|==|~=)\s*3\.(\d+)", spec)
    minor = int(found.group(2)) if found else 11
    exact = found is not None and found.group(1) == "=="
    candidates = sorted(PYENV.glob("3.*"), key=lambda p: int(p.name.split(".")[1]))
    for version in candidates:
        got = int(version.name.split(".")[1])
        if (got == minor) if exact else (got >= minor):
            return str(version / "bin" / "python")
    return sys.executable if not exact and sys.version_info[1] >= minor else None


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int) -> tuple[int, str]:
    try:
        proc = subprocess.run(
            args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {timeout}s"
    return proc.returncode, proc.stdout + proc.stderr


def install(root: Path, venv: Path) -> Verdict | None:
    """A venv with the project and pytest; a skip verdict when it does not install."""
    python = pick_python(root)
    if python is None:
        return Verdict(SKIP, "no Python here fits requires-python")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    if not (venv / "bin" / "python").exists():
        code, out = _run([python, "-m", "venv", str(venv)], root, env, STEP_TIMEOUT)
        if code:
            return Verdict(SKIP, f"venv: {_tail(out)}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    code, out = _run([*pip, "-e", ".", "pytest", "pytest-asyncio", "httpx", "asyncpg", "alembic"], root, env, INSTALL_TIMEOUT)  # fmt: skip
    if code:
        return Verdict(SKIP, f"deps do not install: {_tail(out, 160)}")
    return None


def database_env(url: str) -> dict[str, str]:
    """The settings names projects read their database from, all pointing at `url`."""
    sync = url.replace("postgresql+asyncpg://", "postgresql://")
    host_port = url.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    name = url.rsplit("/", 1)[1]
    return {
        "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_DATABASE_URL": url,
        "DB_URL": url, "TEST_DATABASE_URL": url, "POSTGRES_URL": sync,
        "POSTGRES_SERVER": host, "POSTGRES_HOST": host, "POSTGRES_PORT": port,
        "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "postgres", "POSTGRES_DB": name,
        "DB_HOST": host, "DB_PORT": port, "DB_USER": "postgres", "DB_PASSWORD": "postgres",
        "DB_NAME": name, "ENVIRONMENT": "local", "SECRET_KEY": "x" * 32,
        "FIRST_SUPERUSER": "admin@example.com", "FIRST_SUPERUSER_PASSWORD": "changethis123",
    }  # fmt: skip


def live_check(checkout: Path, root: Path, change: Change, work: Path) -> Verdict:
    # install from the folder whose pyproject.toml the checkout has (not one adopt created)
    venv = work / "venv"
    copy = work / "main"
    project_dir = next(
        (
            d
            for d in [root, *root.parents]
            if copy in (d, *d.parents)
            and (checkout / d.relative_to(copy) / "pyproject.toml").is_file()
        ),
        root,
    )
    failed = install(project_dir, venv)
    if failed is not None:
        return failed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.pg_fixture import PgUnavailable, make_database, start_pg_server

    try:
        server = start_pg_server()
    except PgUnavailable as exc:
        return Verdict(SKIP, f"no PostgreSQL 15: {exc}")
    try:
        return _migrate_and_test(root, change, venv, make_database(server))
    finally:
        server.stop()


def _migrate_and_test(root: Path, change: Change, venv: Path, url: str) -> Verdict:
    new = change.new_migrations()
    if len(new) != 1:
        return Verdict(SKIP, "not exactly one new migration")
    old_head = read_revision(new[0]).down
    env = {**os.environ, **database_env(url), "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    alembic = [str(venv / "bin" / "python"), "-m", "alembic"]
    code, out = _run([*alembic, "current"], root, env, STEP_TIMEOUT)
    if code:
        return Verdict(SKIP, f"alembic cannot load the project's env here: {_tail(out, 160)}")
    if old_head:
        code, out = _run([*alembic, "upgrade", old_head[0]], root, env, STEP_TIMEOUT)
        if code:
            return Verdict(
                SKIP, f"the project's own migrations do not apply here: {_tail(out, 160)}"
            )
    code, out = _run([*alembic, "upgrade", "head"], root, env, STEP_TIMEOUT)
    if code:
        return Verdict(FAIL, f"the new migration does not apply: {_tail(out)}")
    tests = [str(p) for p in change.python_files() if p.name.startswith("test")]
    pytest = [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
    code, out = _run([*pytest, *tests], root, env, STEP_TIMEOUT)
    if code:
        return Verdict(FAIL, f"migration applied; generated tests: {_tail(out)}")
    return Verdict(OK, f"migration applied; {_tail(out, 80)}")
