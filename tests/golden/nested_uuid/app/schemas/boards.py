"""Request and response schemas for boards.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt
from uuid import UUID

from pydantic import ConfigDict, Field, JsonValue, field_validator

from app.schemas.base import InputModel, NonBlankStr, Page, PageQuery, ReadModel, refuse_null

# Examples of the OpenAPI document, built from the field specs.
CREATE_EXAMPLE: dict[str, JsonValue] = {
    "title": "title",
}
UPDATE_EXAMPLE: dict[str, JsonValue] = {
    "title": "title",
}
READ_EXAMPLE: dict[str, JsonValue] = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "title": "title",
    "created_at": "2024-01-01T09:00:00Z",
    "updated_at": "2024-01-01T09:00:00Z",
}


class BoardCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    title: NonBlankStr = Field(strict=True, max_length=80)


class BoardUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    model_config = ConfigDict(json_schema_extra={"examples": [UPDATE_EXAMPLE]})

    title: NonBlankStr | None = Field(default=None, strict=True, max_length=80)

    _required = field_validator("title")(refuse_null)


class BoardRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [READ_EXAMPLE]})

    id: UUID
    title: str
    created_at: dt.datetime
    updated_at: dt.datetime


class BoardPage(Page[BoardRead]):
    pass


class BoardListQuery(PageQuery):
    """Query parameters of the list routes: a page, and equality filters."""
