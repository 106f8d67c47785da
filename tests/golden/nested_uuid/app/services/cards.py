"""Business logic: queries and transactions, no HTTP.

Table: cards
"""

from uuid import UUID

from app.models.boards import Board
from app.models.cards import Card
from app.schemas.base import InputModel, PageQuery
from app.services.base import Reference, ResourceService, Rule


class CardService(ResourceService[Card]):
    model = Card
    label = "Card"
    constraints = (
        Reference(
            "fk_cards_board_id_boards",
            field="board_id",
            attribute="board_id",
            target=Board,
            label="Board",
        ),
        Rule("ck_cards_status_enum", "status", "must be one of todo, doing, done"),
    )

    async def list_for_board(self, parent_id: UUID, params: PageQuery) -> tuple[list[Card], int]:
        """One page of the parent's rows; NotFoundError if the parent does not exist."""
        await self.require(Board, parent_id, "Board")
        statement = self.filtered(params).where(Card.board_id == parent_id)
        return await self.page(statement, params)

    async def create(self, parent_id: UUID, data: InputModel) -> Card:
        values = data.model_dump(by_alias=True)
        return await self.insert_row({**values, "board_id": parent_id}, parent="board_id")

    async def update(self, item_id: int, data: InputModel) -> Card:
        values = data.model_dump(exclude_unset=True, by_alias=True)
        return await self.update_row(item_id, values)
