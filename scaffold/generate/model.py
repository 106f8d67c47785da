"""The model's slots: columns, table arguments, the ownership marker, join tables."""

from __future__ import annotations

from typing import Any

from scaffold.generate.imports import Imports
from scaffold.generate.values import (
    check_constraints,
    column_kind,
    id_py_type,
    literal,
    own_index,
    py_type,
    sa_model_type,
    unique_sets,
    value_source,
)
from scaffold.project.layout import Layout
from scaffold.spec import naming
from scaffold.spec.fields import Field
from scaffold.spec.names import python_name
from scaffold.spec.resource import OWNER_COLUMN, Many, ResourceSpec


def model_context(spec: ResourceSpec, layout: Layout | None = None) -> dict[str, Any]:
    """The model's lines. In an adopted project every index and constraint is named
    explicitly (``conv``), so the name in the model, the migration and the database is
    the one scaffold computes, whatever naming convention the project's Base has."""
    imports = Imports(own={spec.class_name})
    explicit = layout is not None and layout.profile is not None
    base = imports.add("app.db.base", "Base")
    columns = [
        _id_column(spec, imports),
        *(_column(f, spec, imports, explicit=explicit) for f in spec.fields),
        *_timestamp_columns(spec, imports),
    ]
    table_args = [
        *_unique_and_index_args(spec, imports, explicit=explicit),
        *_check_args(spec, imports, explicit=explicit),
    ]
    join_tables = [_join_table_model(spec, m, imports, base) for m in spec.many]
    return {
        "imports": imports.render(),
        "base": base,
        "ownership": _ownership_line(spec),
        "columns": columns,
        "table_args": table_args,
        "join_tables": join_tables,
    }


def _id_column(spec: ResourceSpec, imports: Imports) -> str:
    """The primary key: a uuid, a BIGINT identity (schema 2) or an INTEGER."""
    mapped = imports.add("sqlalchemy.orm", "Mapped")
    column = imports.add("sqlalchemy.orm", "mapped_column")
    id_type = id_py_type(spec, imports)
    if spec.id_type == "uuid":
        uuid4 = imports.add("uuid", "uuid4")
        return f"id: {mapped}[{id_type}] = {column}(primary_key=True, default={uuid4})"
    if spec.id_type == "bigint":
        # SQLite numbers rows only through an INTEGER PRIMARY KEY, hence the variant.
        big, small = imports.add("sqlalchemy", "BigInteger"), imports.add("sqlalchemy", "Integer")
        identity = imports.add("sqlalchemy", "Identity")
        key = f'{big}().with_variant({small}(), "sqlite"), {identity}()'
        return f"id: {mapped}[int] = {column}({key}, primary_key=True)"
    return f"id: {mapped}[int] = {column}(primary_key=True)"


def _column(f: Field, spec: ResourceSpec, imports: Imports, *, explicit: bool) -> str:
    """One field's column: its type or foreign key, unique or index, default."""
    mapped = imports.add("sqlalchemy.orm", "Mapped")
    column = imports.add("sqlalchemy.orm", "mapped_column")
    annotation = py_type(f, spec, imports)
    if f.optional:
        annotation += " | None"
    # The column keeps the user's name where Python spells the attribute name_.
    args: list[str] = [literal(f.name)] if f.attr != f.name else []
    if f.is_ref:
        args += _reference_args(f, spec, imports, explicit=explicit)
    else:
        args.append(sa_model_type(f, imports) or "")
    # Explicit: named constraints and indexes go to __table_args__ instead.
    if not explicit and f.unique:
        args.append("unique=True")
    elif not explicit and own_index(spec, f):
        args.append("index=True")
    if f.has_default:
        utcnow = imports.add("app.db.base", "utcnow")
        default = utcnow if f.default == "now" else value_source(imports, f.default)
        args.append(f"default={default}")
    return f"{f.attr}: {mapped}[{annotation}] = {column}({', '.join(args)})"


def _reference_args(f: Field, spec: ResourceSpec, imports: Imports, *, explicit: bool) -> list[str]:
    """A reference column's type (when BIGINT) and its ForeignKey."""
    args = []
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
    return args


def _timestamp_columns(spec: ResourceSpec, imports: Imports) -> list[str]:
    """``created_at`` and ``updated_at``."""
    mapped = imports.add("sqlalchemy.orm", "Mapped")
    column = imports.add("sqlalchemy.orm", "mapped_column")
    datetime = imports.add("datetime as dt")
    utcnow = imports.add("app.db.base", "utcnow")
    utc_type = imports.add("app.db.types", "UTCDateTime")
    # Schema 2: the database fills the timestamps too, for rows written outside the ORM.
    stamp = ""
    if spec.schema >= 2:
        stamp = f", server_default={imports.add('sqlalchemy', 'func')}.now()"
    return [
        f"created_at: {mapped}[{datetime}.datetime] = "
        f"{column}({utc_type}(), default={utcnow}{stamp})",
        f"updated_at: {mapped}[{datetime}.datetime] = "
        f"{column}({utc_type}(), default={utcnow}, onupdate={utcnow}{stamp})",
    ]


def _unique_and_index_args(spec: ResourceSpec, imports: Imports, *, explicit: bool) -> list[str]:
    """``__table_args__``' unique constraints; explicit, every one named and every index too."""
    args = []
    if not explicit:
        for group in spec.uniques:
            unique = imports.add("sqlalchemy", "UniqueConstraint")
            args.append(f"{unique}({', '.join(literal(c) for c in group)})")
        return args
    conv = imports.add("sqlalchemy.sql.naming", "conv")
    for group in unique_sets(spec):
        unique = imports.add("sqlalchemy", "UniqueConstraint")
        cols = ", ".join(literal(c) for c in group)
        args.append(f"{unique}({cols}, name={conv}({literal(naming.uq(spec.table, group))}))")
    for f in spec.fields:
        if own_index(spec, f):
            index = imports.add("sqlalchemy", "Index")
            name = literal(naming.ix(spec.table, [f.name]))
            args.append(f"{index}({conv}({name}), {literal(f.name)})")
    return args


def _check_args(spec: ResourceSpec, imports: Imports, *, explicit: bool) -> list[str]:
    """``__table_args__``' CHECK constraints (explicit: under their full names)."""
    args = []
    for name, condition in check_constraints(spec, imports, qualified=False):
        check = imports.add("sqlalchemy", "CheckConstraint")
        if explicit:
            conv = imports.add("sqlalchemy.sql.naming", "conv")
            full = literal(naming.ck(spec.table, name))
            args.append(f"{check}({condition}, name={conv}({full}))")
        else:
            args.append(f"{check}({condition}, name={literal(name)})")
    return args


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
