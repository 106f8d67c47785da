"""Safe DDL on tables that hold rows (issue 32, item 3): the migrations of `field add`
(a foreign key, a required column), `index add`, `constraint add --check` and `field
alter` (to NOT NULL) run on PostgreSQL 15 without blocking steps (NOT VALID then
VALIDATE in a later transaction, CONCURRENTLY, NOT NULL through a validated CHECK),
pass squawk file by file through the project's own `make squawk`, and round trip with
rows in the table; on SQLite the same files keep their batch mode."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.support.helpers import BIN, db_env, run, scaffold

pytestmark = pytest.mark.e2e

CHANGES = [
    ["resource", "rooms", "name:str=40"],
    ["resource", "bookings", "title:str=40", "note:str=80:optional", "hours:int"],
    ["field", "add", "bookings", "room_id:ref=rooms:optional", "seats:int:default=1"],
    ["index", "add", "bookings", "title"],
    ["constraint", "add", "bookings", "--check", "hours<=24"],
    ["field", "alter", "bookings", "note:str=80", "--backfill", "n/a", "--approve"],
    ["field", "rename", "bookings", "title", "name", "--approve", "--no-version"],
    ["field", "contract", "bookings", "title"],
]
ROOMS = "INSERT INTO rooms (name, created_at, updated_at) VALUES ('a', {now}, {now})"
BOOKINGS = (
    "INSERT INTO bookings (title, note, hours, created_at, updated_at) VALUES "
    "('x', NULL, 2, {now}, {now}), ('y', 'kept', 8, {now}, {now})"
)


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory, pristine_project: Path) -> Path:
    """A project whose bookings table was changed five ways after it was created, the
    last a rename and its contract step."""
    project = tmp_path_factory.mktemp("safe-ddl") / "myapp"
    shutil.copytree(pristine_project, project)
    for argv in CHANGES:
        result = scaffold(*argv, "--no-verify", project=project)
        assert result.exit_code == 0, (argv, result.output)
    return project


ROUND_TRIP = """
import sys
from alembic import command
from alembic.config import Config

config, created = Config("alembic.ini"), sys.argv[1]
command.upgrade(config, "head")
command.downgrade(config, created)
command.upgrade(config, "head")
command.check(config)
"""


def _revision(project: Path, slug: str) -> str:
    return next((project / "migrations/versions").glob(f"*_{slug}.py")).name.split("_")[0]


def _make_squawk(project: Path) -> subprocess.CompletedProcess[str]:
    """The project's own `make squawk`, with this venv's tools (its stamp up to date)."""
    (project / ".lint-stamp").touch()
    return subprocess.run(
        ["make", "-s", "squawk", f"VENV={BIN.parent}", "STAMP=.lint-stamp"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def test_each_migration_passes_squawk_on_its_own_through_make_squawk(changed: Path) -> None:
    proc = _make_squawk(changed)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = sorted((changed / ".squawk-sql").glob("*.sql"))
    assert len(files) == len(CHANGES)
    add = (
        changed / ".squawk-sql" / f"{_revision(changed, 'bookings_add_room_id*')}.sql"
    ).read_text()
    # The foreign key: NOT VALID, validated after a COMMIT; its index built concurrently.
    fk = add.index("REFERENCES rooms (id) NOT VALID")
    assert fk < add.index("COMMIT", fk) < add.index('VALIDATE CONSTRAINT "fk_bookings_room_id')
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_bookings_room_id" in add
    # The required column: a NOT VALID check, validated, SET NOT NULL, the check dropped.
    steps = [
        "CHECK (seats IS NOT NULL) NOT VALID",
        "COMMIT",
        'VALIDATE CONSTRAINT "ck_bookings_seats_not_null"',
        "ALTER COLUMN seats SET NOT NULL",
        'DROP CONSTRAINT IF EXISTS "ck_bookings_seats_not_null"',
    ]
    at = [add.index(steps[0])]
    for step in steps[1:]:
        at.append(add.index(step, at[-1]))  # each after the one before
    # A squawk finding fails the target: a plain CREATE INDEX on a live table.
    bad = next((changed / "migrations/versions").glob("*_bookings_add_index_title.py"))
    original = bad.read_text()
    bad.write_text(original.replace("postgresql_concurrently=True,", ""))
    try:
        proc = _make_squawk(changed)
    finally:
        bad.write_text(original)
    assert proc.returncode != 0 and "require-concurrent-index-creation" in proc.stdout


def test_scaffold_check_finds_no_unsafe_ddl_in_the_written_migrations(changed: Path) -> None:
    import ast

    from scaffold.checks._unsafe_ddl import unsafe_ddl

    for path in (changed / "migrations/versions").glob("*.py"):
        assert unsafe_ddl(ast.parse(path.read_text()), path.name) == [], path.name


@pytest.mark.pg
def test_changes_run_on_postgres_with_rows_validated_renamed_in_sync_and_round_trip(
    changed: Path, pg_url: str, pg_server
) -> None:
    env = db_env(pg_url)
    dbname = pg_url.rsplit("/", 1)[-1]

    def sql(statement: str) -> str:
        return pg_server.psql(statement, dbname=dbname)

    created = _revision(changed, "create_bookings")
    run(changed, "alembic", "upgrade", created, env=env)
    sql(ROOMS.format(now="now()"))
    sql(BOOKINGS.format(now="now()"))
    # Up to the rename's expand step: the previous release writes title, the new one name.
    run(changed, "alembic", "upgrade", _revision(changed, "bookings_rename_title*"), env=env)
    insert = "INSERT INTO bookings ({}, note, hours, seats, created_at, updated_at) VALUES "
    sql(insert.format("title") + "('old', 'n', 1, 1, now(), now())")
    sql(insert.format("name") + "('new', 'n', 1, 1, now(), now())")
    sql("UPDATE bookings SET title = 'x2' WHERE title = 'x'")
    sql("UPDATE bookings SET name = 'y2' WHERE name = 'y'")
    assert sql("SELECT title, name FROM bookings ORDER BY id").split() == [
        "x2|x2",
        "y2|y2",
        "old|old",
        "new|new",
    ]
    # alembic check holds meanwhile (the contract step not written yet): env.py leaves the
    # old column alone, by its comment.
    assert "scaffold: renamed to name" in sql(
        "SELECT col_description('bookings'::regclass, attnum) FROM pg_attribute "
        "WHERE attrelid = 'bookings'::regclass AND attname = 'title'"
    )
    contract = next((changed / "migrations/versions").glob("*_bookings_contract_title.py"))
    aside = contract.rename(changed / "contract.py.aside")
    try:
        run(changed, "alembic", "check", env=env)
    finally:
        aside.rename(contract)
    # The contract step, then all of it down and up again with the rows, and alembic check.
    run(changed, "python", "-c", ROUND_TRIP, created, env=env)  # one process: faster
    constraints = sql(
        "SELECT conname, convalidated FROM pg_constraint "
        "WHERE conrelid = 'bookings'::regclass AND contype IN ('f', 'c') ORDER BY conname"
    )
    assert constraints.split() == ["ck_bookings_hours_le_24|t", "fk_bookings_room_id_rooms|t"]
    nullable = sql(
        "SELECT column_name, is_nullable FROM information_schema.columns "
        "WHERE table_name = 'bookings' AND column_name IN ('name', 'note', 'seats') ORDER BY 1"
    )
    assert nullable.split() == ["name|NO", "note|NO", "seats|NO"]
    rows = sql("SELECT name, note, seats FROM bookings ORDER BY id")
    assert rows.split() == ["x2|n/a|1", "y2|kept|1", "old|n|1", "new|n|1"]
    indexes = sql("SELECT indexname FROM pg_indexes WHERE tablename = 'bookings'").split()
    assert {"ix_bookings_room_id", "ix_bookings_name"} <= set(indexes)
    assert "ix_bookings_title" not in indexes  # gone with its column, contracted
    columns = sql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'bookings'"
    )
    assert "title" not in columns.split()
    assert sql("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal") == "0"


def test_the_same_migrations_keep_batch_mode_on_sqlite_with_rows(changed: Path) -> None:
    db = changed / "safe.db"
    env = db_env(f"sqlite+aiosqlite:///{db}")
    created = _revision(changed, "create_bookings")
    run(changed, "alembic", "upgrade", created, env=env)
    with sqlite3.connect(db) as con:
        con.execute(ROOMS.format(now="CURRENT_TIMESTAMP"))
        con.execute(BOOKINGS.format(now="CURRENT_TIMESTAMP"))
    run(changed, "python", "-c", ROUND_TRIP, created, env=env)  # one process: faster
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT name, note, seats FROM bookings ORDER BY id").fetchall()
        schema = con.execute("SELECT sql FROM sqlite_master WHERE name = 'bookings'").fetchone()
    assert rows == [("x", "n/a", 1), ("y", "kept", 1)]
    assert "ck_bookings_hours_le_24" in schema[0] and "fk_bookings_room_id_rooms" in schema[0]
    assert "not_null" not in schema[0]
