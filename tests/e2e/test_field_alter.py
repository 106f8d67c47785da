"""``scaffold field alter`` end to end on a table with rows, on SQLite and PostgreSQL 15.

One generated project (module-scoped) takes four alters: a longer, optional name; floor
from int to bigint (a USING cast) and NOT NULL with ``--backfill 0`` (narrowing: served
at /api/v2); an enum value added (its CHECK replaced); the name made text and unique
(the constraint built concurrently on PostgreSQL). Each database then gets rows at the create
revision, runs upgrade → downgrade → upgrade keeping them, and refuses a further
narrowing (a name of 3 characters) that names the offending rows, writing nothing. The
generated project's own tests pass after the alters, with a per-resource rate limit
(``scaffold limit``) whose 429 test runs on both databases.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from scaffold.project.manifest import Manifest
from tests.support.helpers import db_env, passed_count, run, scaffold, snapshot

pytestmark = pytest.mark.e2e

ROOMS = ["resource", "rooms", "name:str=40", "floor:int:optional", "status:enum=open,closed"]
ROWS = "('Main hall', 1, 'open'), ('Annex', NULL, 'closed')"


@pytest.fixture(scope="module")
def altered(tmp_path_factory: pytest.TempPathFactory, pristine_project: Path) -> Path:
    project = tmp_path_factory.mktemp("alter") / "myapp"
    shutil.copytree(pristine_project, project)
    assert scaffold(*ROOMS, project=project).exit_code == 0
    widening = scaffold("field", "alter", "rooms", "name:str=80:optional", project=project)
    assert widening.exit_code == 0, widening.output
    narrowing = ["field", "alter", "rooms", "floor:bigint", "--backfill", "0"]
    assert scaffold(*narrowing, project=project).exit_code == 3
    approved = scaffold(*narrowing, "--approve", project=project)
    assert approved.exit_code == 0, approved.output
    for more in (
        ["status:enum=open,closed,under_repair"],
        ["name:text:optional:unique", "--approve"],
    ):
        assert scaffold("field", "alter", "rooms", *more, project=project).exit_code == 0
    limited = scaffold("limit", "rooms", "3/minute", project=project)
    assert limited.exit_code == 0, limited.output
    return project


def _create_revision(project: Path) -> str:
    return Path(Manifest.load(project).resources["rooms"]["migration"]).name.split("_")[0]


def _round_trip(project: Path, url: str, insert, select, *, check: bool) -> None:
    """Rows inserted at the create revision survive upgrade → downgrade → upgrade."""
    env = db_env(url)
    created = _create_revision(project)
    run(project, "alembic", "upgrade", created, env=env)
    insert(f"INSERT INTO rooms (name, floor, status) VALUES {ROWS}")  # timestamps: defaults
    run(project, "alembic", "upgrade", "head", env=env)
    rows = [("Main hall", 1, "open"), ("Annex", 0, "closed")]  # the NULL floor backfilled
    assert select("SELECT name, floor, status FROM rooms ORDER BY id") == rows
    run(project, "alembic", "downgrade", created, env=env)
    assert select("SELECT name, floor, status FROM rooms ORDER BY id") == rows
    run(project, "alembic", "upgrade", "head", env=env)
    if check:  # no drift: once, on PostgreSQL (every proof runs it on SQLite)
        run(project, "alembic", "check", env=env)
    assert select("SELECT name, floor, status FROM rooms ORDER BY id") == rows


def _refuses_a_shorter_name(project: Path, url: str) -> None:
    before = snapshot(project)
    shorter = ["field", "alter", "rooms", "name:str=3:optional", "--approve"]
    refused = scaffold(*shorter, "--database-url", url, project=project)
    assert refused.exit_code == 1, refused.output
    assert "longer than 3: id 1: name='Main hall'; id 2: name='Annex'" in refused.output
    assert "Nothing was written" in refused.output
    assert snapshot(project) == before


def test_alters_round_trip_with_rows_on_sqlite_and_a_narrowing_names_them(
    altered: Path, tmp_path: Path
) -> None:
    db = tmp_path / "rooms.db"

    def execute(sql: str) -> list[tuple]:
        with sqlite3.connect(db) as con:
            return con.execute(sql).fetchall()

    _round_trip(altered, f"sqlite+aiosqlite:///{db}", execute, execute, check=False)
    _refuses_a_shorter_name(altered, f"sqlite+aiosqlite:///{db}")


@pytest.mark.pg
def test_alters_round_trip_with_rows_on_postgres_and_a_narrowing_names_them(
    altered: Path, pg_url: str, pg_server
) -> None:
    dbname = pg_url.rsplit("/", 1)[-1]

    def select(sql: str) -> list[tuple]:
        out = pg_server.psql(sql, dbname=dbname)
        return [
            (name, int(floor), status)
            for name, floor, status in (line.split("|") for line in out.splitlines())
        ]

    def insert(sql: str) -> None:
        pg_server.psql(sql, dbname=dbname)

    migration = next((altered / "migrations/versions").glob("*_alter_floor_*.py")).read_text()
    assert "postgresql_using='\"floor\"::BIGINT'" in migration
    _round_trip(altered, pg_url, insert, select, check=True)
    _refuses_a_shorter_name(altered, pg_url)


SUITES = ["tests/test_rooms.py", "tests/test_rooms_v3.py"]  # the oldest and the newest


def _suite_passes(project: Path, url: str) -> None:
    result = run(project, "pytest", "-q", "-p", "no:randomly", *SUITES, env=db_env(url))
    assert passed_count(result.stdout) >= 20, result.stdout[-2000:]


def test_the_generated_suite_passes_after_the_alters(altered: Path, tmp_path: Path) -> None:
    tests = (altered / "tests/test_rooms_v3.py").read_text()
    assert "def test_the_rooms_rate_limit_answers_429_after_3_requests" in tests
    _suite_passes(altered, f"sqlite+aiosqlite:///{tmp_path}/suite.db")


@pytest.mark.pg
def test_the_generated_suite_passes_after_the_alters_on_postgres(
    altered: Path, pg_url: str
) -> None:
    _suite_passes(altered, pg_url)
