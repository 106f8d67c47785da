"""Shared fixtures: a migrated database, an HTTP client, and empty tables per test.

The tests own their database: `TEST_DATABASE_URL` when set (a scratch database: it is
migrated, emptied after every test and downgraded at the end), else a temporary SQLite
file. `DATABASE_URL` is never used, so running the tests cannot touch the app's data.
"""

import io
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings

_SCRATCH_DIR = tempfile.mkdtemp(prefix="app-tests-")
# The suite's settings are its own, whatever the shell exports or `.env` says (a
# SECRET_KEY, a strict RATE_LIMIT_DEFAULT, LOG_LEVEL...): before the app is imported,
# since its settings are read on import, every variable a setting reads is cleared and
# `.env` is not read; tests of a setting pass it explicitly or set it with monkeypatch.
Settings.model_config["env_file"] = None
for _name in list(os.environ):
    if _name.lower() in Settings.model_fields:
        del os.environ[_name]
os.environ["DATABASE_URL"] = (
    os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{_SCRATCH_DIR}/test.db"
)
os.environ["ENVIRONMENT"] = "test"
# One client calls every route of the suite: the default limits would be hit.
os.environ["RATE_LIMIT_DEFAULT"] = "100000/minute"
os.environ["REGISTRATION_RATE_LIMIT"] = "100000/minute"

from app.core.config import get_settings
from app.core.logging import configure_logging
from app.db.base import Base
from app.db.session import database as app_database
from app.main import app

# The suite's own engine: tests arrange data before the app starts, and every app the
# tests build (create_app()) shares it instead of starting and stopping one each.
engine = app_database.start(get_settings())

if engine.dialect.name == "sqlite":

    @event.listens_for(engine.sync_engine, "connect")
    def _no_fsync(dbapi_connection: Any, _connection_record: Any) -> None:
        # A scratch database: a commit need not wait for the disk (a suite of many
        # tests otherwise spends a third of its time in fsync).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


PROJECT_ROOT = Path(__file__).resolve().parents[1]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Which database the run used, so a PostgreSQL run cannot quietly be a SQLite one.
    terminalreporter.write_line(f"tests ran on: {engine.dialect.name}")


@pytest.fixture(scope="session")
def alembic_config() -> Config:
    """The project's Alembic config, wherever pytest is started from."""
    return Config(PROJECT_ROOT / "alembic.ini")


@pytest.fixture(scope="session", autouse=True)
def _migrated(alembic_config: Config) -> Iterator[None]:
    """Build the schema the way production does, through the migrations."""
    command.upgrade(alembic_config, "head")
    yield
    command.downgrade(alembic_config, "base")
    shutil.rmtree(_SCRATCH_DIR, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
async def _close_pool(_migrated: None) -> AsyncIterator[None]:
    # Closed before the downgrade, so no pooled connection holds a lock on a table.
    yield
    await engine.dispose()


@pytest.fixture(autouse=True)
async def _empty_tables(_close_pool: None) -> AsyncIterator[None]:
    yield
    # Every table emptied, children first, in one round trip to the database: one
    # statement at a time, a suite of many tables would spend much of its time here.
    quoted = engine.dialect.identifier_preparer.format_table
    tables = reversed(Base.metadata.sorted_tables)
    script = "BEGIN;" + "".join(f"DELETE FROM {quoted(t)};" for t in tables) + "COMMIT;"
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        if engine.dialect.name == "sqlite":
            await driver.executescript(script)  # aiosqlite
        else:
            await driver.execute(script)  # asyncpg: one simple query, several statements


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in-process, its lifespan run as a server would:
    `await client.get("/health")`."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield http


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement the app runs while the test does: `len(statements)`."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))  # (connection, cursor, statement, ...)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    """A session for arranging data directly; commit what the app must see."""
    async with app_database.session() as db_session:
        yield db_session


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the app's log handler writes, as it would reach stderr."""
    configure_logging(get_settings())
    [app_handler] = [h for h in logging.getLogger().handlers if h.get_name() == "app"]
    buffer = io.StringIO()
    capture = logging.StreamHandler(buffer)
    capture.setFormatter(app_handler.formatter)
    logging.getLogger().addHandler(capture)
    yield buffer
    logging.getLogger().removeHandler(capture)
