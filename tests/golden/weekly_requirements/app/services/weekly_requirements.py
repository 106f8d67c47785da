"""Business logic: queries and transactions, no HTTP.

Table: weekly_requirements
"""

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError, NotFoundError
from app.models.weekly_requirements import WeeklyRequirement
from app.schemas.base import InputModel, PageQuery


class WeeklyRequirementService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_page(self, params: PageQuery) -> tuple[list[WeeklyRequirement], int]:
        """One page of rows in id order, and the total matching the filters."""
        return await self._page(self._filtered(params), params)

    async def get(self, item_id: int) -> WeeklyRequirement:
        item = await self.session.get(WeeklyRequirement, item_id)
        if item is None:
            raise NotFoundError("Weekly requirement not found.")
        return item

    async def create(self, data: InputModel) -> WeeklyRequirement:
        item = WeeklyRequirement(**await self._stored(data.model_dump(by_alias=True)))
        self.session.add(item)
        await self._commit()
        await self.session.refresh(item)
        return item

    async def update(self, item_id: int, data: InputModel) -> WeeklyRequirement:
        item = await self.get(item_id)
        for name, value in (
            await self._stored(data.model_dump(exclude_unset=True, by_alias=True))
        ).items():
            setattr(item, name, value)
        await self._commit()
        # Read back what the database stored (normalised datetimes, decimals, defaults).
        await self.session.refresh(item)
        return item

    async def delete(self, item_id: int) -> None:
        item = await self.get(item_id)
        await self.session.delete(item)
        await self._commit()

    @staticmethod
    def _filtered(params: PageQuery) -> Select[Any]:
        """Rows equal to every filter given; a list query dumps its filters by attribute."""
        statement = select(WeeklyRequirement)
        filters = params.model_dump(by_alias=True, exclude_none=True, exclude={"limit", "offset"})
        for attribute, value in filters.items():
            statement = statement.where(getattr(WeeklyRequirement, attribute) == value)
        return statement

    async def _page(
        self, statement: Select[Any], params: PageQuery
    ) -> tuple[list[WeeklyRequirement], int]:
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.scalars(
            statement.order_by(WeeklyRequirement.id).limit(params.limit).offset(params.offset)
        )
        return list(rows), total or 0

    async def _stored(self, values: dict[str, Any]) -> dict[str, Any]:
        """Values as they are stored: passwords become scrypt hashes."""
        return values

    async def _commit(self) -> None:
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            # The database enforces uniqueness, references and CHECKs; the detail
            # stays generic so no submitted value is echoed back.
            raise ConflictError("Weekly requirement conflicts with existing data.") from None
