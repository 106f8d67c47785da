"""Request and response schemas for weekly_requirements.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt
from typing import Self

from pydantic import ConfigDict, Field, JsonValue, field_validator, model_validator

from app.schemas.base import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    IncludeModel,
    InputModel,
    Page,
    PageQuery,
    ReadModel,
    SafeStr,
    refuse_null,
    rule_broken,
)
from app.schemas.residents import ResidentRead

# Examples of the OpenAPI document, built from the field specs.
CREATE_EXAMPLE: dict[str, JsonValue] = {
    "resident_id": 1,
    "week_start": "2024-01-01",
    "min_hours": 1,
    "max_hours": 1,
    "notes": "notes",
}
UPDATE_EXAMPLE: dict[str, JsonValue] = {
    "week_start": "2024-01-01",
}
READ_EXAMPLE: dict[str, JsonValue] = {
    "id": 1,
    "resident_id": 1,
    "week_start": "2024-01-01",
    "min_hours": 1,
    "max_hours": 1,
    "notes": "notes",
    "created_at": "2024-01-01T09:00:00Z",
    "updated_at": "2024-01-01T09:00:00Z",
}


class WeeklyRequirementCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    resident_id: int = Field(strict=True, ge=1, le=INT64_MAX)
    week_start: dt.date
    min_hours: int = Field(strict=True, ge=0, le=INT32_MAX)
    max_hours: int = Field(strict=True, ge=INT32_MIN, le=80)
    notes: SafeStr | None = Field(default=None, strict=True)

    @model_validator(mode="after")
    def _check_min_hours_le_max_hours(self) -> Self:
        if (
            self.min_hours is not None
            and self.max_hours is not None
            and not (self.min_hours <= self.max_hours)
        ):
            raise rule_broken(field="min_hours", message="min_hours must be <= max_hours")
        return self


class WeeklyRequirementUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    model_config = ConfigDict(json_schema_extra={"examples": [UPDATE_EXAMPLE]})

    resident_id: int | None = Field(default=None, strict=True, ge=1, le=INT64_MAX)
    week_start: dt.date | None = None
    min_hours: int | None = Field(default=None, strict=True, ge=0, le=INT32_MAX)
    max_hours: int | None = Field(default=None, strict=True, ge=INT32_MIN, le=80)
    notes: SafeStr | None = Field(default=None, strict=True)

    _required = field_validator("resident_id", "week_start", "min_hours", "max_hours")(refuse_null)

    @model_validator(mode="after")
    def _check_min_hours_le_max_hours(self) -> Self:
        if (
            self.min_hours is not None
            and self.max_hours is not None
            and not (self.min_hours <= self.max_hours)
        ):
            raise rule_broken(field="min_hours", message="min_hours must be <= max_hours")
        return self


class WeeklyRequirementRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [READ_EXAMPLE]})

    id: int
    resident_id: int
    week_start: dt.date
    min_hours: int
    max_hours: int
    notes: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class WeeklyRequirementDetail(IncludeModel, WeeklyRequirementRead):
    """A row and the related rows `?include=` named (absent when not asked for)."""

    resident: ResidentRead | None = None


class WeeklyRequirementPage(Page[WeeklyRequirementDetail]):
    pass


class WeeklyRequirementListQuery(PageQuery):
    """Query parameters of the list routes: a page, and equality filters."""

    resident_id: int | None = Field(default=None, ge=1, le=INT64_MAX)
    include: str | None = Field(default=None, pattern="^(resident)(,(resident))*$")
