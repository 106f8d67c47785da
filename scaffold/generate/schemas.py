"""The Pydantic schemas' slots: create, update, read and detail models, list filters and
the ``?include=`` words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scaffold.generate.imports import Imports
from scaffold.generate.samples import EXAMPLE_UUID, Samples, split_long_string
from scaffold.generate.values import (
    INT32,
    INT_LIMIT_NAMES,
    column_kind,
    id_py_type,
    kwargs,
    literal,
    py_type,
    value_source,
)
from scaffold.project.layout import Layout
from scaffold.spec.constraints import Check
from scaffold.spec.fields import INT_RANGE, Field
from scaffold.spec.inflect import camelize
from scaffold.spec.links import links_of
from scaffold.spec.names import python_name
from scaffold.spec.resource import Many, ResourceSpec

SCHEMA_KINDS = ("Create", "Update", "Read", "Detail", "Page", "ListQuery")


def version_tag(spec: ResourceSpec) -> str:
    """What a later API version adds to its schema classes' names (``V2``), so that every
    OpenAPI component of every version has its own short name: ``PatientV2Create``."""
    return f"V{spec.api_version}" if spec.api_version > 1 else ""


def schema_names(spec: ResourceSpec) -> dict[str, str]:
    """The class of each schema of this resource's API version: ``{"Create": ...}``."""
    return {kind: f"{spec.class_name}{version_tag(spec)}{kind}" for kind in SCHEMA_KINDS}


def enum_class(field: Field, spec: ResourceSpec) -> str:
    """The named enum (an OpenAPI component) of an enum field: ``AppointmentStatus``."""
    return f"{spec.class_name}{version_tag(spec)}{camelize(python_name(field.name))}"


def enum_members(field: Field) -> list[tuple[str, str]]:
    """(member name, value) of an enum field's choices: ``("IN_PROGRESS", "in-progress")``."""
    out: list[tuple[str, str]] = []
    for choice in field.choices:
        name = "".join(c if c.isalnum() else "_" for c in choice).upper()
        name = f"V_{name}" if not name[:1].isalpha() else name
        while name in {n for n, _ in out}:
            name += "_"
        out.append((name, choice))
    return out


def _enum_lines(spec: ResourceSpec, imports: Imports) -> list[dict[str, Any]]:
    """The enum classes of the module: one per live enum field."""
    enums = [f for f in spec.fields if f.kind == "enum"]
    if enums:
        imports.add("enum", "StrEnum")
    return [
        {"name": enum_class(f, spec), "members": [(n, literal(v)) for n, v in enum_members(f)]}
        for f in enums
    ]


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
        annotation = {"int": "int", "bigint": "int", "float": "float"}.get(kind, "")
        if kind != "decimal":
            # Strict per field: true or "2" is not an int; a float still takes 2, and an
            # int 57.0 (InputModel: JSON Schema counts it as an integer).
            kw.append(("strict", "True"))
        # An integer is bounded by its column too (the database refuses more), and the
        # schema says so: the column's limits by name, the field's own as given.
        low, high = INT_RANGE.get(kind, (None, None))
        if field.min is not None:
            low = field.min if low is None else max(low, field.min)
        if field.max is not None:
            high = field.max if high is None else min(high, field.max)
        if kind == "decimal":
            # Written as a JSON string only; the document gives its pattern.
            annotation = imports.add("app.schemas.base", "DecimalText")
            pattern = imports.add("app.schemas.base", "decimal_pattern")
            unsigned = ", signed=False" if low is not None and low >= 0 else ""
            kw += [("max_digits", str(field.precision)), ("decimal_places", str(field.scale))]
            kw.append(
                (
                    "json_schema_extra",
                    f'{{"pattern": {pattern}({field.precision}, {field.scale}{unsigned})}}',
                )
            )
        for key, bound in (("ge", low), ("le", high)):
            if bound is not None:
                kw.append((key, bound_source(imports, bound)))
        return annotation, kw
    if kind == "enum":
        return enum_class(field, spec), kw
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
        high = bound_source(imports, INT_RANGE[column_kind(field, spec)][1])
        return "int", [("strict", "True"), ("ge", "1"), ("le", high)]
    if kind == "bool":
        return "bool", [("strict", "True")]
    return py_type(field, spec, imports), kw


def bound_source(imports: Imports, value: Any) -> str:
    """A range bound as source: a column limit by its name (``INT32_MAX``), else the value."""
    if isinstance(value, int) and not isinstance(value, bool) and value in INT_LIMIT_NAMES:
        return imports.add("app.schemas.base", INT_LIMIT_NAMES[value])
    return value_source(imports, value)


def _field_line(name: str, annotation: str, kw: list[tuple[str, str]], default: str | None) -> str:
    """``name: T``, ``name: T = default`` or ``name: T = Field(default=..., ...)``."""
    if not kw:
        return f"{name}: {annotation}" + ("" if default is None else f" = {default}")
    args = ([("default", default)] if default is not None else []) + kw
    return f"{name}: {annotation} = Field({kwargs(args)})"


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
            f"        raise rule_broken(field={literal(check.left)}, message={message})\n"
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
    # A one-to-one's inverse side: the child's factory (module, function). Its schemas
    # import this resource's, so the embedded class is named here for type checking only
    # and resolved by the router (``model_rebuild``).
    inverse: tuple[str, str] | None = None


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
    includes = includes or []
    create = _create_fields(spec, imports)
    update = _update_fields(spec, imports)
    read = _read_fields(spec, imports)
    required = [literal(f.attr) for f in spec.fields if not f.removed and not f.optional]
    checking: list[str] = []
    include_filter, detail = _include_lines(includes, imports, checking)
    filters = _filter_lines(spec, imports) + include_filter
    _common_imports(spec, imports, validates_required=bool(required))
    enums = _enum_lines(spec, imports)
    return {
        "names": schema_names(spec),
        "enums": enums,
        "imports": imports.render(),
        "create_fields": create,
        "update_fields": update,
        "examples": _examples(spec),
        "required": ", ".join(required),
        "read_fields": read,
        "filters": filters,
        "validators": _validator_lines(spec.checks),
        "sensitive": [f.name for f in spec.fields if f.sensitive],
        "detail": detail,
        "checking": sorted(checking),
    }


def _common_imports(spec: ResourceSpec, imports: Imports, *, validates_required: bool) -> None:
    """What every schemas module uses, and the helpers of its validators."""
    for name in ("ConfigDict", "Field", "JsonValue"):
        imports.add("pydantic", name)
    for name in ("InputModel", "Page", "PageQuery", "ReadModel"):
        imports.add("app.schemas.base", name)
    imports.add("datetime as dt")
    if spec.checks:
        imports.add("pydantic", "model_validator")
        imports.add("typing", "Self")
        imports.add("app.schemas.base", "rule_broken")
    if validates_required:
        imports.add("pydantic", "field_validator")
        imports.add("app.schemas.base", "refuse_null")


def _create_fields(spec: ResourceSpec, imports: Imports) -> list[str]:
    """The create schema's lines: every field but the parent's key (the path has it),
    then the ids of each many-to-many link."""
    parent_field = spec.parent_field
    lines = []
    for f in spec.fields:
        annotation, kw = _input_type(f, spec, imports)
        if f.removed:
            lines.append(_ignored_line(f, annotation))
        elif f is not parent_field:
            lines.append(_create_line(f, annotation, _input_kwargs(f, kw), imports))
    for m in spec.many:
        element = _ids_element(m, imports)
        lines.append(
            f"{m.ids_field}: list[{element}] = Field(default_factory=list, max_length=100)"
        )
    return lines


def _update_fields(spec: ResourceSpec, imports: Imports) -> list[str]:
    """The update schema's lines: every field may be left out (None is the "not given"
    default); an explicit null is refused for required columns by refuse_null."""
    lines = []
    for f in spec.fields:
        annotation, kw = _input_type(f, spec, imports)
        if f.removed:
            lines.append(_ignored_line(f, annotation))
        else:
            lines.append(_field_line(f.attr, f"{annotation} | None", _input_kwargs(f, kw), "None"))
    for m in spec.many:
        element = _ids_element(m, imports)
        lines.append(f"{m.ids_field}: list[{element}] | None = Field(default=None, max_length=100)")
    return lines


def _read_fields(spec: ResourceSpec, imports: Imports) -> list[str]:
    """The read schema's lines: the key, every field but the sensitive ones, the timestamps."""
    lines = [f"id: {id_py_type(spec, imports)}"]
    if spec.owner is not None:
        lines.append("owner_id: int")  # set from the signed-in user, never from the body
    for f in spec.fields:
        if f.sensitive:
            continue
        if f.removed:
            aliases = [a for a in _aliases(f, read=True) if a[0] == "serialization_alias"]
            lines.append(
                _field_line(f.attr, f"{py_type(f, spec, imports)} | None", aliases, "None")
            )
        else:
            plain = enum_class(f, spec) if f.kind == "enum" else py_type(f, spec, imports)
            read_type = plain + (" | None" if f.optional else "")
            lines.append(_field_line(f.attr, read_type, _aliases(f, read=True), None))
    return [*lines, "created_at: dt.datetime", "updated_at: dt.datetime"]


def _ignored_line(f: Field, annotation: str) -> str:
    """A removed field, kept in this version's contract only: accepted and ignored on input
    (read back as null)."""
    kw = [a for a in _aliases(f, read=False) if a[0] == "validation_alias"]
    return _field_line(f.attr, f"{annotation} | None", [*kw, ("exclude", "True")], "None")


def _input_kwargs(f: Field, kw: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An input field's constraints, its aliases and, when sensitive, ``writeOnly``."""
    kw = [*kw, *_aliases(f, read=False)]
    if f.sensitive:
        # Write-only in OpenAPI: clients send it, no response carries it.
        kw.append(("json_schema_extra", '{"writeOnly": True}'))
    return kw


def _create_line(f: Field, annotation: str, kw: list[tuple[str, str]], imports: Imports) -> str:
    """A create field: its default (``now`` a factory), else None when optional, else none."""
    optional_annotation = f"{annotation} | None"
    if f.has_default and f.default == "now":
        imports.add("app.db.base", "utcnow")
        return _field_line(f.attr, annotation, kw + [("default_factory", "utcnow")], None)
    if f.has_default:
        chosen = optional_annotation if f.optional else annotation
        default = value_source(imports, f.default)
        if f.kind == "enum":
            default = f"{annotation}.{dict((v, n) for n, v in enum_members(f))[f.default]}"
        return _field_line(f.attr, chosen, kw, default)
    if f.optional:
        return _field_line(f.attr, optional_annotation, kw, "None")
    return _field_line(f.attr, annotation, kw, None)


def _ids_element(many: Many, imports: Imports) -> str:
    """The type of one id a many-to-many link's create and update take."""
    if many.target.id_type == "uuid":
        return imports.add("uuid", "UUID")
    high = bound_source(imports, INT_RANGE.get(many.target.id_type, INT32)[1])
    imports.add("typing", "Annotated")
    return f"Annotated[int, Field(strict=True, ge=1, le={high})]"


def _filter_lines(spec: ResourceSpec, imports: Imports) -> list[str]:
    """The list query's equality filters."""
    lines = []
    for f in list_filters(spec):
        annotation, kw = _filter_type(f, spec, imports)
        name = filter_name(f, spec)
        attr = python_name(name)
        if attr != name:
            kw.append(("alias", literal(name)))
        # The service filters by model attribute: dumped by alias, a filter names it.
        if f.db_attr != attr or attr != name:
            kw.append(("serialization_alias", literal(f.db_attr)))
        lines.append(_field_line(attr, f"{annotation} | None", kw, "None"))
    return lines


def _include_lines(
    includes: list[Include], imports: Imports, checking: list[str]
) -> tuple[list[str], list[str]]:
    """The list query's ``include`` filter and the detail schema's embedded rows (a
    one-to-one's inverse side imported for type checking only, into ``checking``)."""
    if not includes:
        return [], []
    imports.add("app.schemas.base", "IncludeModel")
    pattern = literal(include_pattern(includes))
    detail = []
    for inc in includes:
        if inc.inverse is not None:
            imports.add("typing", "TYPE_CHECKING")
            checking.append(f"from {inc.read_module} import {inc.read_class}")
            detail.append(f"{inc.name}: {literal(inc.read_class + ' | None')} = None")
            continue
        embedded = imports.add(inc.read_module, inc.read_class)
        if inc.many:
            embedded = f"list[{embedded}]"
        detail.append(f"{inc.name}: {embedded} | None = None")
    return [f"include: str | None = Field(default=None, pattern={pattern})"], detail


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
