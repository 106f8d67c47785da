"""Every error is RFC 9457 problem+json and never echoes input or internals."""

import logging
from collections.abc import AsyncIterator
from http import HTTPStatus

import httpx
import pytest
from fastapi import FastAPI
from pydantic import Field

from app.core.errors import ConflictError, NotFoundError, problem_responses
from app.main import create_app
from app.schemas.base import InputModel, SafeStr

PROBLEM_JSON = "application/problem+json"


class Signup(InputModel):
    email: SafeStr = Field(max_length=120)
    password: SafeStr = Field(min_length=12)
    age: int = Field(ge=0)


def probe_app() -> FastAPI:
    """A fresh app with routes that fail on purpose; the shipped app is left alone."""
    app = create_app()

    @app.post("/probe/signup", status_code=204, responses=problem_responses(422))
    async def signup(body: Signup) -> None:
        pass

    @app.get("/probe/missing")
    async def missing() -> None:
        msg = "Widget not found"
        raise NotFoundError(msg)

    @app.get("/probe/conflict")
    async def conflict() -> None:
        msg = "A widget with this name already exists"
        raise ConflictError(msg)

    @app.get("/probe/crash")
    async def crash() -> None:
        msg = "password=hunter2 leaked into an exception"
        raise RuntimeError(msg)

    return app


@pytest.fixture
async def probe() -> AsyncIterator[httpx.AsyncClient]:
    # Unhandled errors become a 500 response instead of being raised into the test.
    transport = httpx.ASGITransport(app=probe_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-route")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
    }


async def test_wrong_method_keeps_the_allow_header(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health")

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/probe/missing", 404, "Widget not found"),
        ("/probe/conflict", 409, "A widget with this name already exists"),
    ],
)
async def test_domain_errors_map_to_their_status(
    probe: httpx.AsyncClient, path: str, status: int, detail: str
) -> None:
    response = await probe.get(path)

    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == detail


async def test_invalid_body_is_a_422_that_does_not_echo_it(probe: httpx.AsyncClient) -> None:
    body = {"email": "a@example.com", "password": "hunter2", "age": -1, "role": "admin-secret"}

    response = await probe.post("/probe/signup", json=body)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == HTTPStatus.UNPROCESSABLE_ENTITY
    assert {tuple(error["loc"]) for error in problem["errors"]} == {
        ("body", "password"),
        ("body", "age"),
        ("body", "role"),
    }
    assert all(set(error) == {"loc", "msg", "type"} for error in problem["errors"])
    assert "hunter2" not in response.text
    assert "admin-secret" not in response.text


async def test_lone_surrogate_and_nul_are_422_not_500(probe: httpx.AsyncClient) -> None:
    for password, extra in [
        ('"\\ud800-long-enough"', ""),
        ('"\\u0000-long-enough"', ""),
        ('"long-enough-password"', ', "\\ud800": 1'),
    ]:
        content = f'{{"email": "a@example.com", "password": {password}, "age": 1{extra}}}'

        response = await probe.post(
            "/probe/signup", content=content, headers={"content-type": "application/json"}
        )

        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
        assert "long-enough" not in response.text
        assert response.json()["errors"]


async def test_malformed_json_is_a_400_problem(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/probe/signup",
        content=b'{"password": "hunter2",',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "hunter2" not in response.text


async def test_unhandled_error_is_a_bare_500_and_is_logged_once(
    probe: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = await probe.get("/probe/crash")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An unexpected error occurred.",
    }
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    [error] = [e for e in events if e.get("exc_info")]  # one traceback, not two
    assert error["event"] == "unhandled error"
    assert error["path"] == "/probe/crash"
    [line] = [e for e in events if e["event"] == "request"]
    assert line["status"] == HTTPStatus.INTERNAL_SERVER_ERROR


def test_problem_responses_document_problem_json_in_openapi() -> None:
    document = probe_app().openapi()
    responses = document["paths"]["/probe/signup"]["post"]["responses"]

    ref = responses["422"]["content"][PROBLEM_JSON]["schema"]["$ref"]
    assert ref == "#/components/schemas/ValidationProblem"
    body = document["components"]["schemas"]["ValidationProblem"]
    assert body["required"] == ["type", "title", "status", "detail", "errors"]
    assert "application/json" not in responses["422"]["content"]
