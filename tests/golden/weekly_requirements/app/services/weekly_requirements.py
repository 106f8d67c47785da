"""Business logic: queries and transactions, no HTTP.

Table: weekly_requirements
"""

from app.models.residents import Resident
from app.models.weekly_requirements import WeeklyRequirement
from app.schemas.base import InputModel
from app.services.base import Reference, ResourceService, Rule, Unique


class WeeklyRequirementService(ResourceService[WeeklyRequirement]):
    model = WeeklyRequirement
    label = "Weekly requirement"
    constraints = (
        Unique("uq_weekly_requirements_resident_id_week_start", ("resident_id", "week_start")),
        Reference(
            "fk_weekly_requirements_resident_id_residents",
            field="resident_id",
            attribute="resident_id",
            target=Resident,
            label="Resident",
        ),
        Rule("ck_weekly_requirements_min_hours_range", "min_hours", "must be >= 0"),
        Rule("ck_weekly_requirements_max_hours_range", "max_hours", "must be <= 80"),
        Rule(
            "ck_weekly_requirements_min_hours_le_max_hours",
            "min_hours",
            "min_hours must be <= max_hours",
        ),
    )

    async def create(self, data: InputModel) -> WeeklyRequirement:
        return await self.insert_row(data.model_dump(by_alias=True))

    async def update(self, item_id: int, data: InputModel) -> WeeklyRequirement:
        values = data.model_dump(exclude_unset=True, by_alias=True)
        return await self.update_row(item_id, values)
