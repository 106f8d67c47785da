"""``scaffold endpoint "METHOD /api/v1/PATH"``: one more route on an existing resource.

Supported shapes (anything else exits 2 and lists them):

- ``GET /api/v1/PARENTS/{id}/CHILDREN``: one parent's rows of CHILDREN, paginated,
  404 when the parent does not exist. CHILDREN must reference PARENTS.
- The routes every resource already has (list, create, get, update, delete):
  nothing to do, said so.

The route is recorded on the resource's spec, so the router, service and tests
are re-rendered with it (and merged with the user's edits like any update).
"""

from __future__ import annotations

import re
from dataclasses import replace

from scaffold.commands.field import FieldChange, entry_of
from scaffold.errors import InputError
from scaffold.project.core import Project
from scaffold.project.manifest import stored_args

EXAMPLE = 'scaffold endpoint "GET /api/v1/residents/{id}/weekly-requirements"'
_ROUTE = re.compile(r"(GET|POST|PUT|PATCH|DELETE)\s+(/\S*)", re.IGNORECASE)
_SEGMENT = re.compile(r"[a-z][a-z0-9-]*|\{[a-z_][a-z0-9_]*\}")


def parse_endpoint(text: str) -> tuple[str, list[str], int]:
    """``"GET /api/v1/a/{id}/b"`` → (``"GET"``, ``["a", "{id}", "b"]``, 1)."""
    if len(text) > 300:
        raise InputError(
            "The endpoint is longer than 300 characters.", token=text[:40], example=EXAMPLE
        )
    match = _ROUTE.fullmatch(text.strip())
    if not match:
        raise InputError(f"{text!r} is not METHOD /path.", token=text, example=EXAMPLE)
    method, path = match.group(1).upper(), match.group(2)
    parts = [p for p in path.split("/") if p]
    version = 1
    if parts[:1] == ["api"]:
        parts = parts[1:]
    if parts and re.fullmatch(r"v\d{1,2}", parts[0]):
        version = int(parts[0][1:])
        parts = parts[1:]
    for part in parts:
        if not _SEGMENT.fullmatch(part):
            raise InputError(
                f"Path segment {part!r} in {text!r} is not lowercase-hyphenated or {{param}}.",
                token=part,
                example=EXAMPLE,
            )
    return method, parts, version


def _table_of(project: Project, route: str, text: str, *, any_table: bool = False) -> str:
    """The table a path segment names: a resource scaffold generated, or (``any_table``,
    for a parent) any table the project has, its own included (``/users`` -> ``user``)."""
    from scaffold.spec.inflect import singularize

    tables = project.known_resources() if any_table else project.manifest.resources
    table = route.replace("-", "_")
    if table not in tables and singularize(table) in tables:
        table = singularize(table)
    if table not in tables:
        have = ", ".join(sorted(tables)) or "none yet"
        raise InputError(
            f"{route!r} in {text!r} is not a resource of this project (resources: {have}).",
            token=route,
            example=EXAMPLE,
        )
    return table


def request_endpoint(project: Project, text: str) -> FieldChange | str:
    """A spec change adding the route, or a sentence saying it already exists."""
    method, parts, _version = parse_endpoint(text)
    standard = (len(parts) == 1 and method in ("GET", "POST")) or (
        len(parts) == 2 and parts[1].startswith("{") and method in ("GET", "PATCH", "DELETE")
    )
    if standard:
        table = _table_of(project, parts[0], text)
        return f"{method} /api/v1/{'/'.join(parts)} is already served by the {table} resource."
    if (
        method == "GET"
        and len(parts) == 3
        and parts[1].startswith("{")
        and not parts[2].startswith("{")
    ):
        parent = _table_of(project, parts[0], text, any_table=True)
        child = _table_of(project, parts[2], text)
        args = stored_args(entry_of(project, child))
        if args.parent == parent or parent in args.lists_under:
            return f"GET /api/v1/{'/'.join(parts)} is already served by the {child} resource."
        return FieldChange(
            "endpoint", child, replace(args, lists_under=(*args.lists_under, parent)), args
        )
    raise InputError(
        f"{text!r} is not a route scaffold can generate. Supported: GET /api/v1/PARENTS/{{id}}/CHILDREN "
        "(one parent's rows), and the standard list/create/get/update/delete routes.",
        token=text,
        example=EXAMPLE,
    )
