"""A resource's plan (spec, files, manifest) and what it adds per layer: shared by the
resource, field, rename and destroy planners."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scaffold.project.files import Rendered
from scaffold.project.manifest import Manifest
from scaffold.spec.resource import ResourceSpec


@dataclass
class ResourcePlan:
    spec: ResourceSpec
    files: list[Rendered]
    manifest: Manifest
    notes: list[str] = field(default_factory=list)


def resource_layers(spec: ResourceSpec, files: list[Rendered]) -> dict[str, list[str]]:
    """What the resource adds, per layer, for the report."""
    columns = (
        ", ".join(f"{f.name} {f.kind}{'?' if f.optional else ''}" for f in spec.fields)
        or "no user fields"
    )
    database = [f"create table `{spec.table}` (id, {columns}, created_at, updated_at)"]
    for f in spec.fields:
        if f.is_ref:
            action = f" ON DELETE {f.ondelete}" if f.ondelete else ""
            database.append(f"foreign key `{f.name}` → `{f.ref_table}.id`{action}, indexed")
        elif f.unique or f.index:
            database.append(f"{'unique' if f.unique else 'index'} on `{f.name}`")
    database += [f"unique ({', '.join(group)})" for group in spec.uniques]
    database += [f"CHECK {check.left} {check.op} {check.right}" for check in spec.checks]
    database += [f"migration `{r.path}`" for r in files if r.frozen]
    base = f"/api/v{spec.api_version}/{spec.route}"
    api = [f"GET {base}/{{{spec.id_param}}}, PATCH (partial), DELETE (204)"]
    if spec.parent is not None:
        nested = (
            f"/api/v{spec.api_version}/{spec.parent.table.replace('_', '-')}/{{id}}/{spec.route}"
        )
        api.insert(
            0,
            f"GET {nested} (one {spec.parent.singular}'s rows, 404 if missing), POST {nested} (201)",
        )
    else:
        filters = [f.name for f in spec.fields if f.filterable]
        api.insert(
            0,
            f"GET {base} (limit/offset{', filters: ' + ', '.join(filters) if filters else ''}), POST {base} (201)",
        )
    sensitive = [f.name for f in spec.fields if f.sensitive]
    if sensitive:
        api.append(f"write-only (never in a response): {', '.join(sensitive)}")
    services = [
        f"{spec.class_name}Service: list_page, get, create, update, delete (async, no HTTP)"
    ]
    tests = []
    for r in files:
        if "/test_" in r.path and not r.delete:
            count = len(re.findall(r"^(?:async )?def test_", r.text, re.M))
            tests.append(f"`{r.path}`: {count} tests (every route and its failures)")
    return {"Database": database, "API": api, "Services": services, "Tests": tests}
