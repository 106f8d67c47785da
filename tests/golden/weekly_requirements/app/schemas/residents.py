"""Request and response schemas for residents.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt

from pydantic import Field

from app.schemas.base import Email, InputModel, Page, PageQuery, ReadModel, SafeStr


class ResidentCreate(InputModel):
    name: SafeStr = Field(max_length=120)
    email: Email = Field(max_length=320)
    pgy: int = Field(ge=1, le=3)


class ResidentUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    name: SafeStr = Field(default=None, max_length=120)
    email: Email = Field(default=None, max_length=320)
    pgy: int = Field(default=None, ge=1, le=3)


class ResidentRead(ReadModel):
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
