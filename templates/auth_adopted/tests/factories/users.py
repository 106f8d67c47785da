"""Signed-in users for scaffold's generated tests: rows written straight to the database
through the project's own session, and their headers.

Table: users

    headers = await sign_in()                # any active user
    admin = await sign_in(admin=True)
    await client.get("/api/v1/users/me", headers=headers)

Every user made here is deleted by `delete_created_users()`: the client fixture of each
generated test module calls it after the test. A user created without a password gets
an unusable hash, so no test pays for Argon2 unless it signs in with a password; one
that does pays its least cost (`HASHER` is set to it here, for the test process only).
"""

import uuid

from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import ColumnElement, delete, select, update

from app.core.config import get_settings
from app.core.security import HASHER, create_access_token
from app.models.users import User

# The tests hash at Argon2id's least cost, as a template project's own suite does (Phoenix's
# test config lowers bcrypt's rounds alike): the app verifies with this same object, so a
# sign-in test costs milliseconds. Only this test process sees it; the app keeps the
# recommended cost everywhere else.
_LEAST_COST = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)
HASHER.hashers = (_LEAST_COST,)
HASHER.current_hasher = _LEAST_COST

UNUSABLE_PASSWORD = "!"
"""Stored instead of a hash: no password verifies against it."""

_created: list[int] = []


async def create_user(
    *, email: str | None = None, password: str | None = None, admin: bool = False
) -> User:
    """An active user, committed; a unique email when none is given. The row is detached
    from its session, so its columns stay readable after the session is gone."""
    user = User(
        email=(email or f"user-{uuid.uuid4().hex[:12]}@example.com").lower(),
        hashed_password=UNUSABLE_PASSWORD if password is None else HASHER.hash(password),
        is_admin=admin,
    )
    sessions = project_session()
    session = await anext(sessions)
    try:
        session.add(user)
        await session.flush()
        session.expunge(user)
        await session.commit()
    finally:
        await sessions.aclose()
    _created.append(user.id)
    return user


async def user_by_email(email: str) -> User | None:
    """The stored user with this address (detached), or None."""
    sessions = project_session()
    session = await anext(sessions)
    try:
        user = await session.scalar(select(User).where(User.email == email.lower()))
        if user is not None:
            session.expunge(user)
        return user
    finally:
        await sessions.aclose()


async def set_hash(email: str, hashed: str) -> None:
    """Store `hashed` as the password hash of the user with this address."""
    sessions = project_session()
    session = await anext(sessions)
    try:
        statement = update(User).where(User.email == email.lower()).values(hashed_password=hashed)
        await session.execute(statement)
        await session.commit()
    finally:
        await sessions.aclose()


def headers_for(user: User) -> dict[str, str]:
    """The `Authorization` header of a valid access token naming `user`."""
    token = create_access_token(str(user.id), get_settings())
    return {"Authorization": f"Bearer {token}"}


async def sign_in(*, admin: bool = False) -> dict[str, str]:
    """The headers of a new user (an admin with `admin=True`)."""
    return headers_for(await create_user(admin=admin))


async def admin_headers() -> dict[str, str]:
    """The headers of a new admin: a factory creating rows only admins may write calls
    it, whoever the test's client is signed in as."""
    return await sign_in(admin=True)


async def delete_users(*emails: str) -> None:
    """Delete the users with these addresses (the ones a test registered through the API)."""
    await _delete(User.email.in_([email.lower() for email in emails]))


async def delete_created_users() -> None:
    """Delete every user made here since the last call (rows they own go with them where
    the database enforces foreign keys)."""
    ids = list(_created)
    _created.clear()
    await _delete(User.id.in_(ids))


async def _delete(condition: ColumnElement[bool]) -> None:
    sessions = project_session()
    session = await anext(sessions)
    try:
        await session.execute(delete(User).where(condition))
        await session.commit()
    finally:
        await sessions.aclose()
