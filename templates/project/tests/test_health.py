"""The health route answers ok while the database does, and 503 problem+json when it does not."""

from collections.abc import AsyncIterator

import httpx
from sqlalchemy.exc import OperationalError

from app.db.session import get_session
from app.main import create_app


async def test_health_reports_ok_once_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


class _DownSession:
    async def execute(self, *_args: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))


async def _down() -> AsyncIterator[_DownSession]:
    yield _DownSession()


async def test_health_is_503_problem_when_the_database_does_not_answer() -> None:
    app = create_app()
    app.dependency_overrides[get_session] = _down
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/health")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "connection refused" not in response.text
