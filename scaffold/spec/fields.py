"""Parse field tokens (``name[:type[=ARGS]][:modifier[=VALUE]]...``) into :class:`Field`.

Parsing happens once, at the edge; everything downstream reads the frozen
:class:`Field`. Default values are converted to typed Python values here and
checked against the field's type, range, length, pattern and choices, so the
templates only ever emit them with ``repr``-style literals.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from scaffold.errors import InputError
from scaffold.spec import inflect
from scaffold.spec.names import check_identifier, python_name, show
from scaffold.spec.sensitive import name_parts, sensitive_name

TYPES = (
    "str",
    "text",
    "int",
    "bigint",
    "float",
    "decimal",
    "bool",
    "date",
    "datetime",
    "time",
    "uuid",
    "json",
    "enum",
    "ref",
)
MODIFIERS = (
    "optional",
    "unique",
    "index",
    "default",
    "min",
    "max",
    "pattern",
    "sensitive",
    "ondelete",
)
ONDELETE = {"cascade": "CASCADE", "restrict": "RESTRICT", "set-null": "SET NULL"}
INT_RANGE = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
DEFAULT_STR_LENGTH = 255
HASH_LENGTH = 255  # an Argon2id hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash) is about 100
EMAIL_LENGTH = 320
MAX_TOKEN = 1000
# A plain decimal literal in ASCII: no "nan", "inf", "1_000" or non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_ENUM_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
EXAMPLE = "scaffold resource weekly_requirements resident_id:ref=residents week_start:date min_hours:int:min=0"


@dataclass(frozen=True)
class Field:
    """One user field of a resource, fully typed and validated.

    >>> parse_field("title:str=120:unique").length
    120
    """

    name: str
    kind: str
    token: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    choices: tuple[str, ...] = ()
    ref_table: str | None = None
    ondelete: str | None = None
    optional: bool = False
    unique: bool = False
    index: bool = False
    has_default: bool = False
    default: Any = None
    min: Any = None
    max: Any = None
    pattern: str | None = None
    sensitive: bool = False
    email: bool = False
    inferred: tuple[str, ...] = field(default=(), compare=False)
    # An older API version's view of a changed column: the name it still has in
    # that version's contract (``name``) maps to ``column``; ``removed`` fields
    # are accepted and ignored on input and read back as null.
    column: str | None = None
    removed: bool = False

    @property
    def db_name(self) -> str:
        return self.column or self.name

    @property
    def attr(self) -> str:
        """The Python name of this field in schemas (``metadata_`` for ``metadata``)."""
        return python_name(self.name)

    @property
    def db_attr(self) -> str:
        """The model attribute of the column this field reads and writes."""
        return python_name(self.db_name)

    @property
    def hashed(self) -> bool:
        """Passwords are stored as Argon2id hashes (tokens and keys as given: apps read them back)."""
        return self.kind in ("str", "text") and bool(
            {"password", "passwd", "passphrase"}.intersection(name_parts(self.name))
        )

    @property
    def stored_length(self) -> int | None:
        """Column length: a hashed password needs room for the hash, whatever the input limit."""
        if self.hashed and self.kind == "str":
            return max(self.length or 0, HASH_LENGTH)
        return self.length

    @property
    def is_ref(self) -> bool:
        return self.kind == "ref"

    @property
    def filterable(self) -> bool:
        """Foreign keys and indexed fields get an equality filter on the list route."""
        return (
            (self.is_ref or self.index or self.unique)
            and not self.sensitive
            and self.kind != "json"
        )


def parse_field(token: str) -> Field:
    """Parse one field token.

    >>> f = parse_field("status:enum=pending,approved:default=pending")
    >>> f.kind, f.choices, f.default
    ('enum', ('pending', 'approved'), 'pending')
    """
    if len(token) > MAX_TOKEN:
        raise InputError(
            f"Field token {show(token)} is longer than {MAX_TOKEN} characters.",
            token=token,
            example=EXAMPLE,
        )
    if any(ch in token for ch in "\x00\r\n"):
        raise InputError(
            f"Field token {show(token)} contains a control character.", token=token, example=EXAMPLE
        )
    if not _encodable(token):
        # Bytes that are not UTF-8 reach argv as lone surrogates; no file or database takes them.
        raise InputError(
            f"Field token {show(token)} is not valid UTF-8.", token=token, example=EXAMPLE
        )
    name, _, rest = token.partition(":")
    check_identifier(name, what="field name", example=lambda good: good + token[len(name) :])
    parts = _split_parts(rest, token) if rest else []
    kind: str | None = None
    type_arg: str | None = None
    mods: dict[str, str | None] = {}
    for index, (key, value) in enumerate(parts):
        if index == 0 and key in TYPES:
            kind, type_arg = key, value
            continue
        if key in TYPES:
            raise InputError(
                f"In {show(token)} the type {key!r} must come right after the name.",
                token=key,
                example="week_start:date:optional",
            )
        if key not in MODIFIERS:
            raise InputError(
                f"Unknown type or modifier {key!r} in field {show(token)}. "
                f"Types: {', '.join(TYPES)}. Modifiers: {', '.join(MODIFIERS)}.",
                token=key,
                example="hours:int:min=0:max=80",
            )
        if key in mods:
            raise InputError(
                f"Modifier {key!r} is given twice in {show(token)}.",
                token=key,
                example="hours:int:min=0",
            )
        mods[key] = value
    return _build(name, token, kind, type_arg, mods)


def _split_parts(rest: str, token: str) -> list[tuple[str, str | None]]:
    """Split ``type=args:mod=v:...``; a ``:`` inside a default or pattern value is kept.

    ``starts:time:default=09:30`` splits into time and default=09:30 because
    ``30`` is neither a type nor a modifier and follows a value.
    """
    out: list[tuple[str, str | None]] = []
    for piece in rest.split(":"):
        key, eq, value = piece.partition("=")
        known = key in TYPES or key in MODIFIERS
        if not known and out and out[-1][1] is not None and out[-1][0] in ("default", "pattern"):
            prev_key, prev_value = out[-1]
            out[-1] = (prev_key, f"{prev_value}:{piece}")
            continue
        if not key:
            raise InputError(
                f"Empty part in field {show(token)}.", token=token, example="notes:text:optional"
            )
        out.append((key, value if eq else None))
    return out


def _flag(mods: dict[str, str | None], key: str, token: str) -> bool:
    if key not in mods:
        return False
    if mods[key] is not None:
        raise InputError(
            f"Modifier {key!r} takes no value in {show(token)}.",
            token=key,
            example=f"email:str:{key}",
        )
    return True


def _infer_kind(name: str) -> tuple[str, tuple[str, ...]]:
    if name.endswith("_id"):
        return "ref", (f"{name} → ref (ends in _id)",)
    if name.endswith("_at"):
        return "datetime", (f"{name} → datetime (ends in _at)",)
    if name == "date" or name.endswith(("_on", "_date")):
        return "date", (f"{name} → date",)
    if name.startswith(("is_", "has_")):
        return "bool", (f"{name} → bool",)
    return "str", ()


def _build(
    name: str, token: str, kind: str | None, arg: str | None, mods: dict[str, str | None]
) -> Field:
    inferred: tuple[str, ...] = ()
    if kind is None:
        kind, inferred = _infer_kind(name)
    values: dict[str, Any] = {"name": name, "kind": kind, "token": token, "inferred": inferred}
    values["optional"] = _flag(mods, "optional", token)
    values["unique"] = _flag(mods, "unique", token)
    values["index"] = _flag(mods, "index", token)
    values["sensitive"] = _flag(mods, "sensitive", token) or sensitive_name(name)
    values.update(_type_args(name, token, kind, arg))
    if kind in ("str", "text") and (name == "email" or name.endswith("_email")):
        values["email"] = True
        values["length"] = EMAIL_LENGTH if kind == "str" and arg is None else values.get("length")
    if "ondelete" in mods:
        if kind != "ref":
            raise InputError(
                f"ondelete only applies to ref fields, not {show(token)}.",
                token="ondelete",
                example="resident_id:ref=residents:ondelete=cascade",
            )
        action = ONDELETE.get(mods["ondelete"] or "")
        if action is None:
            raise InputError(
                f"ondelete={mods['ondelete']!r} in {show(token)} is not one of cascade, restrict, set-null.",
                token=str(mods["ondelete"]),
                example="resident_id:ref=residents:ondelete=cascade",
            )
        if action == "SET NULL" and not values["optional"]:
            raise InputError(
                f"ondelete=set-null needs an optional column: {show(token)} is required.",
                token=token,
                example=f"{name}:ref={values['ref_table']}:optional:ondelete=set-null",
            )
        values["ondelete"] = action
    if kind == "json" and (values["unique"] or values["index"]):
        raise InputError(
            f"json fields cannot be unique or indexed: {show(token)}.",
            token=token,
            example="settings:json:optional",
        )
    _ranges(values, mods, token)
    if "pattern" in mods:
        values["pattern"] = _pattern(mods["pattern"], kind, token)
    if "default" in mods:
        if mods["default"] is None:
            raise InputError(
                f"default needs a value in {show(token)}.",
                token="default",
                example="active:bool:default=true",
            )
        values["has_default"] = True
        values["default"] = _default(kind, mods["default"], values, token)
    return Field(**values)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _whole(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²`` (which ``int`` rejects) and ``١``."""
    return text.isascii() and text.isdigit() and len(text) <= 12


def _positive_int(text: str | None, what: str, token: str, example: str) -> int:
    if text is None or not _whole(text) or not 0 < int(text) <= 10485760:
        raise InputError(
            f"{what} must be a positive whole number in {show(token)}.",
            token=str(text),
            example=example,
        )
    return int(text)


def _type_args(name: str, token: str, kind: str, arg: str | None) -> dict[str, Any]:
    if kind == "str":
        length = (
            DEFAULT_STR_LENGTH
            if arg is None
            else _positive_int(arg, "The string length", token, "title:str=120")
        )
        return {"length": length}
    if kind == "decimal":
        precision, scale = 10, 2
        if arg is not None:
            p, _, s = arg.partition(",")
            precision = _positive_int(p, "The decimal precision", token, "price:decimal=10,2")
            scale = int(s) if _whole(s) else -1
            if not 0 <= scale <= precision or precision > 1000:
                raise InputError(
                    f"Decimal scale must be between 0 and the precision in {show(token)}.",
                    token=arg,
                    example="price:decimal=10,2",
                )
        return {"precision": precision, "scale": scale}
    if kind == "enum":
        choices = tuple(arg.split(",")) if arg else ()
        if not choices:
            raise InputError(
                f"enum needs its values in {show(token)}.",
                token=token,
                example="status:enum=pending,approved,rejected",
            )
        for choice in choices:
            if not _ENUM_VALUE.fullmatch(choice):
                raise InputError(
                    f"Enum value {show(choice)} in {show(token)} must be letters, digits, '_', '.' or '-'.",
                    token=choice,
                    example="status:enum=pending,approved,rejected",
                )
        if len(set(choices)) != len(choices):
            raise InputError(
                f"enum values repeat in {show(token)}.",
                token=arg or "",
                example="status:enum=low,high",
            )
        return {"choices": choices, "length": max(len(c) for c in choices)}
    if kind == "ref":
        if arg is None:
            if not name.endswith("_id"):
                raise InputError(
                    f"ref needs a target table in {show(token)}.",
                    token=token,
                    example="owner_id:ref=users",
                )
            arg = inflect.pluralize(name[: -len("_id")])
        check_identifier(
            arg,
            what="referenced table",
            role="table",
            example=lambda good: f"{name}:ref={good}" + token.partition(f"ref={arg}")[2],
        )
        return {"ref_table": arg}
    if arg is not None:
        raise InputError(
            f"Type {kind!r} takes no argument in {show(token)}.",
            token=f"{kind}={arg}",
            example=f"{name}:{kind}",
        )
    return {}


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


def _ranges(values: dict[str, Any], mods: dict[str, str | None], token: str) -> None:
    kind = values["kind"]
    for key in ("min", "max"):
        if key not in mods:
            continue
        text = mods[key]
        if text is None:
            raise InputError(
                f"{key} needs a value in {show(token)}.", token=key, example="hours:int:min=0"
            )
        if kind in ("str", "text"):
            limit = int(text) if _whole(text) else -1
            if limit < 0 or limit > 10485760:
                raise InputError(
                    f"{key}={text!r} in {show(token)} must be a length (a whole number ≥ 0).",
                    token=text,
                    example="code:str=10:min=2",
                )
            values[key] = limit
        elif kind in ("int", "bigint", "float", "decimal"):
            values[key] = _number(text, kind, token, key)
            if kind == "decimal" and not _fits_decimal(
                values[key], values["precision"], values["scale"]
            ):
                raise InputError(
                    f"{key}={text!r} in {show(token)} does not fit "
                    f"decimal({values['precision']},{values['scale']}).",
                    token=text,
                    example="price:decimal=10,2:min=0:max=99999999.99",
                )
        else:
            raise InputError(
                f"{key} does not apply to {kind} fields: {show(token)}.",
                token=key,
                example="hours:int:min=0",
            )
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
    length = values.get("length")
    if (
        kind == "str"
        and values.get("max") is not None
        and length is not None
        and values["max"] > length
    ):
        raise InputError(
            f"max={values['max']} exceeds the column length {length} in {show(token)}.",
            token=token,
            example="code:str=10:max=10",
        )
    if (
        kind == "str"
        and values.get("min") is not None
        and length is not None
        and values["min"] > length
    ):
        raise InputError(
            f"min={values['min']} exceeds the column length {length} in {show(token)}.",
            token=token,
            example="code:str=10:min=2",
        )


def _pattern(text: str | None, kind: str, token: str) -> str:
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


def _default(kind: str, text: str, values: dict[str, Any], token: str) -> Any:
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
