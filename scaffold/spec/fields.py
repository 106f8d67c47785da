"""Parse field tokens (``name[:type[=ARGS]][:modifier[=VALUE]]...``) into :class:`Field`.

Parsing happens once, at the edge; everything downstream reads the frozen
:class:`Field`. Default values are converted to typed Python values and checked
against the field's type, range, length, pattern and choices
(:mod:`scaffold.spec.field_values`), so the templates only ever emit them with
``repr``-style literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scaffold.errors import InputError
from scaffold.spec import inflect
from scaffold.spec.field_values import INT_RANGE as INT_RANGE  # imported from here too
from scaffold.spec.field_values import is_whole, parse_default, parse_pattern, parse_ranges
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
DEFAULT_STR_LENGTH = 255
HASH_LENGTH = 255  # an Argon2id hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash) is about 100
EMAIL_LENGTH = 320
MAX_TOKEN = 1000
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
        values["ondelete"] = _ondelete(mods["ondelete"], values, token)
    if kind == "json" and (values["unique"] or values["index"]):
        raise InputError(
            f"json fields cannot be unique or indexed: {show(token)}.",
            token=token,
            example="settings:json:optional",
        )
    parse_ranges(values, mods, token)
    if "pattern" in mods:
        values["pattern"] = parse_pattern(mods["pattern"], kind, token)
    if "default" in mods:
        if mods["default"] is None:
            raise InputError(
                f"default needs a value in {show(token)}.",
                token="default",
                example="active:bool:default=true",
            )
        values["has_default"] = True
        values["default"] = parse_default(kind, mods["default"], values, token)
    return Field(**values)


def _ondelete(text: str | None, values: dict[str, Any], token: str) -> str:
    """The SQL action of ``ondelete=``, on a ref field (``set-null`` on an optional one)."""
    if values["kind"] != "ref":
        raise InputError(
            f"ondelete only applies to ref fields, not {show(token)}.",
            token="ondelete",
            example="resident_id:ref=residents:ondelete=cascade",
        )
    action = ONDELETE.get(text or "")
    if action is None:
        raise InputError(
            f"ondelete={text!r} in {show(token)} is not one of cascade, restrict, set-null.",
            token=str(text),
            example="resident_id:ref=residents:ondelete=cascade",
        )
    if action == "SET NULL" and not values["optional"]:
        raise InputError(
            f"ondelete=set-null needs an optional column: {show(token)} is required.",
            token=token,
            example=f"{values['name']}:ref={values['ref_table']}:optional:ondelete=set-null",
        )
    return action


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _positive_int(text: str | None, what: str, token: str, example: str) -> int:
    if text is None or not is_whole(text) or not 0 < int(text) <= 10485760:
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
            scale = int(s) if is_whole(s) else -1
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
