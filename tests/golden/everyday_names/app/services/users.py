"""Business logic: queries and transactions, no HTTP.

Table: users
"""

from app.models.users import User
from app.schemas.base import InputModel
from app.services.base import ResourceService, Rule, Unique


class UserService(ResourceService[User]):
    model = User
    label = "User"
    constraints = (
        Unique("uq_users_email", ("email",)),
        Rule("ck_users_role_enum", "role", "must be one of admin, member"),
    )

    async def create(self, data: InputModel) -> User:
        return await self.insert_row(data.model_dump(by_alias=True))

    async def update(self, item_id: int, data: InputModel) -> User:
        values = data.model_dump(exclude_unset=True, by_alias=True)
        return await self.update_row(item_id, values)
