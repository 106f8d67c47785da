"""The database of the running app: its engine and sessions, and `SessionDep`.

The engine is created when the app starts (its lifespan) and disposed when it stops,
never at import: importing the app opens no connection, and the pool settings come
from the validated settings. On a database server, `pool_pre_ping` tests a pooled
connection before handing it out, so a restart costs a reconnect, not a failed request.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    """An engine for `settings.database_url` with the pool that database needs."""
    options: dict[str, Any] = {
        # A failed statement's error (and so the log) never carries the submitted
        # values, a password included.
        "hide_parameters": True,
    }
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        # A file on this machine: no server to restart, so no ping before each checkout
        # (it would cost a round trip through aiosqlite's thread on every request).
        engine = create_async_engine(settings.database_url, **options)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # SQLite ignores FOREIGN KEY clauses unless each connection turns them on,
            # and fails at once on a locked database unless it is told to wait.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_recycle=settings.db_pool_recycle,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
        **options,
    )


class Database:
    """The engine and session factory, present between `start()` and `stop()`."""

    def __init__(self) -> None:
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None

    @property
    def started(self) -> bool:
        return self._engine is not None

    def start(self, settings: Settings) -> AsyncEngine:
        """Create the engine (once: a second call returns the running one)."""
        if self._engine is None:
            self._engine = create_engine(settings)
            self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        return self._engine

    async def stop(self) -> None:
        """Close every pooled connection."""
        if self._engine is not None:
            engine, self._engine, self._sessions = self._engine, None, None
            await engine.dispose()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            msg = "The database is not started: the app's lifespan starts it."
            raise RuntimeError(msg)
        return self._engine

    def session(self) -> AsyncSession:
        """A new session: `async with database.session() as session: ...`."""
        if self._sessions is None:
            msg = "The database is not started: the app's lifespan starts it."
            raise RuntimeError(msg)
        return self._sessions()


database = Database()


async def get_session() -> AsyncIterator[AsyncSession]:
    """Yield one session per request; uncommitted work is rolled back when it closes."""
    async with database.session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
