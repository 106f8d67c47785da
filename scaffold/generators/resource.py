"""The resource generator: model, migration, schemas, service, router, factory and tests.

It only composes: each artifact is one template fed by one context function
(``scaffold.render.context``). It never touches a file it did not generate:
the project template discovers models and routers by package.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from scaffold.plan import Rendered
from scaffold.project import Project
from scaffold.render import context as ctx
from scaffold.render.engine import render
from scaffold.spec.resource import ResourceSpec


@dataclass(frozen=True)
class MigrationSlot:
    revision: str
    down_revision: str | None
    path: str


def migration_slot(project: Project, table: str) -> MigrationSlot:
    """Reuse the resource's migration if it has one, else chain a new one to the single head."""
    entry = project.manifest.resources.get(table)
    if entry and entry.get("migration"):
        return MigrationSlot(entry["revision"], entry.get("down_revision"), entry["migration"])
    down = project.single_head()
    revision = hashlib.sha1(f"create_{table}:{down}".encode()).hexdigest()[:12]
    path = f"{project.layout.migrations}/versions/{revision}_create_{table}.py"
    return MigrationSlot(revision, down, path)


def api_package(project: Project, version: int) -> list[Rendered]:
    """``app/api/vN/__init__.py`` for a version the template does not ship."""
    rel = f"{project.layout.package}/api/v{version}/__init__.py"
    if (project.root / rel).exists() and version == 1:
        return []
    return [
        Rendered(
            rel, render("api_version.py.jinja", version=version, package=project.layout.package)
        )
    ]


def render_resource(project: Project, spec: ResourceSpec, slot: MigrationSlot) -> list[Rendered]:
    """Every file of one resource, unformatted (the caller formats them all in one go)."""
    layout = project.layout
    prefix = f"/api/v{spec.api_version}"
    override = str(project.root / ".scaffold" / "templates")
    table = spec.table

    def one(template: str, path: str, context: dict, frozen: bool = False) -> Rendered:
        text = render(template, override, spec=spec, ctx=context)
        return Rendered(path, text, resource=table, frozen=frozen)

    files = [
        one("model.py.jinja", layout.path("models", table), ctx.model_context(spec)),
        one(
            "migration.py.jinja",
            slot.path,
            ctx.migration_context(spec, slot.revision, slot.down_revision),
            frozen=True,
        ),
        one("schemas.py.jinja", layout.path("schemas", table), ctx.schemas_context(spec)),
        one("service.py.jinja", layout.path("services", table), ctx.service_context(spec, layout)),
        one(
            "router.py.jinja",
            layout.path("api", table, spec.api_version),
            ctx.router_context(spec, layout),
        ),
        one(
            "factory.py.jinja",
            f"{layout.tests}/factories/{table}.py",
            ctx.factory_context(spec, layout, prefix),
        ),
        one(
            "test.py.jinja",
            f"{layout.tests}/test_{table}.py",
            ctx.tests_context(spec, layout, prefix),
        ),
    ]
    if spec.api_version != 1:
        files += api_package(project, spec.api_version)
    return files
