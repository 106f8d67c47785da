"""Request and response schemas for orders.

Create and Update refuse unknown fields; Read never carries a sensitive field.
"""

import datetime as dt
from enum import StrEnum
from typing import Any, Self

from pydantic import ConfigDict, Field, JsonValue, field_validator, model_validator

from app.schemas.base import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    IncludeModel,
    InputModel,
    JsonObject,
    NonBlankStr,
    Page,
    PageQuery,
    ReadModel,
    SafeStr,
    refuse_null,
    rule_broken,
)
from app.schemas.users import UserRead


class OrderStatus(StrEnum):
    """A named schema of the OpenAPI document; requests and responses carry its values."""

    PENDING = "pending"
    PAID = "paid"


# Examples of the OpenAPI document, built from the field specs.
CREATE_EXAMPLE: dict[str, JsonValue] = {
    "user_id": 1,
    "user": "user",
    "order": 1,
    "from": "from",
    "metadata": {"key": "value", "count": 1},
    "payload": {"key": "value", "count": 1},
    "limit": 1,
    "status": "pending",
}
UPDATE_EXAMPLE: dict[str, JsonValue] = {
    "user": "user",
}
READ_EXAMPLE: dict[str, JsonValue] = {
    "id": 1,
    "user_id": 1,
    "user": "user",
    "order": 1,
    "from": "from",
    "metadata": {"key": "value", "count": 1},
    "payload": {"key": "value", "count": 1},
    "limit": 1,
    "status": "pending",
    "created_at": "2024-01-01T09:00:00Z",
    "updated_at": "2024-01-01T09:00:00Z",
}


class OrderCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CREATE_EXAMPLE]})

    user_id: int = Field(strict=True, ge=1, le=INT64_MAX)
    user: NonBlankStr = Field(strict=True, max_length=40)
    order: int = Field(strict=True, ge=0, le=INT32_MAX)
    from_: NonBlankStr = Field(strict=True, max_length=40, validation_alias="from")
    metadata_: JsonObject | None = Field(default=None, validation_alias="metadata")
    payload: JsonObject | None = None
    limit: int = Field(strict=True, ge=INT32_MIN, le=INT32_MAX)
    status: OrderStatus = OrderStatus.PENDING

    @model_validator(mode="after")
    def _check_order_le_limit(self) -> Self:
        if self.order is not None and self.limit is not None and not (self.order <= self.limit):
            raise rule_broken(field="order", message="order must be <= limit")
        return self


class OrderUpdate(InputModel):
    """Partial update: leave a field out to keep it; null is refused for required fields."""

    model_config = ConfigDict(json_schema_extra={"examples": [UPDATE_EXAMPLE]})

    user_id: int | None = Field(default=None, strict=True, ge=1, le=INT64_MAX)
    user: NonBlankStr | None = Field(default=None, strict=True, max_length=40)
    order: int | None = Field(default=None, strict=True, ge=0, le=INT32_MAX)
    from_: NonBlankStr | None = Field(
        default=None, strict=True, max_length=40, validation_alias="from"
    )
    metadata_: JsonObject | None = Field(default=None, validation_alias="metadata")
    payload: JsonObject | None = None
    limit: int | None = Field(default=None, strict=True, ge=INT32_MIN, le=INT32_MAX)
    status: OrderStatus | None = None

    _required = field_validator("user_id", "user", "order", "from_", "limit", "status")(refuse_null)

    @model_validator(mode="after")
    def _check_order_le_limit(self) -> Self:
        if self.order is not None and self.limit is not None and not (self.order <= self.limit):
            raise rule_broken(field="order", message="order must be <= limit")
        return self


class OrderRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [READ_EXAMPLE]})

    id: int
    user_id: int
    user: str
    order: int
    from_: str = Field(serialization_alias="from")
    metadata_: dict[str, Any] | None = Field(serialization_alias="metadata")
    payload: dict[str, Any] | None
    limit: int
    status: OrderStatus
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderDetail(IncludeModel, OrderRead):
    """A row and the related rows `?include=` named (absent when not asked for)."""

    user_ref: UserRead | None = None


class OrderPage(Page[OrderDetail]):
    pass


class OrderListQuery(PageQuery):
    """Query parameters of the list routes: a page, and equality filters."""

    user_id: int | None = Field(default=None, ge=1, le=INT64_MAX)
    from_: SafeStr | None = Field(
        default=None, max_length=40, alias="from", serialization_alias="from_"
    )
    limit_eq: int | None = Field(
        default=None, ge=INT32_MIN, le=INT32_MAX, serialization_alias="limit"
    )
    include: str | None = Field(default=None, pattern="^(user_ref)(,(user_ref))*$")
