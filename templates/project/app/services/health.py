"""Readiness of the application's dependencies."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def check_database(session: AsyncSession) -> None:
    """Raise if the database does not answer a trivial query."""
    await session.execute(text("SELECT 1"))
