"""Account routes: one's own (`/users/me`) for any signed-in user, the rest for admins.

Every route answers 401 without a valid access token; the admin routes answer 403 to
a user who is not an admin. `/users/me` is declared before `/users/{user_id}`.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from limits import parse

from app.api.deps import CurrentUser, SettingsDep, current_admin
from app.core.errors import ProblemRoute
from app.core.errors import problem_responses
from app.core.limits import hit
from app.db.session import SessionDep
from app.schemas.base import INT64_MAX
from app.schemas.users import (
    PasswordChange,
    UserAdminUpdate,
    UserListQuery,
    UserPage,
    UserRead,
    UserSelfUpdate,
)
from app.services.users import UserService

router = APIRouter(prefix="/users", tags=["users"], route_class=ProblemRoute)


async def provide_service(session: SessionDep) -> UserService:
    # async: a plain def dependency would run in a worker thread on every request.
    return UserService(session)


Service = Annotated[UserService, Depends(provide_service)]
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX)]
ListParams = Annotated[UserListQuery, Query()]
ADMIN_ONLY = [Depends(current_admin)]


@router.get(
    "/me",
    responses=problem_responses(401),
    operation_id="users-me-get",
    summary="Get the signed-in user",
)
async def get_me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.patch(
    "/me",
    responses=problem_responses(400, 401, 409, 422),
    operation_id="users-me-update",
    summary="Update the signed-in user: only the fields given change",
)
async def update_me(user: CurrentUser, payload: UserSelfUpdate, service: Service) -> UserRead:
    return UserRead.model_validate(await service.update_self(user, payload))


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    # A 204 has no body, so no content type either.
    response_class=Response,
    responses=problem_responses(400, 401, 422, 429),
    operation_id="users-me-password",
    summary="Change the signed-in user's password (the current one is required)",
)
async def change_password(
    user: CurrentUser,
    payload: PasswordChange,
    request: Request,
    service: Service,
    settings: SettingsDep,
) -> None:
    """A wrong current password is a 422 on `current_password`. Attempts are limited
    like sign-ins (`LOGIN_RATE_LIMIT` per account), so a stolen token cannot be used to
    guess the password. Access tokens already issued stay valid until they expire."""
    hit(request, parse(settings.login_rate_limit), "password-change", str(user.id))
    await service.change_password(user, payload.current_password, payload.new_password)


@router.get(
    "",
    dependencies=ADMIN_ONLY,
    responses=problem_responses(401, 403, 422),
    operation_id="users-list",
    summary="List users (admins only)",
)
async def list_users(params: ListParams, service: Service) -> UserPage:
    items, total = await service.list_page(params)
    return UserPage.model_validate(
        {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
    )


@router.get(
    "/{user_id}",
    dependencies=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404, 422),
    operation_id="users-get",
    summary="Get a user (admins only)",
)
async def get_user(user_id: ItemId, service: Service) -> UserRead:
    return UserRead.model_validate(await service.get(user_id))


@router.patch(
    "/{user_id}",
    dependencies=ADMIN_ONLY,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    operation_id="users-update",
    summary="Update a user (admins only); is_active false deactivates it",
)
async def update_user(user_id: ItemId, payload: UserAdminUpdate, service: Service) -> UserRead:
    return UserRead.model_validate(await service.admin_update(user_id, payload))
