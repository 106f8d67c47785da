"""HTTP routes: validation in, schemas out, logic in the service.

Table: residents
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.schemas.base import Email
from app.schemas.residents import ResidentCreate, ResidentPage, ResidentRead, ResidentUpdate
from app.services.residents import ResidentService

router = APIRouter(tags=["residents"])


async def get_service(session: SessionDep) -> ResidentService:
    # async: a plain def dependency would run in a worker thread on every request.
    return ResidentService(session)


Service = Annotated[ResidentService, Depends(get_service)]
ItemId = Annotated[int, Path(ge=1, le=2147483647)]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=2147483647)]


@router.get("/residents", response_model=ResidentPage, responses=problem_responses(422))
async def list_residents(
    service: Service,
    limit: Limit = 50,
    offset: Offset = 0,
    email: Annotated[Email | None, Query(max_length=320)] = None,
) -> ResidentPage:
    items, total = await service.list_page(
        limit=limit,
        offset=offset,
        email=email,
    )
    return ResidentPage.model_validate(
        {"items": items, "total": total, "limit": limit, "offset": offset}
    )


@router.post(
    "/residents",
    response_model=ResidentRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422),
)
async def create_resident(payload: ResidentCreate, service: Service) -> ResidentRead:
    item = await service.create(payload)
    return ResidentRead.model_validate(item)


@router.get(
    "/residents/{resident_id}",
    response_model=ResidentRead,
    responses=problem_responses(404, 422),
)
async def get_resident(resident_id: ItemId, service: Service) -> ResidentRead:
    return ResidentRead.model_validate(await service.get(resident_id))


@router.patch(
    "/residents/{resident_id}",
    response_model=ResidentRead,
    responses=problem_responses(404, 409, 422),
)
async def update_resident(
    resident_id: ItemId, payload: ResidentUpdate, service: Service
) -> ResidentRead:
    return ResidentRead.model_validate(await service.update(resident_id, payload))


@router.delete(
    "/residents/{resident_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 409, 422),
)
async def delete_resident(resident_id: ItemId, service: Service) -> None:
    await service.delete(resident_id)
