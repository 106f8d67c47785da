"""Request and response schemas for residents.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt

from pydantic import ConfigDict, Field, JsonValue, field_validator

from app.schemas.base import Email, InputModel, NonBlankStr, Page, PageQuery, ReadModel, refuse_null

# Examples of the OpenAPI document, built from the field specs.
CREATE_EXAMPLE: dict[str, JsonValue] = {
    "name": "name",
    "email": "ada@example.com",
    "pgy": 1,
}
UPDATE_EXAMPLE: dict[str, JsonValue] = {
    "name": "name",
}
READ_EXAMPLE: dict[str, JsonValue] = {
    "id": 1,
    "name": "name",
    "email": "ada@example.com",
    "pgy": 1,
    "created_at": "2024-01-01T09:00:00Z",
    "updated_at": "2024-01-01T09:00:00Z",
}


class ResidentCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    name: NonBlankStr = Field(strict=True, max_length=120)
    email: Email = Field(max_length=320)
    pgy: int = Field(strict=True, ge=1, le=3)


class ResidentUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    model_config = ConfigDict(json_schema_extra={"examples": [UPDATE_EXAMPLE]})

    name: NonBlankStr | None = Field(default=None, strict=True, max_length=120)
    email: Email | None = Field(default=None, max_length=320)
    pgy: int | None = Field(default=None, strict=True, ge=1, le=3)

    _required = field_validator("name", "email", "pgy")(refuse_null)


class ResidentRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [READ_EXAMPLE]})

    id: int
    name: str
    email: str
    pgy: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ResidentPage(Page[ResidentRead]):
    pass


class ResidentListQuery(PageQuery):
    """Query parameters of the list routes: a page, and equality filters."""

    email: Email | None = Field(default=None, max_length=320)
