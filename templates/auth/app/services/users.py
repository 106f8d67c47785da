"""Accounts and sign-in: registration, password checks, admins' changes. No HTTP.

Table: users

Passwords are hashed and checked by `app.core.security`, off the event loop. Signing
in with an unknown email costs as much time as a wrong password, and a hash made with
older parameters is replaced by the next successful sign-in. Only user ids reach the
log, never an email typed at sign-in, a password or a hash.
"""

from sqlalchemy import select, update

from app.core.errors import InvalidError
from app.core.logging import get_logger
from app.core.security import hash_secret, verify_and_rehash
from app.models.users import User
from app.schemas.users import UserAdminUpdate, UserRegister, UserSelfUpdate
from app.services.base import ResourceService, Unique

_log = get_logger(__name__)


class UserService(ResourceService[User]):
    """Users; admins' list and get are `list_page(UserListQuery)` and `get(user_id)`."""

    model = User
    label = "User"
    constraints = (Unique("uq_users_email", ("email",)),)

    async def by_email(self, email: str) -> User | None:
        """The user with this address (compared lower-cased), or None."""
        found: User | None = await self.session.scalar(
            select(User).where(User.email == email.lower())
        )
        return found

    async def active(self, user_id: int) -> User | None:
        """The user `user_id` while the account is active, else None (the sign-in check
        of every request: a deactivated account's tokens stop working at once)."""
        user = await self.session.get(User, user_id)
        return user if user is not None and user.is_active else None

    async def register(self, data: UserRegister) -> User:
        """A new active, non-admin user; ConflictError when the email is taken."""
        hashed = await hash_secret(data.password)
        return await self.insert_row({"email": data.email, "hashed_password": hashed})

    async def authenticate(self, email: str, password: str) -> User | None:
        """The active user with this email and password, else None.

        Example: `await service.authenticate("ada@example.com", "correct horse")`.
        """
        user = await self.by_email(email)
        valid, new_hash = await verify_and_rehash(password, user.hashed_password if user else None)
        if user is None:
            _log.info("sign-in refused", reason="unknown email")
            return None
        if not valid or not user.is_active:
            reason = "inactive" if valid else "wrong password"
            _log.info("sign-in refused", reason=reason, user_id=user.id)
            return None
        if new_hash is not None:
            await self._store_hash(user, new_hash)
            _log.info("password hash upgraded", user_id=user.id)
        _log.info("signed in", user_id=user.id)
        return user

    async def change_password(self, user: User, current: str, new: str) -> None:
        """Store `new` once `current` is verified: a wrong one is InvalidError (422) on
        `current_password`, like a validation error of that field."""
        valid, _ = await verify_and_rehash(current, user.hashed_password)
        if not valid:
            _log.info("password change refused", user_id=user.id)
            raise InvalidError(
                field="current_password", message="is not the current password", kind="mismatch"
            )
        await self._store_hash(user, await hash_secret(new))
        _log.info("password changed", user_id=user.id)

    async def update_self(self, user: User, data: UserSelfUpdate) -> User:
        """Change the fields given of one's own account; ConflictError for a taken email."""
        return await self.update_row(user.id, data.model_dump(exclude_unset=True))

    async def admin_update(self, user_id: int, data: UserAdminUpdate) -> User:
        """An admin's change to any account; NotFoundError when there is none."""
        user = await self.update_row(user_id, data.model_dump(exclude_unset=True))
        _log.info("user updated by an admin", user_id=user.id, fields=sorted(data.model_fields_set))
        return user

    async def create_admin(self, email: str, password: str) -> User:
        """A new admin, or the existing user with this email made an active admin (its
        password is left as it is: `password` is only used for a new account)."""
        existing = await self.by_email(email)
        if existing is not None:
            user = await self.update_row(existing.id, {"is_admin": True, "is_active": True})
            _log.info("user promoted to admin", user_id=user.id)
            return user
        hashed = await hash_secret(password)
        user = await self.insert_row(
            {"email": email.lower(), "hashed_password": hashed, "is_admin": True}
        )
        _log.info("admin created", user_id=user.id)
        return user

    async def _store_hash(self, user: User, hashed: str) -> None:
        # One UPDATE, no ORM flush: a row deleted meanwhile is no stale-data error.
        statement = update(User).where(User.id == user.id).values(hashed_password=hashed)
        await self.session.execute(statement)
        await self.session.commit()
