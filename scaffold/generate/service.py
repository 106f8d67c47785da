"""The service's slots: constraints, links and nested lists."""

from __future__ import annotations

from typing import Any

from scaffold.generate.imports import Imports
from scaffold.generate.values import (
    id_py_type,
    literal,
    py_type,
    range_fields,
    range_rule,
    unique_sets,
)
from scaffold.project.layout import Layout
from scaffold.spec import naming
from scaffold.spec.inflect import humanize
from scaffold.spec.resource import OWNER_COLUMN, Known, ResourceSpec


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
    if hashed:  # only then does a value change on its way to the table
        imports.add("app.core.security", "hash_secret")
        n["Any"] = imports.add("typing", "Any")
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

    for group in unique_sets(spec):
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
    for f, low, high in range_fields(spec):
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
