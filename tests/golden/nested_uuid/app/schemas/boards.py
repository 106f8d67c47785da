"""Request and response schemas for boards.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt
from uuid import UUID

from pydantic import Field

from app.schemas.base import InputModel, Page, PageQuery, ReadModel, SafeStr


class BoardCreate(InputModel):
    title: SafeStr = Field(max_length=80)


class BoardUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    title: SafeStr = Field(default=None, max_length=80)


class BoardRead(ReadModel):
    id: UUID
    title: str
    created_at: dt.datetime
    updated_at: dt.datetime


class BoardPage(Page[BoardRead]):
    pass


class BoardListQuery(PageQuery):
    """Query parameters of the list routes: a page, and equality filters."""
