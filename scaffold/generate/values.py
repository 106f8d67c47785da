"""Values as they reach generated code: literals (``repr``), types, imports of values,
and the constraint rules several artifacts spell (uniques, ranges, CHECKs)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from scaffold.generate.imports import Imports
from scaffold.spec.fields import INT_RANGE, Field
from scaffold.spec.resource import ResourceSpec

INT32 = INT_RANGE["int"]
# The limits of INTEGER and BIGINT columns, by the names app/schemas/base.py gives them.
INT_LIMIT_NAMES = {
    INT_RANGE["int"][0]: "INT32_MIN",
    INT_RANGE["int"][1]: "INT32_MAX",
    INT_RANGE["bigint"][0]: "INT64_MIN",
    INT_RANGE["bigint"][1]: "INT64_MAX",
}
# Longer string values are emitted as implicitly concatenated pieces of this length.
LONG_STRING = 60


def _pieces(value: str) -> list[str]:
    """``value`` in pieces of at most ``LONG_STRING`` characters, each ending after a
    space where one is near (words stay whole when read), else where the length ends.

    >>> _pieces("word " * 20)[0]
    'word word word word word word word word word word word word '
    """
    pieces = []
    while len(value) > LONG_STRING:
        cut = value.rfind(" ", LONG_STRING // 2, LONG_STRING) + 1 or LONG_STRING
        pieces.append(value[:cut])
        value = value[cut:]
    return [*pieces, value] if value else pieces


def literal(value: Any) -> str:
    """Python source for a user value; strings always go through ``repr``.

    >>> literal("a'b\\n")
    '"a\\'b\\\\n"'
    """
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return repr(value)
    if isinstance(value, str):
        if len(value) > LONG_STRING:
            # Implicitly concatenated pieces, one per line once formatted: a long default,
            # pattern or message stays within the line length (ruff E501).
            return "(" + " ".join(_string(piece) for piece in _pieces(value)) + ")"
        return _string(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return f"Decimal({literal(str(value))})"
    if isinstance(value, dt.datetime):
        parts = ", ".join(
            str(getattr(value, a)) for a in ("year", "month", "day", "hour", "minute", "second")
        )
        micro = f", {value.microsecond}" if value.microsecond else ""
        return f"dt.datetime({parts}{micro}, tzinfo=dt.UTC)"
    if isinstance(value, dt.date):
        return f"dt.date({value.year}, {value.month}, {value.day})"
    if isinstance(value, dt.time):
        micro = f", {value.microsecond}" if value.microsecond else ""
        return f"dt.time({value.hour}, {value.minute}, {value.second}{micro})"
    if isinstance(value, uuid.UUID):
        return f"UUID({literal(str(value))})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no literal for {type(value).__name__}")


def _string(value: str) -> str:
    text = repr(value)
    # Prefer double quotes like ruff's formatter, without changing the value.
    if text.startswith("'") and '"' not in value and "\\" not in text[1:-1].replace("\\'", ""):
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def kwargs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


def import_for_value(imports: Imports, value: Any) -> None:
    if isinstance(value, Decimal):
        imports.add("decimal", "Decimal")
    elif isinstance(value, dt.date | dt.time):
        imports.add("datetime as dt")
    elif isinstance(value, uuid.UUID):
        imports.add("uuid", "UUID")


def value_source(imports: Imports, value: Any) -> str:
    """A user value as Python source, with what it needs imported (under its local name)."""
    text = literal(value)
    if isinstance(value, Decimal):
        return imports.add("decimal", "Decimal") + text.removeprefix("Decimal")
    if isinstance(value, uuid.UUID):
        return imports.add("uuid", "UUID") + text.removeprefix("UUID")
    import_for_value(imports, value)
    return text


def column_kind(field: Field, spec: ResourceSpec) -> str:
    """A reference is stored as the type of the id it points at."""
    if field.kind == "ref":
        key = spec.known(field.ref_table).id_type
        return key if key in ("uuid", "bigint") else "int"
    return field.kind


def py_type(field: Field, spec: ResourceSpec, imports: Imports) -> str:
    """The plain Python type of a column (model ``Mapped[...]`` and read schema)."""
    kind = column_kind(field, spec)
    simple = {
        "str": "str",
        "text": "str",
        "int": "int",
        "bigint": "int",
        "float": "float",
        "bool": "bool",
        "enum": "str",
    }
    if kind in simple:
        return simple[kind]
    if kind == "decimal":
        return imports.add("decimal", "Decimal")
    if kind in ("date", "datetime", "time"):
        return f"{imports.add('datetime as dt')}.{kind}"
    if kind == "uuid":
        return imports.add("uuid", "UUID")
    if kind == "json":
        return f"dict[str, {imports.add('typing', 'Any')}]"
    raise AssertionError(kind)


def id_py_type(spec: ResourceSpec, imports: Imports) -> str:
    if spec.id_type == "uuid":
        return imports.add("uuid", "UUID")
    return "int"


_SA_TYPES = {
    "text": "Text",
    "int": "Integer",
    "bigint": "BigInteger",
    "float": "Float",
    "bool": "Boolean",
    "date": "Date",
    "time": "Time",
    "uuid": "Uuid",
}


def sa_model_type(field: Field, imports: Imports) -> str | None:
    kind = field.kind
    if kind in _SA_TYPES:
        return imports.add("sqlalchemy", _SA_TYPES[kind]) + "()"
    if kind in ("str", "enum"):
        return f"{imports.add('sqlalchemy', 'String')}({field.stored_length})"
    if kind == "decimal":
        return f"{imports.add('sqlalchemy', 'Numeric')}({field.precision}, {field.scale})"
    if kind == "datetime":
        return imports.add("app.db.types", "UTCDateTime") + "()"
    if kind == "json":
        return imports.add("app.db.types", "JSONDocument")
    return None


def unique_sets(spec: ResourceSpec) -> list[tuple[str, ...]]:
    """The columns of every unique constraint: unique fields alone, then --unique sets."""
    return [(f.name,) for f in spec.fields if f.unique] + list(spec.uniques)


def led_by_unique(spec: ResourceSpec, f: Field) -> bool:
    """Schema 2 gives a foreign key no index of its own when a composite unique leads with it."""
    return spec.schema >= 2 and any(group[0] == f.name for group in spec.uniques)


def own_index(spec: ResourceSpec, f: Field) -> bool:
    """Whether ``f`` has a plain index of its own: asked for (``:index``), or a foreign key
    (a lookup by its parent) unless a unique constraint on it, or one it leads, serves it."""
    return not f.unique and (f.index or (f.is_ref and not led_by_unique(spec, f)))


def range_fields(spec: ResourceSpec) -> list[tuple[Field, Any, Any]]:
    """(field, min, max) of the number fields whose min/max schema 2 also checks in SQL."""
    if spec.schema < 2:
        return []
    numbers = ("int", "bigint", "float", "decimal")
    return [
        (f, f.min, f.max)
        for f in spec.fields
        if f.kind in numbers and (f.min is not None or f.max is not None)
    ]


def range_rule(low: Any, high: Any) -> str:
    """The message of a range CHECK, as the API reports it: ``must be between 1 and 3``."""
    if low is not None and high is not None:
        return f"must be between {low} and {high}"
    return f"must be >= {low}" if low is not None else f"must be <= {high}"


_PY_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def check_constraints(
    spec: ResourceSpec, imports: Imports, *, qualified: bool
) -> list[tuple[str, str]]:
    """(convention name, condition) of every CHECK: enums first, then --check rules.

    Conditions are SQLAlchemy expressions over ``column("name")`` (``sa.column`` in
    migrations, ``qualified``), so SQLAlchemy quotes every identifier for the dialect
    (``"order" IN ('a', 'b')``) and values stay literals.
    """
    ranges = range_fields(spec)
    if not spec.checks and not ranges and not any(f.kind == "enum" for f in spec.fields):
        return []
    column = "sa.column" if qualified else imports.add("sqlalchemy", "column")
    out = []
    for f in spec.fields:
        if f.kind == "enum":
            out.append(
                (f"{f.name}_enum", f"{column}({literal(f.name)}).in_({literal(list(f.choices))})")
            )
    for f, low, high in ranges:
        target = f"{column}({literal(f.name)})"
        if low is not None and high is not None:
            condition = (
                f"{target}.between({value_source(imports, low)}, {value_source(imports, high)})"
            )
        elif low is not None:
            condition = f"{target} >= {value_source(imports, low)}"
        else:
            condition = f"{target} <= {value_source(imports, high)}"
        out.append((f"{f.name}_range", condition))
    for check in spec.checks:
        left = f"{column}({literal(check.left)})"
        if check.right_is_field:
            right = f"{column}({literal(check.right)})"
        elif "." in check.right:
            right = value_source(imports, Decimal(check.right))
        else:
            right = literal(int(check.right))
        out.append((check.slug, f"{left} {_PY_OPS[check.op]} {right}"))
    return out


def sa_migration_type(field: Field, spec: ResourceSpec) -> str:
    kind = column_kind(field, spec)
    table = {
        "text": "sa.Text()",
        "int": "sa.Integer()",
        "bigint": "sa.BigInteger()",
        "float": "sa.Float()",
        "bool": "sa.Boolean()",
        "date": "sa.Date()",
        "time": "sa.Time()",
        "uuid": "sa.Uuid()",
        "datetime": "sa.DateTime(timezone=True)",
        "json": 'sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")',
    }
    if kind in table:
        return table[kind]
    if kind in ("str", "enum"):
        return f"sa.String(length={field.stored_length})"
    if kind == "decimal":
        return f"sa.Numeric(precision={field.precision}, scale={field.scale})"
    raise AssertionError(kind)
