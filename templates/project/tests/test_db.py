"""Constraint naming and UTCDateTime, checked on the test database's dialect."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.exc import StatementError

from app.db.base import NAMING_CONVENTION, fit_identifier, utcnow
from app.db.session import database
from app.db.types import UTCDateTime

LONG_TABLE = "weekly_requirement_assignments_for_residents_in_block_scheduling"
LONG_COLUMN = "supervising_attending_physician_identifier"
# PostgreSQL's limit on an identifier, in bytes.
MAX_IDENTIFIER = 63


def test_fit_identifier_keeps_short_names_and_hashes_long_ones() -> None:
    assert fit_identifier("ix_users_email") == "ix_users_email"
    long_name = "ix_" + "x" * 70
    fitted = fit_identifier(long_name)
    assert len(fitted) == MAX_IDENTIFIER
    assert fitted.startswith(long_name[:54] + "_")
    assert fitted == fit_identifier(long_name)


def test_long_constraint_names_are_fitted_to_63_bytes() -> None:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    Table("physicians_with_a_long_name", metadata, Column("id", Integer, primary_key=True))
    table = Table(
        LONG_TABLE,
        metadata,
        Column("id", Integer, primary_key=True),
        Column(LONG_COLUMN, ForeignKey("physicians_with_a_long_name.id"), index=True),
        Column("code", String(10)),
        UniqueConstraint(LONG_COLUMN, "code"),
    )
    index = next(iter(table.indexes))
    unique = next(c for c in table.constraints if isinstance(c, UniqueConstraint))
    foreign_key = next(iter(table.foreign_key_constraints))

    expected = {
        index.name: f"ix_{LONG_TABLE}_{LONG_COLUMN}",
        unique.name: f"uq_{LONG_TABLE}_{LONG_COLUMN}_code",
        foreign_key.name: f"fk_{LONG_TABLE}_{LONG_COLUMN}_physicians_with_a_long_name",
        table.primary_key.name: f"pk_{LONG_TABLE}",
    }
    for name, full in expected.items():
        assert name == fit_identifier(full)
        assert len(name.encode()) <= MAX_IDENTIFIER


def test_short_names_follow_the_convention_and_explicit_names_are_kept() -> None:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    check = CheckConstraint("min_hours <= max_hours", name="min_le_max")
    table = Table(
        "blocks",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("min_hours", Integer),
        Column("max_hours", Integer),
        Index("blocks_by_hours", "min_hours", "max_hours"),
        check,
    )

    assert check.name == "ck_blocks_min_le_max"
    assert table.primary_key.name == "pk_blocks"
    assert {index.name for index in table.indexes} == {"blocks_by_hours"}


def test_utcnow_is_aware_utc() -> None:
    assert utcnow().utcoffset() == timedelta(0)


events = Table(
    "test_utc_datetime_events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime),
)


@pytest.fixture
async def events_table() -> AsyncIterator[Table]:
    # Not on Base.metadata: the table exists only for this test, never in migrations.
    async with database.engine.begin() as connection:
        await connection.run_sync(events.create)
    yield events
    async with database.engine.begin() as connection:
        await connection.run_sync(events.drop)


async def test_utc_datetime_stores_utc_and_reads_back_aware(events_table: Table) -> None:
    paris = timezone(timedelta(hours=2))
    written = datetime(2024, 6, 1, 14, 30, tzinfo=paris)

    async with database.engine.begin() as connection:
        await connection.execute(insert(events_table).values(id=1, at=written))
        read = (await connection.execute(select(events_table.c.at))).scalar_one()

    assert read == written
    assert read.tzinfo == UTC
    assert (read.hour, read.minute) == (12, 30)


async def test_utc_datetime_refuses_naive_values(events_table: Table) -> None:
    naive = datetime(2024, 6, 1, tzinfo=UTC).replace(tzinfo=None)
    async with database.engine.begin() as connection:
        with pytest.raises(StatementError, match="naive datetime"):
            await connection.execute(insert(events_table).values(id=1, at=naive))
