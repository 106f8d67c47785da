"""Base models and constrained types for every request and response schema.

Validation messages here never quote the value: they reach clients and logs.
"""

import datetime as dt
import math
import unicodedata
from decimal import Decimal
from functools import cache
from types import UnionType
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    GetJsonSchemaHandler,
    JsonValue,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError
from sqlalchemy import inspect

T = TypeVar("T")

MAX_JSON_DEPTH = 32
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_OFFSET = INT32_MAX


class InputModel(BaseModel):
    """Base of request bodies: unknown fields, NaN and Infinity are rejected.

    An enum field holds its value (`use_enum_values`), as the column stores it. A field
    whose validator is `refuse_null` is documented non-nullable in the OpenAPI document:
    a partial update may leave it out, never send null.
    """

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, str_strip_whitespace=False, use_enum_values=True
    )

    @model_validator(mode="before")
    @classmethod
    def _integral_floats(cls, data: Any) -> Any:
        # JSON Schema counts 57.0 as an integer: a client may send it for 57 (never 57.5).
        if not isinstance(data, dict):
            return data
        keys = _integer_keys(cls)
        return {k: _integral(v) if k in keys else v for k, v in data.items()}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        properties = handler.resolve_ref_schema(json_schema).get("properties", {})
        for name in _not_null_fields(cls):
            field = cls.model_fields[name]
            alias = field.validation_alias
            key = alias if isinstance(alias, str) else field.alias or name
            if key in properties:
                properties[key] = _without_null(properties[key])
        return json_schema


@cache
def _integer_keys(model: type[BaseModel]) -> frozenset[str]:
    """The JSON keys of the fields that take an integer or a list of integers."""
    keys = set()
    for name, field in model.model_fields.items():
        if _takes_integers(field.annotation):
            alias = field.validation_alias
            keys.add(alias if isinstance(alias, str) else field.alias or name)
    return frozenset(keys)


def _takes_integers(annotation: Any) -> bool:
    if annotation is int:
        return True
    args = get_args(annotation)
    if get_origin(annotation) is Annotated or get_origin(annotation) is list:
        return _takes_integers(args[0])
    options = [a for a in args if a is not type(None)]
    is_union = get_origin(annotation) in (Union, UnionType)
    return is_union and float not in options and any(_takes_integers(a) for a in options)


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value


def _not_null_fields(model: type[BaseModel]) -> list[str]:
    """The fields a `refuse_null` validator guards."""
    validators = model.__pydantic_decorators__.field_validators.values()
    return [
        name
        for validator in validators
        if validator.func is refuse_null or getattr(validator.func, "__func__", None) is refuse_null
        for name in validator.info.fields
    ]


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A property's schema without its null alternative, nor the null default."""
    variants = [v for v in schema.get("anyOf", []) if v != {"type": "null"}]
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    if len(variants) == 1:
        return {**rest, **variants[0]}
    return {**rest, "anyOf": variants} if variants else rest


class ReadModel(BaseModel):
    """Base of response bodies, built from ORM objects: `Resident.model_validate(row)`."""

    model_config = ConfigDict(from_attributes=True)


class _Loaded:
    """An ORM row whose relationships that were not loaded read as absent, not as a query."""

    def __init__(self, row: Any) -> None:
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

    A resource's `...ListQuery` adds its equality filters to these; any other parameter
    is refused (422), as on every route (`app.core.errors.known_query_only`).
    """

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


def _check_text(value: str) -> None:
    if "\x00" in value:
        msg = "must not contain NUL characters"
        raise ValueError(msg)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        msg = "must not contain lone surrogates"
        raise ValueError(msg) from None


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
                msg = f"must not nest deeper than {MAX_JSON_DEPTH} levels"
                raise ValueError(msg)
            if isinstance(node, dict):
                for key in node:
                    if isinstance(key, str):
                        _check_text(key)
            items = node.values() if isinstance(node, dict) else node
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(node, str):
            _check_text(node)
        elif isinstance(node, float) and not math.isfinite(node):
            msg = "must not contain NaN or Infinity"
            raise ValueError(msg)
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
        msg = "is out of range once converted to UTC"
        raise ValueError(msg) from None


def _local_time(value: dt.time) -> dt.time:
    if value.tzinfo is None:
        return value
    if value.utcoffset() != dt.timedelta(0):
        msg = "must be a time of day without a UTC offset other than Z"
        raise ValueError(msg)
    # "09:00:00Z" (RFC 3339 full-time) is 09:00:00: the offset is zero, nothing is lost.
    return value.replace(tzinfo=None)


_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]00:00)?$"


UTCDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware datetime, converted to UTC (naive or out-of-range values are refused)."""

LocalTime = Annotated[
    dt.time,
    AfterValidator(_local_time),
    WithJsonSchema({"type": "string", "pattern": _TIME_PATTERN}, mode="validation"),
]
"""A time of day, "09:30" to "09:30:00.123456", a `Z` allowed; any other offset would be
silently dropped by the database, so it is refused (and the OpenAPI pattern says so)."""


def _decimal_text(value: Any) -> Any:
    if isinstance(value, str | Decimal):
        return value
    # A JSON number is a binary float to most clients: 0.1 + 0.2 is not 0.3.
    msg = "decimal_type"
    raise PydanticCustomError(msg, "must be a decimal number written as a string")


DecimalText = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "format": "decimal"}, mode="validation"),
]
"""A decimal sent as a JSON string ("12.50"), never as a number, so no float rounding
reaches it; a field adds its pattern (`decimal_pattern`) to the OpenAPI document."""


def decimal_pattern(precision: int, scale: int, *, signed: bool = True) -> str:
    """The text of a decimal with `precision` digits, `scale` of them after the point
    (no minus sign unless `signed`: a field whose minimum is 0 or more).

    >>> decimal_pattern(10, 2)
    '^-?(0|[1-9][0-9]{0,7})(\\\\.[0-9]{1,2})?$'
    """
    whole = f"(0|[1-9][0-9]{{0,{precision - scale - 1}}})" if precision > scale else "0"
    sign = "-?" if signed else ""
    return f"^{sign}{whole}" + (f"(\\.[0-9]{{1,{scale}}})?$" if scale else "$")


def _email(value: Any, handler: ValidatorFunctionWrapHandler) -> str:
    try:
        address: str = handler(value)
    except ValidationError:
        # The email validator's own messages quote the offending characters.
        msg = "email"
        raise PydanticCustomError(msg, "must be a valid email address") from None
    return address.lower()


Email = Annotated[EmailStr, WrapValidator(_email)]
"""A validated email address, lower-cased so uniqueness and filters ignore case."""


def _not_blank(value: str) -> str:
    if not value.strip():
        msg = "blank"
        raise PydanticCustomError(msg, "must not be empty or only whitespace")
    return value


class _SomeTextDocumented:
    """`NonBlankStr`'s rule in the OpenAPI document: a character that is not whitespace
    as `str.strip` counts it (ECMA's `\\s` and the separators U+001C-U+001F, U+0085); a
    field's own pattern is left as it is."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        json_schema.setdefault("pattern", r"[^\s\x1c-\x1f\x85]")
        return json_schema


NonBlankStr = Annotated[SafeStr, AfterValidator(_not_blank), _SomeTextDocumented()]
"""Text of a required field: like `SafeStr`, and never empty or only whitespace."""


def refuse_null(value: Any) -> Any:
    """A partial update may leave a required field out, never set it to null.

    Example: `_required = field_validator("name", "email")(refuse_null)` in an update schema.
    """
    if value is None:
        msg = "not_null"
        raise PydanticCustomError(msg, "must not be null")
    return value


def rule_broken(field: str, message: str) -> PydanticCustomError:
    """The error of a rule over fields, located on `field`: `raise rule_broken("min_hours",
    "min_hours must be <= max_hours")` in a model validator."""
    return PydanticCustomError("check", message, {"field": field})
