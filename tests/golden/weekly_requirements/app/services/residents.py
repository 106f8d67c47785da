"""Business logic: queries and transactions, no HTTP.

Table: residents
"""

from app.models.residents import Resident
from app.schemas.base import InputModel
from app.services.base import ResourceService, Rule, Unique


class ResidentService(ResourceService[Resident]):
    model = Resident
    label = "Resident"
    constraints = (
        Unique("uq_residents_email", ("email",)),
        Rule("ck_residents_pgy_range", "pgy", "must be between 1 and 3"),
    )

    async def create(self, data: InputModel) -> Resident:
        return await self.insert_row(data.model_dump(by_alias=True))

    async def update(self, item_id: int, data: InputModel) -> Resident:
        values = data.model_dump(exclude_unset=True, by_alias=True)
        return await self.update_row(item_id, values)
