"""The frozen, validated resource spec: the only input of rendering.

Every name variant the templates need (class name, singular, route, id
parameter) is computed here, once. Templates never inflect.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scaffold.errors import InputError
from scaffold.spec import inflect
from scaffold.spec.constraints import Check, parse_check, parse_unique
from scaffold.spec.fields import Field, parse_field
from scaffold.spec.names import check_identifier, collision_key, show
from scaffold.spec.naming import fit_identifier

# The schema style of newly generated resources, recorded per resource in the manifest so
# a resource keeps the style it was created with: 1 = INTEGER keys, timestamps set by the
# ORM only; 2 = BIGINT identity keys on PostgreSQL, server-side timestamp defaults and
# CHECKs for min/max ranges.
SCHEMA = 2
OWNER_COLUMN = "owner_id"
RESOURCE_EXAMPLE = "scaffold resource weekly_requirements resident_id:ref=residents week_start:date"
MAX_FIELDS = 100
# Who may call a resource's routes, and the flags that say so: "user" (any signed-in
# user, the default), "public" (anyone), "admin-writes" (users read, admins write),
# "public-admin-writes" (anyone reads, admins write).
ACCESS_FLAGS: dict[str, tuple[str, ...]] = {
    "user": (),
    "public": ("--public",),
    "admin-writes": ("--admin-writes",),
    "public-admin-writes": ("--public", "--admin-writes"),
}


def access_of(*, public: bool, admin_writes: bool) -> str:
    """The access level of ``--public`` and ``--admin-writes`` (they combine)."""
    if public:
        return "public-admin-writes" if admin_writes else "public"
    return "admin-writes" if admin_writes else "user"


@dataclass(frozen=True)
class Known:
    """What the project already has for a table another resource may reference."""

    table: str
    class_name: str
    singular: str
    id_type: str = "int"
    # A table the project's own code declares (adopted projects): where its model is.
    module: str | None = None
    key: str = "id"
    # A ``--owned`` resource: its rows are its owner's, so references to it are scoped.
    owned: bool = False
    # Where /api/v1 serves it, when not at its table's name (a renamed table's first
    # version keeps its old path).
    v1_route: str | None = None


@dataclass(frozen=True)
class Many:
    """A many-to-many link (``tags:many=tags``): a join table, no column of this table.

    The join table is ``<table>_<name>``, keyed by both references (each ``ON DELETE
    CASCADE``); create and update take ``<singular of name>_ids``.
    """

    name: str  # the relationship (``tags``)
    target: Known
    join_table: str
    own_column: str  # ``article_id``
    other_column: str  # ``tag_id``

    @property
    def ids_field(self) -> str:
        return f"{inflect.singularize(self.name)}_ids"


_MANY = re.compile(r"([a-z][a-z0-9_]*):many=([a-z][a-z0-9_]*)")


@dataclass(frozen=True)
class ResourceSpec:
    """A resource, with every derived name.

    >>> spec = build_resource("weekly_requirements", ["week_start:date"])
    >>> spec.class_name, spec.singular, spec.route
    ('WeeklyRequirement', 'weekly_requirement', 'weekly-requirements')
    """

    table: str
    singular: str
    class_name: str
    fields: tuple[Field, ...]
    parent: Known | None = None
    id_type: str = "int"
    uniques: tuple[tuple[str, ...], ...] = ()
    checks: tuple[Check, ...] = ()
    api_version: int = 1
    refs: tuple[tuple[str, Known], ...] = ()
    # False for a later API version of a resource that also serves an older one:
    # its schemas, tests and factory then live in version-suffixed modules.
    api_primary: bool = True
    # Extra read-only nested lists (``scaffold endpoint "GET /parents/{id}/these"``).
    lists_under: tuple[Known, ...] = ()
    schema: int = 1
    many: tuple[Many, ...] = ()
    # ``--owned``: the users table an ``owner_id`` column references (set from the
    # signed-in user, never from the body; lists and reads see only the owner's rows).
    owner: Known | None = None
    # Who may call the routes in a project with sign-in: "user" (any signed-in user,
    # the default), "public" (anyone: ``--public``), "admin-writes" (reads for users,
    # writes for admins: ``--admin-writes``).
    access: str = "user"
    # An older API version of a renamed table: the table it was, whose paths and
    # operation ids this version keeps serving (``/api/v1/rooms`` of ``venues``).
    served_as: str | None = None
    # ``--rate-limit``: requests per client to all the resource's routes (``100/minute``).
    rate_limit: str | None = None

    @property
    def public_reads(self) -> bool:
        """``--public``: anyone may read (and, without ``--admin-writes``, write)."""
        return self.access in ("public", "public-admin-writes")

    @property
    def admin_writes(self) -> bool:
        """``--admin-writes``: only admins create, change and delete."""
        return self.access in ("admin-writes", "public-admin-writes")

    @property
    def owner_field(self) -> Field | None:
        if self.owner is None:
            return None
        return parse_field(f"{OWNER_COLUMN}:ref={self.owner.table}:index:ondelete=cascade")

    def stored(self) -> ResourceSpec:
        """The spec as the database stores it: with the ``owner_id`` column of ``--owned``
        (schemas and tests never take it as input)."""
        owner_field = self.owner_field
        if owner_field is None or self.owner is None:
            return self
        refs = dict(self.refs)
        refs.setdefault(self.owner.table, self.owner)
        return dataclasses.replace(
            self, fields=(owner_field, *self.fields), refs=tuple(sorted(refs.items()))
        )

    @property
    def route(self) -> str:
        return inflect.dasherize(self.served_as or self.table)

    @property
    def id_param(self) -> str:
        return f"{self.singular}_id"

    @property
    def parent_field(self) -> Field | None:
        if self.parent is None:
            return None
        return next(f for f in self.fields if f.is_ref and f.ref_table == self.parent.table)

    def ref_to(self, table: str) -> Field:
        """The (first) foreign key of this resource that references ``table``."""
        return next(f for f in self.fields if f.is_ref and f.ref_table == table)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def known(self, table: str) -> Known:
        if table == self.table:
            return self.as_known()
        return dict(self.refs)[table]

    def as_known(self) -> Known:
        return Known(
            self.table,
            self.class_name,
            self.singular,
            self.id_type,
            owned=self.scope_field is not None,
        )

    @property
    def scope_field(self) -> str | None:
        """The column through which a row belongs to a user: ``owner_id`` (``--owned``), or
        the required reference to an owned table (the parent first); None when the rows
        belong to nobody."""
        if self.owner is not None:
            return OWNER_COLUMN
        return owned_through(self.table, self.fields, self.parent, dict(self.refs))

    @property
    def owned_through(self) -> Field | None:
        """The reference this resource's rows are owned through (not ``--owned`` itself)."""
        scope = self.scope_field
        if self.owner is not None or scope is None:
            return None
        return self.field(scope)

    @property
    def owned_refs(self) -> tuple[str, ...]:
        """The owned tables this resource references, links to or is listed under, sorted."""
        related = (*dict(self.refs).values(), *self.lists_under, *(m.target for m in self.many))
        return tuple(sorted({k.table for k in related if k.owned}))

    @property
    def scoped_refs(self) -> bool:
        """Whether a request's user decides what this resource sees: its own rows are
        owned, or it references (or is listed under) an owned resource."""
        return self.owner is not None or bool(self.owned_refs)


def build_resource(
    table: str,
    field_tokens: Sequence[str],
    *,
    singular: str | None = None,
    parent: str | None = None,
    uniques: Sequence[str] = (),
    checks: Sequence[str] = (),
    id_type: str = "int",
    api_version: int = 1,
    known: Mapping[str, Known] | None = None,
    lists_under: Sequence[str] = (),
    schema: int = SCHEMA,
    owner: Known | None = None,
    access: str = "user",
) -> ResourceSpec:
    """Validate everything the user typed and return the frozen spec.

    ``known`` maps the tables the project already has (for ``ref`` targets
    and ``--parent``). Unknown targets are errors that name the table.
    """
    known = dict(known or {})
    given = " ".join(field_tokens)
    singular = _singular(table, singular, given)
    _check_options(id_type, api_version, len(field_tokens))
    many_tokens = [t for t in field_tokens if _MANY.fullmatch(t)]
    field_tokens = [t for t in field_tokens if not _MANY.fullmatch(t)]
    fields = [_singular_table(parse_field(token), known, table) for token in field_tokens]
    class_name = inflect.camelize(singular)
    if id_type == "int" and schema >= 2:
        id_type = "bigint"  # stored as BIGINT identity on PostgreSQL, INTEGER on SQLite
    this = Known(table, class_name, singular, id_type)
    parent_known: Known | None = None
    if parent is not None:
        parent_known = _parent(parent, fields, known, this, given)
    _check_collisions(fields)
    refs = _refs(fields, known, this)
    parsed_uniques = tuple(parse_unique(group, fields) for group in uniques)
    nested_lists = tuple(_listed_under(name, fields, known, this) for name in lists_under)
    parsed_checks = tuple(parse_check(text, fields) for text in checks)
    many = tuple(_many(token, table, singular, known, fields) for token in many_tokens)
    if owner is not None:
        _check_no_owner_field(table, fields, field_tokens)
    scope = OWNER_COLUMN if owner is not None else owned_through(table, fields, parent_known, refs)
    if scope is not None:
        fields, parsed_uniques = _unique_per_owner(fields, parsed_uniques, scope)
    return ResourceSpec(
        table=table,
        singular=singular,
        class_name=class_name,
        fields=tuple(fields),
        parent=parent_known,
        id_type=id_type,
        uniques=parsed_uniques,
        checks=parsed_checks,
        api_version=api_version,
        refs=tuple(sorted(refs.items())),
        lists_under=nested_lists,
        schema=schema,
        many=many,
        owner=owner,
        access=access,
    )


def _refs(fields: Sequence[Field], known: Mapping[str, Known], this: Known) -> dict[str, Known]:
    """The other tables the fields reference, each one the project has."""
    refs: dict[str, Known] = {}
    for f in fields:
        if f.is_ref and f.ref_table != this.table:
            refs[f.ref_table] = _resolve(f.ref_table, known, this, token=f.token, field_name=f.name)
    return refs


def _singular(table: str, singular: str | None, given: str) -> str:
    """The checked table name's singular: the one given, else inflected, never the same."""
    check_identifier(
        table,
        what="resource name",
        role="table",
        example=lambda good: _command("scaffold resource", good, given),
    )
    if singular is None:
        singular = inflect.singularize(table)
    check_identifier(
        singular,
        what="singular name",
        role="singular",
        example=lambda good: _command("scaffold resource", table, given, "--singular", good),
    )
    if singular == table:
        raise InputError(
            f"Resource name {show(table)} has no distinct singular (the class and the item "
            "routes need one); pass one with --singular.",
            token=table,
            example=_command("scaffold resource", table, given, "--singular", f"{table}_item"),
        )
    return singular


def _check_options(id_type: str, api_version: int, field_count: int) -> None:
    """The key type, the API version and the number of fields are within bounds."""
    if id_type not in ("int", "uuid"):
        raise InputError(
            f"--id {show(id_type)} is not int or uuid.",
            token=id_type,
            example="scaffold resource events --id uuid",
        )
    if not 1 <= api_version <= 99:
        raise InputError(
            f"--api-version {api_version} must be between 1 and 99.",
            token=str(api_version),
            example="--api-version 2",
        )
    if field_count > MAX_FIELDS:
        raise InputError(
            f"{field_count} fields is more than {MAX_FIELDS}.",
            token=str(field_count),
            example=RESOURCE_EXAMPLE,
        )


def _parent(
    parent: str, fields: list[Field], known: Mapping[str, Known], this: Known, given: str
) -> Known:
    """The ``--parent`` table; its reference goes first in ``fields`` when not given."""
    check_identifier(
        parent,
        what="parent resource",
        role="table",
        example=lambda good: _command("scaffold resource", this.table, given, "--parent", good),
    )
    parent_known = _resolve(parent, known, this, token=parent, field_name=None)
    if not any(f.is_ref and f.ref_table == parent for f in fields):
        fk = f"{parent_known.singular}_id"
        fields.insert(0, parse_field(f"{fk}:ref={parent}"))
    return parent_known


def _listed_under(
    table: str, fields: Sequence[Field], known: Mapping[str, Known], this: Known
) -> Known:
    """A table this resource is also listed under: one it references."""
    if not any(f.is_ref and f.ref_table == table for f in fields):
        raise InputError(
            f"{this.table} has no reference to {table!r}, so it cannot be listed under it.",
            token=table,
            example=f"scaffold field add {this.table} {inflect.singularize(table)}_id:ref={table}:optional",
        )
    return _resolve(table, known, this, token=table, field_name=None)


def _check_no_owner_field(table: str, fields: Sequence[Field], field_tokens: Sequence[str]) -> None:
    """An ``--owned`` resource's ``owner_id`` is its owner's: no field may take the name."""
    if any(f.name == OWNER_COLUMN for f in fields):
        raise InputError(
            f"{table} is --owned, so {OWNER_COLUMN} is its owner's id (set from the signed-in "
            "user); drop the field from the command or name it differently.",
            token=OWNER_COLUMN,
            example=_command(
                "scaffold resource",
                table,
                " ".join(t for t in field_tokens if not t.startswith(OWNER_COLUMN)),
                "--owned",
            ),
        )


def owned_through(
    table: str, fields: Sequence[Field], parent: Known | None, refs: Mapping[str, Known]
) -> str | None:
    """The required reference of ``table`` to an owned table (the parent's first), or None.

    A row reached through an owned row is that owner's alone: an appointment of a
    patient (``--owned``) is the patient's owner's, and so is the appointment's invoice.
    """
    owned = [
        f
        for f in fields
        if f.is_ref
        and not f.optional
        and not f.removed
        and f.ref_table != table
        and f.ref_table in refs
        and refs[f.ref_table].owned
    ]
    by_parent = [f for f in owned if parent is not None and f.ref_table == parent.table]
    chosen = (by_parent or owned or [None])[0]
    return chosen.name if chosen is not None else None


def _unique_per_owner(
    fields: Sequence[Field], uniques: tuple[tuple[str, ...], ...], scope: str
) -> tuple[list[Field], tuple[tuple[str, ...], ...]]:
    """Unique rules of an owned resource hold per owner: each one includes the ``scope``
    column, so another user's row never makes a value taken (and never shows it exists).
    A unique reference stays unique on its own: it is a one-to-one link."""
    out = []
    groups = [group if scope in group else (scope, *group) for group in uniques]
    for f in fields:
        if f.unique and not f.is_ref and f.name != scope:
            groups.append((scope, f.name))
            # Still filterable and found by an index of its own, as a unique column is.
            f = dataclasses.replace(f, unique=False, index=True)
        out.append(f)
    return out, tuple(dict.fromkeys(groups))


def _many(
    token: str, table: str, singular: str, known: Mapping[str, Known], fields: Sequence[Field]
) -> Many:
    match = _MANY.fullmatch(token)
    assert match is not None
    name, target = match.groups()
    if target == table or target not in known or known[target].module is not None:
        have = ", ".join(sorted(t for t, k in known.items() if k.module is None)) or "none yet"
        raise InputError(
            f"{show(token)} links {table} to {target!r}, which is not another resource scaffold "
            f"generated here (resources: {have}).",
            token=target,
            example=f"scaffold resource {table} {name}:many=<one of: {have}>",
        )
    other = known[target]
    if any(f.name in (name, f"{inflect.singularize(name)}_ids") for f in fields):
        raise InputError(
            f"{show(token)} is named like a field of {table}.",
            token=name,
            example=f"scaffold resource {table} linked_{name}:many={target}",
        )
    own_column = f"{singular}_id"
    other_column = f"{other.singular}_id"
    if other_column == own_column:
        other_column = f"other_{other_column}"
    return Many(name, other, fit_identifier(f"{table}_{name}"), own_column, other_column)


def _singular_table(f: Field, known: Mapping[str, Known], table: str) -> Field:
    """``item_id`` refers to ``items``; in a project whose table is ``item``, to that one."""
    if not f.is_ref or f.ref_table in known or f.ref_table == table or f.ref_table is None:
        return f
    singular = inflect.singularize(f.ref_table)
    if singular in known:
        return dataclasses.replace(f, ref_table=singular)
    return f


def _command(*parts: str) -> str:
    """An example command line from the user's own words (empty parts left out)."""
    return " ".join(part for part in parts if part)


def _resolve(
    table: str, known: Mapping[str, Known], this: Known, *, token: str, field_name: str | None
) -> Known:
    if table == this.table:
        return this
    key_type = known[table].id_type if table in known else None
    if key_type is not None and key_type not in ("int", "bigint", "uuid"):
        usable = sorted(t for t, k in known.items() if k.id_type in ("int", "bigint", "uuid"))
        name = field_name or f"{this.singular}_id"
        instead = f"{name.removesuffix('_id')}_id:ref={usable[0]}" if usable else ""
        if key_type == "composite":
            why = f"whose key has several columns ({known[table].key}): a reference is one column"
        else:
            why = (
                f"whose key is a {key_type} column ({known[table].key}): scaffold's references "
                "hold integer or UUID keys"
            )
        raise InputError(
            f"{show(token)} refers to {table!r}, {why}. Reference a table with an integer "
            f"or UUID key, or give {table} one.",
            token=table,
            example=instead or "scaffold resource NAME FIELD... (without this reference)",
        )
    if table in known:
        return known[table]
    have = ", ".join(sorted(known)) or "none yet"
    example = (
        f"scaffold resource {table} name:str"
        if field_name is None
        else f"{field_name}:ref=<one of: {have}>"
    )
    raise InputError(
        f"{show(token)} refers to the resource {table!r}, which this project does not have "
        f"(resources: {have}). Create it first.",
        token=table,
        example=example,
    )


def _check_collisions(fields: Sequence[Field]) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        key = collision_key(f.name)
        if key in seen:
            raise InputError(
                f"Field {f.name!r} collides with {seen[key]!r} (same name after case and separator normalisation).",
                token=f.name,
                example="min_hours:int max_hours:int",
            )
        seen[key] = f.name
    if len(fields) != len({f.name for f in fields}):
        raise InputError("A field name is repeated.", token="", example="name:str email:str")
