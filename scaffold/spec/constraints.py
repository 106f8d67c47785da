"""Table constraints over several fields: ``--unique a,b`` and ``--check "a<=b"``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scaffold.errors import InputError
from scaffold.spec.fields import Field
from scaffold.spec.names import show

_CHECK = re.compile(r"\s*([a-z][a-z0-9_]*)\s*(<=|>=|!=|=|<|>)\s*(\S.*?)\s*")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
CHECK_WORDS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "=": "eq", "!=": "ne"}
COMPARABLE = {
    "int": "number",
    "bigint": "number",
    "float": "number",
    "decimal": "number",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
    "str": "str",
    "text": "str",
}


@dataclass(frozen=True)
class Check:
    """A CHECK comparing two fields, or a field and a numeric literal."""

    left: str
    op: str
    right: str
    right_is_field: bool
    text: str

    @property
    def slug(self) -> str:
        right = (
            self.right if self.right_is_field else self.right.replace("-", "neg").replace(".", "_")
        )
        return f"{self.left}_{CHECK_WORDS[self.op]}_{right}"

    @property
    def message(self) -> str:
        """What the API says when the rule is broken, from the schema and the database alike."""
        return f"{self.left} must be {self.op} {self.right}"


def parse_unique(group: str, fields: Sequence[Field]) -> tuple[str, ...]:
    """The fields of one ``--unique a,b`` group: two or more, none of them json."""
    names = tuple(part.strip() for part in group.split(","))
    by_name = {f.name: f for f in fields}
    for name in names:
        if name not in by_name:
            raise InputError(
                f"--unique {show(group)} names {name!r}, which is not a field of this resource.",
                token=name,
                example="--unique resident_id,week_start",
            )
        if by_name[name].kind == "json":
            raise InputError(
                f"--unique cannot include the json field {name!r}.",
                token=name,
                example="--unique resident_id,week_start",
            )
    if len(names) < 2 or len(set(names)) != len(names):
        raise InputError(
            f"--unique {show(group)} needs two or more distinct fields (use :unique for one).",
            token=group,
            example="--unique resident_id,week_start",
        )
    return names


def parse_check(text: str, fields: Sequence[Field]) -> Check:
    """One ``--check`` rule (``"min_hours<=max_hours"``, ``"hours>0"``): a field against a
    field of a comparable type, or a number."""
    example = '--check "min_hours<=max_hours"'
    match = _CHECK.fullmatch(text) if len(text) <= 200 else None
    if not match:
        raise InputError(
            f"--check {show(text)} is not FIELD OP FIELD or FIELD OP NUMBER with OP one of < <= > >= = !=.",
            token=text,
            example=example,
        )
    left, op, right = match.groups()
    by_name = {f.name: f for f in fields}
    if left not in by_name:
        raise InputError(
            f"--check {show(text)} names {left!r}, which is not a field of this resource.",
            token=left,
            example=example,
        )
    left_kind = COMPARABLE.get(by_name[left].kind)
    if left_kind is None:
        raise InputError(
            f"--check cannot compare the {by_name[left].kind} field {left!r}.",
            token=left,
            example=example,
        )
    if right in by_name:
        if COMPARABLE.get(by_name[right].kind) != left_kind:
            raise InputError(
                f"--check {show(text)} compares {left!r} and {right!r}, which have different types.",
                token=right,
                example=example,
            )
        return Check(left, op, right, True, text)
    if left_kind == "number" and _NUMBER.fullmatch(right):
        return Check(left, op, right, False, text)
    raise InputError(
        f"--check {show(text)}: {right!r} is neither a field of this resource nor a number.",
        token=right,
        example=example,
    )


def renamed_unique(group: str, old: str, new: str) -> str:
    """A ``--unique a,b`` group with the field ``old`` renamed to ``new``."""
    parts = [part.strip() for part in group.split(",")]
    if old not in parts:
        return group
    return ",".join(new if part == old else part for part in parts)


def renamed_check(text: str, old: str, new: str) -> str:
    """A ``--check`` rule with the field ``old`` renamed to ``new`` (a number stays)."""
    match = _CHECK.fullmatch(text) if len(text) <= 200 else None
    if not match or old not in (match.group(1), match.group(3)):
        return text
    left, op, right = match.groups()
    return f"{new if left == old else left}{op}{new if right == old else right}"
