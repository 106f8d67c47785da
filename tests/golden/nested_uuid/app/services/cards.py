"""Business logic: queries and transactions, no HTTP.

Table: cards
"""

from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError, NotFoundError
from app.models.boards import Board
from app.models.cards import Card
from app.schemas.base import InputModel, PageQuery


class CardService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_page(self, params: PageQuery) -> tuple[list[Card], int]:
        """One page of rows in id order, and the total matching the filters."""
        return await self._page(self._filtered(params), params)

    async def list_for_board(self, parent_id: UUID, params: PageQuery) -> tuple[list[Card], int]:
        """One page of the parent's rows; NotFoundError if the parent does not exist."""
        await self._require_board(parent_id)
        statement = self._filtered(params).where(Card.board_id == parent_id)
        return await self._page(statement, params)

    async def _require_board(self, parent_id: UUID) -> None:
        if await self.session.get(Board, parent_id) is None:
            raise NotFoundError("Board not found.")

    async def get(self, item_id: int) -> Card:
        item = await self.session.get(Card, item_id)
        if item is None:
            raise NotFoundError("Card not found.")
        return item

    async def create(self, parent_id: UUID, data: InputModel) -> Card:
        await self._require_board(parent_id)
        values = await self._stored(data.model_dump(by_alias=True))
        item = Card(**values, board_id=parent_id)
        self.session.add(item)
        await self._commit()
        await self.session.refresh(item)
        return item

    async def update(self, item_id: int, data: InputModel) -> Card:
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
        statement = select(Card)
        filters = params.model_dump(by_alias=True, exclude_none=True, exclude={"limit", "offset"})
        for attribute, value in filters.items():
            statement = statement.where(getattr(Card, attribute) == value)
        return statement

    async def _page(self, statement: Select[Any], params: PageQuery) -> tuple[list[Card], int]:
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.scalars(
            statement.order_by(Card.id).limit(params.limit).offset(params.offset)
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
            raise ConflictError("Card conflicts with existing data.") from None
