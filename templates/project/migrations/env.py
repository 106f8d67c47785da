"""Alembic environment: async engine, every model's table, URL from the app settings."""

import asyncio
import logging
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import pool
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_engine_from_config

import app.models  # noqa: F401  (importing it registers every table on Base.metadata)
from app.core.config import get_settings
from app.db.base import Base

config = context.config
# alembic.ini's logging is for the `alembic` command; run from inside the app or its tests
# (logging already configured), it would replace the app's log handler.
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    """The `sqlalchemy.url` a caller set on the config, else the app's DATABASE_URL."""
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render column types so a revision runs on every database, whichever one it was made on."""
    if type_ != "type":
        return False
    if type(obj).__module__.startswith("app."):
        autogen_context.imports.add(f"import {type(obj).__module__}")
    elif isinstance(obj, JSONB):
        # Made against SQLite, Alembic would render `JSONB(astext_type=Text())`, a NameError.
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "postgresql.JSONB()"
    return False


# `scaffold field rename` keeps the old column on PostgreSQL, in sync with the new one,
# until `scaffold field contract`; its comment says so, and autogenerate leaves it alone.
RENAMED = "scaffold: renamed to "


def include_object(
    obj: Any, _name: str | None, type_: str, reflected: object, compare_to: object
) -> bool:
    """Leave out of `alembic check` a renamed column waiting for its contract step
    (Alembic's callback: it passes each argument by position)."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "column":
        return not str(obj.comment or "").startswith(RENAMED)
    if type_ == "index":
        return not any(str(c.comment or "").startswith(RENAMED) for c in obj.columns)
    return True


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=make_url(url).get_backend_name() == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations(engine: AsyncEngine | None = None) -> None:
    """Migrate through `engine`, or through a fresh engine on `database_url()`."""
    owned = engine is None
    if engine is None:
        section = config.get_section(config.config_ini_section, {})
        section["sqlalchemy.url"] = database_url()
        engine = async_engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    if owned:
        await engine.dispose()


def run_migrations_online() -> None:
    """Migrate a live database.

    A caller can lend an `AsyncEngine` (as pytest-alembic does) or a sync `Connection`
    (e.g. from `AsyncConnection.run_sync`) through `config.attributes["connection"]`.
    """
    lent = config.attributes.get("connection")
    if lent is None or isinstance(lent, AsyncEngine):
        asyncio.run(run_async_migrations(lent))
    else:
        do_run_migrations(lent)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
