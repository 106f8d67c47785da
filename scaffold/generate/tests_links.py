"""The generated tests' slots of what a resource is linked to: the rows its references
point at (deleted parents, the lists under them, ?include=) and its many-to-many links."""

from __future__ import annotations

import keyword
from typing import Any

from scaffold.generate.imports import Imports
from scaffold.generate.router import missing_id, nested_route, route_of
from scaffold.generate.samples import Samples
from scaffold.generate.schemas import Include
from scaffold.generate.values import literal
from scaffold.project.layout import Layout
from scaffold.spec.resource import Many, ResourceSpec


def relation_cases(
    spec: ResourceSpec, layout: Layout, prefix: str, includes: list[Include], imports: Imports
) -> dict[str, Any]:
    """Deleted parents, the lists under other parents, ?include= and many-to-many links."""
    return {
        "ondelete": _ondelete_tests(spec, prefix),
        "nested_lists": [
            {
                **nested_route(spec, p, prefix),
                "arg": kwarg(spec.ref_to(p.table).name, "parent_id"),
                "rows": upto(2, Samples(spec).capacity({spec.ref_to(p.table).name})),
                # Another user's parent lists nothing (a 404), when its rows are owned.
                "owned": p.owned and layout.auth is not None and not spec.public_reads,
            }
            for p in spec.lists_under
            if p != spec.parent
        ],
        "includes": [
            {"name": i.name, "field": i.field} for i in includes if not i.many and not i.inverse
        ],
        "inverse_includes": [
            {
                "name": i.name,
                "create": imports.add(*i.inverse),
                "arg": kwarg(i.field, "row['id']"),
            }
            for i in includes
            if i.inverse
        ],
        "any_include": bool(includes),
        "many": [_many_test(m, layout, includes, imports) for m in spec.many],
    }


def first_prefix(layout: Layout) -> str:
    """Where API version 1 is served: the routes of the other resources (their factories
    write there) and of the users, whichever version a test module is for."""
    return "/api/v1" if layout.profile is None else layout.profile.version_prefix(1)


def _many_test(
    m: Many, layout: Layout, includes: list[Include], imports: Imports
) -> dict[str, Any]:
    """One many-to-many link's tests: the linked rows' factory, route and missing id, and
    the headers that delete a linked row (an admin's: the target may be admin-only)."""
    create = imports.add(layout.module("factories", m.target.table), f"create_{m.target.singular}")
    route = m.target.v1_route or route_of(m.target.table)
    as_admin = ""
    if layout.auth is not None:
        users = layout.module("factories", layout.auth.users_table)
        as_admin = f", headers=await {imports.add(users, 'admin_headers')}()"
    return {
        "name": m.name,
        "field": m.ids_field,
        "route": m.name.replace("_", "-"),
        "create": create,
        "target": f"{first_prefix(layout)}/{route}",
        "as_admin": as_admin,
        "singular": m.target.singular,
        "missing": missing_id(m.target.id_type),
        "included": any(i.many and i.name == m.name for i in includes),
    }


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
            verb, status, check = (
                "removes_it",
                "NO_CONTENT",
                "after.status_code == HTTPStatus.NOT_FOUND",
            )
        elif f.ondelete == "SET NULL":
            verb, status, check = (
                "empties_the_reference",
                "NO_CONTENT",
                f'after.json()["{f.name}"] is None',
            )
        else:
            verb, status, check = "is_refused", "CONFLICT", "after.status_code == HTTPStatus.OK"
        out.append(
            {
                "slug": f.name.removesuffix("_id"),
                "field": f.name,
                "parents": f"{prefix}/{spec.known(f.ref_table).v1_route or route_of(f.ref_table)}",
                "verb": verb,
                "status": f"HTTPStatus.{status}",
                "check": check,
            }
        )
    return out


def upto(rows: int, capacity: int | None) -> int:
    return rows if capacity is None else max(1, min(rows, capacity))


def kwarg(name: str, value: str) -> str:
    """A keyword argument of a factory call; ``**{"from": 1}`` where a name cannot be one."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return f"{name}={value}"
    return f"**{{{literal(name)}: {value}}}"
