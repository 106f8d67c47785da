"""schemathesis against a generated app's own OpenAPI, run inside the project with its own
fixtures: no 5xx, and every status, content type, header and body as documented.

``run_schemathesis`` writes the test module into the project's tests, runs it with the
project's pytest (on a scratch SQLite database of its own) and removes it. Signed in,
every operation is called as an admin (every row, every route), except the routes that
change the caller's own password or email, which would sign the run out halfway.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.helpers import BIN

MODULE = '''\
"""schemathesis against the app's own OpenAPI: no 5xx, every status, content type, header
and body as documented."""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from app.db.session import get_session
from app.main import app

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
if SIGNED_IN:
    schema = schema.exclude(path_regex="/users/me")
HEADERS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _own_connections() -> Iterator[None]:
    # The ASGI test client runs the app on an event loop of its own: no pooled
    # connection may cross loops, so each request opens and closes one.
    engine = create_async_engine(os.environ["DATABASE_URL"], poolclass=NullPool)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def session() -> AsyncIterator[AsyncSession]:
        async with sessions() as db_session:
            yield db_session

    if SIGNED_IN:
        from tests.factories.users import sign_in

        async def admin() -> dict[str, str]:
            async with sessions() as db_session:
                return await sign_in(db_session, admin=True)

        HEADERS.update(asyncio.run(admin()))
    app.dependency_overrides[get_session] = session
    yield
    app.dependency_overrides.pop(get_session)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api(case: schemathesis.Case) -> None:
    # positive_data_acceptance is left out: it counts the 422s the API must give as failures.
    case.call_and_validate(
        headers=HEADERS,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
'''


def run_schemathesis(
    project: Path, scratch: Path, *, max_examples: int, signed_in: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run schemathesis on ``project``'s app (a database under ``scratch``); the result of
    its pytest run."""
    module = project / "tests/test_schemathesis_api.py"
    text = MODULE.replace("MAX_EXAMPLES", str(max_examples))
    module.write_text(text.replace("SIGNED_IN", repr(signed_in)))
    env = {
        **os.environ,
        "TEST_DATABASE_URL": f"sqlite+aiosqlite:///{scratch}/schemathesis.db",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("PYTEST_ADDOPTS", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        module.unlink()
