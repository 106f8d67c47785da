"""What changes when one field's definition is replaced by another (``field alter``):
each attribute that differs, and whether it widens (safe for API clients and data) or
narrows (breaking: a request that worked is refused, a stored value may not fit).

    >>> from scaffold.spec.fields import parse_field
    >>> [str(a) for a in field_diff(parse_field("name:str=40"), parse_field("name:str=80:optional"))]
    ['length 40 → 80', 'nullability required → optional']
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from scaffold.spec.fields import Field

STRINGS = ("str", "text", "enum")
NUMBERS = ("int", "bigint", "float", "decimal")
FROM_TEXT = (*NUMBERS, "bool", "date", "datetime", "time", "uuid")
# Type changes that keep every value and its JSON type: the only safe ones.
WIDENING_TYPES = {("str", "text"), ("int", "bigint"), ("enum", "str"), ("enum", "text")}
# Of those, the ones PostgreSQL does by rewriting the whole table under an ACCESS EXCLUSIVE
# lock (a varchar to text or to a longer varchar is a catalog change only): risky on a
# live table, so escalated, though no client notices.
REWRITING_TYPES = {("int", "bigint")}


@dataclass(frozen=True)
class Attribute:
    """One attribute of a field that changes; ``narrowing``: breaking, with ``why``."""

    name: str
    before: str
    after: str
    narrowing: bool = False
    why: str = ""

    def __str__(self) -> str:
        return f"{self.name} {self.before} → {self.after}"


def same_definition(before: Field, after: Field) -> bool:
    """``after`` says what ``before`` says, however it is spelled (token order, defaults)."""
    return replace(after, token=before.token) == before


def castable(before: Field, after: Field) -> bool:
    """Whether a column of ``before``'s type can be cast to ``after``'s (PostgreSQL
    ``USING``, SQLite's table copy): within strings, within numbers, or through text."""
    a, b = before.kind, after.kind
    if a == b:
        return True
    if a in STRINGS and b in STRINGS or a in NUMBERS and b in NUMBERS:
        return True
    return (a in ("str", "text") and b in FROM_TEXT) or (a in FROM_TEXT and b in ("str", "text"))


def field_diff(before: Field, after: Field) -> list[Attribute]:
    """Every attribute of the field that changes, in the order the plan lists them."""
    out: list[Attribute] = []
    _type_changes(before, after, out)
    if before.optional != after.optional:
        out.append(
            Attribute(
                "nullability",
                _nullability(before),
                _nullability(after),
                narrowing=not after.optional,
                why="clients that leave it out or send null are refused; existing NULLs must be filled",
            )
        )
    if (before.has_default, before.default) != (after.has_default, after.default):
        removed = before.has_default and not after.has_default
        out.append(
            Attribute(
                "default",
                _shown(before.default) if before.has_default else "none",
                _shown(after.default) if after.has_default else "none",
                narrowing=removed and not after.optional,
                why="clients that left it out must now send it",
            )
        )
    for name in ("unique", "index"):
        if getattr(before, name) != getattr(after, name):
            added = getattr(after, name)
            out.append(
                Attribute(
                    name,
                    "yes" if getattr(before, name) else "no",
                    "yes" if added else "no",
                    narrowing=name == "unique" and added,
                    why="a value another row has is refused (409)",
                )
            )
    _bound(out, "min", before.min, after.min, lower_is_wider=True)
    _bound(out, "max", before.max, after.max, lower_is_wider=False)
    if before.pattern != after.pattern:
        out.append(
            Attribute(
                "pattern",
                before.pattern or "none",
                after.pattern or "none",
                narrowing=after.pattern is not None,
                why="values that do not match it are refused",
            )
        )
    return out


def declared_diff(before: Field, after: Field) -> list[Attribute]:
    """``field_diff`` of the fields as their tokens declare them: a ``:unique`` of an owned
    resource is a unique rule (per owner) even where its spec holds it as a group."""
    from scaffold.spec.fields import parse_field

    return field_diff(parse_field(before.token), parse_field(after.token))


def _type_changes(before: Field, after: Field, out: list[Attribute]) -> None:
    """type, then the length, precision and enum values the type carries."""
    if before.kind != after.kind:
        lossless = (before.kind, after.kind) in WIDENING_TYPES
        out.append(
            Attribute(
                "type",
                before.kind,
                after.kind,
                narrowing=not lossless,
                why=_type_why(before.kind, after.kind),
            )
        )
    if before.kind == after.kind == "str" and before.length != after.length:
        out.append(
            Attribute(
                "length",
                str(before.length),
                str(after.length),
                narrowing=(after.length or 0) < (before.length or 0),
                why="longer values are refused and stored ones may not fit",
            )
        )
    if before.kind == after.kind == "decimal" and (before.precision, before.scale) != (
        after.precision,
        after.scale,
    ):
        wider = (after.scale or 0) >= (before.scale or 0) and (after.precision or 0) - (
            after.scale or 0
        ) >= (before.precision or 0) - (before.scale or 0)
        out.append(
            Attribute(
                "precision",
                f"{before.precision},{before.scale}",
                f"{after.precision},{after.scale}",
                narrowing=not wider,
                why="stored values may be rounded or not fit",
            )
        )
    if before.kind == after.kind == "enum" and before.choices != after.choices:
        removed = [c for c in before.choices if c not in after.choices]
        out.append(
            Attribute(
                "enum values",
                ",".join(before.choices),
                ",".join(after.choices),
                narrowing=bool(removed),
                why=f"{', '.join(removed)} {'is' if len(removed) == 1 else 'are'} refused, and rows holding it must change first",
            )
        )


# Rules only the API checks (the column does not): an older API version keeps its own.
_API_ONLY = ("pattern", "min", "max", "default", "index")


def bound_token(old_token: str, new_token: str) -> str:
    """An older API version's token for a field whose column now has ``new_token``'s
    definition: the column's rules (type, length, nullability, enum values, unique, a
    number's range) bind every version; the rules only the API checks (a pattern, a
    string's length range, a default, an index's filter) stay as that version had them."""
    from scaffold.errors import InputError
    from scaffold.spec.fields import _split_parts, parse_field

    old, new = parse_field(old_token), parse_field(new_token)
    if new.kind in NUMBERS or old.kind != new.kind:
        return new_token  # a number's range is a CHECK; another type takes the new rules
    name, _, rest = new_token.partition(":")
    keep = [(k, v) for k, v in _split_parts(rest, new_token) if k not in _API_ONLY] if rest else []
    _, _, old_rest = old_token.partition(":")
    keep += (
        [(k, v) for k, v in _split_parts(old_rest, old_token) if k in _API_ONLY] if old_rest else []
    )
    token = ":".join([name, *(k if v is None else f"{k}={v}" for k, v in keep)])
    try:
        parse_field(token)
    except InputError:
        return new_token  # the old rules do not fit the new column (a default too long)
    return token


def _type_why(old: str, new: str) -> str:
    """What a narrowing type change breaks."""
    if old in STRINGS and new in STRINGS:
        return "stored values may not fit, and longer or other values are refused"
    json_type = {"int": "integer", "bigint": "integer", "float": "number", "bool": "boolean"}
    if json_type.get(old, "string") != json_type.get(new, "string"):
        return f"its JSON type changes ({json_type.get(old, 'string')} → {json_type.get(new, 'string')})"
    return "stored values may not convert, and clients that send the old type are refused"


def _bound(out: list[Attribute], name: str, old: Any, new: Any, *, lower_is_wider: bool) -> None:
    if old == new:
        return
    if new is None:
        narrowing = False
    elif old is None:
        narrowing = True
    else:
        narrowing = new > old if lower_is_wider else new < old
    out.append(
        Attribute(
            name,
            _shown(old) if old is not None else "none",
            _shown(new) if new is not None else "none",
            narrowing=narrowing,
            why="values outside the new range are refused",
        )
    )


def _nullability(f: Field) -> str:
    return "optional" if f.optional else "required"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
