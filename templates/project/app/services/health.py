"""Readiness of the application's dependencies."""

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession


class DatabaseUnavailableError(Exception):
    """The database did not answer."""


async def check_database(session: AsyncSession) -> None:
    """Raise DatabaseUnavailableError if the database does not answer a trivial query."""
    try:
        await session.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError, OSError) as exc:
        raise DatabaseUnavailableError from exc
