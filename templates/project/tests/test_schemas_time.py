"""Datetimes are converted to UTC and times of day refuse offsets the database would drop."""

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from app.schemas.base import LocalTime, UTCDatetime


class Slot(BaseModel):
    starts_at: UTCDatetime | None = None
    opens: LocalTime | None = None


def test_aware_datetimes_become_utc() -> None:
    value = Slot.model_validate({"starts_at": "2024-01-01T09:00:00+05:30"}).starts_at
    assert value == dt.datetime(2024, 1, 1, 3, 30, tzinfo=dt.UTC)
    assert value.tzinfo is dt.UTC


@pytest.mark.parametrize("value", ["2024-01-01T09:00:00", "0001-01-01T00:30:00+01:00"])
def test_naive_or_out_of_range_datetimes_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        Slot.model_validate({"starts_at": value})
    assert value not in str(info.value.errors(include_input=False))


def test_times_with_an_offset_are_refused() -> None:
    assert Slot.model_validate({"opens": "10:00:00"}).opens == dt.time(10, 0)
    # RFC 3339's full-time (OpenAPI's format "time") ends in Z: the same time of day.
    assert Slot.model_validate({"opens": "10:00:00Z"}).opens == dt.time(10, 0)
    with pytest.raises(ValidationError):
        Slot.model_validate({"opens": "10:00:00+02:00"})
