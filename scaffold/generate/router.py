"""The router's slots: routes, path parameters, operation ids and who may call them."""

from __future__ import annotations

from typing import Any

from scaffold.generate.imports import Imports
from scaffold.generate.schemas import Include, bound_source, include_pattern, schema_names
from scaffold.generate.values import INT32, id_py_type, literal
from scaffold.project.layout import Layout
from scaffold.spec.fields import INT_RANGE
from scaffold.spec.inflect import humanize
from scaffold.spec.resource import Known, ResourceSpec

MISSING_UUID = "00000000-0000-4000-8000-000000000000"


def missing_id(id_type: str) -> str:
    """A well-formed id no row has, for the 404 and 409 tests."""
    return literal(MISSING_UUID if id_type == "uuid" else INT32[1])


def _id_annotation(id_type: str, imports: Imports) -> str:
    """The path parameter type of an id: bounded to the column for integers."""
    if id_type == "uuid":
        imports.add("uuid", "UUID")
        return "UUID"
    imports.add("fastapi", "Path")
    limit = bound_source(imports, INT_RANGE.get(id_type, INT32)[1])
    return f"Annotated[int, Path(ge=1, le={limit})]"


# Parameter names of the generated handlers; a parent key of that name gets ``_id`` added.
HANDLER_NAMES = frozenset({"service", "params", "payload"})


def nested_route(spec: ResourceSpec, parent: Known, prefix: str) -> dict[str, str]:
    """Names and paths of the list of one parent's rows: /PARENTS/{parent_id}/THESE.

    ``route`` names the path parameter after the reference (``{resident_id}``), the
    handler's argument; ``path`` is the f-string the tests fill from a local ``parent_id``.
    """
    pf = spec.ref_to(parent.table)
    stem = pf.name.removesuffix("_id")
    param = pf.attr if pf.attr not in HANDLER_NAMES else f"{pf.attr}_id"
    parents = f"/{route_of(parent.table)}"
    return {
        "field": pf.name,
        "param": param,
        "stem": stem,
        "route": f"{parents}/{{{param}}}/{spec.route}",
        "path": f"{prefix}{parents}/{{parent_id}}/{spec.route}",
        "missing": missing_id(parent.id_type),
        "function": f"list_by_{stem}",
    }


def router_context(
    spec: ResourceSpec, layout: Layout, includes: list[Include] | None = None
) -> dict[str, Any]:
    imports = Imports()
    schemas = layout.module("schemas", spec.table, spec.api_version, spec.api_primary)
    _common_imports(spec, layout, schemas, imports)
    id_type = id_py_type(spec, imports)
    id_annotation = _id_annotation(spec.id_type, imports)
    parent = _nested(spec, spec.parent, imports) if spec.parent is not None else None
    nested_lists = [_nested(spec, p, imports) for p in spec.lists_under if p != spec.parent]
    ops, summaries = _operations(spec, parent)
    includes = includes or []
    names = schema_names(spec)
    if includes:
        imports.add(schemas, names["Detail"])
    # A one-to-one's inverse side: its schema module imports this resource's, so the
    # Detail names the embedded class as text; both are loaded here to resolve it.
    inverse = {
        i.read_class: imports.add(i.read_module, i.read_class) for i in includes if i.inverse
    }
    rebuild = ""
    if inverse:
        namespace = ", ".join(f"{literal(k)}: {v}" for k, v in sorted(inverse.items()))
        rebuild = f"{names['Detail']}.model_rebuild(_types_namespace={{{namespace}}})"
    linked = _linked(spec, layout, imports)
    access = _access(spec, layout, imports)
    return {
        "names": names,
        "reads": access["reads"],
        "writes": access["writes"],
        "admin_writes": access["admin_writes"],
        "owner": access["owner"],
        "linked": linked,
        "includes": [i.name for i in includes],
        "include_pattern": include_pattern(includes) if includes else "",
        "rebuild": rebuild,
        "router_args": _router_args(spec, layout, imports, access["require"]),
        "rate_limit": rate_limit_context(spec, layout, imports),
        "ops": ops,
        "summaries": summaries,
        "nested_lists": nested_lists,
        "imports": imports.render(),
        "id_type": id_type,
        "id_annotation": id_annotation,
        "parent": parent,
        "collection": f"/{spec.route}",
        "item": f"/{spec.route}/{{{spec.id_param}}}",
    }


def _common_imports(spec: ResourceSpec, layout: Layout, schemas: str, imports: Imports) -> None:
    """What every router uses: FastAPI, the session, the schemas and the service."""
    imports.add("typing", "Annotated")
    for name in ("APIRouter", "Depends", "Query", "Response", "status"):
        imports.add("fastapi", name)
    imports.add("app.core.errors", "problem_responses")
    imports.add("app.db.session", "SessionDep")
    names = schema_names(spec)
    for kind in ("Create", "ListQuery", "Page", "Read", "Update"):
        imports.add(schemas, names[kind])
    imports.add(layout.module("services", spec.table), f"{spec.class_name}Service")


def _op_suffix(spec: ResourceSpec) -> str:
    """Operation ids a client generator turns into method names: <tag>-<action>[-vN]."""
    return f"-v{spec.api_version}" if spec.api_version > 1 else ""


def article(noun: str) -> str:
    """``noun`` with its indefinite article: "an appointment", "a user", "an hour"."""
    vowel = noun[:1] in set("aeiou") or noun.startswith(("hour", "honest", "honor"))
    if noun.startswith(("uni", "use", "usu", "eu", "one")):
        vowel = False
    return f"{'an' if vowel else 'a'} {noun}"


def _nested(spec: ResourceSpec, parent: Known, imports: Imports) -> dict[str, str]:
    """The list of one parent's rows: its route, its key's type, its operation id."""
    route = {
        **nested_route(spec, parent, ""),
        "id_annotation": _id_annotation(parent.id_type, imports),
    }
    plural = humanize(spec.table).lower()
    parent_singular = humanize(spec.known(_table_of(spec, route["field"])).singular).lower()
    stem = route["stem"].replace("_", "-")
    route["operation_id"] = f"{spec.route}-list-by-{stem}{_op_suffix(spec)}"
    route["summary"] = f"List the {plural} of {article(parent_singular)}"
    return route


def _operations(
    spec: ResourceSpec, parent: dict[str, str] | None
) -> tuple[dict[str, str], dict[str, str]]:
    """The operation id and the summary of each route."""
    suffix = _op_suffix(spec)
    plural, singular = humanize(spec.table).lower(), humanize(spec.singular).lower()
    ops = {a: f"{spec.route}-{a}{suffix}" for a in ("list", "create", "get", "update", "delete")}
    summaries = {
        "list": f"List {plural}",
        "create": f"Create {article(singular)}",
        "get": f"Get {article(singular)}",
        "update": f"Update {article(singular)}: only the fields given change",
        "delete": f"Delete {article(singular)}",
    }
    if parent:
        ops["list_nested"] = parent["operation_id"]
        summaries["list_nested"] = parent["summary"]
    return ops, summaries


def _linked(spec: ResourceSpec, layout: Layout, imports: Imports) -> list[dict[str, str]]:
    """The routes listing the rows each many-to-many link of a row reaches."""
    linked = []
    for m in spec.many:
        page = imports.add(layout.module("schemas", m.target.table), f"{m.target.class_name}Page")
        imports.add("app.schemas.base", "PageQuery")
        route = m.name.replace("_", "-")
        summary = (
            f"List the {humanize(m.name).lower()} of {article(humanize(spec.singular).lower())}"
        )
        linked.append(
            {
                # literal(): a long value is split into pieces that fit the line length.
                "route": literal(f"/{spec.route}/{{{spec.id_param}}}/{route}"),
                "field": m.ids_field,
                "page": page,
                "function": f"list_linked_{m.name}",
                "operation_id": literal(f"{spec.route}-list-{route}{_op_suffix(spec)}"),
                "summary": literal(summary),
            }
        )
    return linked


def _access(spec: ResourceSpec, layout: Layout, imports: Imports) -> dict[str, str]:
    """Who may call the routes: the statuses they answer (``reads``, ``writes``), the
    admin check of writes, the signed-in user an owned service takes (``owner``) and the
    dependency every route of the router needs (``require``)."""
    reads = writes = admin_writes = owner = require = ""
    if layout.auth is not None and not spec.public_reads:
        # Every route needs a signed-in user: an owned resource's service takes it (and
        # scopes every query to it); any other router depends on it for all its routes.
        reads = writes = "401, "
        if spec.scoped_refs:
            owner = imports.add(*layout.auth.user.split(":"))
        else:
            require = imports.add(*layout.auth.require_user.split(":"))
    if layout.auth is not None and spec.admin_writes:
        writes = "401, 403, "
        admin_writes = imports.add(*layout.auth.require_admin.split(":"))
    return {
        "reads": reads,
        "writes": writes,
        "admin_writes": admin_writes,
        "owner": owner,
        "require": require,
    }


def _router_args(spec: ResourceSpec, layout: Layout, imports: Imports, require: str) -> str:
    """The APIRouter's arguments after its tags: an adopted project's route class, prefix
    and sign-in dependency, then ``require`` (the signed-in user every route needs)."""
    router_args = ""
    if layout.profile is not None:
        # problem+json for the generated routes only: the project's own keep their errors.
        router_args = f", route_class={imports.add('app.core.errors', 'ProblemRoute')}"
        if spec.api_version > 1 and not layout.profile.versioned_prefix:
            router_args += f", prefix={literal(f'/v{spec.api_version}')}"
        if layout.profile.auth_dependency and layout.auth is None:
            module, _, name = layout.profile.auth_dependency.partition(":")
            router_args += f", dependencies=[Depends({imports.add(module, name)})]"
    dependencies = [f"Depends({require})"] if require else []
    if spec.rate_limit and layout.profile is None:
        # Defined in the router module above the router (the template's `limit_requests`).
        dependencies.append("Depends(limit_requests)")
    if dependencies:
        router_args += f", dependencies=[{', '.join(dependencies)}]"
    return router_args


def rate_limit_context(spec: ResourceSpec, layout: Layout, imports: Imports) -> dict[str, str]:
    """``scaffold limit``'s line in the router: the resource's rate, per client address,
    counted on top of RATE_LIMIT_DEFAULT (a template project's; an adopted one keeps its
    own limits)."""
    if not spec.rate_limit or layout.profile is not None:
        return {}
    imports.add("fastapi", "Request")
    imports.add("limits", "parse")
    imports.add("app.core.limits", "get_remote_address")
    imports.add("app.core.limits", "hit")
    return {"rate": literal(spec.rate_limit), "key": literal(spec.table)}


def _table_of(spec: ResourceSpec, field: str) -> str:
    return spec.field(field).ref_table or spec.table


def route_of(table: str) -> str:
    return table.replace("_", "-")
