"""Request and response schemas for users.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt
from enum import StrEnum

from pydantic import ConfigDict, Field, JsonValue, field_validator

from app.schemas.base import Email, InputModel, Page, PageQuery, ReadModel, refuse_null


class UserRole(StrEnum):
    """A named schema of the OpenAPI document; requests and responses carry its values."""

    ADMIN = "admin"
    MEMBER = "member"


# Examples of the OpenAPI document, built from the field specs.
CREATE_EXAMPLE: dict[str, JsonValue] = {
    "email": "ada@example.com",
    "role": "member",
}
UPDATE_EXAMPLE: dict[str, JsonValue] = {
    "email": "ada@example.com",
}
READ_EXAMPLE: dict[str, JsonValue] = {
    "id": 1,
    "email": "ada@example.com",
    "role": "member",
    "created_at": "2024-01-01T09:00:00Z",
    "updated_at": "2024-01-01T09:00:00Z",
}


class UserCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    email: Email = Field(max_length=320)
    role: UserRole = UserRole.MEMBER


class UserUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    model_config = ConfigDict(json_schema_extra={"examples": [UPDATE_EXAMPLE]})

    email: Email | None = Field(default=None, max_length=320)
    role: UserRole | None = None

    _required = field_validator("email", "role")(refuse_null)


class UserRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [READ_EXAMPLE]})

    id: int
    email: str
    role: UserRole
    created_at: dt.datetime
    updated_at: dt.datetime


class UserPage(Page[UserRead]):
    pass


class UserListQuery(PageQuery):
    """Query parameters of the list routes: a page, and equality filters."""

    email: Email | None = Field(default=None, max_length=320)
