"""Indexes on live tables: ``scaffold index add`` end to end, with rows in the table, on
SQLite (the generated project's own suite, ruff and mypy --strict after a unique rule)
and on PostgreSQL 15 (concurrent builds, the duplicate proof, the migration's re-check)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.helpers import BIN, MYPY_CACHE, db_env, run, scaffold, snapshot
from tests.support.projects import CONTACTS

pytestmark = pytest.mark.e2e

ROWS = (
    "INSERT INTO contacts (name, phone, email, created_at, updated_at) VALUES "
    "('Ann', '1', 'a@x.org', now(), now()), ('Bob', NULL, 'b@x.org', now(), now()), "
    "('Ann', '3', 'c@x.org', now(), now())"
)


def _psql(server, url: str, sql: str) -> str:
    return server.psql(sql, dbname=url.rsplit("/", 1)[-1])


def _down_revision(project: Path, slug: str) -> str:
    text = next((project / "migrations/versions").glob(f"*_{slug}.py")).read_text()
    return text.split('down_revision = "')[1].split('"')[0]


def test_unique_index_on_a_generated_resource_passes_its_suite_ruff_and_mypy(
    project: Path,
) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    result = scaffold(
        "index", "add", "contacts", "name", "--unique", "--json", project=project, prove=True
    )
    assert result.exit_code == 0, result.output
    # The proof ran the resource's tests, the migration round trip and alembic check.
    checks = {c["name"]: c["passed"] for c in json.loads(result.stdout)["checks"]}
    assert checks["tests"] and checks["migrations"] and checks["alembic_check"], checks
    tests = (project / "tests/test_contacts.py").read_text()
    assert "409" in tests and '"name"' in tests
    run(project, "ruff", "check", ".")
    run(project, "ruff", "format", "--check", ".")
    run(project, "mypy", "--cache-dir", str(MYPY_CACHE))


@pytest.mark.pg
def test_index_add_on_postgres_with_rows_builds_concurrently_and_round_trips(
    project: Path, pg_url: str, pg_server
) -> None:
    env = db_env(pg_url)
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    run(project, "alembic", "upgrade", "head", env=env)
    _psql(pg_server, pg_url, ROWS)
    for argv in (
        ["contacts", "name"],  # the spec's :index
        ["contacts", "phone,name", "--where", "phone IS NOT NULL"],  # Index() in the model
        ["contacts", "phone", "--unique"],  # the spec's :unique: a constraint, 409
    ):
        result = scaffold("index", "add", *argv, "--database-url", pg_url, project=project)
        assert result.exit_code == 0, result.output
    first = _down_revision(project, "contacts_add_index_name")
    sql = run(project, "alembic", "upgrade", f"{first}:head", "--sql", env=env).stdout
    assert sql.count("CREATE INDEX CONCURRENTLY") == 2
    assert "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_contacts_phone" in sql
    assert "UNIQUE USING INDEX" in sql
    _squawk(project, sql)
    for step in (["upgrade", "head"], ["downgrade", first], ["upgrade", "head"], ["check"]):
        run(project, "alembic", *step, env=env)
    indexes = _psql(
        pg_server, pg_url, "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts'"
    )
    assert {"ix_contacts_name", "ix_contacts_phone_name", "uq_contacts_phone"} <= set(
        indexes.split()
    )


@pytest.mark.pg
def test_unique_over_duplicates_on_postgres_is_refused_and_the_migration_rechecks(
    project: Path, pg_url: str, pg_server
) -> None:
    env = db_env(pg_url)
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    run(project, "alembic", "upgrade", "head", env=env)
    _psql(pg_server, pg_url, ROWS)
    before = snapshot(project)
    refused = scaffold(
        "index", "add", "contacts", "name", "--unique", "--database-url", pg_url, project=project
    )
    assert refused.exit_code == 1, refused.output
    assert "name='Ann' (2 rows, ids 1…3)" in refused.output
    assert snapshot(project) == before
    # Checked against an empty database instead, the migration is written; run on the
    # live one, it stops before it creates anything: no invalid index is left behind.
    empty = "sqlite+aiosqlite:///./no-such.db"
    written = scaffold(
        "index", "add", "contacts", "name", "--unique", "--database-url", empty, project=project
    )
    assert written.exit_code == 0, written.output
    proc = subprocess.run(
        [str(BIN / "python"), "-m", "alembic", "upgrade", "head"],
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "cannot make contacts(name) unique" in proc.stderr and "'Ann', 2" in proc.stderr
    indexes = _psql(
        pg_server, pg_url, "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts'"
    )
    assert "uq_contacts_name" not in indexes
    version = _psql(pg_server, pg_url, "SELECT version_num FROM alembic_version")
    assert version == _down_revision(project, "contacts_add_unique_name")


def _squawk(project: Path, sql: str) -> None:
    """The offline SQL of the new migrations passes squawk with the project's config."""
    proc = subprocess.run(
        [str(BIN / "squawk"), "--config", str(project / ".squawk.toml")],
        input=sql,
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.pg
def test_check_on_postgres_is_added_not_valid_then_validated_and_refused_over_bad_rows(
    project: Path, pg_url: str, pg_server
) -> None:
    env = db_env(pg_url)
    shifts = ["resource", "shifts", "name:str=40", "hours:int", "max_hours:int"]
    assert scaffold(*shifts, project=project).exit_code == 0
    run(project, "alembic", "upgrade", "head", env=env)
    insert = "INSERT INTO shifts (name, hours, max_hours, created_at, updated_at) VALUES "
    _psql(pg_server, pg_url, insert + "('a', 3, 8, now(), now()), ('b', 9, 8, now(), now())")
    before = snapshot(project)
    rule = ["constraint", "add", "shifts", "--check", "hours<=max_hours", "--no-verify"]
    refused = scaffold(*rule, "--database-url", pg_url, project=project)
    assert refused.exit_code == 1, refused.output
    assert "id 2: hours='9', max_hours='8'" in refused.output
    assert snapshot(project) == before
    _psql(pg_server, pg_url, "UPDATE shifts SET hours = 8 WHERE id = 2")
    written = scaffold(*rule, "--database-url", pg_url, project=project)
    assert written.exit_code == 0, written.output
    head = _down_revision(project, "shifts_add_check_hours_le_max_hours")
    sql = run(project, "alembic", "upgrade", f"{head}:head", "--sql", env=env).stdout
    assert "CHECK (hours <= max_hours) NOT VALID" in sql
    # VALIDATE runs after the ADD's transaction committed (an autocommit step of its own).
    assert sql.index("NOT VALID") < sql.index("COMMIT") < sql.index("VALIDATE CONSTRAINT")
    for step in (["upgrade", "head"], ["downgrade", head], ["upgrade", "head"], ["check"]):
        run(project, "alembic", *step, env=env)
    valid = _psql(
        pg_server,
        pg_url,
        "SELECT convalidated FROM pg_constraint WHERE conname = 'ck_shifts_hours_le_max_hours'",
    )
    assert valid == "t"
