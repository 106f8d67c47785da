"""HTTP routes: validation in, schemas out, logic in the service.

Table: residents
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.schemas.base import INT64_MAX
from app.schemas.residents import (
    ResidentCreate,
    ResidentListQuery,
    ResidentPage,
    ResidentRead,
    ResidentUpdate,
)
from app.services.residents import ResidentService

router = APIRouter(tags=["residents"])


async def provide_service(session: SessionDep) -> ResidentService:
    # async: a plain def dependency would run in a worker thread on every request.
    return ResidentService(session)


Service = Annotated[ResidentService, Depends(provide_service)]
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX)]
ListParams = Annotated[ResidentListQuery, Query()]


@router.get(
    "/residents",
    responses=problem_responses(422),
    operation_id="residents-list",
    summary="List residents",
)
async def list_residents(params: ListParams, service: Service) -> ResidentPage:
    items, total = await service.list_page(params)
    return ResidentPage.model_validate(
        {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
    )


@router.post(
    "/residents",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="residents-create",
    summary="Create a resident",
)
async def create_resident(payload: ResidentCreate, service: Service) -> ResidentRead:
    item = await service.create(payload)
    return ResidentRead.model_validate(item)


@router.get(
    "/residents/{resident_id}",
    responses=problem_responses(404, 422),
    operation_id="residents-get",
    summary="Get a resident",
)
async def get_resident(resident_id: ItemId, service: Service) -> ResidentRead:
    return ResidentRead.model_validate(await service.get(resident_id))


@router.patch(
    "/residents/{resident_id}",
    responses=problem_responses(400, 404, 409, 422),
    operation_id="residents-update",
    summary="Update a resident: only the fields given change",
)
async def update_resident(
    resident_id: ItemId, payload: ResidentUpdate, service: Service
) -> ResidentRead:
    return ResidentRead.model_validate(await service.update(resident_id, payload))


@router.delete(
    "/residents/{resident_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    # A 204 has no body, so no content type either.
    response_class=Response,
    responses=problem_responses(404, 409, 422),
    operation_id="residents-delete",
    summary="Delete a resident",
)
async def delete_resident(resident_id: ItemId, service: Service) -> None:
    await service.delete(resident_id)
