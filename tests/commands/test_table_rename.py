"""Renaming a generated table: ``scaffold rename`` and "rename table rooms to venues".

One project (sign-in on, as ``scaffold new`` makes it) has ``rooms`` (a unique name, a
range check, an enum, an index) and ``bookings`` referencing it. The rename is escalated;
approved, one migration renames the table, its indexes and constraints and the bookings'
foreign key, every layer moves to ``venues``, and ``/api/v1/rooms`` keeps serving its
contract on the renamed table while ``/api/v2/venues`` serves the new one. The generated
suite runs on SQLite and PostgreSQL, and rows written before the rename are there after
it, under both paths.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support import pg_fixture
from tests.support.copier_update import commit_all, git
from tests.support.helpers import db_env, run, scaffold, tree
from tests.support.projects import verify_generated_project

ROOMS = [
    "resource",
    "rooms",
    "name:str=80:unique",
    "capacity:int:min=1",
    "kind:enum=small,large:default=small",
    "floor:int:index",
    "annex_of_id:ref=rooms:optional",  # a reference to its own table
]
BOOKINGS = ["resource", "bookings", "room_id:ref=rooms", "starts_at:datetime"]


def _project(root: Path) -> Path:
    result = scaffold("new", str(root), "--defaults")
    assert result.exit_code == 0, result.output
    git(root, "init", "-q")
    commit_all(root, "new project")
    for argv in (ROOMS, BOOKINGS):
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, result.output
    commit_all(root, "resources")
    return root


@pytest.fixture(scope="module")
def before_rename(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("rename") / "halls")


@pytest.fixture(scope="module")
def renamed(before_rename: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("renamed") / "halls"
    import shutil

    shutil.copytree(before_rename, root)
    result = scaffold("rename", "rooms", "venues", "--approve", project=root)
    assert result.exit_code == 0, result.output
    return root


def test_a_table_rename_is_escalated_and_writes_nothing_without_approve(
    before_rename: Path,
) -> None:
    before = tree(before_rename)
    for argv in (
        ["rename", "rooms", "venues"],
        ["mission", "rename table rooms to venues"],
        ["mission", "rename the rooms table to venues"],
        ["mission", "rename rooms to venues"],
    ):
        result = scaffold(*argv, project=before_rename)
        assert result.exit_code == 3, result.output
        assert "renames table rooms to venues" in result.output
        assert "production migration" in result.output
    assert tree(before_rename) == before


def test_a_table_rename_moves_every_layer_and_keeps_the_old_paths_in_v1(renamed: Path) -> None:
    for rel in (
        "app/models/rooms.py",
        "app/services/rooms.py",
        "app/schemas/rooms.py",
        "app/api/v1/rooms.py",
        "tests/test_rooms.py",
        "tests/factories/rooms.py",
    ):
        assert not (renamed / rel).exists(), rel
    model = (renamed / "app/models/venues.py").read_text()
    assert 'class Venue(Base):\n    __tablename__ = "venues"' in model
    assert 'ITEMS = "/api/v1/rooms"' in (renamed / "tests/test_venues.py").read_text()
    assert 'ITEMS = "/api/v2/venues"' in (renamed / "tests/test_venues_v2.py").read_text()
    v1 = (renamed / "app/api/v1/venues.py").read_text()
    assert 'operation_id="rooms-list"' in v1, "v1's clients keep their operation ids"
    bookings = (renamed / "app/models/bookings.py").read_text()
    assert 'ForeignKey("venues.id")' in bookings and "room_id: Mapped[int]" in bookings
    assert 'room: Mapped["Venue"] = relationship(' in bookings
    migration = next((renamed / "migrations/versions").glob("*_rename_rooms_to_venues.py"))
    text = migration.read_text()
    assert 'op.rename_table("rooms", "venues")' in text
    for old, new in (
        ("uq_rooms_name", "uq_venues_name"),
        ("ck_rooms_capacity_range", "ck_venues_capacity_range"),
        ("ix_rooms_floor", "ix_venues_floor"),
        ("fk_bookings_room_id_rooms", "fk_bookings_room_id_venues"),
    ):
        assert f'"{old}", "{new}"' in text or f'("{old}", "{new}")' in text, old
    manifest = (renamed / ".scaffold/manifest.toml").read_text()
    assert "[resources.venues]" in manifest and "[resources.rooms]" not in manifest


@pytest.mark.e2e
def test_the_renamed_project_passes_its_suite_lint_types_and_round_trip(
    renamed: Path, tmp_path: Path
) -> None:
    verify_generated_project(
        renamed, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"), min_tests=80
    )
    # A second identical run changes nothing: the rename is done.
    again = scaffold("resource", *_current_arguments(renamed, "venues"), project=renamed)
    assert again.exit_code == 0, again.output
    assert {line.split()[0] for line in again.output.splitlines() if "  " in line[:12]} == {
        "identical"
    }, again.output


def _current_arguments(root: Path, table: str) -> list[str]:
    """What ``scaffold resource`` takes to make ``table`` as the manifest keeps it."""
    import tomllib

    from scaffold.spec.args import ResourceArgs

    entry = tomllib.loads((root / ".scaffold/manifest.toml").read_text())["resources"][table]
    return ResourceArgs.from_dict(entry["args"]).argv()[1:]


@pytest.mark.e2e
@pytest.mark.pg
def test_rows_survive_the_rename_on_postgresql_and_the_names_follow(
    renamed: Path, pg_server: pg_fixture.PgServer
) -> None:
    url = pg_fixture.make_database(pg_server)
    dbname = url.rsplit("/", 1)[1]
    try:
        env = db_env(url)
        migration = next((renamed / "migrations/versions").glob("*_rename_rooms_to_venues.py"))
        below = re.search(r'^down_revision = "(\w+)"', migration.read_text(), re.M)
        assert below is not None
        run(renamed, "alembic", "upgrade", below.group(1), env=env)
        pg_server.psql(
            "INSERT INTO rooms (name, capacity, kind, floor) VALUES ('North', 4, 'small', 2);"
            "INSERT INTO bookings (room_id, starts_at) SELECT id, now() FROM rooms;",
            dbname=dbname,
        )
        run(renamed, "alembic", "upgrade", "head", env=env)
        run(renamed, "alembic", "check", env=env)
        names = pg_server.psql(
            "SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint "
            "WHERE conrelid IN ('venues'::regclass, 'bookings'::regclass);"
            "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
            "WHERE tablename = 'venues';"
            "SELECT count(*) FROM bookings JOIN venues ON venues.id = bookings.room_id;",
            dbname=dbname,
        )
        assert "rooms" not in names, names
        for name in ("pk_venues", "uq_venues_name", "ck_venues_capacity_range", "ix_venues_floor"):
            assert name in names, names
        assert "fk_bookings_room_id_venues" in names
        assert "fk_venues_annex_of_id_venues" in names, "its own reference follows too"
        assert names.strip().splitlines()[-1].strip() == "1", "the booking still has its room"
        run(renamed, "alembic", "downgrade", below.group(1), env=env)
        back = pg_server.psql(
            "SELECT count(*) FROM rooms; SELECT conname FROM pg_constraint "
            "WHERE conname = 'uq_rooms_name';",
            dbname=dbname,
        )
        assert "uq_rooms_name" in back
        run(renamed, "alembic", "upgrade", "head", env=env)
        result = run(renamed, "pytest", "-q", "-p", "no:cacheprovider", env=env, timeout=900)
        assert "tests ran on: postgresql" in result.stdout
    finally:
        pg_fixture.drop_database(pg_server, url)


def test_what_a_table_rename_cannot_do_in_one_step_is_refused(renamed: Path) -> None:
    before = tree(renamed)
    for argv, said in (
        (["rename", "venues", "bookings", "--approve"], "already has a 'bookings' table"),
        (["rename", "nowhere", "venues", "--approve"], "not a resource scaffold generated"),
        (["rename", "users", "members", "--approve"], "users table of sign-in"),
        (
            ["rename", "venues", "Bad Name", "--approve"],
            "scaffold rename venues bad_name --approve",
        ),
    ):
        result = scaffold(*argv, project=renamed)
        assert result.exit_code == 2, result.output
        assert said in result.output
    assert tree(renamed) == before


def test_the_rename_reports_json_with_the_migration_and_the_new_version(
    before_rename: Path,
) -> None:
    result = scaffold(
        "rename", "rooms", "venues", "--approve", "--dry-run", "--json", project=before_rename
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    statuses = {f["path"]: f["status"] for f in data["files"]}
    assert statuses["app/models/rooms.py"] == "remove"
    assert statuses["app/api/v2/venues.py"] == "create"
    assert any(p.endswith("_rename_rooms_to_venues.py") for p in statuses)
    handoff = " ".join(data["report"]["handoff"]["ARCHITECT"])
    assert "/api/v1/rooms keeps serving" in handoff


def test_long_table_names_rename_into_a_lint_clean_migration(
    before_rename: Path, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "halls"
    shutil.copytree(before_rename, root)
    long = "conference_centre_north_wing_room_reservations"
    result = scaffold("rename", "bookings", long, "--approve", project=root)
    assert result.exit_code == 0, result.output  # its proof ran ruff on the migration
    migration = next((root / "migrations/versions").glob("*_rename_bookings_to_*.py"))
    assert f'"fk_{long}_room_id_rooms"' in migration.read_text()
    run(root, "ruff", "check", str(migration.relative_to(root)))
    # A name English has no singular for says so, with the rename that works.
    odd = scaffold("rename", "rooms", "north_wing", "--approve", project=root)
    assert odd.exit_code == 2, odd.output
    assert "scaffold rename rooms north_wing --singular north_wing_item" in odd.output
