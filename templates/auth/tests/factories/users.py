"""Signed-in users for tests: rows written straight to the database, and their headers.

Table: users

    headers = await sign_in(session)                # any active user
    admin = await sign_in(session, admin=True)
    await client.get("/api/v1/users/me", headers=headers)

A user created without a password gets an unusable hash, so no test pays for Argon2
unless it signs in with a password.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.security import create_access_token, hash_secret
from app.db.session import database
from app.models.users import User

UNUSABLE_PASSWORD = "!"
"""Stored instead of a hash: no password verifies against it."""


async def create_user(
    session: AsyncSession,
    *,
    email: str | None = None,
    password: str | None = None,
    admin: bool = False,
) -> User:
    """An active user, committed; a unique email when none is given."""
    user = User(
        email=(email or f"user-{uuid.uuid4().hex[:12]}@example.com").lower(),
        hashed_password=UNUSABLE_PASSWORD if password is None else await hash_secret(password),
        is_admin=admin,
    )
    session.add(user)
    await session.commit()
    return user


def headers_for(user: User) -> dict[str, str]:
    """The `Authorization` header of a valid access token naming `user`."""
    token = create_access_token(str(user.id), get_settings())
    return {"Authorization": f"Bearer {token}"}


async def sign_in(session: AsyncSession, *, admin: bool = False) -> dict[str, str]:
    """The headers of a new user (an admin with `admin=True`)."""
    return headers_for(await create_user(session, admin=admin))


async def admin_headers() -> dict[str, str]:
    """The headers of a new admin, made in a session of its own: a factory creating rows
    only admins may write calls it, whoever the test's client is signed in as."""
    async with database.session() as session:
        return await sign_in(session, admin=True)
