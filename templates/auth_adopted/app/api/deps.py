"""Who is calling: the signed-in user named by the bearer token, and the admin check.

A route takes `user: CurrentUser` (any active user) or `AdminUser` (an active admin).
Without a valid token it answers 401 with `WWW-Authenticate: Bearer`; a signed-in user
who is not an admin gets 403 from an admin route. The user is read on every request,
so a deactivated account's tokens stop working at once.
"""

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.core.config import Settings, get_settings
from app.core.errors import ForbiddenError, UnauthorizedError
from app.core.security import InvalidTokenError, read_access_token
from app.db.session import SessionDep
from app.models.users import User
from app.schemas.base import INT64_MAX
from app.services.users import UserService

# auto_error=False: a missing token is answered by current_user, as problem+json.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

_INVALID_TOKEN = "The access token is invalid or expired."


async def app_settings() -> Settings:
    """Sign-in's settings (`AuthSettings`: SECRET_KEY, ACCESS_TOKEN_EXPIRE_MINUTES, ...)."""
    return get_settings()


# Read when the app imports its routers: a bad setting stops the start, naming the
# variable, instead of failing every sign-in (and the OpenAPI document) later.
get_settings()


SettingsDep = Annotated[Settings, Depends(app_settings)]


def _user_id(subject: str) -> int | None:
    if not (subject.isascii() and subject.isdigit()):
        return None
    user_id = int(subject)
    return user_id if 1 <= user_id <= INT64_MAX else None


async def current_user(
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    settings: SettingsDep,
) -> User:
    """The active user the request's access token names; UnauthorizedError otherwise."""
    if token is None:
        raise UnauthorizedError("Not signed in.")
    try:
        subject = read_access_token(token, settings)
    except InvalidTokenError:
        raise UnauthorizedError(_INVALID_TOKEN) from None
    user_id = _user_id(subject)
    user = None if user_id is None else await UserService(session).active(user_id)
    if user is None:
        raise UnauthorizedError(_INVALID_TOKEN)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_admin(user: CurrentUser) -> User:
    """The signed-in user when it is an admin; ForbiddenError for anyone else."""
    if not user.is_admin:
        raise ForbiddenError("Only an admin may do this.")
    return user


AdminUser = Annotated[User, Depends(current_admin)]
