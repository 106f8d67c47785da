"""Business logic: queries and transactions, no HTTP.

Table: orders
"""

from app.models.orders import Order
from app.models.users import User
from app.schemas.base import InputModel
from app.services.base import Reference, ResourceService, Rule


class OrderService(ResourceService[Order]):
    model = Order
    label = "Order"
    constraints = (
        Reference(
            "fk_orders_user_id_users",
            field="user_id",
            attribute="user_id",
            target=User,
            label="User",
        ),
        Rule("ck_orders_status_enum", "status", "must be one of pending, paid"),
        Rule("ck_orders_order_range", "order", "must be >= 0"),
        Rule("ck_orders_order_le_limit", "order", "order must be <= limit"),
    )

    async def create(self, data: InputModel) -> Order:
        return await self.insert_row(data.model_dump(by_alias=True))

    async def update(self, item_id: int, data: InputModel) -> Order:
        values = data.model_dump(exclude_unset=True, by_alias=True)
        return await self.update_row(item_id, values)
