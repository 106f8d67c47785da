"""Request and response schemas for users and sign-in.

A password is only ever input: write-only in the OpenAPI document, left out of a
schema's repr, never part of a response (`UserRead` has no hash either). The request
bodies refuse unknown fields, so nobody makes themselves an admin through one.
"""

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.core.config import get_settings
from app.schemas.base import Email as BaseEmail
from app.schemas.base import InputModel, Page, PageQuery, ReadModel, SafeStr, refuse_null

PASSWORD_MAX = 128
EMAIL_MAX = 320

Email = Annotated[BaseEmail, Field(max_length=EMAIL_MAX)]
"""An address as it is stored, validated and lower-cased: `"Ada@Example.com"` is
`"ada@example.com"`."""


def _password_schema(schema: dict[str, JsonValue]) -> None:
    schema.update(format="password", writeOnly=True, maxLength=PASSWORD_MAX)


def _new_password_schema(schema: dict[str, JsonValue]) -> None:
    _password_schema(schema)
    # Read when the OpenAPI document is built, so it shows the configured minimum.
    schema["minLength"] = get_settings().password_min_length


def _short_enough(value: str) -> str:
    if len(value) > PASSWORD_MAX:
        raise PydanticCustomError(
            "string_too_long",
            "String should have at most {max_length} characters",
            {"max_length": PASSWORD_MAX},
        )
    return value


def _long_enough(value: str) -> str:
    minimum = get_settings().password_min_length
    if len(value) < minimum:
        raise PydanticCustomError(
            "string_too_short",
            "String should have at least {min_length} characters",
            {"min_length": minimum},
        )
    return value


Password = Annotated[
    SafeStr, AfterValidator(_short_enough), Field(repr=False, json_schema_extra=_password_schema)
]
"""A password to check against the stored one (sign-in, the current password)."""

NewPassword = Annotated[
    SafeStr,
    AfterValidator(_short_enough),
    AfterValidator(_long_enough),
    Field(repr=False, json_schema_extra=_new_password_schema),
]
"""A password to store: `PASSWORD_MIN_LENGTH` (8 by default) to 128 characters."""

_EMAIL = TypeAdapter(Email)


def normalise_email(value: str) -> str:
    """`value` as addresses are stored, e.g. `"Ada@Example.COM"` → `"ada@example.com"`;
    text that is no valid address is lower-cased (it matches no account)."""
    try:
        return _EMAIL.validate_python(value)
    except ValidationError:
        return value.lower()


# Examples of the OpenAPI document.
REGISTER_EXAMPLE: dict[str, JsonValue] = {
    "email": "ada@example.com",
    "password": "correct-horse-battery-staple",
}
READ_EXAMPLE: dict[str, JsonValue] = {
    "id": 1,
    "email": "ada@example.com",
    "is_active": True,
    "is_admin": False,
    "created_at": "2024-01-01T09:00:00Z",
    "updated_at": "2024-01-01T09:00:00Z",
}
SELF_UPDATE_EXAMPLE: dict[str, JsonValue] = {"email": "ada.lovelace@example.com"}
ADMIN_UPDATE_EXAMPLE: dict[str, JsonValue] = {"is_active": False}
PASSWORD_CHANGE_EXAMPLE: dict[str, JsonValue] = {
    "current_password": "correct-horse-battery-staple",
    "new_password": "staple-battery-horse-correct",
}
LOGIN_EXAMPLE: dict[str, JsonValue] = {
    "grant_type": "password",
    "username": "ada@example.com",
    "password": "correct-horse-battery-staple",
}
TOKEN_EXAMPLE: dict[str, JsonValue] = {
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.signature",
    "token_type": "bearer",
}


class UserRegister(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REGISTER_EXAMPLE]})

    email: Email
    password: NewPassword


class UserRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [READ_EXAMPLE]})

    id: int
    email: str
    is_active: bool
    is_admin: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class UserSelfUpdate(InputModel):
    """A change to one's own account: leave a field out to keep it; null is refused.

    The password has its own route (`PasswordChange`), which asks for the current one.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [SELF_UPDATE_EXAMPLE]})

    email: Email | None = None

    _required = field_validator("email")(refuse_null)


class UserAdminUpdate(InputModel):
    """An admin's change to an account; `is_active: false` deactivates it, and its
    access tokens stop working at once. Neither admin rights nor passwords change here."""

    model_config = ConfigDict(json_schema_extra={"examples": [ADMIN_UPDATE_EXAMPLE]})

    email: Email | None = None
    is_active: bool | None = None

    _required = field_validator("email", "is_active")(refuse_null)


class PasswordChange(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PASSWORD_CHANGE_EXAMPLE]})

    current_password: Password
    new_password: NewPassword


class LoginForm(BaseModel):
    """The OAuth2 password grant's form (RFC 6749 §4.3); `username` is the email.

    Unknown fields are ignored, as the RFC asks, so any OAuth2 client can sign in.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [LOGIN_EXAMPLE]})

    grant_type: Annotated[str | None, Field(pattern="^password$")] = None
    username: SafeStr = Field(max_length=EMAIL_MAX)
    password: Password
    scope: str = ""
    client_id: str | None = None
    client_secret: str | None = Field(
        default=None, repr=False, json_schema_extra={"format": "password", "writeOnly": True}
    )

    @property
    def email(self) -> str:
        """The username as addresses are stored (see `normalise_email`)."""
        return normalise_email(self.username)


class Token(BaseModel):
    """An access token to send as `Authorization: Bearer <access_token>`."""

    model_config = ConfigDict(json_schema_extra={"examples": [TOKEN_EXAMPLE]})

    access_token: str
    token_type: Literal["bearer"] = "bearer"


class UserPage(Page[UserRead]):
    pass


class UserListQuery(PageQuery):
    """Query parameters of the admins' user list: a page, and equality filters."""

    email: Email | None = None
    is_active: bool | None = None
