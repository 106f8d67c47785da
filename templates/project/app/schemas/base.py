"""Base models and constrained types for every request and response schema.

Validation messages here never quote the value: they reach clients and logs.
"""

import datetime as dt
import math
import unicodedata
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    JsonValue,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

T = TypeVar("T")

MAX_JSON_DEPTH = 32
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_OFFSET = INT32_MAX


class InputModel(BaseModel):
    """Base of request bodies: unknown fields, NaN and Infinity are rejected."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=False)


class ReadModel(BaseModel):
    """Base of response bodies, built from ORM objects: `Resident.model_validate(row)`."""

    model_config = ConfigDict(from_attributes=True)


class _Loaded:
    """An ORM row whose relationships that were not loaded read as absent, not as a query."""

    def __init__(self, row: Any) -> None:
        from sqlalchemy import inspect

        self._row = row
        self._unloaded = inspect(row).unloaded

    def __getattr__(self, name: str) -> Any:
        if name in self._unloaded:
            raise AttributeError(name)
        return getattr(self._row, name)


class IncludeModel(ReadModel):
    """A response row and the related rows `?include=` loaded (`selectinload`).

    A relationship that was not loaded is left unset (and out of the response, which
    routes send with `response_model_exclude_unset=True`): it is never lazy-loaded.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _loaded_only(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if hasattr(value, "_sa_instance_state"):
            value = _Loaded(value)
        return handler(value)


class Page(BaseModel, Generic[T]):
    """One page of a list: `Page[ResidentRead](items=[...], total=120, limit=50, offset=0)`."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PageQuery(BaseModel):
    """Query parameters of a list route: `GET /api/v1/residents?limit=20&offset=40`.

    A resource's `...ListQuery` adds its equality filters to these.
    """

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


def _check_text(value: str) -> None:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain lone surrogates") from None


def _safe_str(value: Any) -> Any:
    if isinstance(value, str):
        _check_text(value)
        return unicodedata.normalize("NFC", value)
    return value  # not a string: the str schema reports the type error


def _safe_json(value: Any) -> Any:
    # Iterative, so hostile nesting is refused without reaching Python's recursion limit.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"must not nest deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(node, dict):
                for key in node:
                    if isinstance(key, str):
                        _check_text(key)
            items = node.values() if isinstance(node, dict) else node
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(node, str):
            _check_text(node)
        elif isinstance(node, float) and not math.isfinite(node):
            raise ValueError("must not contain NaN or Infinity")
    return value


SafeStr = Annotated[str, BeforeValidator(_safe_str)]
"""Text without NUL or lone surrogates, NFC-normalised before length limits apply.

Example: `name: SafeStr = Field(max_length=120)`; `"e\\u0301"` counts as one character.
"""

JsonObject = Annotated[dict[str, JsonValue], BeforeValidator(_safe_json)]
"""A JSON object with finite numbers, clean strings and keys, and at most 32 levels."""


def _to_utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None


def _local_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("must be a time of day without a UTC offset")
    return value


UTCDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware datetime, converted to UTC (naive or out-of-range values are refused)."""

LocalTime = Annotated[dt.time, AfterValidator(_local_time)]
"""A time of day; an offset would be silently dropped by the database, so it is refused."""


def _email(value: Any, handler: ValidatorFunctionWrapHandler) -> str:
    try:
        address: str = handler(value)
    except ValidationError:
        # The email validator's own messages quote the offending characters.
        raise PydanticCustomError("email", "must be a valid email address") from None
    return address.lower()


Email = Annotated[EmailStr, WrapValidator(_email)]
"""A validated email address, lower-cased so uniqueness and filters ignore case."""


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty or only whitespace")
    return value


NonBlankStr = Annotated[SafeStr, AfterValidator(_not_blank)]
"""Text of a required field: like `SafeStr`, and never empty or only whitespace."""


def refuse_null(value: Any) -> Any:
    """A partial update may leave a required field out, never set it to null.

    Example: `_required = field_validator("name", "email")(refuse_null)` in an update schema.
    """
    if value is None:
        raise PydanticCustomError("not_null", "must not be null")
    return value


def rule_broken(field: str, message: str) -> PydanticCustomError:
    """The error of a rule over fields, located on `field`: `raise rule_broken("min_hours",
    "min_hours must be <= max_hours")` in a model validator."""
    return PydanticCustomError("check", message, {"field": field})
