"""HTTP routes: validation in, schemas out, logic in the service.

Table: users
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.schemas.base import INT64_MAX
from app.schemas.users import UserCreate, UserListQuery, UserPage, UserRead, UserUpdate
from app.services.users import UserService

router = APIRouter(tags=["users"])


async def provide_service(session: SessionDep) -> UserService:
    # async: a plain def dependency would run in a worker thread on every request.
    return UserService(session)


Service = Annotated[UserService, Depends(provide_service)]
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX)]
ListParams = Annotated[UserListQuery, Query()]


@router.get(
    "/users",
    responses=problem_responses(422),
    operation_id="users-list",
    summary="List users",
)
async def list_users(params: ListParams, service: Service) -> UserPage:
    items, total = await service.list_page(params)
    return UserPage.model_validate(
        {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
    )


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="users-create",
    summary="Create a user",
)
async def create_user(payload: UserCreate, service: Service) -> UserRead:
    item = await service.create(payload)
    return UserRead.model_validate(item)


@router.get(
    "/users/{user_id}",
    responses=problem_responses(404, 422),
    operation_id="users-get",
    summary="Get a user",
)
async def get_user(user_id: ItemId, service: Service) -> UserRead:
    return UserRead.model_validate(await service.get(user_id))


@router.patch(
    "/users/{user_id}",
    responses=problem_responses(400, 404, 409, 422),
    operation_id="users-update",
    summary="Update a user: only the fields given change",
)
async def update_user(user_id: ItemId, payload: UserUpdate, service: Service) -> UserRead:
    return UserRead.model_validate(await service.update(user_id, payload))


@router.delete(
    "/users/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    # A 204 has no body, so no content type either.
    response_class=Response,
    responses=problem_responses(404, 409, 422),
    operation_id="users-delete",
    summary="Delete a user",
)
async def delete_user(user_id: ItemId, service: Service) -> None:
    await service.delete(user_id)
