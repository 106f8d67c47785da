"""Field changes on live resources, on SQLite and PostgreSQL, with API versioning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.helpers import db_env, run, scaffold, snapshot
from tests.support.projects import verify_generated_project

INSERT_ROWS = """
import asyncio
from sqlalchemy import text
from app.core.config import get_settings
from app.db.session import database

engine = database.start(get_settings())

async def main():
    async with engine.begin() as conn:
        for i in range(5):
            await conn.execute(text(
                "INSERT INTO rooms (name, created_at, updated_at) "
                "VALUES (:n, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ), {"n": f"room {i}"})
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT count(*) FROM rooms"))).scalar_one()
    await engine.dispose()
    print(rows)

asyncio.run(main())
"""

READ_CAPACITY = """
import asyncio
from sqlalchemy import text
from app.core.config import get_settings
from app.db.session import database

engine = database.start(get_settings())

async def main():
    async with engine.connect() as conn:
        values = (await conn.execute(text("SELECT DISTINCT capacity FROM rooms"))).scalars().all()
    await engine.dispose()
    print(values)

asyncio.run(main())
"""


def python_in(project: Path, code: str, url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.e2e
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def test_required_field_added_to_a_table_with_rows_migrates(
    project: Path, tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    url = (
        request.getfixturevalue("pg_url")
        if backend == "postgresql"
        else f"sqlite+aiosqlite:///{tmp_path}/rows.db"
    )
    env = db_env(url)
    assert scaffold("resource", "rooms", "name:str=40", project=project).exit_code == 0
    run(project, "alembic", "upgrade", "head", env=env)
    assert python_in(project, INSERT_ROWS, url) == "5"
    refused = scaffold("field", "add", "rooms", "capacity:int:min=0", "--json", project=project)
    assert refused.exit_code == 3
    assert "required on an existing table" in json.loads(refused.stdout)["escalations"][0]["reason"]
    result = scaffold("field", "add", "rooms", "capacity:int:min=0", "--approve", project=project)
    assert result.exit_code == 0, result.output
    run(project, "alembic", "upgrade", "head", env=env)
    assert python_in(project, READ_CAPACITY, url) in ("[0]", "[1]")
    run(project, "alembic", "downgrade", "-1", env=env)
    run(project, "alembic", "upgrade", "head", env=env)
    run(project, "alembic", "check", env=env)
    run(project, "alembic", "downgrade", "base", env=env)
    verify_generated_project(project, env=env, min_tests=10)


@pytest.mark.e2e
def test_approved_rename_keeps_v1_and_serves_the_new_name_at_v2(
    project: Path, tmp_path: Path
) -> None:
    contacts = ["resource", "contacts", "name:str=80", "phone:str=20", "email:unique"]
    assert scaffold(*contacts, project=project).exit_code == 0
    refused = scaffold("field", "rename", "contacts", "phone", "phone_number", project=project)
    assert refused.exit_code == 3
    result = scaffold(
        "field", "rename", "contacts", "phone", "phone_number", "--approve", project=project
    )
    assert result.exit_code == 0, result.output
    v1 = (project / "app/schemas/contacts.py").read_text()
    v2 = (project / "app/schemas/v2/contacts.py").read_text()
    expected = (
        'phone: NonBlankStr = Field(strict=True, max_length=20, serialization_alias="phone_number")'
    )
    assert expected in v1
    assert "phone_number: NonBlankStr" in v2 and "phone:" not in v2
    assert (project / "app/api/v2/contacts.py").is_file()
    assert (project / "tests/test_contacts_v2.py").is_file()
    # Both versions' generated tests run: v1 still speaks `phone`, v2 `phone_number`.
    verify_generated_project(
        project, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/v.db"), min_tests=20
    )


def test_no_version_changes_the_contract_in_place(mini_project: Path) -> None:
    scaffold("resource", "contacts", "name:str=80", "phone:str=20", project=mini_project)
    result = scaffold(
        "field",
        "rename",
        "contacts",
        "phone",
        "mobile",
        "--approve",
        "--no-version",
        project=mini_project,
    )
    assert result.exit_code == 0, result.output
    assert not (mini_project / "app/api/v2").exists()
    assert "mobile: NonBlankStr" in (mini_project / "app/schemas/contacts.py").read_text()


def test_a_required_reference_on_a_live_table_is_refused_with_the_optional_one_that_works(
    mini_project: Path,
) -> None:
    scaffold("resource", "rooms", "name:str=80", project=mini_project)
    scaffold("resource", "bookings", "title:str=80", project=mini_project)
    refused = scaffold("field", "add", "bookings", "room_id:ref=rooms", project=mini_project)
    assert refused.exit_code == 2, refused.output
    assert "scaffold field alter bookings room_id:ref=rooms`" in refused.output
    example = refused.output.split("Example: ", 1)[1].split()[0]
    assert example == "room_id:ref=rooms:optional"
    added = scaffold("field", "add", "bookings", example, project=mini_project)
    assert added.exit_code == 0, added.output


@pytest.mark.parametrize(("before", "after"), [("optional", "required"), ("required", "optional")])
def test_making_a_field_optional_or_required_alters_its_nullability(
    mini_project: Path, before: str, after: str
) -> None:
    notes = {"optional": "notes:text:optional", "required": "notes:text"}
    assert (
        scaffold(
            "resource", "bookings", "name:str=80", notes[before], project=mini_project
        ).exit_code
        == 0
    )
    result = scaffold(
        "resource", "bookings", "name:str=80", notes[after], "--approve", project=mini_project
    )
    assert result.exit_code == 0, result.output
    migration = next(
        (mini_project / "migrations/versions").glob("*_bookings_notes*.py")
    ).read_text()
    assert f"existing_type=sa.Text(), nullable={after == 'optional'}" in migration, migration
    if after == "required":  # rows without a value get one first
        assert '.where(sa.column("notes", sa.Text()).is_(None))' in migration, migration


@pytest.mark.e2e
def test_a_live_resource_gets_a_new_api_version_with_its_contract_and_keeps_the_old_one(
    project: Path, tmp_path: Path
) -> None:
    rooms = ["resource", "rooms", "name:str=80", "floor:int:optional"]
    assert scaffold(*rooms, project=project).exit_code == 0
    v1_files = {
        p: (project / p).read_text() for p in ("app/api/v1/rooms.py", "app/schemas/rooms.py")
    }
    migrations = sorted((project / "migrations/versions").glob("*.py"))
    result = scaffold(*rooms, "--api-version", "2", project=project)
    assert result.exit_code == 0, result.output
    assert {p: (project / p).read_text() for p in v1_files} == v1_files, "v1 is unchanged"
    assert sorted((project / "migrations/versions").glob("*.py")) == migrations
    assert (project / "app/api/v2/rooms.py").is_file()
    assert (project / "tests/test_rooms_v2.py").is_file()
    again = scaffold(*rooms, "--api-version", "2", project=project)
    assert {line.split()[0] for line in again.output.splitlines() if line.strip()} <= {
        "identical",
        "Report:",
    }, again.output
    older = scaffold(*rooms, "--api-version", "1", "--project", str(project))
    assert older.exit_code == 0, "v1 is the resource as created: nothing to do"

    mission = scaffold("mission", "version the rooms API", project=project)
    assert mission.exit_code == 0, mission.output
    assert (project / "app/api/v3/rooms.py").is_file()
    refused = scaffold(*rooms, "--api-version", "2", project=project)
    assert refused.exit_code == 2 and "older version" in refused.output
    # Every served version's generated tests run against the same table.
    verify_generated_project(
        project, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/v.db"), min_tests=40
    )


def test_a_unique_field_added_to_an_owned_resource_is_unique_per_owner(project: Path) -> None:
    """The migration adds the rule the model has, (owner_id, slug), so the proof's
    `alembic check` finds no drift and another user's slug is never taken."""
    assert scaffold("auth", "--approve", project=project).exit_code == 0
    assert scaffold("resource", "notes", "body:text", "--owned", project=project).exit_code == 0
    result = scaffold(
        "field", "add", "notes", "slug:str=40:unique:optional", "--verify", project=project
    )
    assert result.exit_code == 0, result.output
    migration = next((project / "migrations/versions").glob("*_notes_add_slug*.py")).read_text()
    assert 'create_unique_constraint(op.f("uq_notes_owner_id_slug"), ["owner_id", "slug"])' in (
        migration
    )
    assert 'drop_constraint(op.f("uq_notes_owner_id_slug"), type_="unique")' in migration
    model = (project / "app/models/notes.py").read_text()
    assert 'UniqueConstraint("owner_id", "slug")' in model
    # Like any unique column, it is not renamed in one step (the rule names it).
    before = (project / "app/models/notes.py").read_text()
    renamed = scaffold("field", "rename", "notes", "slug", "handle", "--approve", project=project)
    assert renamed.exit_code == 2, renamed.output
    assert "Renaming 'slug' (str, unique) is not supported in one step" in renamed.output
    assert (project / "app/models/notes.py").read_text() == before


def test_rename_names_the_contract_step_and_field_contract_writes_one_migration(
    mini_project: Path,
) -> None:
    scaffold("resource", "contacts", "name:str=80", "phone:str=20", project=mini_project)
    rename = ["field", "rename", "contacts", "phone", "mobile", "--approve", "--no-version"]
    renamed = scaffold(*rename, project=mini_project)
    assert renamed.exit_code == 0, renamed.output
    (report,) = (mini_project / ".scaffold/reports").glob("*rename-phone*.md")
    handoff = report.read_text().split("### Handoff")[1]
    assert "contract: scaffold field contract contacts phone" in handoff
    versions = mini_project / "migrations/versions"
    expand = next(versions.glob("*_contacts_rename_phone_to_mobile.py")).read_text()
    assert "CREATE TRIGGER" in expand and 'op.add_column(\n            "contacts"' in expand
    assert 'new_column_name="mobile"' in expand  # SQLite's branch: a batch rename
    # While the rename is not contracted, the new column is neither renamed nor removed.
    again = scaffold(
        "field", "rename", "contacts", "mobile", "cell", "--approve", project=mini_project
    )
    assert again.exit_code == 2 and "scaffold field contract contacts phone" in again.output
    # ...nor altered: the trigger copies values between two columns that must stay alike.
    before = snapshot(mini_project)
    altered = scaffold("field", "alter", "contacts", "mobile:text", project=mini_project)
    assert altered.exit_code == 2 and "scaffold field contract contacts phone" in altered.output
    assert snapshot(mini_project) == before
    contracted = scaffold("field", "contract", "contacts", "phone", project=mini_project)
    assert contracted.exit_code == 0, contracted.output
    contract = next(versions.glob("*_contacts_contract_phone.py")).read_text()
    assert 'DROP COLUMN IF EXISTS "phone"' in contract and "DROP TRIGGER" in contract
    # Contracted: nothing is left to contract, and the column can be renamed again.
    twice = scaffold("field", "contract", "contacts", "phone", project=mini_project)
    assert twice.exit_code == 2 and "pending: none" in twice.output
    assert scaffold(*rename[:3], "mobile", "cell", "--approve", project=mini_project).exit_code == 0


def test_field_contract_of_an_unknown_column_names_the_pending_one_and_writes_nothing(
    mini_project: Path,
) -> None:
    from tests.support.helpers import snapshot

    scaffold("resource", "contacts", "name:str=80", "phone:str=20", project=mini_project)
    rename = ["field", "rename", "contacts", "phone", "mobile", "--approve", "--no-version"]
    assert scaffold(*rename, project=mini_project).exit_code == 0
    before = snapshot(mini_project)
    result = scaffold("field", "contract", "contacts", "mobil", project=mini_project)
    assert result.exit_code == 2
    assert "'mobil'" in result.output and "pending: phone (now mobile)" in result.output
    assert "Example: scaffold field contract contacts phone" in result.output
    assert snapshot(mini_project) == before


def test_contract_after_a_table_rename_drops_the_trigger_by_the_name_it_was_given(
    mini_project: Path,
) -> None:
    scaffold("resource", "contacts", "name:str=80", "phone:str=20", project=mini_project)
    rename = ["field", "rename", "contacts", "phone", "mobile", "--approve", "--no-version"]
    assert scaffold(*rename, project=mini_project).exit_code == 0
    moved = scaffold("rename", "contacts", "people", "--approve", project=mini_project)
    assert moved.exit_code == 0, moved.output
    result = scaffold("field", "contract", "people", "phone", project=mini_project)
    assert result.exit_code == 0, result.output
    contract = next((mini_project / "migrations/versions").glob("*_people_contract_phone.py"))
    text = contract.read_text()
    assert 'DROP TRIGGER IF EXISTS "sync_contacts_phone_mobile" ON "people"' in text
    assert 'DROP COLUMN IF EXISTS "phone"' in text


def test_removing_a_renamed_column_before_its_contract_drops_the_old_one_and_the_trigger_too(
    mini_project: Path,
) -> None:
    # An optional column with no index: the downgrade restores it with no rule (no batch).
    scaffold("resource", "contacts", "name:str=80", "phone:str=20:optional", project=mini_project)
    rename = ["field", "rename", "contacts", "phone", "mobile", "--approve", "--no-version"]
    assert scaffold(*rename, project=mini_project).exit_code == 0
    removed = scaffold(
        "field", "remove", "contacts", "mobile", "--approve", "--no-version", project=mini_project
    )
    assert removed.exit_code == 0, removed.output
    text = next((mini_project / "migrations/versions").glob("*_contacts_remove_mobile.py"))
    upgrade = text.read_text().split("def downgrade")[0]
    # The trigger and the old column go before the new one (the trigger would break writes).
    at = [upgrade.index(s) for s in ("DROP TRIGGER", 'DROP COLUMN IF EXISTS "phone"', '"mobile"')]
    assert at == sorted(at)
    nothing = scaffold("field", "contract", "contacts", "phone", project=mini_project)
    assert nothing.exit_code == 2 and "pending: none" in nothing.output
