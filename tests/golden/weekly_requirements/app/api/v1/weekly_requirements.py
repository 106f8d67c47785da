"""HTTP routes: validation in, schemas out, logic in the service.

Table: weekly_requirements
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.schemas.base import INT64_MAX
from app.schemas.weekly_requirements import (
    WeeklyRequirementCreate,
    WeeklyRequirementDetail,
    WeeklyRequirementListQuery,
    WeeklyRequirementPage,
    WeeklyRequirementRead,
    WeeklyRequirementUpdate,
)
from app.services.weekly_requirements import WeeklyRequirementService

router = APIRouter(tags=["weekly-requirements"])


async def provide_service(session: SessionDep) -> WeeklyRequirementService:
    # async: a plain def dependency would run in a worker thread on every request.
    return WeeklyRequirementService(session)


Service = Annotated[WeeklyRequirementService, Depends(provide_service)]
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX)]
ListParams = Annotated[WeeklyRequirementListQuery, Query()]


@router.get(
    "/weekly-requirements",
    responses=problem_responses(422),
    operation_id="weekly-requirements-list",
    summary="List weekly requirements",
    response_model_exclude_unset=True,
)
async def list_weekly_requirements(params: ListParams, service: Service) -> WeeklyRequirementPage:
    items, total = await service.list_page(params)
    return WeeklyRequirementPage.model_validate(
        {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
    )


@router.post(
    "/weekly-requirements",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="weekly-requirements-create",
    summary="Create a weekly requirement",
)
async def create_weekly_requirement(
    payload: WeeklyRequirementCreate, service: Service
) -> WeeklyRequirementRead:
    item = await service.create(payload)
    return WeeklyRequirementRead.model_validate(item)


@router.get(
    "/weekly-requirements/{weekly_requirement_id}",
    responses=problem_responses(404, 422),
    operation_id="weekly-requirements-get",
    summary="Get a weekly requirement",
    response_model_exclude_unset=True,
)
async def get_weekly_requirement(
    weekly_requirement_id: ItemId,
    service: Service,
    include: Annotated[str | None, Query(pattern="^(resident)(,(resident))*$")] = None,
) -> WeeklyRequirementDetail:
    item = await service.get(weekly_requirement_id, include.split(",") if include else ())
    return WeeklyRequirementDetail.model_validate(item)


@router.patch(
    "/weekly-requirements/{weekly_requirement_id}",
    responses=problem_responses(400, 404, 409, 422),
    operation_id="weekly-requirements-update",
    summary="Update a weekly requirement: only the fields given change",
)
async def update_weekly_requirement(
    weekly_requirement_id: ItemId, payload: WeeklyRequirementUpdate, service: Service
) -> WeeklyRequirementRead:
    return WeeklyRequirementRead.model_validate(
        await service.update(weekly_requirement_id, payload)
    )


@router.delete(
    "/weekly-requirements/{weekly_requirement_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    # A 204 has no body, so no content type either.
    response_class=Response,
    responses=problem_responses(404, 409, 422),
    operation_id="weekly-requirements-delete",
    summary="Delete a weekly requirement",
)
async def delete_weekly_requirement(weekly_requirement_id: ItemId, service: Service) -> None:
    await service.delete(weekly_requirement_id)
