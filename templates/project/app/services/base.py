"""What every generated service shares: pages, single-statement writes, constraint errors,
and ownership.

Each write is one statement (`INSERT ... RETURNING`, `UPDATE ... WHERE id = :id
RETURNING`, `DELETE ... RETURNING`), so a row deleted by a concurrent request is a 404,
never a stale-object error. A violated constraint becomes an error that names the field
or the rule, never the submitted value: the constraint is found by the name the naming
convention gave it (PostgreSQL reports it; SQLite reports a unique constraint's columns
and a CHECK's name, and for a foreign key the references are looked up on this error
path only).

Ownership is a scope, not a column. A model whose rows belong to a user names the
attribute that leads to the owner: the owner's id itself (`__owner__ = "owner_id"`, a
users foreign key), or a required reference to a row of another owned model
(`__owned_through__ = "patient_id"` on appointments). `owned_by` follows that chain to
the user, so every way to a row (get, list, nested list, include, update, delete, a
reference or a link in a body) sees only the signed-in user's rows; an admin sees all.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import (
    ColumnElement,
    Delete,
    Select,
    Update,
    delete,
    false,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.core.errors import ConflictError, DomainError, InvalidError, NotFoundError
from app.db.base import Base
from app.schemas.base import PageQuery

ModelT = TypeVar("ModelT", bound=Base)
StatementT = TypeVar("StatementT", Select[Any], Update, Delete)

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")


@dataclass(frozen=True)
class Unique:
    """A unique constraint: a duplicate is a 409 naming the fields.

    `owner` is the owner column an owned resource's rules include (unique per owner):
    part of the constraint, never named in the message.
    """

    name: str
    fields: tuple[str, ...]
    owner: str | None = None

    @property
    def columns(self) -> set[str]:
        return {*self.fields, *([self.owner] if self.owner else [])}

    def error(self) -> DomainError:
        verb = "is" if len(self.fields) == 1 else "are"
        together = "" if len(self.fields) == 1 else " together"
        return ConflictError(f"{' and '.join(self.fields)} {verb} already taken{together}.")


@dataclass(frozen=True)
class Reference:
    """A foreign key: a missing row is a 422 naming the field (a 404 for a nested parent)."""

    name: str
    field: str
    attribute: str
    target: type[Base]
    label: str

    def error(self) -> DomainError:
        message = f"refers to a {self.label.lower()} that does not exist"
        return InvalidError(self.field, message, "reference")


@dataclass(frozen=True)
class Rule:
    """A CHECK: a violation is a 422 naming the rule, on its left-hand field."""

    name: str
    field: str
    message: str

    def error(self) -> DomainError:
        return InvalidError(self.field, self.message, "check")


@dataclass(frozen=True)
class Links:
    """A many-to-many: the ids given in `field` are the `target` rows linked to a row
    through the join table `table` (`own` -> this row, `other` -> the target)."""

    field: str
    table: str
    own: str
    other: str
    target: type[Base]
    label: str


Constraint = Unique | Reference | Rule
# Class attributes of an owned model: the one holding its owner's user id (`--owned`),
# or the required reference to the owned row it belongs to (a patient's appointment).
OWNER = "__owner__"
OWNED_THROUGH = "__owned_through__"


_OWNING: dict[tuple[type[Any], str], type[Any]] = {}


def _owning_model(model: type[Any], attribute: str) -> type[Any]:
    """The owned model `model.attribute` references (`Patient` for `patient_id`)."""
    if (model, attribute) not in _OWNING:
        (key,) = inspect(model).get_property(attribute).columns[0].foreign_keys
        for mapper in model.registry.mappers:
            owned = hasattr(mapper.class_, OWNER) or hasattr(mapper.class_, OWNED_THROUGH)
            if mapper.local_table is key.column.table and owned:
                _OWNING[model, attribute] = mapper.class_
                break
        else:
            msg = f"{model.__name__}.{attribute} does not reference an owned model"
            raise LookupError(msg)
    return _OWNING[model, attribute]


def owned_by(model: type[Any], user_id: Any) -> ColumnElement[bool] | None:
    """The condition that a row of `model` belongs to `user_id`, following the chain of
    `__owned_through__` references to the `__owner__` column; None when `model`'s rows
    belong to nobody.

    Example: with `Invoice.__owned_through__ = "appointment_id"`,
    `Appointment.__owned_through__ = "patient_id"` and `Patient.__owner__ = "owner_id"`,
    `owned_by(Invoice, 7)` is `invoices.appointment_id IN (SELECT appointments.id FROM
    appointments WHERE appointments.patient_id IN (SELECT patients.id FROM patients
    WHERE patients.owner_id = 7))`.
    """
    owner = getattr(model, OWNER, None)
    if owner is not None:
        mine: ColumnElement[bool] = getattr(model, owner) == user_id
        return mine
    through = getattr(model, OWNED_THROUGH, None)
    if through is None:
        return None
    parent = _owning_model(model, through)
    parent_owned = owned_by(parent, user_id)
    if parent_owned is None:  # not reached: _owning_model returns owned models only
        msg = f"{parent.__name__} is not owned"
        raise LookupError(msg)
    parents = select(parent.id).where(parent_owned)
    within: ColumnElement[bool] = getattr(model, through).in_(parents)
    return within


def oldest_first(model: type[Any]) -> tuple[Any, ...]:
    """`model`'s rows oldest first, then by id (rows made in the same instant); by id
    alone for a model without `created_at` (a table the project wrote itself)."""
    created = getattr(model, "created_at", None)
    return (model.id,) if created is None else (created, model.id)


class Owner(Protocol):
    """Who a service acts for: a signed-in user (``app.models.users.User``)."""

    @property
    def id(self) -> Any: ...

    @property
    def is_admin(self) -> bool: ...


class ResourceService(Generic[ModelT]):
    """Rows of one model; a generated service sets `model`, `label` and `constraints`.

    Example: `class ResidentService(ResourceService[Resident]): model = Resident; ...`.
    """

    model: ClassVar[type[Any]]
    label: ClassVar[str]
    constraints: ClassVar[Sequence[Constraint]] = ()
    links: ClassVar[Sequence[Links]] = ()

    def __init__(self, session: AsyncSession, owner: Owner | None = None) -> None:
        self.session = session
        self.owner = owner

    def visible(self, model: type[Any]) -> ColumnElement[bool] | None:
        """The condition limiting `model` to the rows this service's user may see: their
        own when the rows are owned, none of them when nobody is signed in (a public
        route); None when there is no such limit (an admin, or rows that belong to
        nobody)."""
        if self.owner is None:
            owned = hasattr(model, OWNER) or hasattr(model, OWNED_THROUGH)
            return false() if owned else None
        if self.owner.is_admin:
            return None
        return owned_by(model, self.owner.id)

    @property
    def scope(self) -> ColumnElement[bool] | None:
        """The limit on this service's own rows (see `visible`)."""
        return self.visible(self.model)

    def scoped(self, statement: StatementT) -> StatementT:
        """`statement` (a SELECT, UPDATE or DELETE) limited to the user's rows."""
        scope = self.scope
        return statement if scope is None else statement.where(scope)

    async def get(self, item_id: Any, include: Sequence[str] = ()) -> ModelT:
        """The row `item_id`, with the relationships named in `include` loaded."""
        if include or self.scope is not None:
            statement = self.scoped(select(self.model).where(self.model.id == item_id))
            statement = self.including(statement, include)
            found: ModelT | None = await self.session.scalar(statement)
        else:
            found = await self.session.get(self.model, item_id)
        if found is None:
            msg = f"{self.label} not found."
            raise NotFoundError(msg)
        return found

    def including(self, statement: Select[Any], include: Sequence[str]) -> Select[Any]:
        """`statement` loading each relationship in `include` with one more SELECT in all
        (`selectinload`), however many rows the page has: no query per row."""
        if not include:
            return statement
        options = []
        for name in include:
            relationship = getattr(self.model, name)
            # Another user's row is not embedded: the key reads null (or the list omits it).
            visible = self.visible(relationship.property.mapper.class_)
            loaded = relationship if visible is None else relationship.and_(visible)
            options.append(selectinload(loaded))
        return statement.options(*options).execution_options(populate_existing=True)

    async def list_page(self, params: PageQuery) -> tuple[list[ModelT], int]:
        """One page of the rows matching the list query's filters, and their total."""
        return await self.page(self.filtered(params), params)

    async def delete(self, item_id: Any) -> None:
        """`DELETE ... RETURNING id`; NotFoundError when there is no such row."""
        where = self.scoped(delete(self.model).where(self.model.id == item_id))
        statement = where.returning(self.model.id)
        try:
            deleted = await self.session.scalar(statement)
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            msg = f"{self.label} is still referenced by other rows."
            raise ConflictError(msg) from None
        if deleted is None:
            msg = f"{self.label} not found."
            raise NotFoundError(msg)

    def filtered(self, params: PageQuery) -> Select[Any]:
        """Rows equal to every filter given; a list query dumps its filters by attribute."""
        statement = self.scoped(select(self.model))
        filters = params.model_dump(
            by_alias=True, exclude_none=True, exclude={"limit", "offset", "include"}
        )
        for attribute, value in filters.items():
            statement = statement.where(getattr(self.model, attribute) == value)
        return statement

    @property
    def order(self) -> tuple[Any, ...]:
        """A stable order for pages: oldest first (then by id, for rows made together), so
        a list reads in the order its rows were created whatever the key (UUIDs too)."""
        return oldest_first(self.model)

    async def page(self, statement: Select[Any], params: PageQuery) -> tuple[list[ModelT], int]:
        """One page of `statement` in `order`, and how many rows it matches in all."""
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        include = getattr(params, "include", None)
        statement = self.including(statement, include.split(",") if include else ())
        rows = await self.session.scalars(
            statement.order_by(*self.order).limit(params.limit).offset(params.offset)
        )
        return list(rows), total or 0

    async def require(self, model: type[Base], item_id: Any, label: str) -> None:
        """NotFoundError unless `model` has a row `item_id` (the parent of a nested list)
        that the user may see (see `visible`)."""
        if not await self._exists(model, item_id):
            msg = f"{label} not found."
            raise NotFoundError(msg)

    async def _exists(self, model: Any, item_id: Any) -> bool:
        visible = self.visible(model)
        if visible is None:
            return await self.session.get(model, item_id) is not None
        statement = select(model.id).where(model.id == item_id, visible)
        return await self.session.scalar(statement) is not None

    async def _owned_references(
        self, values: Mapping[str, Any], parent: str | None, item_id: Any = None
    ) -> None:
        """Refuse a reference to another user's row before writing (the database only
        knows that the row exists): a 404 for the nested parent, else a 422. So a PATCH
        cannot move a row under another owner's parent either; a PATCH of a row the user
        cannot see is a 404 first, whatever its body."""
        for ref in self.constraints:
            if not isinstance(ref, Reference) or self.visible(ref.target) is None:
                continue
            value = values.get(ref.attribute)
            if value is None or await self._exists(ref.target, value):
                continue
            if ref.attribute == parent:
                msg = f"{ref.label} not found."
                raise NotFoundError(msg)
            await self._require_own(item_id)
            raise ref.error()

    async def _require_own(self, item_id: Any) -> None:
        """NotFoundError when the row `item_id` (a PATCH's) is not one the user may see:
        a body that names another user's rows is then no clue that the row exists."""
        if item_id is not None and not await self._exists(self.model, item_id):
            msg = f"{self.label} not found."
            raise NotFoundError(msg)

    async def insert_row(self, values: Mapping[str, Any], *, parent: str | None = None) -> ModelT:
        """`INSERT ... RETURNING` the new row; a missing `parent` reference is a 404."""
        owner = getattr(self.model, OWNER, None)
        if owner is not None and self.owner is not None:
            values = {**values, owner: self.owner.id}
        await self._owned_references(values, parent)
        values, linked = await self._linked(values)
        statement = insert(self.model).values(**values).returning(self.model)
        item: ModelT = await self._write(statement, values, parent, linked)
        return item

    async def update_row(self, item_id: Any, values: Mapping[str, Any]) -> ModelT:
        """`UPDATE ... WHERE id = :id RETURNING` the row; NotFoundError when there is none."""
        await self._owned_references(values, None, item_id)
        values, linked = await self._linked(values, item_id)
        if values or not linked:
            statement: Any = (
                self.scoped(update(self.model).where(self.model.id == item_id))
                .values(**values)
                .returning(self.model)
                .execution_options(populate_existing=True)
            )
        else:
            # Only the links change: the row is read, not rewritten, but locked like an
            # UPDATE would, so that concurrent replacements of its links run one after the
            # other (each then deletes what the last inserted) instead of conflicting.
            statement = self.scoped(
                select(self.model).where(self.model.id == item_id)
            ).with_for_update(of=self.model)
        item: ModelT | None = await self._write(statement, values, None, linked)
        if item is None:
            msg = f"{self.label} not found."
            raise NotFoundError(msg)
        return item

    async def list_linked(
        self, field: str, item_id: Any, params: PageQuery
    ) -> tuple[list[Any], int]:
        """One page of the rows linked to `item_id` through the many-to-many `field`."""
        link = next(link for link in self.links if link.field == field)
        await self.get(item_id)  # NotFoundError when missing (or another owner's)
        join = self.model.metadata.tables[link.table]
        target: Any = link.target
        statement = (
            select(target)
            .join(join, join.c[link.other] == target.id)
            .where(join.c[link.own] == item_id)
        )
        visible = self.visible(target)
        if visible is not None:
            statement = statement.where(visible)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.scalars(
            statement.order_by(*oldest_first(target)).limit(params.limit).offset(params.offset)
        )
        return list(rows), total or 0

    async def _linked(
        self, values: Mapping[str, Any], item_id: Any = None
    ) -> tuple[dict[str, Any], dict[Links, list[Any]]]:
        """The column values, and the ids of each many-to-many given (each one checked:
        an id with no row is a 422 naming the field)."""
        columns = dict(values)
        linked: dict[Links, list[Any]] = {}
        for link in self.links:
            ids = columns.pop(link.field, None)
            if ids is None:
                continue
            unique = list(dict.fromkeys(ids))
            target: Any = link.target
            counted = select(func.count()).select_from(target).where(target.id.in_(unique))
            visible = self.visible(target)  # another user's rows are not there to link
            if visible is not None:
                counted = counted.where(visible)
            found = await self.session.scalar(counted)
            if found != len(unique):
                await self._require_own(item_id)
                message = f"refers to a {link.label.lower()} that does not exist"
                raise InvalidError(link.field, message, "reference")
            linked[link] = unique
        return columns, linked

    async def _write(
        self,
        statement: Any,
        values: Mapping[str, Any],
        parent: str | None,
        linked: Mapping[Links, list[Any]] | None = None,
    ) -> Any:
        try:
            item = await self.session.scalar(statement)
            if item is not None and linked:
                for link, ids in linked.items():
                    join = self.model.metadata.tables[link.table]
                    await self.session.execute(delete(join).where(join.c[link.own] == item.id))
                    if ids:
                        rows = [{link.own: item.id, link.other: other} for other in ids]
                        await self.session.execute(insert(join), rows)
            await self.session.commit()
        except IntegrityError as exc:
            await self.session.rollback()
            violated = await self._violated(exc, values)
            if isinstance(violated, Reference) and violated.attribute == parent:
                msg = f"{violated.label} not found."
                raise NotFoundError(msg) from None
            if violated is None:
                msg = f"{self.label} conflicts with existing data."
                raise ConflictError(msg) from None
            raise violated.error() from None
        return item

    async def _violated(self, exc: IntegrityError, values: Mapping[str, Any]) -> Constraint | None:
        """The constraint `exc` reports, or None for one this service does not declare."""
        by_name = {constraint.name: constraint for constraint in self.constraints}
        name = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
        if name is not None:
            return by_name.get(name)
        message = str(exc.orig)
        if match := _SQLITE_CHECK.search(message):
            return by_name.get(match.group(1))
        if match := _SQLITE_UNIQUE.search(message):
            columns = {part.rsplit(".", 1)[-1] for part in match.group(1).split(", ")}
            return next(
                (c for c in self.constraints if isinstance(c, Unique) and c.columns == columns),
                None,
            )
        for constraint in self.constraints:
            if isinstance(constraint, Reference):
                value = values.get(constraint.attribute)
                if value is not None and await self.session.get(constraint.target, value) is None:
                    return constraint
        return None
