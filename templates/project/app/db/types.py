"""Portable column types: UTC datetimes and JSON documents."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC and always read back as aware UTC.

    Naive datetimes are refused rather than guessed at: pass `datetime.now(UTC)`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def __repr__(self) -> str:
        # Migrations render the type from its repr; the time zone is implied.
        return "UTCDateTime()"

    def process_bind_param(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            msg = "naive datetime: give it a timezone, e.g. datetime.now(UTC)"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # SQLite keeps no offset; every value was written in UTC by process_bind_param.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# none_as_null: Python None is SQL NULL (not the JSON value null), so IS NULL finds it.
JSONDocument: TypeEngine[Any] = JSON(none_as_null=True).with_variant(
    JSONB(none_as_null=True), "postgresql"
)
"""A JSON column: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere."""
