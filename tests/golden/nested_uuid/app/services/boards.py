"""Business logic: queries and transactions, no HTTP.

Table: boards
"""

from uuid import UUID

from app.models.boards import Board
from app.schemas.base import InputModel
from app.services.base import ResourceService


class BoardService(ResourceService[Board]):
    model = Board
    label = "Board"

    async def create(self, data: InputModel) -> Board:
        return await self.insert_row(data.model_dump(by_alias=True))

    async def update(self, item_id: UUID, data: InputModel) -> Board:
        values = data.model_dump(exclude_unset=True, by_alias=True)
        return await self.update_row(item_id, values)
