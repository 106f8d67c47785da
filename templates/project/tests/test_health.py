"""Liveness never asks the database; readiness does, and is 503 problem+json without it."""

from collections.abc import AsyncIterator
from http import HTTPStatus

import httpx
from sqlalchemy.exc import OperationalError

from app.db.session import get_session
from app.main import create_app


async def test_live_and_ready_are_ok_once_the_database_answers(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/health/live", "/health/ready", "/health"):
        response = await client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        assert response.json() == {"status": "ok"}


class _DownSession:
    async def execute(self, *_args: object) -> None:
        msg = "SELECT 1"
        raise OperationalError(msg, {}, Exception("connection refused"))


async def _down() -> AsyncIterator[_DownSession]:
    yield _DownSession()


async def test_ready_is_503_problem_and_live_200_when_the_database_does_not_answer() -> None:
    app = create_app()
    app.dependency_overrides[get_session] = _down
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        live = await client.get("/health/live")
        for path in ("/health/ready", "/health"):
            response = await client.get(path)
            assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE, path
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "connection refused" not in response.text
    assert live.status_code == HTTPStatus.OK
