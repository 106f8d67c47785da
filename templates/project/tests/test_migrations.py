"""pytest-alembic's standard checks, run on the test database from an empty schema."""

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_alembic
from alembic import command
from alembic.config import Config
from pytest_alembic import MigrationContext
from pytest_alembic import tests as checks
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.db.session import database


@pytest.fixture
async def _no_pooled_connections() -> AsyncIterator[None]:
    # Tables are dropped and recreated: pooled connections must not keep stale statements.
    await database.engine.dispose()
    yield
    await database.engine.dispose()


@pytest.fixture
def alembic_runner(
    alembic_config: Config, _no_pooled_connections: None
) -> Iterator[MigrationContext]:
    """Start from an empty schema; leave it at head for the other tests."""
    command.downgrade(alembic_config, "base")
    engine = create_async_engine(os.environ["DATABASE_URL"], poolclass=NullPool)
    config = pytest_alembic.Config.from_raw_config(alembic_config)
    # pytest-alembic's annotation names only sync engines; it drives async ones too.
    with pytest_alembic.runner(config=config, engine=engine) as runner:  # type: ignore[arg-type]
        yield runner
    command.upgrade(alembic_config, "head")


def test_single_head_revision(alembic_runner: MigrationContext) -> None:
    if not alembic_runner.heads:
        pytest.skip("no migrations yet")
    checks.test_single_head_revision(alembic_runner)


def test_upgrade(alembic_runner: MigrationContext) -> None:
    checks.test_upgrade(alembic_runner)


def test_model_definitions_match_ddl(alembic_runner: MigrationContext) -> None:
    checks.test_model_definitions_match_ddl(alembic_runner)


def test_up_down_consistency(alembic_runner: MigrationContext) -> None:
    checks.test_up_down_consistency(alembic_runner)
