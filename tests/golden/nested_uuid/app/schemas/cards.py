"""Request and response schemas for cards.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt
from enum import StrEnum
from uuid import UUID

from pydantic import ConfigDict, Field, JsonValue, field_validator

from app.schemas.base import (
    IncludeModel,
    InputModel,
    NonBlankStr,
    Page,
    PageQuery,
    ReadModel,
    refuse_null,
)
from app.schemas.boards import BoardRead


class CardStatus(StrEnum):
    """A named schema of the OpenAPI document; requests and responses carry its values."""

    TODO = "todo"
    DOING = "doing"
    DONE = "done"


# Examples of the OpenAPI document, built from the field specs.
CREATE_EXAMPLE: dict[str, JsonValue] = {
    "title": "title",
    "status": "todo",
}
UPDATE_EXAMPLE: dict[str, JsonValue] = {
    "title": "title",
}
READ_EXAMPLE: dict[str, JsonValue] = {
    "id": 1,
    "board_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "title": "title",
    "status": "todo",
    "created_at": "2024-01-01T09:00:00Z",
    "updated_at": "2024-01-01T09:00:00Z",
}


class CardCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    title: NonBlankStr = Field(strict=True, max_length=80)
    status: CardStatus = CardStatus.TODO


class CardUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    model_config = ConfigDict(json_schema_extra={"examples": [UPDATE_EXAMPLE]})

    board_id: UUID | None = None
    title: NonBlankStr | None = Field(default=None, strict=True, max_length=80)
    status: CardStatus | None = None

    _required = field_validator("board_id", "title", "status")(refuse_null)


class CardRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [READ_EXAMPLE]})

    id: int
    board_id: UUID
    title: str
    status: CardStatus
    created_at: dt.datetime
    updated_at: dt.datetime


class CardDetail(IncludeModel, CardRead):
    """A row and the related rows `?include=` named (absent when not asked for)."""

    board: BoardRead | None = None


class CardPage(Page[CardDetail]):
    pass


class CardListQuery(PageQuery):
    """Query parameters of the list routes: a page, and equality filters."""

    include: str | None = Field(default=None, pattern="^(board)(,(board))*$")
