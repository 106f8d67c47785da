"""The values a field token gives its modifiers: ``min``/``max``, ``pattern`` and ``default``.

Each is parsed into a typed Python value and checked against the field's kind and
the values parsed before it (length, precision, choices), so a default the
templates emit is one the column and the schema accept.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from scaffold.errors import InputError
from scaffold.spec.names import show

INT_RANGE = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
# A plain decimal literal in ASCII: no "nan", "inf", "1_000" or non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")


def is_whole(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²`` (which ``int`` rejects) and ``١``."""
    return text.isascii() and text.isdigit() and len(text) <= 12


def _number(text: str, kind: str, token: str, what: str) -> Any:
    try:
        if len(text) > 40 or not _NUMBER.fullmatch(text):
            raise ValueError
        if kind in ("int", "bigint"):
            if not re.fullmatch(r"[+-]?[0-9]{1,20}", text):
                raise ValueError
            value: Any = int(text)
            low, high = INT_RANGE[kind]
            if not low <= value <= high:
                raise ValueError
            return value
        if kind == "float":
            value = float(text)
            if not math.isfinite(value):
                raise ValueError
            return value
        return Decimal(text)
    except (ValueError, InvalidOperation):
        raise InputError(
            f"{what}={text!r} in {show(token)} is not a valid {kind} number.",
            token=text,
            example="hours:int:min=0:max=80",
        ) from None


def parse_ranges(values: dict[str, Any], mods: dict[str, str | None], token: str) -> None:
    """Set ``min`` and ``max`` in ``values``: lengths for strings, numbers for numbers."""
    for key in ("min", "max"):
        if key in mods:
            values[key] = _bound(key, mods[key], values, token)
    _check_bounds(values, token)


def _bound(key: str, text: str | None, values: dict[str, Any], token: str) -> Any:
    """The value of ``min=`` or ``max=`` for a field of ``values["kind"]``."""
    kind = values["kind"]
    if text is None:
        raise InputError(
            f"{key} needs a value in {show(token)}.", token=key, example="hours:int:min=0"
        )
    if kind in ("str", "text"):
        limit = int(text) if is_whole(text) else -1
        if limit < 0 or limit > 10485760:
            raise InputError(
                f"{key}={text!r} in {show(token)} must be a length (a whole number ≥ 0).",
                token=text,
                example="code:str=10:min=2",
            )
        return limit
    if kind in ("int", "bigint", "float", "decimal"):
        value = _number(text, kind, token, key)
        if kind == "decimal" and not _fits_decimal(value, values["precision"], values["scale"]):
            raise InputError(
                f"{key}={text!r} in {show(token)} does not fit "
                f"decimal({values['precision']},{values['scale']}).",
                token=text,
                example="price:decimal=10,2:min=0:max=99999999.99",
            )
        return value
    raise InputError(
        f"{key} does not apply to {kind} fields: {show(token)}.",
        token=key,
        example="hours:int:min=0",
    )


def _check_bounds(values: dict[str, Any], token: str) -> None:
    """``min`` is at most ``max``, and a ``str`` column's length holds both."""
    if (
        values.get("min") is not None
        and values.get("max") is not None
        and values["min"] > values["max"]
    ):
        raise InputError(
            f"min is greater than max in {show(token)}.",
            token=token,
            example="hours:int:min=0:max=80",
        )
    kind, length = values["kind"], values.get("length")
    for bound, example in (("max", "code:str=10:max=10"), ("min", "code:str=10:min=2")):
        limit = values.get(bound)
        if kind == "str" and limit is not None and length is not None and limit > length:
            raise InputError(
                f"{bound}={limit} exceeds the column length {length} in {show(token)}.",
                token=token,
                example=example,
            )


def parse_pattern(text: str | None, kind: str, token: str) -> str:
    """The ``pattern=`` of a str or text field, one the generated schema's engine runs."""
    if kind not in ("str", "text"):
        raise InputError(
            f"pattern only applies to str and text fields: {show(token)}.",
            token="pattern",
            example="code:str=8:pattern=^[A-Z0-9]+$",
        )
    if not text or len(text) > 200:
        raise InputError(
            f"pattern in {show(token)} must be 1 to 200 characters.",
            token=str(text),
            example="code:str=8:pattern=^[A-Z0-9]+$",
        )
    try:
        re.compile(text)
    except re.error as exc:
        raise InputError(
            f"pattern {show(text)} is not a valid regular expression ({exc.msg}).",
            token=text,
            example="code:str=8:pattern=^[A-Z0-9]+$",
        ) from None
    if _pattern_validator(text) is None:
        raise InputError(
            f"pattern {show(text)} is not supported by Pydantic's regex engine, which the "
            "generated schema uses (no look-around, back-references or huge repeats).",
            token=text,
            example="code:str=8:pattern=^[A-Z0-9]+$",
        )
    return text


def _pattern_validator(pattern: str) -> Any:
    """Pydantic's validator for ``pattern`` (what the generated schema runs), or None.

    Its engine is Rust's ``regex``: linear time, so checking a default against a
    hostile pattern such as ``^(a+)+$`` cannot hang the way ``re.search`` does.

    >>> _pattern_validator("^[A-Z]+$") is not None, _pattern_validator("(?<=a)b")
    (True, None)
    """
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        return SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return None


def _pattern_matches(pattern: str, text: str) -> bool:
    from pydantic_core import ValidationError

    try:
        _pattern_validator(pattern).validate_python(text)
    except ValidationError:
        return False
    return True


def _fits_decimal(value: Decimal, precision: int, scale: int) -> bool:
    """True if NUMERIC(precision, scale) stores ``value`` without rounding or overflow.

    >>> [_fits_decimal(Decimal(v), 5, 2) for v in ("999.99", "1E+3", "0.001")]
    [True, False, False]
    """
    if value.is_zero():
        return True
    _, digits_tuple, exponent = value.as_tuple()
    digits = list(digits_tuple)
    while len(digits) > 1 and digits[-1] == 0:  # 1.50 fits (4,1): drop trailing zeros
        digits.pop()
        exponent += 1
    decimals = max(0, -exponent)
    whole_digits = len(digits) + exponent  # digits before the point; ≤ 0 for 0.0x
    return decimals <= scale and whole_digits <= precision - scale


_BOOLS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def parse_default(kind: str, text: str, values: dict[str, Any], token: str) -> Any:
    """The typed ``default=`` of a field of ``kind``, within the ``values`` parsed before it."""

    def bad(why: str, example: str) -> InputError:
        return InputError(f"default={text!r} in {show(token)} {why}.", token=text, example=example)

    if kind == "bool":
        if text.lower() not in _BOOLS:
            raise bad("is not true or false", "active:bool:default=true")
        return _BOOLS[text.lower()]
    if kind in ("int", "bigint", "float", "decimal"):
        value = _number(text, kind, token, "default")
        if values.get("min") is not None and value < values["min"]:
            raise bad(f"is below min={values['min']}", "hours:int:min=0:default=8")
        if values.get("max") is not None and value > values["max"]:
            raise bad(f"is above max={values['max']}", "hours:int:max=80:default=8")
        if kind == "decimal" and not _fits_decimal(value, values["precision"], values["scale"]):
            raise bad(
                f"does not fit decimal({values['precision']},{values['scale']})",
                "price:decimal=10,2:default=9.99",
            )
        return value
    if kind == "enum":
        if text not in values["choices"]:
            raise bad(
                f"is not one of {', '.join(values['choices'])}",
                "status:enum=pending,done:default=pending",
            )
        return text
    if kind in ("str", "text"):
        if values.get("email"):
            raise bad("cannot be a default for an email field", "email:str:unique")
        limit = values.get("max") if values.get("max") is not None else values.get("length")
        if limit is not None and len(text) > limit:
            raise bad(f"is longer than {limit} characters", "title:str=120:default=Untitled")
        if values.get("min") is not None and len(text) < values["min"]:
            raise bad(f"is shorter than min={values['min']}", "code:str=8:min=2:default=AB")
        if values.get("pattern") and not _pattern_matches(values["pattern"], text):
            raise bad("does not match the pattern", "code:str=8:pattern=^[A-Z]+$:default=ABC")
        if values.get("sensitive"):
            raise bad("cannot be a default for a sensitive field", "password:str=128")
        return text
    parsers = {"date": dt.date.fromisoformat, "time": dt.time.fromisoformat, "uuid": uuid.UUID}
    if kind in parsers:
        try:
            return parsers[kind](text)
        except ValueError:
            raise bad(
                f"is not a valid {kind}",
                {
                    "date": "week_start:date:default=2024-01-01",
                    "time": "starts:time:default=09:00",
                    "uuid": "ref:uuid",
                }[kind],
            ) from None
    if kind == "datetime":
        if text == "now":
            return "now"
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise bad(
                "is not an ISO datetime or 'now'", "published_at:datetime:default=now"
            ) from None
        if value.tzinfo is None:
            raise bad(
                "needs a timezone (datetimes are stored UTC)",
                "starts_at:datetime:default=2024-01-01T09:00:00+00:00",
            )
        return value.astimezone(dt.UTC)
    raise bad(f"is not supported for {kind} fields", "settings:json:optional")
