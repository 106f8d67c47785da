"""Request and response schemas for cards.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import Field

from app.schemas.base import InputModel, Page, PageQuery, ReadModel, SafeStr


class CardCreate(InputModel):
    title: SafeStr = Field(max_length=80)
    status: Literal["todo", "doing", "done"] = "todo"


class CardUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    board_id: UUID = None
    title: SafeStr = Field(default=None, max_length=80)
    status: Literal["todo", "doing", "done"] = None


class CardRead(ReadModel):
    id: int
    board_id: UUID
    title: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CardPage(Page[CardRead]):
    pass


class CardListQuery(PageQuery):
    """Query parameters of the list routes: a page, and equality filters."""
