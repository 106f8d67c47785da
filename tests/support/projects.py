"""Generated projects proved as a user would (their own suite, lint, types and migrations),
and the resource specs several test files build."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scaffold.apply.verify import _ROUND_TRIP
from tests.support.helpers import MYPY_CACHE, passed_count, run

RESIDENTS = ["resource", "residents", "name:str=120", "email:str:unique", "pgy:int:min=1:max=3"]
WEEKLY = [
    "resource",
    "weekly_requirements",
    "resident_id:ref=residents:ondelete=cascade",
    "week_start:date",
    "min_hours:int:min=0",
    "max_hours:int:max=80",
    "notes:text:optional",
]
# Every type and every modifier of PRODUCT.md's field table at least once.
EVERYTHING = [
    "resource",
    "samples",
    "title:str=120:min=2:index",
    "code:str=12:pattern=^[A-Z]{3}-[0-9]{2}$",
    "body:text:optional",
    "hours:int:min=0:max=80:default=8",
    "views:bigint:optional",
    "ratio:float:min=0:max=1",
    "price:decimal=10,2:default=9.99",
    "active:bool:default=true",
    "week_start:date",
    "due_at:datetime",
    "starts:time:optional",
    "external_id:uuid:unique",
    "settings:json:optional",
    "status:enum=pending,approved,rejected:default=pending",
    "resident_id:ref=residents:optional:ondelete=set-null",
    "owner_id:ref=residents:ondelete=restrict",
    "email:unique",
    "api_token:str=64:sensitive",
    "password",
    "is_urgent",
]

LONG_PARENT = "departmental_rotation_requirement_categories"
LONG_CHILD = "departmental_rotation_requirement_weekly_entries"
# The canonical project's resources (tests/e2e/conftest.py): what the end-to-end files
# that only read a project need, built once per worker.
CANONICAL = [
    RESIDENTS,
    # Nested under residents, with a composite unique rule and a CHECK across columns.
    [
        *WEEKLY,
        "--parent",
        "residents",
        "--unique",
        "resident_id,week_start",
        "--check",
        "min_hours<=max_hours",
    ],
    # The same reference, not nested.
    ["resource", "shifts", "resident_id:ref=residents", "starts_at", "notes:text:optional"],
    [*EVERYTHING, "--check", "hours<=80", "--approve"],
    # UUID keys and a self reference; a child deleted with its parent.
    ["resource", "events", "title:str=80", "parent_id:ref=events:optional", "--id", "uuid"],
    ["resource", "people", "name:str=80", "event_id:ref=events:ondelete=cascade"],
    # Field names that shadow builtins and the modules generated code imports.
    [
        "resource",
        "occasions",
        "date",
        "time:time",
        "type:enum=talk,workshop",
        "uuid:uuid:unique",
        "decimal:decimal=6,2",
        "status:str=20:index",
        "settings:json:optional",
        "user_id_like:int",
    ],
    # Constraint names over PostgreSQL's 63 bytes.
    ["resource", LONG_PARENT, "label:str=40:unique"],
    [
        "resource",
        LONG_CHILD,
        f"departmental_rotation_requirement_category_id:ref={LONG_PARENT}:ondelete=cascade",
        "extremely_descriptive_status_of_this_weekly_entry:enum=open,closed",
        "exceptionally_long_unique_identifier_for_reporting:str=40:unique",
    ],
]


def verify_generated_project(
    project: Path, env: dict[str, str] | None = None, min_tests: int = 10, *, static: bool = True
) -> None:
    """Its own tests and a migration round trip with no drift; with ``static`` (off for a
    second database's run of the same code) also lint, formatting and ``mypy --strict``."""
    result = run_in_random_order(project, env=env)
    assert passed_count(result.stdout) >= min_tests, result.stdout[-2000:]
    # The generated suite says which database it used; a PostgreSQL run must not be SQLite.
    url = (env or {}).get("TEST_DATABASE_URL", "sqlite")
    assert f"tests ran on: {url.split('+')[0].split(':')[0]}" in result.stdout, result.stdout
    if static:
        run(project, "ruff", "check", ".")
        run(project, "ruff", "format", "--check", ".")
        # Strict, over app, tests and migrations (the project's config); the cache is the
        # test process's own, outside the project.
        run(project, "mypy", "--cache-dir", str(MYPY_CACHE))
    round_trip(project, (env or {}).get("DATABASE_URL", DEFAULT_URL))


DEFAULT_URL = "sqlite+aiosqlite:///./app.db"
# A generated suite passes in any order (pytest-random-order, opt-in: installed, it orders
# nothing until asked); all tests in one bucket, so no test leans on one of another file.
RANDOM_ORDER = "-p random_order --random-order-bucket=global"


def run_in_random_order(
    project: Path, *paths: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """The project's own tests (those under ``paths``, else all) in a random order whose
    seed is printed (shown with a failure: replay it with SCAFFOLD_ORDER_SEED)."""
    seed = random_seed()
    print(f"{project.name}: its tests in random order, {RANDOM_ORDER} --random-order-seed={seed}")
    order = [*RANDOM_ORDER.split(), f"--random-order-seed={seed}"]
    return run(project, "pytest", "-q", "-p", "no:cacheprovider", *order, *paths, env=env)


def random_seed() -> int:
    """The seed of a generated suite's order: SCAFFOLD_ORDER_SEED to replay a failure
    (the seed is printed, and named in the failure), else a new one each run."""
    import random

    return int(os.environ.get("SCAFFOLD_ORDER_SEED") or random.randrange(1, 10**6))


def round_trip(project: Path, url: str) -> None:
    """upgrade head, downgrade base, upgrade head and `alembic check` on ``url``, in one
    interpreter (the proof's own script), failing with the step that failed."""
    run(project, "python", "-c", _ROUND_TRIP, "alembic.ini", url, env={"DATABASE_URL": url})


CONTACTS = ["resource", "contacts", "name:str=80", "phone:str=20:optional", "email:unique"]
HAND_MODEL = '''"""A hand-written model whose foreign key has no index."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    body: Mapped[str] = mapped_column(String(200))
'''
# What autogenerate writes for HAND_MODEL: its untyped foreign key takes the key's type
# (BIGINT, INTEGER on SQLite).
HAND_MIGRATION = '''"""notes by hand

Revision ID: 0000notes001
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "0000notes001"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_notes_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )


def downgrade() -> None:
    op.drop_table("notes")
'''
