"""Turn a ResourceSpec into ready-made template slots.

Type mapping, defaults, constraints and imports are decided here, in Python;
the templates beside ``templates/resource`` only lay the lines out. Every
user value reaches the output through :func:`literal` (a Python literal
built with ``repr``), never pasted as an expression.
"""

from __future__ import annotations

import datetime as dt
import keyword
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scaffold.layout import Layout
from scaffold.render.imports import Imports
from scaffold.render.samples import EXAMPLE_UUID, Samples, split_long_string
from scaffold.spec import naming
from scaffold.spec.fields import INT_RANGE, Field
from scaffold.spec.inflect import humanize
from scaffold.spec.links import links_of
from scaffold.spec.names import python_name
from scaffold.spec.resource import OWNER_COLUMN, Check, Known, Many, ResourceSpec

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
            pieces = [value[i : i + LONG_STRING] for i in range(0, len(value), LONG_STRING)]
            return "(" + " ".join(_string(piece) for piece in pieces) + ")"
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


def _kwargs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


def _import_for_value(imports: Imports, value: Any) -> None:
    if isinstance(value, Decimal):
        imports.add("decimal", "Decimal")
    elif isinstance(value, dt.date | dt.time):
        imports.add("datetime as dt")
    elif isinstance(value, uuid.UUID):
        imports.add("uuid", "UUID")


def _value(imports: Imports, value: Any) -> str:
    """A user value as Python source, with what it needs imported (under its local name)."""
    text = literal(value)
    if isinstance(value, Decimal):
        return imports.add("decimal", "Decimal") + text.removeprefix("Decimal")
    if isinstance(value, uuid.UUID):
        return imports.add("uuid", "UUID") + text.removeprefix("UUID")
    _import_for_value(imports, value)
    return text


# --- Python types ----------------------------------------------------------


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


# --- Model ------------------------------------------------------------------

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


def _sa_model_type(field: Field, imports: Imports) -> str | None:
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


def model_context(spec: ResourceSpec, layout: Layout | None = None) -> dict[str, Any]:
    """The model's lines. In an adopted project every index and constraint is named
    explicitly (``conv``), so the name in the model, the migration and the database is
    the one scaffold computes, whatever naming convention the project's Base has."""
    imports = Imports(own={spec.class_name})
    explicit = layout is not None and layout.profile is not None
    base = imports.add("app.db.base", "Base")
    datetime = imports.add("datetime as dt")
    mapped = imports.add("sqlalchemy.orm", "Mapped")
    column = imports.add("sqlalchemy.orm", "mapped_column")
    utcnow = imports.add("app.db.base", "utcnow")
    utc_type = imports.add("app.db.types", "UTCDateTime")
    lines = []
    id_type = id_py_type(spec, imports)
    if spec.id_type == "uuid":
        uuid4 = imports.add("uuid", "uuid4")
        lines.append(f"id: {mapped}[{id_type}] = {column}(primary_key=True, default={uuid4})")
    elif spec.id_type == "bigint":
        # SQLite numbers rows only through an INTEGER PRIMARY KEY, hence the variant.
        big, small = imports.add("sqlalchemy", "BigInteger"), imports.add("sqlalchemy", "Integer")
        identity = imports.add("sqlalchemy", "Identity")
        key = f'{big}().with_variant({small}(), "sqlite"), {identity}()'
        lines.append(f"id: {mapped}[int] = {column}({key}, primary_key=True)")
    else:
        lines.append(f"id: {mapped}[int] = {column}(primary_key=True)")
    for f in spec.fields:
        annotation = py_type(f, spec, imports)
        if f.optional:
            annotation += " | None"
        # The column keeps the user's name where Python spells the attribute name_.
        args: list[str] = [literal(f.name)] if f.attr != f.name else []
        if f.is_ref:
            if column_kind(f, spec) == "bigint":
                # Mapped[int] alone would make it INTEGER; it must match the BIGINT key.
                args.append(f"{imports.add('sqlalchemy', 'BigInteger')}()")
            fk_args = [literal(f"{f.ref_table}.{spec.known(f.ref_table).key}")]
            if f.ondelete:
                fk_args.append(f"ondelete={literal(f.ondelete)}")
            if explicit:
                conv = imports.add("sqlalchemy.sql.naming", "conv")
                fk_name = naming.fk(spec.table, [f.name], f.ref_table)
                fk_args.append(f"name={conv}({literal(fk_name)})")
            args.append(f"{imports.add('sqlalchemy', 'ForeignKey')}({', '.join(fk_args)})")
        else:
            args.append(_sa_model_type(f, imports) or "")
        if explicit:
            pass  # named constraints and indexes go to __table_args__ below
        elif f.unique:
            args.append("unique=True")
        elif f.index or (f.is_ref and not _led_by_unique(spec, f)):
            args.append("index=True")
        if f.has_default:
            default = utcnow if f.default == "now" else _value(imports, f.default)
            args.append(f"default={default}")
        lines.append(f"{f.attr}: {mapped}[{annotation}] = {column}({', '.join(args)})")
    # Schema 2: the database fills the timestamps too, for rows written outside the ORM.
    stamp = ""
    if spec.schema >= 2:
        stamp = f", server_default={imports.add('sqlalchemy', 'func')}.now()"
    lines.append(
        f"created_at: {mapped}[{datetime}.datetime] = "
        f"{column}({utc_type}(), default={utcnow}{stamp})"
    )
    lines.append(
        f"updated_at: {mapped}[{datetime}.datetime] = "
        f"{column}({utc_type}(), default={utcnow}, onupdate={utcnow}{stamp})"
    )
    table_args = []
    if explicit:
        conv = imports.add("sqlalchemy.sql.naming", "conv")
        for group in _unique_sets(spec):
            unique = imports.add("sqlalchemy", "UniqueConstraint")
            cols = ", ".join(literal(c) for c in group)
            table_args.append(
                f"{unique}({cols}, name={conv}({literal(naming.uq(spec.table, group))}))"
            )
        for f in spec.fields:
            if not f.unique and (f.index or (f.is_ref and not _led_by_unique(spec, f))):
                index = imports.add("sqlalchemy", "Index")
                name = literal(naming.ix(spec.table, [f.name]))
                table_args.append(f"{index}({conv}({name}), {literal(f.name)})")
    else:
        for group in spec.uniques:
            unique = imports.add("sqlalchemy", "UniqueConstraint")
            table_args.append(f"{unique}({', '.join(literal(c) for c in group)})")
    for name, condition in _check_constraints(spec, imports, qualified=False):
        check = imports.add("sqlalchemy", "CheckConstraint")
        if explicit:
            conv = imports.add("sqlalchemy.sql.naming", "conv")
            full = literal(naming.ck(spec.table, name))
            table_args.append(f"{check}({condition}, name={conv}({full}))")
        else:
            table_args.append(f"{check}({condition}, name={literal(name)})")
    join_tables = [_join_table_model(spec, m, imports, base) for m in spec.many]
    return {
        "imports": imports.render(),
        "base": base,
        "ownership": _ownership_line(spec),
        "columns": lines,
        "table_args": table_args,
        "join_tables": join_tables,
    }


def _ownership_line(spec: ResourceSpec) -> str | None:
    """The model's ownership marker the services' scope follows (``owned_by``): the
    column of the owner's id, or the reference to the owned row it belongs to."""
    if spec.owner is not None:
        return f"__owner__ = {literal(python_name(OWNER_COLUMN))}"
    through = spec.owned_through
    if through is None:
        return None
    return f"__owned_through__ = {literal(through.db_attr)}"


def _key_sa(id_type: str, imports: Imports) -> str:
    """The SQLAlchemy type of a column holding a key of ``id_type``."""
    if id_type == "uuid":
        return imports.add("sqlalchemy", "Uuid") + "()"
    if id_type == "bigint":
        big, small = imports.add("sqlalchemy", "BigInteger"), imports.add("sqlalchemy", "Integer")
        return f'{big}().with_variant({small}(), "sqlite")'
    return imports.add("sqlalchemy", "Integer") + "()"


def _join_table_model(spec: ResourceSpec, many: Many, imports: Imports, base: str) -> str:
    """The join table of a many-to-many, every name spelled out (``conv``)."""
    table, column, fk = (imports.add("sqlalchemy", n) for n in ("Table", "Column", "ForeignKey"))
    pk, index = (
        imports.add("sqlalchemy", "PrimaryKeyConstraint"),
        imports.add("sqlalchemy", "Index"),
    )
    conv = imports.add("sqlalchemy.sql.naming", "conv")
    join = many.join_table
    own, other = many.own_column, many.other_column
    rows = [
        literal(join),
        f"{base}.metadata",
        f"{column}({literal(own)}, {_key_sa(spec.id_type, imports)}, {fk}("
        f'{literal(spec.table + ".id")}, ondelete="CASCADE", '
        f"name={conv}({literal(naming.fk(join, [own], spec.table))})), nullable=False)",
        f"{column}({literal(other)}, {_key_sa(many.target.id_type, imports)}, {fk}("
        f'{literal(many.target.table + "." + many.target.key)}, ondelete="CASCADE", '
        f"name={conv}({literal(naming.fk(join, [other], many.target.table))})), nullable=False)",
        f"{pk}({literal(own)}, {literal(other)}, name={conv}({literal(naming.pk(join))}))",
        f"{index}({conv}({literal(naming.ix(join, [other]))}), {literal(other)})",
    ]
    body = "".join(f"    {row},\n" for row in rows)
    return f"{join} = {table}(\n{body})"


def _unique_sets(spec: ResourceSpec) -> list[tuple[str, ...]]:
    """The columns of every unique constraint: unique fields alone, then --unique sets."""
    return [(f.name,) for f in spec.fields if f.unique] + list(spec.uniques)


def _led_by_unique(spec: ResourceSpec, f: Field) -> bool:
    """Schema 2 gives a foreign key no index of its own when a composite unique leads with it."""
    return spec.schema >= 2 and any(group[0] == f.name for group in spec.uniques)


def _ranges(spec: ResourceSpec) -> list[tuple[Field, Any, Any]]:
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


def _check_constraints(
    spec: ResourceSpec, imports: Imports, *, qualified: bool
) -> list[tuple[str, str]]:
    """(convention name, condition) of every CHECK: enums first, then --check rules.

    Conditions are SQLAlchemy expressions over ``column("name")`` (``sa.column`` in
    migrations, ``qualified``), so SQLAlchemy quotes every identifier for the dialect
    (``"order" IN ('a', 'b')``) and values stay literals.
    """
    ranges = _ranges(spec)
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
            condition = f"{target}.between({_value(imports, low)}, {_value(imports, high)})"
        elif low is not None:
            condition = f"{target} >= {_value(imports, low)}"
        else:
            condition = f"{target} <= {_value(imports, high)}"
        out.append((f"{f.name}_range", condition))
    for check in spec.checks:
        left = f"{column}({literal(check.left)})"
        if check.right_is_field:
            right = f"{column}({literal(check.right)})"
        elif "." in check.right:
            right = _value(imports, Decimal(check.right))
        else:
            right = literal(int(check.right))
        out.append((check.slug, f"{left} {_PY_OPS[check.op]} {right}"))
    return out


# --- Migration ---------------------------------------------------------------


def _sa_migration_type(field: Field, spec: ResourceSpec) -> str:
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


def migration_context(
    spec: ResourceSpec, revision: str, down_revision: str | None
) -> dict[str, Any]:
    imports = Imports()
    imports.add("sqlalchemy as sa")
    imports.add("alembic", "op")
    table = spec.table
    id_sa = {
        "uuid": "sa.Uuid()",
        "bigint": 'sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False)',
    }.get(spec.id_type, "sa.Integer()")
    items = [f'sa.Column("id", {id_sa}, nullable=False)']
    indexes = []
    for f in spec.fields:
        sa_type = _sa_migration_type(f, spec)
        if "postgresql." in sa_type:
            imports.add("sqlalchemy.dialects", "postgresql")
        items.append(f"sa.Column({literal(f.name)}, {sa_type}, nullable={f.optional})")
        if not f.unique and (f.index or (f.is_ref and not _led_by_unique(spec, f))):
            indexes.append((naming.ix(table, [f.name]), [f.name]))
    stamp = ", server_default=sa.func.now()" if spec.schema >= 2 else ""
    items.append(f'sa.Column("created_at", sa.DateTime(timezone=True){stamp}, nullable=False)')
    items.append(f'sa.Column("updated_at", sa.DateTime(timezone=True){stamp}, nullable=False)')
    for name, condition in _check_constraints(spec, imports, qualified=True):
        items.append(
            f"sa.CheckConstraint({condition}, name=op.f({literal(naming.ck(table, name))}))"
        )
    for f in spec.fields:
        if f.is_ref:
            fk_name = naming.fk(table, [f.name], f.ref_table)
            ondelete = f", ondelete={literal(f.ondelete)}" if f.ondelete else ""
            items.append(
                f"sa.ForeignKeyConstraint([{literal(f.name)}], "
                f"[{literal(f.ref_table + '.' + spec.known(f.ref_table).key)}], "
                f"name=op.f({literal(fk_name)}){ondelete})"
            )
    items.append(f'sa.PrimaryKeyConstraint("id", name=op.f({literal(naming.pk(table))}))')
    for group in _unique_sets(spec):
        cols = ", ".join(literal(c) for c in group)
        items.append(f"sa.UniqueConstraint({cols}, name=op.f({literal(naming.uq(table, group))}))")
    upgrade = [
        f"op.create_table(\n        {literal(table)},\n"
        + "".join(f"        {i},\n" for i in items)
        + "    )"
    ]
    downgrade = []
    for name, cols in indexes:
        upgrade.append(
            f"op.create_index(op.f({literal(name)}), {literal(table)}, {literal(cols)}, unique=False)"
        )
        downgrade.append(f"op.drop_index(op.f({literal(name)}), table_name={literal(table)})")
    downgrade.reverse()
    downgrade.append(f"op.drop_table({literal(table)})")
    for many in spec.many:
        join_up, join_down = _join_table_migration(spec, many)
        upgrade += join_up
        downgrade = join_down + downgrade
    return {
        "imports": imports.render(),
        "message": f"create {table}",
        "down_revision_text": down_revision or "<base>",
        "revision": revision,
        "down_revision": literal(down_revision),
        "upgrade": upgrade,
        "downgrade": downgrade,
    }


def _key_migration(id_type: str) -> str:
    return {
        "uuid": "sa.Uuid()",
        "bigint": 'sa.BigInteger().with_variant(sa.Integer(), "sqlite")',
    }.get(id_type, "sa.Integer()")


def _join_table_migration(spec: ResourceSpec, many: Many) -> tuple[list[str], list[str]]:
    """(upgrade, downgrade) lines creating and dropping a many-to-many's join table."""
    join, own, other = many.join_table, many.own_column, many.other_column
    target = many.target
    items = [
        f"sa.Column({literal(own)}, {_key_migration(spec.id_type)}, nullable=False)",
        f"sa.Column({literal(other)}, {_key_migration(target.id_type)}, nullable=False)",
        f"sa.ForeignKeyConstraint([{literal(own)}], [{literal(spec.table + '.id')}], "
        f'name=op.f({literal(naming.fk(join, [own], spec.table))}), ondelete="CASCADE")',
        f"sa.ForeignKeyConstraint([{literal(other)}], [{literal(target.table + '.' + target.key)}], "
        f'name=op.f({literal(naming.fk(join, [other], target.table))}), ondelete="CASCADE")',
        f"sa.PrimaryKeyConstraint({literal(own)}, {literal(other)}, name=op.f({literal(naming.pk(join))}))",
    ]
    index = naming.ix(join, [other])
    upgrade = [
        f"op.create_table(\n        {literal(join)},\n"
        + "".join(f"        {i},\n" for i in items)
        + "    )",
        f"op.create_index(op.f({literal(index)}), {literal(join)}, {literal([other])}, unique=False)",
    ]
    downgrade = [
        f"op.drop_index(op.f({literal(index)}), table_name={literal(join)})",
        f"op.drop_table({literal(join)})",
    ]
    return upgrade, downgrade


# --- Schemas -------------------------------------------------------------------


def _input_type(
    field: Field, spec: ResourceSpec, imports: Imports
) -> tuple[str, list[tuple[str, str]]]:
    """(annotation, Field(...) constraints) for a create/update field."""
    kind = field.kind
    kw: list[tuple[str, str]] = []
    if kind in ("str", "text"):
        if field.email:
            annotation = imports.add("app.schemas.base", "Email")
        else:
            # A required string refuses "" and "   " unless the user asked for min=0.
            blank_ok = field.optional or field.min == 0
            annotation = imports.add("app.schemas.base", "SafeStr" if blank_ok else "NonBlankStr")
            kw.append(("strict", "True"))
        if field.min:
            kw.append(("min_length", literal(field.min)))
        limit = field.max if field.max is not None else field.length
        if limit is not None:
            kw.append(("max_length", literal(limit)))
        if field.pattern:
            kw.append(("pattern", literal(field.pattern)))
        return annotation, kw
    if kind in ("int", "bigint", "float", "decimal"):
        annotation = {"int": "int", "bigint": "int", "float": "float"}.get(kind, "Decimal")
        if kind != "decimal":
            # Strict per field: true or "2" is not an int; a float still takes 2.
            kw.append(("strict", "True"))
        # An integer is bounded by its column too (the database refuses more), and the
        # schema says so: the column's limits by name, the field's own as given.
        low, high = INT_RANGE.get(kind, (None, None))
        if field.min is not None:
            low = field.min if low is None else max(low, field.min)
        if field.max is not None:
            high = field.max if high is None else min(high, field.max)
        if kind == "decimal":
            imports.add("decimal", "Decimal")
            kw += [("max_digits", str(field.precision)), ("decimal_places", str(field.scale))]
        for key, bound in (("ge", low), ("le", high)):
            if bound is not None:
                kw.append((key, _bound(imports, bound)))
        return annotation, kw
    if kind == "enum":
        imports.add("typing", "Literal")
        return f"Literal[{', '.join(literal(c) for c in field.choices)}]", kw
    if kind == "datetime":
        imports.add("app.schemas.base", "UTCDatetime")
        return "UTCDatetime", kw
    if kind == "time":
        imports.add("app.schemas.base", "LocalTime")
        return "LocalTime", kw
    if kind == "json":
        imports.add("app.schemas.base", "JsonObject")
        return "JsonObject", kw
    if kind == "ref" and spec.known(field.ref_table).id_type in ("int", "bigint"):
        high = _bound(imports, INT_RANGE[column_kind(field, spec)][1])
        return "int", [("strict", "True"), ("ge", "1"), ("le", high)]
    if kind == "bool":
        return "bool", [("strict", "True")]
    return py_type(field, spec, imports), kw


def _bound(imports: Imports, value: Any) -> str:
    """A range bound as source: a column limit by its name (``INT32_MAX``), else the value."""
    if isinstance(value, int) and not isinstance(value, bool) and value in INT_LIMIT_NAMES:
        return imports.add("app.schemas.base", INT_LIMIT_NAMES[value])
    return _value(imports, value)


def _field_line(name: str, annotation: str, kw: list[tuple[str, str]], default: str | None) -> str:
    """``name: T``, ``name: T = default`` or ``name: T = Field(default=..., ...)``."""
    if not kw:
        return f"{name}: {annotation}" + ("" if default is None else f" = {default}")
    args = ([("default", default)] if default is not None else []) + kw
    return f"{name}: {annotation} = Field({_kwargs(args)})"


def _validator_lines(checks: tuple[Check, ...]) -> list[str]:
    out = []
    for check in checks:
        op = "==" if check.op == "=" else check.op
        left = f"self.{python_name(check.left)}"
        right = f"self.{python_name(check.right)}" if check.right_is_field else check.right
        guards = [f"{left} is not None"]
        if check.right_is_field:
            guards.append(f"{right} is not None")
        condition = " and ".join(guards) + f" and not ({left} {op} {right})"
        message = literal(check.message)
        out.append(
            f'@model_validator(mode="after")\n'
            f"def _check_{check.slug}(self) -> Self:\n"
            f"    if {condition}:\n"
            f"        raise rule_broken({literal(check.left)}, {message})\n"
            f"    return self"
        )
    return out


EXAMPLE_TIME = "2024-01-01T09:00:00Z"


def _examples(spec: ResourceSpec) -> dict[str, str]:
    """``model_config`` lines with an OpenAPI example per schema, from the field specs."""
    samples = Samples(spec)
    live = [f for f in spec.fields if not f.removed]
    values = {}
    for f in live:
        ref_id = EXAMPLE_UUID if f.is_ref and spec.known(f.ref_table).id_type == "uuid" else 1
        value = samples.example(f, ref_id)
        if value is not None:
            values[f.name] = value
    create = {
        k: v for k, v in values.items() if spec.parent_field is None or k != spec.parent_field.name
    }
    update = dict(list((k, v) for k, v in create.items() if not spec.field(k).is_ref)[:1])
    hidden = {f.name for f in live if f.sensitive}
    key = EXAMPLE_UUID if spec.id_type == "uuid" else 1
    read = {"id": key, **{k: v for k, v in values.items() if k not in hidden}}
    read |= {"created_at": EXAMPLE_TIME, "updated_at": EXAMPLE_TIME}

    return {"create": _example(create), "update": _example(update), "read": _example(read)}


def _example(values: dict[str, Any]) -> str:
    """A module-level dict literal, one entry a line; a string too long for its line
    (a 63-character name beside a long value) is split into pieces (ruff E501)."""
    entries = []
    for key, value in values.items():
        text = split_long_string(literal(value), len(key) + 8)
        entries.append(f"    {literal(key)}: {text},")
    return "{\n" + "\n".join(entries) + "\n}" if entries else "{}"


def _aliases(f: Field, *, read: bool) -> list[tuple[str, str]]:
    """Where Python spells a field differently: input schemas read the JSON key and dump
    (``by_alias``) the model attribute of its column; read schemas do the reverse."""
    json_key = f.name if f.attr != f.name else None
    attribute = f.db_attr if f.db_attr != f.attr else None
    incoming, outgoing = (attribute, json_key) if read else (json_key, attribute)
    out = []
    if incoming is not None:
        out.append(("validation_alias", literal(incoming)))
    if outgoing is not None:
        out.append(("serialization_alias", literal(outgoing)))
    return out


# Query parameters every list route has; a filter on a field of that name is ?<name>_eq=.
PAGE_PARAMETERS = frozenset({"limit", "offset", "include", "sort"})


def filter_name(f: Field, spec: ResourceSpec) -> str:
    """The query parameter of the equality filter on ``f``: its name, or ``<name>_eq``."""
    taken = PAGE_PARAMETERS | {g.name for g in spec.fields if g is not f}
    name = f.name
    if name in PAGE_PARAMETERS:
        name = f"{name}_eq"
        while name in taken:
            name = f"{name}_eq"
    return name


def list_filters(spec: ResourceSpec) -> list[Field]:
    """Fields the list route filters by equality (the parent's key is in the path instead)."""
    return [f for f in spec.fields if f.filterable and f is not spec.parent_field and not f.removed]


@dataclass(frozen=True)
class Include:
    """A related row a read route can embed: ``?include=resident``."""

    name: str  # the relationship, and the word of ?include=
    field: str  # the reference's JSON key ("" for a many-to-many)
    read_module: str
    read_class: str
    many: bool = False


def includes_of(spec: ResourceSpec, layout: Layout, owned: set[str]) -> list[Include]:
    """The parents (resources scaffold generated) this resource's reads can embed."""
    out = []
    for link in links_of(spec, lambda table, _c: layout.module("models", table), owned):
        if link.parent_table not in owned:
            continue
        field = next(f for f in spec.fields if f.db_attr == link.field)
        known = spec.known(link.parent_table)
        module = layout.module("schemas", link.parent_table)
        out.append(Include(link.child_attr, field.name, module, f"{known.class_name}Read"))
    for m in spec.many:
        module = layout.module("schemas", m.target.table)
        out.append(Include(m.name, "", module, f"{m.target.class_name}Read", many=True))
    return out


def include_pattern(includes: list[Include]) -> str:
    """The ?include= value: a comma-separated list of the names, each at most once is not
    enforced (a repeat loads nothing more)."""
    words = "|".join(i.name for i in includes)
    return f"^({words})(,({words}))*$"


def schemas_context(spec: ResourceSpec, includes: list[Include] | None = None) -> dict[str, Any]:
    imports = Imports()
    imports.add("pydantic", "Field")
    imports.add("app.schemas.base", "InputModel")
    imports.add("app.schemas.base", "Page")
    imports.add("app.schemas.base", "PageQuery")
    imports.add("app.schemas.base", "ReadModel")
    imports.add("datetime as dt")
    parent_field = spec.parent_field
    create, update, read, required = [], [], [], []
    read.append(f"id: {id_py_type(spec, imports)}")
    if spec.owner is not None:
        read.append("owner_id: int")  # set from the signed-in user, never from the body
    for f in spec.fields:
        annotation, kw = _input_type(f, spec, imports)
        optional_annotation = f"{annotation} | None"
        if f.removed:
            # Kept in this version's contract only: accepted and ignored, read back as null.
            ignored = _field_line(
                f.attr,
                optional_annotation,
                [
                    *[a for a in _aliases(f, read=False) if a[0] == "validation_alias"],
                    ("exclude", "True"),
                ],
                "None",
            )
            create.append(ignored)
            update.append(ignored)
            if not f.sensitive:
                read.append(
                    _field_line(
                        f.attr,
                        f"{py_type(f, spec, imports)} | None",
                        [a for a in _aliases(f, read=True) if a[0] == "serialization_alias"],
                        "None",
                    )
                )
            continue
        kw = [*kw, *_aliases(f, read=False)]
        if f.sensitive:
            # Write-only in OpenAPI: clients send it, no response carries it.
            kw.append(("json_schema_extra", '{"writeOnly": True}'))
        if f.has_default and f.default == "now":
            imports.add("app.db.base", "utcnow")
            create_line = _field_line(
                f.attr, annotation, kw + [("default_factory", "utcnow")], None
            )
        elif f.has_default:
            create_line = _field_line(
                f.attr,
                optional_annotation if f.optional else annotation,
                kw,
                _value(imports, f.default),
            )
        elif f.optional:
            create_line = _field_line(f.attr, optional_annotation, kw, "None")
        else:
            create_line = _field_line(f.attr, annotation, kw, None)
        if f is not parent_field:
            create.append(create_line)
        # Update: every field may be left out (None is the "not given" default); an
        # explicit null is refused for required columns by refuse_null.
        update.append(_field_line(f.attr, optional_annotation, kw, "None"))
        if not f.optional:
            required.append(literal(f.attr))
        if not f.sensitive:
            read_type = py_type(f, spec, imports) + (" | None" if f.optional else "")
            read.append(_field_line(f.attr, read_type, _aliases(f, read=True), None))
    for m in spec.many:
        element = "UUID" if m.target.id_type == "uuid" else "int"
        if element == "UUID":
            imports.add("uuid", "UUID")
        else:
            high = _bound(imports, INT_RANGE.get(m.target.id_type, INT32)[1])
            element = f"Annotated[int, Field(strict=True, ge=1, le={high})]"
            imports.add("typing", "Annotated")
        create.append(
            f"{m.ids_field}: list[{element}] = Field(default_factory=list, max_length=100)"
        )
        update.append(
            f"{m.ids_field}: list[{element}] | None = Field(default=None, max_length=100)"
        )
    read += ["created_at: dt.datetime", "updated_at: dt.datetime"]
    filters = []
    for f in list_filters(spec):
        annotation, kw = _filter_type(f, spec, imports)
        name = filter_name(f, spec)
        attr = python_name(name)
        if attr != name:
            kw.append(("alias", literal(name)))
        # The service filters by model attribute: dumped by alias, a filter names it.
        if f.db_attr != attr or attr != name:
            kw.append(("serialization_alias", literal(f.db_attr)))
        filters.append(_field_line(attr, f"{annotation} | None", kw, "None"))
    includes = includes or []
    detail = []
    if includes:
        imports.add("app.schemas.base", "IncludeModel")
        pattern = literal(include_pattern(includes))
        filters.append(f"include: str | None = Field(default=None, pattern={pattern})")
        for inc in includes:
            embedded = imports.add(inc.read_module, inc.read_class)
            if inc.many:
                embedded = f"list[{embedded}]"
            detail.append(f"{inc.name}: {embedded} | None = None")
    validators = _validator_lines(spec.checks)
    examples = _examples(spec)
    imports.add("pydantic", "ConfigDict")
    imports.add("pydantic", "JsonValue")
    if spec.checks:
        imports.add("pydantic", "model_validator")
        imports.add("typing", "Self")
        imports.add("app.schemas.base", "rule_broken")
    if required:
        imports.add("pydantic", "field_validator")
        imports.add("app.schemas.base", "refuse_null")
    return {
        "imports": imports.render(),
        "create_fields": create,
        "update_fields": update,
        "examples": examples,
        "required": ", ".join(required),
        "read_fields": read,
        "filters": filters,
        "validators": validators,
        "sensitive": [f.name for f in spec.fields if f.sensitive],
        "detail": detail,
    }


# --- Service and router -------------------------------------------------------


def _filter_type(
    field: Field, spec: ResourceSpec, imports: Imports
) -> tuple[str, list[tuple[str, str]]]:
    """(annotation, Field(...) bounds) of an equality filter: the input type's limits only."""
    annotation, kw = _input_type(field, spec, imports)
    keep = ("ge", "le", "max_length", "max_digits", "decimal_places")
    # Query parameters are text: a filter parses "3" (never strict), and may be blank.
    annotation = "SafeStr" if annotation == "NonBlankStr" else annotation
    if annotation == "SafeStr":
        imports.add("app.schemas.base", "SafeStr")
    return annotation, [(k, v) for k, v in kw if k in keep]


def service_context(spec: ResourceSpec, layout: Layout) -> dict[str, Any]:
    parents = nested_parents(spec)
    referenced = {f.ref_table: spec.known(f.ref_table) for f in spec.fields if f.is_ref}
    imports = Imports(own={spec.class_name, *(k.class_name for k in referenced.values())})
    # The framework names the template uses, under the local name each got here.
    n = {
        name: imports.add(module, name)
        for module, name in (
            ("app.services.base", "ResourceService"),
            # Every API version's Create/Update schema comes through here, so the service
            # takes the common base and reads column attributes with by_alias=True.
            ("app.schemas.base", "InputModel"),
            ("typing", "Any"),
        )
    }
    imports.add_own(layout.module("models", spec.table), spec.class_name)
    for known in referenced.values():
        if known.table != spec.table:
            imports.add_own(known.module or layout.module("models", known.table), known.class_name)
    id_type = id_py_type(spec, imports)
    nested = []
    for parent in parents:
        pf = spec.ref_to(parent.table)
        nested.append(
            {
                "class_name": parent.class_name,
                "attr": pf.db_attr,
                "type": py_type(pf, spec, imports),
                "human": humanize(parent.singular),
                "stem": pf.name.removesuffix("_id"),
            }
        )
    if nested:
        n["PageQuery"] = imports.add("app.schemas.base", "PageQuery")
    parent = nested[0] if spec.parent is not None else None
    hashed = [f.db_attr for f in spec.fields if f.hashed]
    if hashed:
        imports.add("app.core.security", "hash_secret")
    return {
        "hashed": hashed,
        "constraints": _service_constraints(spec, imports),
        "links": _service_links(spec, layout, imports),
        "imports": imports.render(),
        "n": n,
        "id_type": id_type,
        "parent": parent,
        "nested": nested,
        "human": humanize(spec.singular),
    }


def _service_links(spec: ResourceSpec, layout: Layout, imports: Imports) -> list[str]:
    """``Links(...)`` lines of the many-to-many links the service writes."""
    out = []
    for m in spec.many:
        links = imports.add("app.services.base", "Links")
        target = imports.add_own(layout.module("models", m.target.table), m.target.class_name)
        args = [
            literal(m.ids_field),
            literal(m.join_table),
            literal(m.own_column),
            literal(m.other_column),
            target,
            literal(humanize(m.target.singular)),
        ]
        out.append(f"{links}({', '.join(args)})")
    return out


def _service_constraints(spec: ResourceSpec, imports: Imports) -> list[str]:
    """``Unique(...)``, ``Reference(...)`` and ``Rule(...)`` lines, by convention name."""
    table = spec.table
    out = []

    def kind(name: str) -> str:
        return imports.add("app.services.base", name)

    for group in _unique_sets(spec):
        shown = [c for c in group if c != OWNER_COLUMN or spec.owner is None]
        names = ", ".join(literal(c) for c in shown) + ("," if len(shown) == 1 else "")
        owner = f", owner={literal(OWNER_COLUMN)}" if len(shown) < len(group) else ""
        out.append(f"{kind('Unique')}({literal(naming.uq(table, group))}, ({names}){owner})")
    for f in spec.fields:
        if f.is_ref:
            known = spec.known(f.ref_table)
            args = [
                literal(naming.fk(table, [f.name], f.ref_table)),
                f"field={literal(f.name)}",
                f"attribute={literal(f.db_attr)}",
                f"target={known.class_name}",
                f"label={literal(humanize(known.singular))}",
            ]
            out.append(f"{kind('Reference')}({', '.join(args)})")
    for f in spec.fields:
        if f.kind == "enum":
            message = f"must be one of {', '.join(f.choices)}"
            name = naming.ck(table, f"{f.name}_enum")
            out.append(f"{kind('Rule')}({literal(name)}, {literal(f.name)}, {literal(message)})")
    for f, low, high in _ranges(spec):
        name = naming.ck(table, f"{f.name}_range")
        rule = literal(range_rule(low, high))
        out.append(f"{kind('Rule')}({literal(name)}, {literal(f.name)}, {rule})")
    for check in spec.checks:
        name = naming.ck(table, check.slug)
        out.append(
            f"{kind('Rule')}({literal(name)}, {literal(check.left)}, {literal(check.message)})"
        )
    return out


def nested_parents(spec: ResourceSpec) -> list[Known]:
    """Parents whose rows of this resource are listed at /PARENTS/{id}/THIS: --parent first."""
    out = [spec.parent] if spec.parent is not None else []
    out += [p for p in spec.lists_under if p not in out]
    return out


MISSING_UUID = "00000000-0000-4000-8000-000000000000"


def _missing_id(id_type: str) -> str:
    """A well-formed id no row has, for the 404 and 409 tests."""
    return literal(MISSING_UUID if id_type == "uuid" else INT32[1])


def _id_annotation(id_type: str, imports: Imports) -> str:
    """The path parameter type of an id: bounded to the column for integers."""
    if id_type == "uuid":
        imports.add("uuid", "UUID")
        return "UUID"
    imports.add("fastapi", "Path")
    limit = _bound(imports, INT_RANGE.get(id_type, INT32)[1])
    return f"Annotated[int, Path(ge=1, le={limit})]"


# Parameter names of the generated handlers; a parent key of that name gets ``_id`` added.
HANDLER_NAMES = frozenset({"service", "params", "payload"})


def _nested_route(spec: ResourceSpec, parent: Known, prefix: str) -> dict[str, str]:
    """Names and paths of the list of one parent's rows: /PARENTS/{parent_id}/THESE.

    ``route`` names the path parameter after the reference (``{resident_id}``), the
    handler's argument; ``path`` is the f-string the tests fill from a local ``parent_id``.
    """
    pf = spec.ref_to(parent.table)
    stem = pf.name.removesuffix("_id")
    param = pf.attr if pf.attr not in HANDLER_NAMES else f"{pf.attr}_id"
    parents = f"/{_route_of(parent.table)}"
    return {
        "field": pf.name,
        "param": param,
        "stem": stem,
        "route": f"{parents}/{{{param}}}/{spec.route}",
        "path": f"{prefix}{parents}/{{parent_id}}/{spec.route}",
        "missing": _missing_id(parent.id_type),
        "function": f"list_by_{stem}",
    }


def router_context(
    spec: ResourceSpec, layout: Layout, includes: list[Include] | None = None
) -> dict[str, Any]:
    imports = Imports()
    imports.add("typing", "Annotated")
    imports.add("fastapi", "APIRouter")
    imports.add("fastapi", "Depends")
    imports.add("fastapi", "Query")
    imports.add("fastapi", "status")
    imports.add("app.core.errors", "problem_responses")
    imports.add("app.db.session", "SessionDep")
    schemas = layout.module("schemas", spec.table, spec.api_version, spec.api_primary)
    for suffix in ("Create", "ListQuery", "Page", "Read", "Update"):
        imports.add(schemas, f"{spec.class_name}{suffix}")
    imports.add(layout.module("services", spec.table), f"{spec.class_name}Service")
    id_type = id_py_type(spec, imports)
    id_annotation = _id_annotation(spec.id_type, imports)

    def nested(parent: Known) -> dict[str, str]:
        return {
            **_nested_route(spec, parent, ""),
            "id_annotation": _id_annotation(parent.id_type, imports),
        }

    imports.add("fastapi", "Response")
    parent = nested(spec.parent) if spec.parent is not None else None
    nested_lists = [nested(p) for p in spec.lists_under if p != spec.parent]
    # Operation ids a client generator turns into method names: <tag>-<action>[-vN].
    suffix = f"-v{spec.api_version}" if spec.api_version > 1 else ""
    plural, singular = humanize(spec.table).lower(), humanize(spec.singular).lower()
    ops = {a: f"{spec.route}-{a}{suffix}" for a in ("list", "create", "get", "update", "delete")}
    summaries = {
        "list": f"List {plural}",
        "create": f"Create a {singular}",
        "get": f"Get a {singular}",
        "update": f"Update a {singular}: only the fields given change",
        "delete": f"Delete a {singular}",
    }
    for n in ([parent] if parent else []) + nested_lists:
        parent_singular = humanize(spec.known(_table_of(spec, n["field"])).singular).lower()
        n["operation_id"] = f"{spec.route}-list-by-{n['stem'].replace('_', '-')}{suffix}"
        n["summary"] = f"List the {plural} of a {parent_singular}"
    if parent:
        ops["list_nested"] = parent["operation_id"]
        summaries["list_nested"] = parent["summary"]
    includes = includes or []
    if includes:
        imports.add(schemas, f"{spec.class_name}Detail")
    linked = []
    for m in spec.many:
        page = imports.add(layout.module("schemas", m.target.table), f"{m.target.class_name}Page")
        imports.add("app.schemas.base", "PageQuery")
        route = m.name.replace("_", "-")
        summary = f"List the {humanize(m.name).lower()} of a {humanize(spec.singular).lower()}"
        linked.append(
            {
                # literal(): a long value is split into pieces that fit the line length.
                "route": literal(f"/{spec.route}/{{{spec.id_param}}}/{route}"),
                "field": m.ids_field,
                "page": page,
                "function": f"list_linked_{m.name}",
                "operation_id": literal(f"{spec.route}-list-{route}"),
                "summary": literal(summary),
            }
        )
    router_args = ""
    if layout.profile is not None:
        # problem+json for the generated routes only: the project's own keep their errors.
        router_args = f", route_class={imports.add('app.core.errors', 'ProblemRoute')}"
        if spec.api_version > 1 and not layout.profile.versioned_prefix:
            router_args += f", prefix={literal(f'/v{spec.api_version}')}"
        if layout.profile.auth_dependency and layout.auth is None:
            module, _, name = layout.profile.auth_dependency.partition(":")
            router_args += f", dependencies=[Depends({imports.add(module, name)})]"
    reads = writes = admin_writes = owner = ""
    if layout.auth is not None and not spec.public_reads:
        # Every route needs a signed-in user: an owned resource's service takes it (and
        # scopes every query to it); any other router depends on it for all its routes.
        reads = writes = "401, "
        if spec.scoped_refs:
            owner = imports.add(*layout.auth.user.split(":"))
        else:
            require = imports.add(*layout.auth.require_user.split(":"))
            router_args += f", dependencies=[Depends({require})]"
    if layout.auth is not None and spec.admin_writes:
        writes = "401, 403, "
        admin_writes = imports.add(*layout.auth.require_admin.split(":"))
    return {
        "reads": reads,
        "writes": writes,
        "admin_writes": admin_writes,
        "owner": owner,
        "linked": linked,
        "includes": [i.name for i in includes],
        "include_pattern": include_pattern(includes) if includes else "",
        "router_args": router_args,
        "ops": ops,
        "summaries": summaries,
        "nested_lists": nested_lists,
        "imports": imports.render(),
        "id_type": id_type,
        "id_annotation": id_annotation,
        "parent": parent,
        "collection": f"/{spec.route}",
        "item": f"/{spec.route}/{{{spec.id_param}}}",
    }


def _table_of(spec: ResourceSpec, field: str) -> str:
    return spec.field(field).ref_table or spec.table


def _route_of(table: str) -> str:
    return table.replace("_", "-")


# --- Tests and factories ---------------------------------------------------------


def factory_context(spec: ResourceSpec, layout: Layout, prefix: str) -> dict[str, Any]:
    samples = Samples(spec)
    imports = Imports()
    imports.add("typing", "Any")
    imports.add("httpx", "AsyncClient")
    parents = []
    for f in spec.fields:
        if f.is_ref and f.ref_table != spec.table and not f.removed:
            known = spec.known(f.ref_table)
            imports.add(layout.module("factories", known.table), f"create_{known.singular}")
            parents.append({"field": f.name, "create": f"create_{known.singular}"})
    values = samples.payload_lines(imports)
    uses_n = any("n" in _names_in(line) for line in values)
    if uses_n:
        imports.add("itertools")
    # Rows of a resource only admins write are created as an admin, whoever the
    # client is signed in as (a user's tests of a child resource need parents too).
    as_admin = ""
    if layout.auth is not None and spec.admin_writes:
        users = layout.module("factories", layout.auth.users_table)
        as_admin = f", headers=await {imports.add(users, 'admin_headers')}()"
    return {
        "as_admin": as_admin,
        "imports": imports.render(),
        "parents": parents,
        "payload": values,
        "uses_n": uses_n,
        "collection": f"{prefix}/{spec.route}",
        "nested": _nested(spec, prefix),
    }


def _names_in(source: str) -> set[str]:
    import ast

    return {
        node.id for node in ast.walk(ast.parse("{" + source + "}")) if isinstance(node, ast.Name)
    }


def _nested(spec: ResourceSpec, prefix: str) -> dict[str, str] | None:
    return None if spec.parent is None else _nested_route(spec, spec.parent, prefix)


def _patch_rules(spec: ResourceSpec, samples: Samples) -> list[dict[str, str]]:
    """--check rules on number fields that a create, or a PATCH of the left field alone,
    breaks: each gets both tests.

    Against another field the PATCH is valid on its own (the schema checks a rule only
    when both fields are given) and the database, checking the merged row, refuses it;
    against a literal the schema refuses it. The value is the right-hand side (the stored
    sample of the field, or the literal) moved by one, kept only when it is within the
    left field's range and breaks this rule and no other.
    """
    out = []
    for check in spec.checks:
        left = spec.field(check.left)
        if check.right_is_field:
            right = spec.field(check.right)
            if {left.kind, right.kind} - {"int", "float"}:
                continue
            stored = samples.base.get(right.name)
        elif left.kind == "int" and "." not in check.right:
            stored = int(check.right)
        elif left.kind == "float":
            stored = float(check.right)
        else:
            continue
        if stored is None:
            continue
        value = (
            stored - 1 if check.op in (">", ">=") else stored + 1 if check.op != "!=" else stored
        )
        low, high = INT_RANGE.get(left.kind, (None, None))
        low = left.min if left.min is not None else low
        high = left.max if left.max is not None else high
        trial = {**samples.base, left.name: value}
        if (low is not None and value < low) or (high is not None and value > high):
            continue
        if samples.holds(check, trial) or not all(
            samples.holds(other, trial) for other in spec.checks if other is not check
        ):
            continue
        out.append(
            {
                "slug": check.slug,
                "left": check.left,
                "value": literal(value),
                "arg": _kwarg(check.left, literal(value)),
                "message": check.message,
            }
        )
    return out


def _filter_tests(spec: ResourceSpec, samples: Samples) -> list[dict[str, str]]:
    """One list-filter test per filterable field: two rows that differ in it."""
    out = []
    for f in list_filters(spec):
        if f.is_ref and f.ref_table == spec.table:
            continue  # the factory leaves a self-reference empty
        if f.is_ref or samples.varies(f):
            other = ""  # the factory gives every row its own parent or unique value
        elif f.unique or samples.in_check(f.name) or (value := samples.other_value(f)) is None:
            continue
        else:
            other = ", " + _kwarg(f.name, value)
        out.append({"slug": f.name, "field": f.name, "param": filter_name(f, spec), "other": other})
    return out


def _ondelete_tests(spec: ResourceSpec, prefix: str) -> list[dict[str, str]]:
    """What deleting each referenced row does to this one: cascade, set null or refuse."""
    if spec.api_version != 1:
        return []  # the parents' routes are at /api/v1; this contract is a later one
    out = []
    for f in spec.fields:
        if not f.is_ref or f.ref_table == spec.table or f.removed:
            continue
        if spec.known(f.ref_table).module is not None:
            continue  # the project's own table: its routes (if any) are its own business
        if f.ondelete == "CASCADE":
            verb, status, check = "removes_it", 204, "after.status_code == 404"
        elif f.ondelete == "SET NULL":
            verb, status, check = "empties_the_reference", 204, f'after.json()["{f.name}"] is None'
        else:
            verb, status, check = "is_refused", 409, "after.status_code == 200"
        out.append(
            {
                "slug": f.name.removesuffix("_id"),
                "field": f.name,
                "parents": f"{prefix}/{spec.known(f.ref_table).v1_route or _route_of(f.ref_table)}",
                "verb": verb,
                "status": str(status),
                "check": check,
            }
        )
    return out


_MIXED_CASE = ("Mixed.Case@Example.com", "mixed.case@EXAMPLE.com")


def _email_tests(spec: ResourceSpec, samples: Samples) -> list[dict[str, str]]:
    """Unique emails compare without case: the second spelling is a duplicate."""
    pf = spec.parent_field
    out = []
    for f in spec.fields:
        limit = f.max if f.max is not None else f.length
        if not (f.email and f.unique) or f is pf or f.removed or samples.in_check(f.name):
            continue
        if limit is not None and limit < len(_MIXED_CASE[0]):
            continue
        first, second = (_kwarg(f.name, literal(address)) for address in _MIXED_CASE)
        out.append({"field": f.name, "first": first, "second": second})
    return out


def _rehash_tests(spec: ResourceSpec) -> list[dict[str, str]]:
    """Hashed fields get a new hash on PATCH, and the new value is never echoed."""
    out = []
    for f in spec.fields:
        if not f.hashed or f.removed or f.pattern:
            continue
        value = "n3w-Secret-value"
        low, high = f.min or 0, f.max if f.max is not None else f.length
        value = value + "x" * max(0, low - len(value))
        if high is not None and len(value) > high:
            continue
        out.append({"field": f.name, "attr": f.db_attr, "value": literal(value)})
    return out


def _unique_test(spec: ResourceSpec, group: tuple[str, ...]) -> dict[str, str]:
    """A unique rule's conflict test: the same values again (the owner column of an
    owned resource is the signed-in user's, never sent)."""
    sent = [c for c in group if c != OWNER_COLUMN or spec.owner is None]
    if len(sent) == 1:
        detail = f"{sent[0]} is already taken."
    else:
        detail = f"{' and '.join(sent)} are already taken together."
    return {
        "slug": "_and_".join(sent),
        "args": ", ".join(_kwarg(c, f"first[{literal(c)}]") for c in sent),
        "detail": detail,
    }


def _owned_ref(spec: ResourceSpec) -> dict[str, Any] | None:
    """The reference to another owned resource the tests try with another user's row:
    the nested parent when it is owned, else the first owned reference."""
    if spec.parent is not None and spec.parent.owned:
        known = spec.parent
        field, via_parent = spec.ref_to(spec.parent.table).name, True
    else:
        found = [
            (f.name, spec.known(f.ref_table))
            for f in spec.fields
            if f.is_ref and not f.removed and f.ref_table not in (spec.table, None)
        ]
        owned = [(name, known) for name, known in found if known.owned]
        if not owned:
            return None
        (field, known), via_parent = owned[0], False
    return {
        "field": field,
        "label": known.singular,
        "via_parent": via_parent,
        "table": known.table,
        "singular": known.singular,
    }


def _kwarg(name: str, value: str) -> str:
    """A keyword argument of a factory call; ``**{"from": 1}`` where a name cannot be one."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return f"{name}={value}"
    return f"**{{{literal(name)}: {value}}}"


def tests_context(
    spec: ResourceSpec, layout: Layout, prefix: str, includes: list[Include] | None = None
) -> dict[str, Any]:
    samples = Samples(spec)
    hashed = [(f.name, f.db_attr) for f in spec.fields if f.hashed and not f.removed]
    # The model class is imported only to read stored hashes; then it wins over imports.
    imports = Imports(own={spec.class_name} if hashed else ())
    imports.add("httpx", "AsyncClient")
    factories = layout.module("factories", spec.table, spec.api_version, spec.api_primary)
    imports.add(factories, f"build_{spec.singular}")
    imports.add(factories, f"create_{spec.singular}")
    pf = spec.parent_field
    invalid = samples.invalid_case()
    if invalid:
        invalid["slug"] = invalid.pop("why").replace(" ", "_")
        invalid["arg"] = _kwarg(invalid["field"], invalid["value"])
    nested = _nested(spec, prefix)
    if nested:
        nested["arg"] = _kwarg(nested["field"], "parent_id")
    unique = next(
        (
            f.name
            for f in spec.fields
            if f.unique and not f.sensitive and not f.removed and f is not pf
        ),
        None,
    )
    context: dict[str, Any] = {
        "item_prefix": f"{prefix}/{spec.route}",
        "nested": nested,
        "missing_id": _missing_id(spec.id_type),
        "checks": samples.response_checks(imports),
        "sensitive": [f.name for f in spec.fields if f.sensitive and not f.removed],
        "patch": samples.update_case(imports),
        "null_field": next((f.name for f in spec.fields if not f.optional and not f.removed), None),
        "invalid": invalid,
        "unique": unique and {"field": unique, "arg": _kwarg(unique, f"first[{literal(unique)}]")},
        "filters": _filter_tests(spec, samples) if pf is None else [],
        "ondelete": _ondelete_tests(spec, prefix),
        "emails": _email_tests(spec, samples),
        "unique_sets": [_unique_test(spec, group) for group in spec.uniques],
        "rehash": _rehash_tests(spec),
        "missing_ref": None,
    }
    if pf is None:
        ref = next(
            (
                f
                for f in spec.fields
                if f.is_ref and f.ref_table != spec.table and not f.optional and not f.removed
            ),
            None,
        )
        if ref is not None:
            known = spec.known(ref.ref_table)
            context["missing_ref"] = {
                "field": ref.name,
                "arg": _kwarg(ref.name, _missing_id(known.id_type)),
                "msg": f"refers to a {humanize(known.singular).lower()} that does not exist",
            }
    context["rules"] = _patch_rules(spec, samples)
    live = [f for f in spec.fields if not f.removed and f is not pf]
    blank = next(
        (
            f
            for f in live
            if f.kind in ("str", "text")
            and not (f.optional or f.email or f.pattern or f.min == 0 or f.unique)
        ),
        None,
    )
    context["blank"] = blank and {"field": blank.name, "arg": _kwarg(blank.name, "blank")}
    strict = next((f for f in live if f.kind in ("int", "bigint") and not f.unique), None)
    context["strict"] = strict and {"field": strict.name, "arg": _kwarg(strict.name, "wrong")}
    imports.add("asyncio")
    context["hashed"] = hashed
    if hashed:
        imports.add("sqlalchemy.ext.asyncio", "AsyncSession")
        context["model"] = imports.add_own(layout.module("models", spec.table), spec.class_name)
    if context["patch"]:
        imports.add("datetime as dt")
    context["nested_lists"] = [
        {
            **_nested_route(spec, p, prefix),
            "arg": _kwarg(spec.ref_to(p.table).name, "parent_id"),
            # Another user's parent lists nothing (a 404), when its rows are owned.
            "owned": p.owned and layout.auth is not None and not spec.public_reads,
        }
        for p in spec.lists_under
        if p != spec.parent
    ]
    context["includes"] = [{"name": i.name, "field": i.field} for i in includes or [] if not i.many]
    context["any_include"] = bool(includes)
    context["many"] = []
    for m in spec.many:
        create = imports.add(
            layout.module("factories", m.target.table), f"create_{m.target.singular}"
        )
        context["many"].append(
            {
                "name": m.name,
                "field": m.ids_field,
                "route": m.name.replace("_", "-"),
                "create": create,
                "target": f"{prefix}/{_route_of(m.target.table)}",
                "singular": m.target.singular,
                "missing": _missing_id(m.target.id_type),
                "included": any(i.many and i.name == m.name for i in includes or []),
            }
        )
    # A template project's version routers carry RATE_LIMIT_DEFAULT (an adopted one's
    # routes keep the project's own limits, if any).
    context["default_limit"] = layout.profile is None
    if context["default_limit"]:
        imports.add("httpx", "ASGITransport")
        imports.add("app.core.config", "Settings")
        imports.add("app.main", "create_app")
    context["auth"] = None
    if layout.auth is not None:  # a public resource's tests sign in too: its parents may not be
        users = layout.module("factories", layout.auth.users_table)
        imports.add("pytest")
        imports.add("sqlalchemy.ext.asyncio", "AsyncSession")
        sign_in = imports.add(users, "sign_in")
        # An adopted project's tests have no `session` fixture: its sign_in opens its own.
        adopted = layout.profile is not None
        context["auth"] = {
            "sign_in": sign_in,
            "as_user": f"{sign_in}()" if adopted else f"{sign_in}(session)",
            "as_admin": f"{sign_in}(admin=True)" if adopted else f"{sign_in}(session, admin=True)",
            "session": "" if adopted else ", session: AsyncSession",
            "admin_headers": imports.add(users, "admin_headers") if context["ondelete"] else "",
            "admin": spec.admin_writes,
            "public": spec.public_reads,
            "owned": spec.owner is not None,
            "scoped": spec.scope_field is not None,
            "through_parent": spec.owned_through is not None
            and spec.owned_through is spec.parent_field,
            # Every other way to the row: each ?include= and each many-to-many list.
            "probes": [
                f"await client.get(url, params={{'include': {literal(i.name)}}}, headers=other)"
                for i in includes or []
            ]
            + [
                f'await client.get(f"{{url}}/{m.name.replace("_", "-")}", headers=other)'
                for m in spec.many
            ],
            "me": f"{prefix}/{_route_of(layout.auth.users_table)}/me",
            "owned_ref": None,
        }
        owned_ref = _owned_ref(spec) if not spec.public_reads else None
        if owned_ref is not None:
            ref_factories = layout.module("factories", owned_ref["table"])
            owned_ref["create"] = imports.add(ref_factories, f"create_{owned_ref['singular']}")
            context["auth"]["owned_ref"] = owned_ref
    context["imports"] = imports.render()
    return context
