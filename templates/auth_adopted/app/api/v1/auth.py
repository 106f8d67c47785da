"""Sign-in routes: exchange an email and password for an access token, and register.

`POST /auth/token` is the OAuth2 password grant (a form: `username` is the email), so
the docs' "Authorize" button signs in too. Its failed attempts are limited twice by
`LOGIN_RATE_LIMIT` (5/minute by default): per client address and per account, so
guessing one account's password from many addresses is slowed down as well; a
successful sign-in uses up nothing.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status
from limits import parse

from app.api.deps import SettingsDep
from app.core.errors import ProblemRoute
from app.core.errors import NotFoundError, UnauthorizedError, problem_responses
from app.core.limits import get_remote_address, hit, refuse_if_over
from app.core.security import create_access_token
from app.db.session import SessionDep
from app.schemas.users import LoginForm, Token, UserRead, UserRegister
from app.services.users import UserService

router = APIRouter(prefix="/auth", tags=["auth"], route_class=ProblemRoute)


async def provide_service(session: SessionDep) -> UserService:
    # async: a plain def dependency would run in a worker thread on every request.
    return UserService(session)


Service = Annotated[UserService, Depends(provide_service)]


async def registration_open(request: Request, settings: SettingsDep) -> None:
    """404 while `REGISTRATION_OPEN` is false, before the body is even validated; then
    `REGISTRATION_RATE_LIMIT` per client address (each account costs a password hash)."""
    if not settings.registration_open:
        raise NotFoundError("Registration is closed.")
    limit = parse(settings.registration_rate_limit)
    hit(request, limit, "register", get_remote_address(request))


@router.post(
    "/token",
    responses=problem_responses(400, 401, 422, 429),
    operation_id="auth-token",
    summary="Sign in: an access token for an email and password",
)
async def sign_in(
    form: Annotated[LoginForm, Form()],
    request: Request,
    response: Response,
    service: Service,
    settings: SettingsDep,
) -> Token:
    """The token to send as `Authorization: Bearer <token>`, valid for
    `ACCESS_TOKEN_EXPIRE_MINUTES`; the same 401 for an unknown email and a wrong password."""
    limit = parse(settings.login_rate_limit)
    keys = (("login-ip", get_remote_address(request)), ("login-account", form.email))
    for key in keys:
        refuse_if_over(request, limit, *key)
    user = await service.authenticate(form.email, form.password)
    if user is None:
        # Only failures count: an account's owner (or an office behind one address)
        # signing in often is never locked out; guessing is.
        for key in keys:
            hit(request, limit, *key)
        raise UnauthorizedError("Incorrect email or password.")
    # RFC 6749 §5.1: a response carrying a token is never cached.
    response.headers["Cache-Control"] = "no-store"
    return Token(access_token=create_access_token(str(user.id), settings))


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(registration_open)],
    responses=problem_responses(400, 404, 409, 422, 429),
    operation_id="auth-register",
    summary="Create an account (while registration is open)",
)
async def register(payload: UserRegister, service: Service) -> UserRead:
    """A new active, non-admin account; sign in with `POST /auth/token` to use it."""
    return UserRead.model_validate(await service.register(payload))
