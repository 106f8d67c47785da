"""The factory's and the generated tests' slots."""

from __future__ import annotations

from typing import Any

from scaffold.generate.imports import Imports
from scaffold.generate.router import missing_id, nested_route, route_of
from scaffold.generate.samples import Samples
from scaffold.generate.schemas import Include, filter_name, list_filters
from scaffold.generate.tests_links import first_prefix, relation_cases, upto
from scaffold.generate.tests_links import kwarg as _kwarg
from scaffold.generate.values import literal
from scaffold.project.layout import Layout
from scaffold.spec.fields import INT_RANGE
from scaffold.spec.inflect import humanize
from scaffold.spec.resource import OWNER_COLUMN, ResourceSpec


def factory_context(spec: ResourceSpec, layout: Layout, prefix: str) -> dict[str, Any]:
    samples = Samples(spec)
    imports = Imports()
    imports.add("typing", "Any")
    imports.add("http", "HTTPStatus")
    imports.add("httpx", "AsyncClient")
    parents = []
    for f in spec.fields:
        if f.is_ref and f.ref_table != spec.table and not f.removed:
            known = spec.known(f.ref_table)
            imports.add(layout.module("factories", known.table), f"create_{known.singular}")
            parents.append({"field": f.name, "create": f"create_{known.singular}"})
    values = samples.payload_lines(imports)
    uses_n = any("n" in _names_in(line) for line in values)
    if uses_n:
        imports.add("itertools")
    # Rows of a resource only admins write are created as an admin, whoever the
    # client is signed in as (a user's tests of a child resource need parents too).
    as_admin = ""
    if layout.auth is not None and spec.admin_writes:
        users = layout.module("factories", layout.auth.users_table)
        as_admin = f", headers=await {imports.add(users, 'admin_headers')}()"
    return {
        "as_admin": as_admin,
        "imports": imports.render(),
        "parents": parents,
        "payload": values,
        "uses_n": uses_n,
        "collection": f"{prefix}/{spec.route}",
        "nested": _nested(spec, prefix),
    }


def _names_in(source: str) -> set[str]:
    import ast

    return {
        node.id for node in ast.walk(ast.parse("{" + source + "}")) if isinstance(node, ast.Name)
    }


def _nested(spec: ResourceSpec, prefix: str) -> dict[str, str] | None:
    return None if spec.parent is None else nested_route(spec, spec.parent, prefix)


def _patch_rules(spec: ResourceSpec, samples: Samples) -> list[dict[str, str]]:
    """--check rules on number fields that a create, or a PATCH of the left field alone,
    breaks: each gets both tests.

    Against another field the PATCH is valid on its own (the schema checks a rule only
    when both fields are given) and the database, checking the merged row, refuses it;
    against a literal the schema refuses it. The value is the right-hand side (the stored
    sample of the field, or the literal) moved by one, kept only when it is within the
    left field's range and breaks this rule and no other.
    """
    out = []
    for check in spec.checks:
        left = spec.field(check.left)
        if check.right_is_field:
            right = spec.field(check.right)
            if {left.kind, right.kind} - {"int", "float"}:
                continue
            stored = samples.base.get(right.name)
        elif left.kind == "int" and "." not in check.right:
            stored = int(check.right)
        elif left.kind == "float":
            stored = float(check.right)
        else:
            continue
        if stored is None:
            continue
        value = (
            stored - 1 if check.op in (">", ">=") else stored + 1 if check.op != "!=" else stored
        )
        low, high = INT_RANGE.get(left.kind, (None, None))
        low = left.min if left.min is not None else low
        high = left.max if left.max is not None else high
        trial = {**samples.base, left.name: value}
        if (low is not None and value < low) or (high is not None and value > high):
            continue
        if samples.holds(check, trial) or not all(
            samples.holds(other, trial) for other in spec.checks if other is not check
        ):
            continue
        out.append(
            {
                "slug": check.slug,
                "left": check.left,
                "value": literal(value),
                "arg": _kwarg(check.left, literal(value)),
                "message": check.message,
            }
        )
    return out


def _filter_tests(spec: ResourceSpec, samples: Samples) -> list[dict[str, str]]:
    """One list-filter test per filterable field: two rows that differ in it (none for a
    nested list)."""
    if spec.parent_field is not None:
        return []
    out = []
    for f in list_filters(spec):
        if f.is_ref and f.ref_table == spec.table:
            continue  # the factory leaves a self-reference empty
        if f.is_ref or samples.varies(f):
            other = ""  # the factory gives every row its own parent or unique value
        elif f.unique or samples.in_check(f.name) or (value := samples.other_value(f)) is None:
            continue
        else:
            other = ", " + _kwarg(f.name, value)
        out.append({"slug": f.name, "field": f.name, "param": filter_name(f, spec), "other": other})
    return out


_MIXED_CASE = ("Mixed.Case@Example.com", "mixed.case@EXAMPLE.com")


def _email_tests(spec: ResourceSpec, samples: Samples) -> list[dict[str, str]]:
    """Unique emails compare without case: the second spelling is a duplicate."""
    pf = spec.parent_field
    out = []
    for f in spec.fields:
        limit = f.max if f.max is not None else f.length
        if not (f.email and f.unique) or f is pf or f.removed or samples.in_check(f.name):
            continue
        if limit is not None and limit < len(_MIXED_CASE[0]):
            continue
        first, second = (_kwarg(f.name, literal(address)) for address in _MIXED_CASE)
        out.append({"field": f.name, "first": first, "second": second})
    return out


def _rehash_tests(spec: ResourceSpec) -> list[dict[str, str]]:
    """Hashed fields get a new hash on PATCH, and the new value is never echoed."""
    out = []
    for f in spec.fields:
        if not f.hashed or f.removed or f.pattern:
            continue
        value = "n3w-Secret-value"
        low, high = f.min or 0, f.max if f.max is not None else f.length
        value = value + "x" * max(0, low - len(value))
        if high is not None and len(value) > high:
            continue
        out.append({"field": f.name, "attr": f.db_attr, "value": literal(value)})
    return out


def _unique_test(spec: ResourceSpec, group: tuple[str, ...]) -> dict[str, Any]:
    """A unique rule's conflict test: the same values again (the owner column of an
    owned resource is the signed-in user's, never sent).

    A rule over a column that is unique alone (or over another rule's columns) cannot be
    broken without breaking that rule too, and a rule over more columns is broken too when
    the factory's other values of it match: the database names whichever index it checks
    first (SQLite the newest, PostgreSQL the oldest), so each of their messages is right."""
    sent = [c for c in group if c != OWNER_COLUMN or spec.owner is None]
    rules = [tuple(sent)]
    rules += [(f.name,) for f in spec.fields if f.unique and not f.removed and f.name in sent]
    for other in spec.uniques:
        cols = tuple(c for c in other if c != OWNER_COLUMN or spec.owner is None)
        if set(cols) < set(sent) or set(sent) < set(cols):
            rules.append(cols)
    details = list(dict.fromkeys(_taken(cols) for cols in rules))
    return {
        "slug": "_and_".join(sent),
        "args": ", ".join(_kwarg(c, f"first[{literal(c)}]") for c in sent),
        "detail": details[0],
        "details": details,
        "any_of": "(" + ", ".join(literal(d) for d in details) + ")",
    }


def _taken(columns: tuple[str, ...]) -> str:
    """The 409's detail for a rule over ``columns``."""
    if len(columns) == 1:
        return f"{columns[0]} is already taken."
    return f"{' and '.join(columns)} are already taken together."


def _owned_ref(spec: ResourceSpec, layout: Layout, imports: Imports) -> dict[str, Any] | None:
    """The reference to another owned resource the tests try with another user's row:
    the nested parent when it is owned, else the first owned reference; with the
    factory of its rows."""
    if spec.parent is not None and spec.parent.owned:
        known = spec.parent
        field, via_parent = spec.ref_to(spec.parent.table).name, True
    else:
        found = [
            (f.name, spec.known(f.ref_table))
            for f in spec.fields
            if f.is_ref and not f.removed and f.ref_table not in (spec.table, None)
        ]
        owned = [(name, known) for name, known in found if known.owned]
        if not owned:
            return None
        (field, known), via_parent = owned[0], False
    return {
        "field": field,
        "label": known.singular,
        "via_parent": via_parent,
        "create": imports.add(layout.module("factories", known.table), f"create_{known.singular}"),
    }


def tests_context(
    spec: ResourceSpec, layout: Layout, prefix: str, includes: list[Include] | None = None
) -> dict[str, Any]:
    """The values of ``test.py.jinja`` and its partials in ``test/``, one group at a time.

    Every key earlier versions had stays: a project's copy of the old ``test.py.jinja``
    in ``.scaffold/templates/`` still renders."""
    includes = includes or []
    samples = Samples(spec)
    hashed = [(f.name, f.db_attr) for f in spec.fields if f.hashed and not f.removed]
    # The model class is imported only to read stored hashes; then it wins over imports.
    imports = Imports(own={spec.class_name} if hashed else ())
    imports.add("httpx", "AsyncClient")
    imports.add("http", "HTTPStatus")
    imports.add("asyncio")
    factories = layout.module("factories", spec.table, spec.api_version, spec.api_primary)
    imports.add(factories, f"build_{spec.singular}")
    imports.add(factories, f"create_{spec.singular}")
    context: dict[str, Any] = {
        **_routes(spec, prefix),
        **_row_counts(spec, samples),
        **_create_cases(spec, samples, imports),
        **_conflict_cases(spec, samples),
        "filters": _filter_tests(spec, samples),
        **_update_cases(spec, samples, imports),
        **_secret_cases(spec, layout, hashed, imports),
        **relation_cases(spec, layout, prefix, includes, imports),
        "default_limit": _default_limit(layout, imports),
        "resource_limit": _resource_limit(spec, layout, imports),
    }
    context["auth"] = _auth(spec, layout, prefix, includes, bool(context["ondelete"]), imports)
    context["imports"] = imports.render()
    return context


def _routes(spec: ResourceSpec, prefix: str) -> dict[str, Any]:
    """Where the requests go: the item routes, and the collection (under the parent when
    nested) as the tests spell it."""
    nested = _nested(spec, prefix)
    if nested:
        nested["arg"] = _kwarg(nested["field"], "parent_id")
    return {
        "item_prefix": f"{prefix}/{spec.route}",
        "nested": nested,
        "missing_id": missing_id(spec.id_type),
        # The list and create route: the f-string filled from a local parent_id, or ITEMS.
        "collection_url": f'f"{nested["path"]}"' if nested else "ITEMS",
        # The factory argument that creates another row under the same parent.
        "same_parent_arg": f", {nested['arg']}" if nested else "",
        # What the sensitive-field test lists: ITEMS, or its folder when only nested lists exist.
        "sensitive_listing": 'ITEMS.rsplit("/", 1)[0]' if nested else "ITEMS",
    }


def _row_counts(spec: ResourceSpec, samples: Samples) -> dict[str, int]:
    """How many rows the list tests make of one owner (under one parent when nested): 3,
    fewer when a unique rule allows fewer (``--unique group_id,active`` holds two rows
    per group). Three rows are enough for ?include= too: a query per row shows as two more."""
    pf = spec.parent_field
    under = samples.capacity({pf.name} if pf else set())
    return {"list_rows": upto(3, samples.capacity(set())), "nested_rows": upto(3, under)} | {
        "include_rows": upto(3, under)
    }


def _create_cases(spec: ResourceSpec, samples: Samples, imports: Imports) -> dict[str, Any]:
    """The created row's checks, the bodies create refuses (422) and the --check rules."""
    pf = spec.parent_field
    invalid = samples.invalid_case()
    if invalid:
        invalid["slug"] = invalid.pop("why").replace(" ", "_")
        invalid["arg"] = _kwarg(invalid["field"], invalid["value"])
    live = [f for f in spec.fields if not f.removed and f is not pf]
    blank = next(
        (
            f
            for f in live
            if f.kind in ("str", "text")
            and not (f.optional or f.email or f.pattern or f.min == 0 or f.unique)
        ),
        None,
    )
    strict = next((f for f in live if f.kind in ("int", "bigint") and not f.unique), None)
    return {
        "checks": samples.response_checks(imports),
        "invalid": invalid,
        "blank": blank and {"field": blank.name, "arg": _kwarg(blank.name, "blank")},
        "strict": strict and {"field": strict.name, "arg": _kwarg(strict.name, "wrong")},
        "missing_ref": _missing_ref(spec) if pf is None else None,
        "rules": _patch_rules(spec, samples),
    }


def _missing_ref(spec: ResourceSpec) -> dict[str, str] | None:
    """The first required reference, sent with an id no row has."""
    ref = next(
        (
            f
            for f in spec.fields
            if f.is_ref and f.ref_table != spec.table and not f.optional and not f.removed
        ),
        None,
    )
    if ref is None:
        return None
    known = spec.known(ref.ref_table)
    return {
        "field": ref.name,
        "arg": _kwarg(ref.name, missing_id(known.id_type)),
        "msg": f"refers to a {humanize(known.singular).lower()} that does not exist",
    }


def _conflict_cases(spec: ResourceSpec, samples: Samples) -> dict[str, Any]:
    """Second rows that break a unique rule (409)."""
    pf = spec.parent_field
    unique = next(
        (
            f.name
            for f in spec.fields
            if f.unique and not f.sensitive and not f.removed and f is not pf
        ),
        None,
    )
    return {
        "unique": unique and _unique_field_test(spec, unique),
        "emails": _email_tests(spec, samples),
        "unique_sets": [_unique_test(spec, group) for group in spec.uniques],
    }


def _unique_field_test(spec: ResourceSpec, name: str) -> dict[str, str]:
    """The duplicate of a unique field: its own 409, or that of a --unique rule over it
    when the factory's other values of the rule happen to match (the database names
    whichever index it checks first)."""
    details = [_taken((name,))]
    for group in spec.uniques:
        cols = tuple(c for c in group if c != OWNER_COLUMN or spec.owner is None)
        if name in cols and len(cols) > 1:
            details.append(_taken(cols))
    return {
        "field": name,
        "arg": _kwarg(name, f"first[{literal(name)}]"),
        "any_of": "(" + ", ".join(map(literal, details)) + ")" if len(details) > 1 else "",
    }


def _update_cases(spec: ResourceSpec, samples: Samples, imports: Imports) -> dict[str, Any]:
    """The PATCH that changes one field, and the field a null is refused for."""
    patch = samples.update_case(imports)
    if patch:
        imports.add("datetime as dt")
    return {
        "patch": patch,
        "null_field": next((f.name for f in spec.fields if not f.optional and not f.removed), None),
    }


def _secret_cases(
    spec: ResourceSpec, layout: Layout, hashed: list[tuple[str, str]], imports: Imports
) -> dict[str, Any]:
    """Sensitive fields, and hashed ones (key and attribute) with their PATCH tests, read
    through the model."""
    context: dict[str, Any] = {
        "sensitive": [f.name for f in spec.fields if f.sensitive and not f.removed],
        "hashed": hashed,
        "rehash": _rehash_tests(spec),
    }
    if hashed:
        imports.add("sqlalchemy.ext.asyncio", "AsyncSession")
        context["model"] = imports.add_own(layout.module("models", spec.table), spec.class_name)
    return context


def _default_limit(layout: Layout, imports: Imports) -> bool:
    """A template project's version routers carry RATE_LIMIT_DEFAULT (an adopted one's
    routes keep the project's own limits, if any)."""
    if layout.profile is not None:
        return False
    imports.add("httpx", "ASGITransport")
    imports.add("app.core.config", "Settings")
    imports.add("app.main", "create_app")
    return True


# Up to this many requests the limit test sends them all; above, the first N-1 are counted
# at once on the app's limiter and the test sends the N-th and the N+1-th.
_REAL_REQUESTS = 200


def _resource_limit(spec: ResourceSpec, layout: Layout, imports: Imports) -> dict[str, Any]:
    """``scaffold limit``'s test: the N+1th request of one client is a 429."""
    if not spec.rate_limit or layout.profile is not None:
        return {}
    count = int(spec.rate_limit.partition("/")[0])
    prefill = count - 1 if count > _REAL_REQUESTS else 0
    if prefill:
        imports.add("limits", "parse")
    return {
        "count": count,
        "rate": literal(spec.rate_limit),
        "prefill": prefill,
        "requests": count + 1 - prefill,
    }


def _auth(
    spec: ResourceSpec,
    layout: Layout,
    prefix: str,
    includes: list[Include],
    deletes_parents: bool,
    imports: Imports,
) -> dict[str, Any] | None:
    """How the tests sign in, and which access tests the resource gets (None without
    sign-in; a public resource's tests sign in too: its parents may not be public)."""
    if layout.auth is None:
        return None
    users = layout.module("factories", layout.auth.users_table)
    imports.add("pytest")
    imports.add("sqlalchemy.ext.asyncio", "AsyncSession")
    sign_in = imports.add(users, "sign_in")
    # An adopted project's tests have no `session` fixture: its sign_in opens its own.
    adopted = layout.profile is not None
    admin = spec.admin_writes
    return {
        # The name alone, as earlier templates spelled the calls (a project's copy may).
        "sign_in": sign_in,
        "client_sign_in": f"{sign_in}(session, admin=True)" if admin else f"{sign_in}(session)",
        "client_role": "admin" if admin else "user",
        "client_needs": "one for writes" if admin else "one",
        "as_user": f"{sign_in}()" if adopted else f"{sign_in}(session)",
        "as_admin": f"{sign_in}(admin=True)" if adopted else f"{sign_in}(session, admin=True)",
        "session": "" if adopted else ", session: AsyncSession",
        "admin_headers": imports.add(users, "admin_headers") if deletes_parents else "",
        "admin": admin,
        "public": spec.public_reads,
        "owned": spec.owner is not None,
        "scoped": spec.scope_field is not None,
        # Another user's parent answers 404 to its list: the rows are owned through it,
        # or it is owned itself.
        "through_parent": (
            spec.owned_through is not None and spec.owned_through is spec.parent_field
        )
        or (spec.parent is not None and spec.parent.owned and not spec.public_reads),
        "probes": _probes(spec, includes),
        "me": f"{first_prefix(layout)}/{route_of(layout.auth.users_table)}/me",
        "owned_ref": None if spec.public_reads else _owned_ref(spec, layout, imports),
    }


def _probes(spec: ResourceSpec, includes: list[Include]) -> list[str]:
    """Every other way to another user's row: each ?include= and each many-to-many list."""
    return [
        f"await client.get(url, params={{'include': {literal(i.name)}}}, headers=other)"
        for i in includes
    ] + [
        f'await client.get(f"{{url}}/{m.name.replace("_", "-")}", headers=other)' for m in spec.many
    ]
