"""The resource generator: model, migration, schemas, service, router, factory and tests.

It only composes: each artifact is one template fed by one context function
(``scaffold.generate.context``). It never touches a file it did not generate:
the project template discovers models and routers by package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from scaffold.generate import context as ctx
from scaffold.generate.adapt import adapt
from scaffold.generate.engine import render
from scaffold.generate.one_to_one import changed_parents, one_to_one_includes
from scaffold.project.core import Project
from scaffold.project.files import Rendered
from scaffold.project.manifest import Manifest
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
    if project.adopted:
        path = project.migration_file(revision, f"create {table}")
    else:
        path = f"{project.layout.migrations}/versions/{revision}_create_{table}.py"
    return MigrationSlot(revision, down, path)


def api_package(project: Project, version: int) -> list[Rendered]:
    """``app/api/vN/__init__.py`` for a version the template does not ship."""
    rel = f"{project.layout.package}/api/v{version}/__init__.py"
    if version == 1:
        return []
    text = render("api_version.py.jinja", version=version, package=project.layout.package)
    return [Rendered(rel, text)]


def render_resource(
    project: Project,
    spec: ResourceSpec,
    slot: MigrationSlot,
    *,
    create_spec: ResourceSpec | None = None,
    versions: Sequence[ResourceSpec] = (),
) -> list[Rendered]:
    """Every file of one resource, unformatted (the caller formats them all in one go).

    ``spec`` is the resource as it is now (model, service). ``create_spec`` is
    the one its create migration was written from, ``versions`` the contract of
    each API version it serves, oldest first (default: ``spec`` alone).
    """
    layout = project.layout
    table = spec.table
    one = _renderer(project, spec)
    created = create_spec or spec
    files = [
        one(
            "model.py.jinja",
            layout.path("models", table),
            ctx.model_context(spec.stored(), layout),
            of=spec.stored(),
        ),
        one(
            "migration.py.jinja",
            slot.path,
            ctx.migration_context(created.stored(), slot.revision, slot.down_revision),
            frozen=True,
            of=created.stored(),
        ),
        one(
            "service.py.jinja",
            layout.path("services", table),
            ctx.service_context(spec.stored(), layout),
            of=spec.stored(),
        ),
    ]
    files += render_api_files(project, spec, versions or (spec,))
    if project.profile is not None:
        files += adopted_files(project, spec, files)
    return files


def _renderer(project: Project, spec: ResourceSpec):  # type: ignore[no-untyped-def]
    """``one(template, path, context, frozen=False, of=spec)``: one file of ``spec``'s
    resource, rendered (the project's own templates first) and its imports adapted."""
    layout = project.layout
    override = str(project.root / ".scaffold" / "templates")

    def one(
        template: str, path: str, context: dict, frozen: bool = False, of: ResourceSpec = spec
    ) -> Rendered:
        text = adapt(render(template, override, spec=of, ctx=context), layout)
        return Rendered(path, text, resource=spec.table, frozen=frozen)

    return one


def render_api_files(
    project: Project, spec: ResourceSpec, versions: Sequence[ResourceSpec]
) -> list[Rendered]:
    """Schemas, router, factory and tests of each API version in ``versions``."""
    one = _renderer(project, spec)
    files: list[Rendered] = []
    for api in versions:
        files += render_api_layer(project, api, one)
    return files


def adopted_files(project: Project, spec: ResourceSpec, files: list[Rendered]) -> list[Rendered]:
    """In an adopted project: the support files, factories of the project's own parent
    tables, missing ``__init__.py`` files, and the registry edits that wire the resource in."""
    from scaffold.generate.adopted import resource as adopted
    from scaffold.generate.adopted.support import support_files

    profile = project.profile
    assert profile is not None
    root = project.root
    layout = project.layout
    out = support_files(
        root, profile, hashing=stores_passwords(project, spec), auth=bool(project.manifest.auth)
    )
    # The project's own tables this resource references, and the ones their rows need.
    wanted = [k.table for k in dict(spec.refs).values() if k.module is not None]
    done: set[str] = set()
    while wanted:
        table = wanted.pop(0)
        if table in done or table in project.manifest.resources:
            continue
        done.add(table)
        factories = layout.module("factories", table).rpartition(".")[0]
        needs: list[str] = []
        text = adopted.parent_factory(root, profile, table, factories, needs)
        path = layout.path("factories", table)
        if text is not None and (
            not (root / path).is_file() or project.manifest.generated_hash(path) is not None
        ):
            out.append(Rendered(path, text, resource=spec.table))
            wanted += needs
    out += package_inits(root, [*files, *out])
    router_module = layout.module("api", spec.table, spec.api_version)
    edit = adopted.register_router(root, profile, router_module, spec.table, spec.api_version)
    if edit is not None:
        out.append(Rendered(edit[0], edit[1], edit=True))
    edit = adopted.register_model(
        root, profile, layout.module("models", spec.table), spec.class_name
    )
    if edit is not None:
        out.append(Rendered(edit[0], edit[1], edit=True))
    return out


def package_inits(root: Path, files: list[Rendered]) -> list[Rendered]:
    """The ``__init__.py`` of each new folder of ``files`` inside one of the project's
    packages (a feature package ``app/weekly_requirements/``, say, and the folders in it:
    ``app/weekly_requirements/domain/entity/``)."""
    have = {r.path for r in files}
    out = []
    for r in files:
        if not r.path.endswith(".py"):
            continue
        new: list[PurePosixPath] = []
        folder = PurePosixPath(r.path).parent
        # Up from the file's folder: each folder this change makes, and one that exists
        # without an __init__.py, to the first folder that is (or becomes) a package.
        while folder.parts and not _is_package(root, folder, have):
            new.append(folder)
            folder = folder.parent
            if (root / new[-1]).is_dir():
                break
        init = folder / "__init__.py"
        if not new or not (str(init) in have or (root / init).is_file()):
            continue  # no new folder, or not inside one of the project's packages
        for made in new:
            init = str(made / "__init__.py")
            out.append(Rendered(init, f'"""{made.name.replace("_", " ").capitalize()}."""\n'))
            have.add(init)
    return out


def _is_package(root: Path, folder: PurePosixPath, have: set[str]) -> bool:
    init = str(folder / "__init__.py")
    return init in have or (root / init).is_file()


def stores_passwords(project: Project, spec: ResourceSpec) -> bool:
    """Whether ``spec`` or another generated resource hashes a password field."""
    from scaffold.errors import ScaffoldError
    from scaffold.project.manifest import stored_args
    from scaffold.spec.fields import parse_field

    if any(f.hashed for f in spec.fields):
        return True
    for table, entry in project.manifest.resources.items():
        if table == spec.table:
            continue
        for token in stored_args(entry).fields:
            try:
                if parse_field(token).hashed:
                    return True
            except ScaffoldError:
                continue
    return False


def render_api_layer(project: Project, api: ResourceSpec, one) -> list[Rendered]:
    """Schemas, router, factory and tests of one API version of a resource."""
    layout = project.layout
    table, version, primary = api.table, api.api_version, api.api_primary
    profile = project.profile
    prefix = f"/api/v{version}" if profile is None else profile.version_prefix(version)
    # Reads embed parents scaffold generated (?include=); not in a contract that keeps a
    # removed field (read back as null: an unset field would leave the response).
    owned = set(project.manifest.resources) | {table}
    kept_removed = any(f.removed for f in api.fields)
    includes = []
    if not kept_removed:
        includes = ctx.includes_of(api, layout, owned) + one_to_one_includes(project, table)
    files = [
        one(
            "schemas.py.jinja",
            layout.path("schemas", table, version, primary),
            ctx.schemas_context(api, includes),
            of=api,
        ),
        one(
            "router.py.jinja",
            layout.path("api", table, version),
            ctx.router_context(api, layout, includes),
            of=api,
        ),
        one(
            "factory.py.jinja",
            layout.path("factories", table, version, primary),
            ctx.factory_context(api, layout, prefix),
            of=api,
        ),
        one(
            "test.py.jinja",
            layout.path("tests", table, version, primary),
            ctx.tests_context(api, layout, prefix, includes),
            of=api,
        ),
    ]
    if profile is not None:
        from scaffold.generate.adopted.resource import adapt_tests

        factories = layout.module("factories", table).rpartition(".")[0]
        users = None
        if layout.auth is not None:  # scaffold's sign-in: the tests sign in as its users
            users = layout.module("factories", layout.auth.users_table)
        files[2:4] = [
            replace(
                r,
                text=adapt_tests(
                    r.text,
                    profile,
                    factories,
                    test_module=index == 1,
                    users=users,
                    admin=api.admin_writes,
                ),
            )
            for index, r in enumerate(files[2:4])
        ]
        return files
    files += api_package(project, version)
    if not primary:
        files.append(
            Rendered(
                f"{layout.package}/schemas/v{version}/__init__.py",
                f'"""Schemas of API version {version}."""\n',
            )
        )
    return files


def with_one_to_one_includes(
    project: Project, rendered: list[Rendered], manifest: Manifest
) -> list[Rendered]:
    """``rendered`` with the API layer of each parent whose one-to-one children the
    change adds, renames or removes, rendered as the project is after the change."""
    from scaffold.project.core import build_spec, served, specs_for_versions
    from scaffold.project.manifest import stored_args

    layout = project.layout
    have = {r.path for r in rendered}
    out = list(rendered)
    planned, tables = changed_parents(project, manifest)
    for table in tables:
        schemas = layout.path("schemas", table)
        if schemas not in have and not (project.root / schemas).is_file():
            continue
        entry = planned.manifest.resources[table]
        spec = served(build_spec(planned, stored_args(entry)), entry)
        files = render_api_files(
            planned, spec, specs_for_versions(planned, entry.get("versions", []), spec)
        )
        paths = {r.path for r in files}
        out = [r for r in out if r.path not in paths or r.delete] + files
    return out
