"""Passwords and access tokens: one hasher for the whole project, one way to sign tokens.

Passwords are hashed with Argon2id (pwdlib), off the event loop:
`await hash_secret("hunter22")` → `"$argon2id$v=19$m=65536,t=3,p=4$..."`. A hash made
with other parameters still verifies, and `verify_and_rehash` returns its replacement
so a login upgrades it. The test suite (`ENVIRONMENT=test`) alone hashes at Argon2id's
least cost, as Phoenix's test config lowers bcrypt's rounds: a sign-in test costs
milliseconds, not a second. Access tokens are JWTs signed with `SECRET_KEY` (HS256) that
name the user (`sub`) and expire after `ACCESS_TOKEN_EXPIRE_MINUTES`.
"""

import asyncio
import datetime as dt
import os
from functools import cache
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.config import Settings

ALGORITHM = "HS256"


def password_hasher(environment: str | None) -> PasswordHash:
    """pwdlib's recommended Argon2id, or its least cost for the test suite only."""
    if environment == "test":
        return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    return PasswordHash((Argon2Hasher(),))


# Read before the settings: tests/conftest.py sets ENVIRONMENT=test before any import.
HASHER = password_hasher(os.environ.get("ENVIRONMENT"))


@cache
def _dummy_hash() -> str:
    # Verified against when there is no such user, so an unknown email costs as much
    # time as a wrong password and the response time does not tell which emails exist.
    return HASHER.hash("an unguessable password nobody has")


class InvalidTokenError(Exception):
    """The token is malformed, tampered with, expired or not an access token."""


async def hash_secret(secret: str) -> str:
    """The stored form of a password (Argon2id, random salt); CPU work runs in a thread."""
    return await asyncio.to_thread(HASHER.hash, secret)


async def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` matches a value made by `hash_secret`."""
    valid, _ = await verify_and_rehash(secret, stored)
    return valid


async def verify_and_rehash(secret: str, stored: str | None) -> tuple[bool, str | None]:
    """(matches, new hash or None): the new hash when `stored` used older parameters.

    `stored=None` (no such user) still spends the time of one verification.
    """
    if stored is None:
        # The dummy hash too is made in the thread: the first one costs an Argon2 hash.
        await asyncio.to_thread(lambda: HASHER.verify(secret, _dummy_hash()))
        return False, None
    try:
        return await asyncio.to_thread(HASHER.verify_and_update, secret, stored)
    except UnknownHashError:
        return False, None


def create_access_token(subject: str, settings: Settings, *, now: dt.datetime | None = None) -> str:
    """A signed JWT naming `subject` (a user id), valid for the configured minutes."""
    issued = now or dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "type": "access",
        "iat": issued,
        "exp": issued + dt.timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def read_access_token(token: str, settings: Settings) -> str:
    """The subject of a valid access token; InvalidTokenError for any other token."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(str(exc)) from None
    subject = claims.get("sub")
    if claims.get("type") != "access" or not isinstance(subject, str):
        msg = "not an access token"
        raise InvalidTokenError(msg)
    return subject
