"""``scaffold field alter RESOURCE FIELD:SPEC`` planned without its proof (--no-verify) in
the smallest project: the plan of each attribute, widening against narrowing, the
refusals, and rows of a SQLite database that the new definition cannot keep."""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path

import pytest

from scaffold.project.manifest import Manifest
from scaffold.spec.field_diff import bound_token, field_diff
from scaffold.spec.fields import parse_field
from tests.support.helpers import scaffold, snapshot

ROOMS = ["resource", "rooms", "name:str=40", "floor:int:optional", "status:enum=open,closed"]


@pytest.fixture
def rooms(mini_project: Path) -> Path:
    assert scaffold(*ROOMS, project=mini_project).exit_code == 0
    return mini_project


def _alter(project: Path, *argv: str):
    return scaffold("field", "alter", "rooms", *argv, project=project)


def _migration(project: Path) -> str:
    return next((project / "migrations/versions").glob("*_rooms_alter_*.py")).read_text()


def _database(tmp_path: Path, rows: list[tuple[str, int | None, str]]) -> str:
    """A SQLite database with the rooms table's columns and ``rows`` (name, floor, status)."""
    db = tmp_path / "live.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT, floor INT, status TEXT)")
    con.executemany("INSERT INTO rooms (name, floor, status) VALUES (?, ?, ?)", rows)
    con.commit()
    con.close()
    return f"sqlite+aiosqlite:///{db}"


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("name:str=40", "name:str=80:optional", [("length", False), ("nullability", False)]),
        ("name:str=40", "name:str=20", [("length", True)]),
        ("name:str=40", "name:text", [("type", False)]),
        ("floor:int", "floor:str", [("type", True)]),
        ("floor:int:min=0", "floor:int:min=1:max=9", [("min", True), ("max", True)]),
        ("floor:int:min=1", "floor:int", [("min", False)]),
        ("s:enum=a,b", "s:enum=a,b,c", [("enum values", False)]),
        ("s:enum=a,b", "s:enum=a", [("enum values", True)]),
        ("name:str:unique", "name:str:index", [("unique", False), ("index", False)]),
        ("name:str", "name:str:default=x", [("default", False)]),
        ("name:str:default=x", "name:str", [("default", True)]),
        ("name:str", "name:str:pattern=^a", [("pattern", True)]),
    ],
)
def test_each_attribute_that_changes_is_classified_widening_or_narrowing(
    before: str, after: str, expected: list[tuple[str, bool]]
) -> None:
    diff = field_diff(parse_field(before), parse_field(after))
    assert [(a.name, a.narrowing) for a in diff] == expected


def test_an_older_version_keeps_the_rules_only_the_api_checks() -> None:
    # The column's length binds it; its own pattern and default stay its own.
    old = "code:str=40:pattern=^[a-z]+$:default=abc"
    assert (
        bound_token(old, "code:str=10:pattern=^[a-c]+$")
        == "code:str=10:pattern=^[a-z]+$:default=abc"
    )
    assert bound_token("n:int:min=0", "n:bigint:min=5") == "n:bigint:min=5"


def test_widening_alter_plans_each_attribute_and_needs_no_approval(rooms: Path) -> None:
    result = _alter(rooms, "name:str=80:optional", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["escalations"] == []
    database = out["plan"]["Database"]
    assert "rooms.name: length 40 → 80 (widening)" in database
    assert "rooms.name: nullability required → optional (widening)" in database
    migration = _migration(rooms)
    assert "type_=sa.String(length=80)" in migration and "nullable=True" in migration
    # The downgrade makes it NOT NULL again only after rows written without it get a value.
    assert '.where(sa.column("name", sa.String(length=40)).is_(None))' in migration
    schemas = (rooms / "app/schemas/rooms.py").read_text()
    assert "max_length=80" in schemas and "max_length=40" not in schemas
    assert not (rooms / "app/api/v2").exists()


def test_narrowing_is_escalated_then_served_at_the_next_api_version(rooms: Path) -> None:
    before = snapshot(rooms)
    refused = _alter(rooms, "name:str=20", "--json")
    assert refused.exit_code == 3, refused.output
    reasons = [e["reason"] for e in json.loads(refused.stdout)["escalations"]]
    assert reasons == [
        "breaking: rooms.name length 40 → 20: longer values are refused and stored ones may not fit"
    ]
    assert snapshot(rooms) == before
    approved = _alter(rooms, "name:str=20", "--approve")
    assert approved.exit_code == 0, approved.output
    entry = Manifest.load(rooms).resources["rooms"]
    assert entry["api_version"] == 2
    assert "name:str=20" in entry["args"]["fields"]
    # v1 keeps its contract but the column's length binds it too (it serves the same table).
    assert "name:str=20" in entry["versions"][0]["args"]["fields"]
    assert (rooms / "app/api/v2/rooms.py").is_file()
    assert 'WHERE LENGTH("name") > 20' in _migration(rooms)
    report = approved.output.split("Report: ", 1)[1].strip()
    assert "the older ones take name's new length too" in (rooms / report).read_text()


def test_no_version_narrows_the_current_contract_in_place(rooms: Path) -> None:
    result = _alter(rooms, "status:enum=open", "--approve", "--no-version")
    assert result.exit_code == 0, result.output
    assert not (rooms / "app/api/v2").exists()
    migration = _migration(rooms)
    assert 'batch_op.drop_constraint(op.f("ck_rooms_status_enum"), type_="check")' in migration
    assert 'sa.column("status").in_(["open"])' in migration
    assert 'WHERE "status" NOT IN \'\n' in migration and "\"('open') ORDER BY" in migration


def test_an_added_enum_value_is_safe_and_widens_the_column(rooms: Path) -> None:
    result = _alter(rooms, "status:enum=open,closed,under_repair", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["escalations"] == []
    migration = _migration(rooms)
    assert "type_=sa.String(length=12)" in migration
    assert 'sa.column("status").in_(["open", "closed", "under_repair"])' in migration


def test_a_type_change_casts_with_using_on_postgresql(rooms: Path) -> None:
    # int → bigint loses nothing, but PostgreSQL rewrites the table under its strongest
    # lock to do it: escalated as risky, with no new API version.
    risky = _alter(rooms, "floor:bigint:optional", "--json")
    assert risky.exit_code == 3, risky.output
    assert "rewrites rooms on PostgreSQL under an ACCESS EXCLUSIVE lock" in risky.output
    assert _alter(rooms, "floor:bigint:optional", "--approve").exit_code == 0
    assert not (rooms / "app/api/v2").exists()
    migration = _migration(rooms)
    assert "type_=sa.BigInteger()" in migration
    assert "postgresql_using='\"floor\"::BIGINT'" in migration
    assert "postgresql_using='\"floor\"::INTEGER'" in migration  # the downgrade's


def test_index_and_unique_are_built_as_index_add_builds_them(rooms: Path) -> None:
    assert _alter(rooms, "name:str=40:unique", "--approve").exit_code == 0
    migration = _migration(rooms)
    assert "UNIQUE USING INDEX" in migration and "postgresql_concurrently=True" in migration
    assert "cannot make rooms(name) unique" in migration


def test_an_unchanged_definition_answers_nothing_to_change_and_writes_nothing(
    rooms: Path,
) -> None:
    before = snapshot(rooms)
    result = _alter(rooms, "floor:int:optional")
    assert result.exit_code == 0, result.output
    assert "nothing to change" in result.output
    assert snapshot(rooms) == before


@pytest.mark.parametrize(
    ("argv", "token"),
    [
        (["nope:int"], "'nope'"),
        (["nope:bogus"], "'nope'"),
        (["floor:int:nullable"], "'nullable'"),
        (["floor:date:optional"], "floor:date:optional"),
        (["name:str=40:sensitive"], "name:str=40:sensitive"),
        (["floor:int:optional", "--backfill", "1"], "--backfill"),
        (["floor:int", "--backfill", "high"], "'high'"),
        (["floor:int", "--backfill", "1.5"], "'1.5'"),
    ],
)
def test_bad_input_exits_2_naming_the_token_with_an_example_that_runs(
    rooms: Path, argv: list[str], token: str
) -> None:
    before = snapshot(rooms)
    result = _alter(rooms, *argv)
    assert result.exit_code == 2, result.output
    assert token in result.output
    assert snapshot(rooms) == before
    example = shlex.split(result.output.split("Example: ", 1)[1].strip().splitlines()[0])
    again = scaffold(*example[1:], project=rooms)
    assert again.exit_code in (0, 3), again.output


def test_a_many_to_many_link_is_no_column_to_alter(mini_project: Path) -> None:
    assert scaffold("resource", "tags", "label:str=40", project=mini_project).exit_code == 0
    posts = ["resource", "posts", "title:str", "tags:many=tags"]
    assert scaffold(*posts, project=mini_project).exit_code == 0
    result = scaffold("field", "alter", "posts", "tags:many=tags", project=mini_project)
    assert result.exit_code == 2 and "posts.tags is a many-to-many link" in result.output
    assert "Example: scaffold field remove posts tags --approve" in result.output


def test_resource_run_again_with_another_type_points_at_field_alter(rooms: Path) -> None:
    result = scaffold(*ROOMS[:3], "floor:bigint:optional", ROOMS[4], project=rooms)
    assert result.exit_code == 2, result.output
    assert "Example: scaffold field alter rooms floor:bigint:optional" in result.output
    again = _alter(rooms, "floor:bigint:optional", "--approve")
    assert again.exit_code == 0, again.output


def test_not_null_over_null_rows_names_them_and_writes_nothing(rooms: Path, tmp_path: Path) -> None:
    url = _database(tmp_path, [("a", 1, "open"), ("b", None, "open"), ("c", None, "closed")])
    before = snapshot(rooms)
    refused = _alter(rooms, "floor:int", "--approve", "--database-url", url)
    assert refused.exit_code == 1, refused.output
    assert "hold NULL" in refused.output and "id 2: floor=None; id 3: floor=None" in refused.output
    assert "Nothing was written" in refused.output
    assert snapshot(rooms) == before
    filled = _alter(rooms, "floor:int", "--backfill", "0", "--approve", "--database-url", url)
    assert filled.exit_code == 0, filled.output
    migration = _migration(rooms)
    assert '.values({"floor": 0})' in migration and "nullable=False" in migration


def test_a_shorter_length_over_longer_rows_names_them(rooms: Path, tmp_path: Path) -> None:
    url = _database(tmp_path, [("short", 1, "open"), ("much too long", 2, "open")])
    refused = _alter(rooms, "name:str=5", "--approve", "--database-url", url)
    assert refused.exit_code == 1, refused.output
    assert "longer than 5: id 2: name='much too long'" in refused.output
    fits = _alter(rooms, "name:str=13", "--approve", "--database-url", url)
    assert fits.exit_code == 0, fits.output
    assert "all fit 'name:str=13'" in fits.output


def test_unique_on_an_owned_resource_is_checked_per_owner(project: Path, tmp_path: Path) -> None:
    assert scaffold("auth", "--approve", project=project).exit_code == 0
    assert scaffold("resource", "notes", "title:str=40", "--owned", project=project).exit_code == 0
    db = tmp_path / "notes.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, owner_id INT, title TEXT)")
    rows = [(1, "plan"), (2, "plan"), (2, "todo"), (2, "todo")]  # one owner's twice
    con.executemany("INSERT INTO notes (owner_id, title) VALUES (?, ?)", rows)
    con.commit()
    con.close()
    url = f"sqlite+aiosqlite:///{db}"
    alter = ["field", "alter", "notes", "title:str=40:unique", "--database-url", url]
    refused = scaffold(*alter, "--approve", project=project)
    assert refused.exit_code == 1, refused.output
    assert "cannot make notes(owner_id, title) unique" in refused.output
    assert "owner_id='2', title='todo' (2 rows, ids 3…4)" in refused.output
    assert "plan" not in refused.output.split("unique", 1)[1]  # two owners' "plan" is fine
    escalated = scaffold(*alter[:4], "--json", project=project)
    reasons = [e["reason"] for e in json.loads(escalated.stdout)["escalations"]]
    assert reasons == [
        "breaking: notes.title unique no → yes: a value another row has is refused (409)"
    ]
