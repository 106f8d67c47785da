"""The generated app run as it is deployed: uvicorn against a real PostgreSQL 15 that is
stopped and started under it, the Dockerfile through hadolint and the compose file
through docker-compose. (The generated suite covers the rest in-process.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import pg_fixture
from tests.support.helpers import BIN, db_env, run, scaffold
from tests.support.served import get, uvicorn

REQUIRE_TOOLS = "SCAFFOLD_REQUIRE_TOOLS"  # set by .ci/run: a missing tool fails there


@pytest.fixture
def own_server() -> Iterator[pg_fixture.PgServer]:
    """A PostgreSQL server of this test alone: it is stopped and started again."""
    try:
        server = pg_fixture.start_pg_server()
    except pg_fixture.PgUnavailable as exc:
        pg_fixture._unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.pg
def test_a_database_restart_costs_no_failed_request(
    project: Path, own_server: pg_fixture.PgServer, tmp_path: Path
) -> None:
    assert scaffold("resource", "rooms", "name:str=40", project=project).exit_code == 0
    url = pg_fixture.make_database(own_server)
    run(project, "alembic", "upgrade", "head", env=db_env(url))
    env = {
        **os.environ,
        **db_env(url),
        "ENVIRONMENT": "prod",
        "SECRET_KEY": "k" * 48,
        "LOG_FORMAT": "json",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    log = tmp_path / "uvicorn.log"
    with uvicorn(project, env, log) as base:
        assert get(f"{base}/health/ready")[0] == 200
        assert get(f"{base}/api/v1/rooms")[0] == 200  # the pool now holds a connection

        own_server.pause()
        live = get(f"{base}/health/live")
        ready = get(f"{base}/health/ready")
        assert live[0] == 200, "liveness never asks the database"
        assert ready[0] == 503
        assert ready[1]["content-type"] == "application/problem+json"

        own_server.resume()
        # The pooled connection died with the server: pre-ping replaces it, no 500.
        assert get(f"{base}/api/v1/rooms")[0] == 200
        assert get(f"{base}/health/ready")[0] == 200
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert [r["status"] for r in requests if r["path"] == "/api/v1/rooms"] == [200, 200]
    assert all(r["request_id"] for r in requests)
    assert not any("exception" in line for line in lines), "no traceback: nothing failed"


def require_tool(name: str) -> str:
    found = shutil.which(name) or (str(BIN / name) if (BIN / name).exists() else None)
    if found is None:
        if os.environ.get(REQUIRE_TOOLS) == "1":
            pytest.fail(f"{REQUIRE_TOOLS}=1 but {name} is not installed", pytrace=False)
        pytest.skip(f"{name} is not installed")
    return found


def test_the_dockerfile_passes_hadolint(project: Path) -> None:
    hadolint = require_tool("hadolint")
    done = subprocess.run([hadolint, "Dockerfile"], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (project / "Dockerfile").read_text()
    assert "USER 10001" in text and "alembic" not in text.split("CMD", 1)[1]


def test_the_compose_file_validates_and_needs_a_secret(project: Path) -> None:
    compose = require_tool("docker-compose")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    missing = subprocess.run(
        [compose, "-f", "compose.yaml", "config"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0
    assert "SECRET_KEY" in missing.stderr
    done = subprocess.run(
        [compose, "-f", "compose.yaml", "config"],
        cwd=project,
        env={**env, "SECRET_KEY": "k" * 48},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "postgres:15" in done.stdout
    assert "service_healthy" in done.stdout
