"""A one-to-one's inverse side on the parent's reads: ``GET /practitioners/1?include=
practitioner_profile`` embeds the practitioner's profile (null while it has none).

The parent's includes depend on the other resources, so a change that adds, renames or
removes a unique reference to a parent re-renders the parent's API layer (schemas,
router, factory and tests of every version it serves) as the manifest is after it.
"""

from __future__ import annotations

from scaffold.generate.relations import Relations, planned_project, resolved
from scaffold.generate.schemas import Include
from scaffold.project.core import Project
from scaffold.project.manifest import Manifest


def one_to_one_includes(project: Project, table: str) -> list[Include]:
    """The one-to-one children of ``table`` its reads can embed, as the manifest is now."""
    specs, relations = resolved(project)
    if table not in relations:
        return []
    layout = project.layout
    parent = specs.get(table)
    # Whether the parent's routes act for a signed-in user (its service scopes by them):
    # a child whose rows are users' own is embedded only then, never for nobody.
    for_a_user = (
        parent is not None
        and layout.auth is not None
        and not parent.public_reads
        and parent.scoped_refs
    )
    out = []
    for link in relations[table].inverse:
        child = specs.get(link.child_table)
        if not link.unique or child is None or link.parent_attr is None:
            continue
        if child.scope_field is not None and not for_a_user:
            continue
        field = next(f for f in child.fields if f.db_attr == link.field)
        out.append(
            Include(
                link.parent_attr,
                field.name,
                layout.module("schemas", child.table),
                f"{child.class_name}Read",
                inverse=(layout.module("factories", child.table), f"create_{child.singular}"),
            )
        )
    return out


def _ones(relations: Relations | None) -> set[tuple[str, str, str | None]]:
    if relations is None:
        return set()
    return {(x.child_table, x.field, x.parent_attr) for x in relations.inverse if x.unique}


def changed_parents(project: Project, manifest: Manifest) -> tuple[Project, list[str]]:
    """The project as it is after the change (``manifest``), and the resources of it whose
    one-to-one children the change adds, renames or removes."""
    planned = planned_project(project, manifest)
    _specs, after = resolved(planned)
    _specs, before = resolved(project)
    tables = [
        table
        for table in sorted(after)
        if table in manifest.resources and _ones(after[table]) != _ones(before.get(table))
    ]
    return planned, tables
