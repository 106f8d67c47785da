"""Turn a ResourceSpec into ready-made template slots.

Type mapping, defaults, constraints and imports are decided here, in Python;
the templates beside ``templates/resource`` only lay the lines out. Every
user value reaches the output through :func:`literal` (a Python literal
built with ``repr``), never pasted as an expression.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scaffold.render import naming
from scaffold.render.imports import Imports
from scaffold.render.samples import Samples
from scaffold.spec.fields import INT_RANGE, Field
from scaffold.spec.inflect import humanize
from scaffold.spec.resource import Check, Known, ResourceSpec

INT32 = INT_RANGE["int"]


@dataclass(frozen=True)
class Layout:
    """Where each artifact lives and how it is imported (``[tool.scaffold]`` may move them)."""

    package: str = "app"
    tests: str = "tests"
    migrations: str = "migrations"

    def module(self, kind: str, table: str, version: int = 1, primary: bool = True) -> str:
        """Import path of an artifact; a resource's later API versions get their own modules."""
        if kind == "api":
            return f"{self.package}.api.v{version}.{table}"
        if kind == "schemas" and not primary:
            return f"{self.package}.schemas.v{version}.{table}"
        if kind == "factories":
            return f"{self.tests}.factories.{table}" + ("" if primary else f"_v{version}")
        if kind == "tests":
            return f"{self.tests}.test_{table}" + ("" if primary else f"_v{version}")
        return f"{self.package}.{kind}.{table}"

    def path(self, kind: str, table: str, version: int = 1, primary: bool = True) -> str:
        return self.module(kind, table, version, primary).replace(".", "/") + ".py"


def literal(value: Any) -> str:
    """Python source for a user value; strings always go through ``repr``.

    >>> literal("a'b\\n")
    '"a\\'b\\\\n"'
    """
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return repr(value)
    if isinstance(value, str):
        text = repr(value)
        # Prefer double quotes like ruff's formatter, without changing the value.
        if text.startswith("'") and '"' not in value and "\\" not in text[1:-1].replace("\\'", ""):
            text = '"' + text[1:-1].replace("\\'", "'") + '"'
        return text
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


def _kwargs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


def _import_for_value(imports: Imports, value: Any) -> None:
    if isinstance(value, Decimal):
        imports.add("decimal", "Decimal")
    elif isinstance(value, dt.date | dt.time):
        imports.add("datetime as dt")
    elif isinstance(value, uuid.UUID):
        imports.add("uuid", "UUID")


# --- Python types ----------------------------------------------------------


def column_kind(field: Field, spec: ResourceSpec) -> str:
    """A reference is stored as the type of the id it points at."""
    if field.kind == "ref":
        return "uuid" if spec.known(field.ref_table).id_type == "uuid" else "int"
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
        imports.add("decimal", "Decimal")
        return "Decimal"
    if kind in ("date", "datetime", "time"):
        imports.add("datetime as dt")
        return f"dt.{kind}"
    if kind == "uuid":
        imports.add("uuid", "UUID")
        return "UUID"
    if kind == "json":
        imports.add("typing", "Any")
        return "dict[str, Any]"
    raise AssertionError(kind)


def id_py_type(spec: ResourceSpec, imports: Imports) -> str:
    if spec.id_type == "uuid":
        imports.add("uuid", "UUID")
        return "UUID"
    return "int"


# --- Model ------------------------------------------------------------------


def _sa_model_type(field: Field, imports: Imports) -> str | None:
    kind = field.kind
    table = {
        "text": "Text()",
        "int": "Integer()",
        "bigint": "BigInteger()",
        "float": "Float()",
        "bool": "Boolean()",
        "date": "Date()",
        "time": "Time()",
        "uuid": "Uuid()",
    }
    if kind in table:
        name = table[kind].removesuffix("()")
        imports.add("sqlalchemy", name)
        return table[kind]
    if kind in ("str", "enum"):
        imports.add("sqlalchemy", "String")
        return f"String({field.stored_length})"
    if kind == "decimal":
        imports.add("sqlalchemy", "Numeric")
        return f"Numeric({field.precision}, {field.scale})"
    if kind == "datetime":
        imports.add("app.db.types", "UTCDateTime")
        return "UTCDateTime()"
    if kind == "json":
        imports.add("app.db.types", "JSONDocument")
        return "JSONDocument"
    return None


def model_context(spec: ResourceSpec) -> dict[str, Any]:
    imports = Imports()
    imports.add("datetime as dt")
    imports.add("sqlalchemy.orm", "Mapped")
    imports.add("sqlalchemy.orm", "mapped_column")
    imports.add("app.db.base", "Base")
    imports.add("app.db.base", "utcnow")
    imports.add("app.db.types", "UTCDateTime")
    lines = []
    id_type = id_py_type(spec, imports)
    if spec.id_type == "uuid":
        imports.add("uuid", "uuid4")
        lines.append(f"id: Mapped[{id_type}] = mapped_column(primary_key=True, default=uuid4)")
    else:
        lines.append("id: Mapped[int] = mapped_column(primary_key=True)")
    for f in spec.fields:
        annotation = py_type(f, spec, imports)
        if f.optional:
            annotation += " | None"
        args: list[str] = []
        if f.is_ref:
            imports.add("sqlalchemy", "ForeignKey")
            fk_args = [literal(f"{f.ref_table}.id")]
            if f.ondelete:
                fk_args.append(f"ondelete={literal(f.ondelete)}")
            args.append(f"ForeignKey({', '.join(fk_args)})")
        else:
            args.append(_sa_model_type(f, imports) or "")
        if f.unique:
            args.append("unique=True")
        elif f.is_ref or f.index:
            args.append("index=True")
        if f.has_default:
            if f.default == "now":
                args.append("default=utcnow")
            else:
                _import_for_value(imports, f.default)
                args.append(f"default={literal(f.default)}")
        lines.append(f"{f.name}: Mapped[{annotation}] = mapped_column({', '.join(args)})")
    lines.append("created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)")
    lines.append(
        "updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)"
    )
    table_args = []
    for group in spec.uniques:
        imports.add("sqlalchemy", "UniqueConstraint")
        table_args.append(f"UniqueConstraint({', '.join(literal(c) for c in group)})")
    for name, sql in _check_constraints(spec):
        imports.add("sqlalchemy", "CheckConstraint")
        table_args.append(f"CheckConstraint({literal(sql)}, name={literal(name)})")
    return {"imports": imports.render(), "columns": lines, "table_args": table_args}


def _check_constraints(spec: ResourceSpec) -> list[tuple[str, str]]:
    """(convention name, SQL) of every CHECK: enums first, then --check rules."""
    out = []
    for f in spec.fields:
        if f.kind == "enum":
            values = ", ".join(f"'{c}'" for c in f.choices)
            out.append((f"{f.name}_enum", f"{f.name} IN ({values})"))
    out.extend((check.slug, check.sql) for check in spec.checks)
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
    id_sa = "sa.Uuid()" if spec.id_type == "uuid" else "sa.Integer()"
    items = [f'sa.Column("id", {id_sa}, nullable=False)']
    indexes = []
    for f in spec.fields:
        sa_type = _sa_migration_type(f, spec)
        if "postgresql." in sa_type:
            imports.add("sqlalchemy.dialects", "postgresql")
        items.append(f"sa.Column({literal(f.name)}, {sa_type}, nullable={f.optional})")
        if not f.unique and (f.is_ref or f.index):
            indexes.append((naming.ix(table, [f.name]), [f.name]))
    items.append('sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)')
    items.append('sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)')
    for name, sql in _check_constraints(spec):
        items.append(
            f"sa.CheckConstraint({literal(sql)}, name=op.f({literal(naming.ck(table, name))}))"
        )
    for f in spec.fields:
        if f.is_ref:
            fk_name = naming.fk(table, [f.name], f.ref_table)
            ondelete = f", ondelete={literal(f.ondelete)}" if f.ondelete else ""
            items.append(
                f"sa.ForeignKeyConstraint([{literal(f.name)}], [{literal(f.ref_table + '.id')}], "
                f"name=op.f({literal(fk_name)}){ondelete})"
            )
    items.append(f'sa.PrimaryKeyConstraint("id", name=op.f({literal(naming.pk(table))}))')
    for f in spec.fields:
        if f.unique:
            items.append(
                f"sa.UniqueConstraint({literal(f.name)}, name=op.f({literal(naming.uq(table, [f.name]))}))"
            )
    for group in spec.uniques:
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
    return {
        "imports": imports.render(),
        "message": f"create {table}",
        "down_revision_text": down_revision or "<base>",
        "revision": revision,
        "down_revision": literal(down_revision),
        "upgrade": upgrade,
        "downgrade": downgrade,
    }


# --- Schemas -------------------------------------------------------------------


def _input_type(
    field: Field, spec: ResourceSpec, imports: Imports
) -> tuple[str, list[tuple[str, str]]]:
    """(annotation, Field(...) constraints) for a create/update field."""
    kind = field.kind
    kw: list[tuple[str, str]] = []
    if kind in ("str", "text"):
        if field.email:
            imports.add("app.schemas.base", "Email")
            annotation = "Email"
        else:
            imports.add("app.schemas.base", "SafeStr")
            annotation = "SafeStr"
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
                _import_for_value(imports, bound)
                kw.append((key, literal(bound)))
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
    if kind == "ref" and spec.known(field.ref_table).id_type == "int":
        return "int", [("ge", "1"), ("le", literal(INT32[1]))]
    return py_type(field, spec, imports), kw


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
        right = f"self.{check.right}" if check.right_is_field else check.right
        guards = [f"self.{check.left} is not None"]
        if check.right_is_field:
            guards.append(f"self.{check.right} is not None")
        condition = " and ".join(guards) + f" and not ({f'self.{check.left}'} {op} {right})"
        message = literal(f"{check.left} must be {check.op} {check.right}")
        out.append(
            f'@model_validator(mode="after")\n'
            f"def _check_{check.slug}(self) -> Self:\n"
            f"    if {condition}:\n"
            f"        raise ValueError({message})\n"
            f"    return self"
        )
    return out


def schemas_context(spec: ResourceSpec) -> dict[str, Any]:
    imports = Imports()
    imports.add("pydantic", "Field")
    imports.add("app.schemas.base", "InputModel")
    imports.add("app.schemas.base", "Page")
    imports.add("app.schemas.base", "ReadModel")
    imports.add("datetime as dt")
    parent_field = spec.parent_field
    create, update, read = [], [], []
    read.append(f"id: {id_py_type(spec, imports)}")
    for f in spec.fields:
        annotation, kw = _input_type(f, spec, imports)
        optional_annotation = f"{annotation} | None"
        if f.removed:
            # Kept in this version's contract only: accepted and ignored, read back as null.
            ignored = _field_line(f.name, optional_annotation, [("exclude", "True")], "None")
            create.append(ignored)
            update.append(ignored)
            if not f.sensitive:
                read.append(f"{f.name}: {py_type(f, spec, imports)} | None = None")
            continue
        if f.column:
            kw = [*kw, ("serialization_alias", literal(f.column))]
        if f.has_default and f.default == "now":
            imports.add("app.db.base", "utcnow")
            create_line = _field_line(
                f.name, annotation, kw + [("default_factory", "utcnow")], None
            )
        elif f.has_default:
            _import_for_value(imports, f.default)
            create_line = _field_line(
                f.name, optional_annotation if f.optional else annotation, kw, literal(f.default)
            )
        elif f.optional:
            create_line = _field_line(f.name, optional_annotation, kw, "None")
        else:
            create_line = _field_line(f.name, annotation, kw, None)
        if f is not parent_field:
            create.append(create_line)
        # Update: every field may be left out; null is refused for required columns
        # because None is only the "not given" default, never a valid value.
        update.append(
            _field_line(f.name, optional_annotation if f.optional else annotation, kw, "None")
        )
        if not f.sensitive:
            read_type = py_type(f, spec, imports) + (" | None" if f.optional else "")
            if f.column:
                read.append(f"{f.name}: {read_type} = Field(validation_alias={literal(f.column)})")
            else:
                read.append(f"{f.name}: {read_type}")
    read += ["created_at: dt.datetime", "updated_at: dt.datetime"]
    validators = _validator_lines(spec.checks)
    if spec.checks:
        imports.add("pydantic", "model_validator")
        imports.add("typing", "Self")
    return {
        "imports": imports.render(),
        "create_fields": create,
        "update_fields": update,
        "read_fields": read,
        "validators": validators,
        "sensitive": [f.name for f in spec.fields if f.sensitive],
    }


# --- Service and router -------------------------------------------------------


def _filter_type(field: Field, spec: ResourceSpec, imports: Imports) -> str:
    """An ``Annotated[... | None, Query(...)]`` type for an equality filter."""
    annotation, kw = _input_type(field, spec, imports)
    kw = [(k, v) for k, v in kw if k in ("ge", "le", "max_length", "max_digits", "decimal_places")]
    imports.add("fastapi", "Query")
    return f"Annotated[{annotation} | None, Query({_kwargs(kw)})]"


def service_context(spec: ResourceSpec, layout: Layout) -> dict[str, Any]:
    imports = Imports()
    imports.add("sqlalchemy", "func")
    imports.add("sqlalchemy", "select")
    imports.add("sqlalchemy.exc", "IntegrityError")
    imports.add("sqlalchemy.ext.asyncio", "AsyncSession")
    imports.add("app.core.errors", "ConflictError")
    imports.add("app.core.errors", "NotFoundError")
    imports.add(layout.module("models", spec.table), spec.class_name)
    # Every API version's Create/Update schema comes through here, so the service
    # takes the common base and reads column names with by_alias=True.
    imports.add("app.schemas.base", "InputModel")
    id_type = id_py_type(spec, imports)
    filters = []
    for f in spec.fields:
        if f.filterable:
            filters.append({"name": f.name, "type": py_type(f, spec, imports)})
    nested = []
    for parent in nested_parents(spec):
        pf = spec.ref_to(parent.table)
        if parent.table != spec.table:
            imports.add(layout.module("models", parent.table), parent.class_name)
        nested.append(
            {
                "class_name": parent.class_name,
                "field": pf.name,
                "type": py_type(pf, spec, imports),
                "human": humanize(parent.singular),
                "stem": pf.name.removesuffix("_id"),
            }
        )
    parent = nested[0] if spec.parent is not None else None
    hashed = [f.name for f in spec.fields if f.hashed]
    imports.add("typing", "Any")
    if hashed:
        imports.add("app.core.security", "hash_secret")
    return {
        "hashed": hashed,
        "imports": imports.render(),
        "id_type": id_type,
        "filters": filters,
        "parent": parent,
        "nested": nested,
        "human": humanize(spec.singular),
    }


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
    return f"Annotated[int, Path(ge=1, le={INT32[1]})]"


def _nested_route(spec: ResourceSpec, parent: Known, prefix: str) -> dict[str, str]:
    """Names and paths of the list of one parent's rows: /PARENTS/{parent_id}/THESE."""
    pf = spec.ref_to(parent.table)
    stem = pf.name.removesuffix("_id")
    route = f"/{_route_of(parent.table)}/{{{pf.name}}}/{spec.route}"
    return {
        "field": pf.name,
        "stem": stem,
        "route": route,
        "path": f"{prefix}{route}",
        "missing": _missing_id(parent.id_type),
        "function": f"list_by_{stem}",
    }


def router_context(spec: ResourceSpec, layout: Layout) -> dict[str, Any]:
    imports = Imports()
    imports.add("typing", "Annotated")
    imports.add("fastapi", "APIRouter")
    imports.add("fastapi", "Depends")
    imports.add("fastapi", "Query")
    imports.add("fastapi", "status")
    imports.add("app.core.errors", "problem_responses")
    imports.add("app.db.session", "SessionDep")
    schemas = layout.module("schemas", spec.table, spec.api_version, spec.api_primary)
    for suffix in ("Create", "Page", "Read", "Update"):
        imports.add(schemas, f"{spec.class_name}{suffix}")
    imports.add(layout.module("services", spec.table), f"{spec.class_name}Service")
    id_type = id_py_type(spec, imports)
    id_annotation = _id_annotation(spec.id_type, imports)
    filters = []
    for f in spec.fields:
        if f.filterable and f is not spec.parent_field and not f.removed:
            filters.append(
                {"name": f.name, "column": f.db_name, "type": _filter_type(f, spec, imports)}
            )

    def nested(parent: Known) -> dict[str, str]:
        return {
            **_nested_route(spec, parent, ""),
            "id_annotation": _id_annotation(parent.id_type, imports),
        }

    parent = nested(spec.parent) if spec.parent is not None else None
    nested_lists = [nested(p) for p in spec.lists_under if p != spec.parent]
    return {
        "nested_lists": nested_lists,
        "imports": imports.render(),
        "id_type": id_type,
        "id_annotation": id_annotation,
        "filters": filters,
        "parent": parent,
        "collection": f"/{spec.route}",
        "item": f"/{spec.route}/{{{spec.id_param}}}",
        "max_offset": INT32[1],
    }


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
    return {
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


def tests_context(spec: ResourceSpec, layout: Layout, prefix: str) -> dict[str, Any]:
    samples = Samples(spec)
    imports = Imports()
    imports.add("httpx", "AsyncClient")
    factories = layout.module("factories", spec.table, spec.api_version, spec.api_primary)
    imports.add(factories, f"build_{spec.singular}")
    imports.add(factories, f"create_{spec.singular}")
    pf = spec.parent_field
    invalid = samples.invalid_case()
    if invalid:
        invalid["slug"] = invalid.pop("why").replace(" ", "_")
    context: dict[str, Any] = {
        "item_prefix": f"{prefix}/{spec.route}",
        "nested": _nested(spec, prefix),
        "missing_id": _missing_id(spec.id_type),
        "checks": samples.response_checks(imports),
        "sensitive": [f.name for f in spec.fields if f.sensitive and not f.removed],
        "patch": samples.update_case(imports),
        "null_field": next((f.name for f in spec.fields if not f.optional and not f.removed), None),
        "invalid": invalid,
        "unique": next(
            (
                f.name
                for f in spec.fields
                if f.unique and not f.sensitive and not f.removed and f is not pf
            ),
            None,
        ),
        "filter": None,
        "missing_ref": None,
    }
    if pf is None:
        filt = next(
            (f for f in spec.fields if f.is_ref and f.ref_table != spec.table and not f.removed),
            None,
        )
        context["filter"] = filt.name if filt is not None else None
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
            context["missing_ref"] = {"field": ref.name, "value": _missing_id(known.id_type)}
    context["hashed"] = [f.name for f in spec.fields if f.hashed and not f.removed]
    if context["hashed"]:
        imports.add("sqlalchemy.ext.asyncio", "AsyncSession")
        imports.add(layout.module("models", spec.table), spec.class_name)
    if context["patch"]:
        imports.add("datetime as dt")
    context["nested_lists"] = [
        _nested_route(spec, p, prefix) for p in spec.lists_under if p != spec.parent
    ]
    context["imports"] = imports.render()
    return context
