"""A resource's references seen from both ends: what its model's relationships and its
reads' ``?include=`` are made of."""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.spec.names import python_name
from scaffold.spec.resource import ResourceSpec


@dataclass(frozen=True)
class Link:
    """One reference, seen from both ends."""

    child_table: str
    child_class: str
    child_module: str
    field: str  # the child's column attribute (``resident_id``)
    child_attr: str  # the child's relationship to the parent (``resident``)
    parent_table: str
    parent_class: str
    parent_module: str
    parent_attr: str | None  # the parent's inverse (``weekly_requirements``); None: no inverse
    optional: bool
    unique: bool
    shared: bool  # more than one reference between the two tables: foreign_keys= is needed


def links_of(spec: ResourceSpec, module_of, owned: set[str]) -> list[Link]:  # type: ignore[no-untyped-def]
    """The links of ``spec``'s references. ``module_of(table, class_name)`` is the model
    module of a resource; ``owned`` the tables whose models scaffold renders."""
    refs = [f for f in spec.fields if f.is_ref and not f.removed and f.ref_table != spec.table]
    taken = {f.attr for f in spec.fields} | {"id", "created_at", "updated_at"}
    out = []
    for f in refs:
        known = spec.known(f.ref_table)
        stem = f.name.removesuffix("_id") if f.name.endswith("_id") else f"{f.name}_ref"
        child_attr = python_name(stem)
        while child_attr in taken:
            child_attr += "_ref"
        taken.add(child_attr)
        shared = sum(1 for g in refs if g.ref_table == f.ref_table) > 1
        if f.ref_table not in owned:
            parent_attr = None
        elif f.unique:
            parent_attr = spec.singular if not shared else f"{spec.singular}_as_{stem}"
        else:
            parent_attr = spec.table if not shared else f"{spec.table}_as_{stem}"
        out.append(
            Link(
                child_table=spec.table,
                child_class=spec.class_name,
                child_module=module_of(spec.table, spec.class_name),
                field=f.db_attr,
                child_attr=child_attr,
                parent_table=known.table,
                parent_class=known.class_name,
                parent_module=known.module or module_of(known.table, known.class_name),
                parent_attr=python_name(parent_attr) if parent_attr else None,
                optional=f.optional,
                unique=f.unique,
                shared=shared,
            )
        )
    return out
