"""What running the app in production relies on: settings, CORS, request ids, body and
rate limits, docs, and logs that name the request but never a secret."""

import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Annotated

import httpx
import jwt
import pytest
from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import Field, ValidationError

from app.core.config import Settings
from app.core.limits import default_rate_limit, rate_limit
from app.core.logging import get_logger
from app.core.security import InvalidTokenError, create_access_token, read_access_token
from app.main import create_app
from app.schemas.base import InputModel, SafeStr

PROBLEM_JSON = "application/problem+json"
MINUTE = 60  # seconds: the longest Retry-After of a per-minute limit
STRONG_SECRET = "s" * 48
PASSWORD = "correct-horse-battery-staple"


class Signup(InputModel):
    email: SafeStr = Field(max_length=120)
    password: SafeStr = Field(min_length=12)


def probe_app(**overrides: object) -> FastAPI:
    """A fresh app with `overrides` in its settings and a few probe routes."""
    app = create_app(Settings(**overrides))  # type: ignore[arg-type]

    @app.post("/probe/echo")
    async def echo(body: Signup) -> dict[str, str]:
        # A password passed to the log by mistake is still not written.
        get_logger("probe").info("signup", email=body.email, password=body.password)
        return {"email": body.email}

    @app.get("/probe/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/probe/login", dependencies=[rate_limit("2/minute")])
    async def login() -> dict[str, bool]:
        return {"ok": True}

    widgets = APIRouter(prefix="/widgets")

    @widgets.get("/{widget_id}")
    async def widget(
        widget_id: int, _token: Annotated[str | None, Query(alias="token")] = None
    ) -> dict[str, int]:
        # `token`: a query parameter the route declares (any other one is a 422).
        return {"id": widget_id}

    # Built like every app.api.v<N> router: each route under it counts against the default.
    version = APIRouter(prefix="/api/v9", dependencies=[Depends(default_rate_limit)])
    version.include_router(widgets)
    app.include_router(version)
    return app


@asynccontextmanager
async def call(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client from one address (the rate limits count per address)."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


# --- settings ------------------------------------------------------------------------------


def test_production_refuses_to_start_with_a_missing_weak_or_short_secret() -> None:
    for secret in (None, "change-me-to-a-long-random-value", "short"):
        extra = {} if secret is None else {"secret_key": secret}
        with pytest.raises(ValidationError, match="SECRET_KEY must be a random value"):
            Settings(environment="prod", **extra)  # type: ignore[arg-type]
    assert Settings(environment="prod", secret_key=STRONG_SECRET).docs is False  # type: ignore[arg-type]


def test_a_well_known_secret_is_refused_in_every_environment() -> None:
    for environment in ("dev", "test"):
        with pytest.raises(ValidationError, match="well-known value"):
            Settings(environment=environment, secret_key="changeme")  # type: ignore[arg-type]


def test_without_a_secret_each_process_signs_with_its_own_random_key() -> None:
    settings = Settings(environment="dev")
    assert settings.signing_key_is_random
    # No key is built in: an admin's token signed with any fixed value is refused...
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": "1", "type": "access", "iat": now, "exp": now + dt.timedelta(minutes=5)}
    for fixed in ("change-me-to-a-long-random-value", STRONG_SECRET):
        forged = jwt.encode(claims, fixed, algorithm="HS256")
        with pytest.raises(InvalidTokenError, match="Signature verification failed"):
            read_access_token(forged, settings)
    # ...and the process's own key is the same for every Settings it reads.
    assert read_access_token(create_access_token("1", Settings()), settings) == "1"
    assert not Settings(secret_key=STRONG_SECRET).signing_key_is_random  # type: ignore[arg-type]


def test_env_example_lists_every_setting() -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    listed = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in example.read_text().splitlines()
        if "=" in line and not line.startswith("# ") and line.split("=", 1)[0].isupper()
    }
    assert listed == {name.upper() for name in Settings.model_fields}


def test_database_url_is_validated_and_must_be_async() -> None:
    with pytest.raises(ValidationError, match="not a SQLAlchemy database URL"):
        Settings(database_url="not a url")
    with pytest.raises(ValidationError, match="use an async driver"):
        Settings(database_url="postgresql://localhost/app")
    relative = Settings(database_url="sqlite+aiosqlite:///./app.db")
    assert relative.database_url == "sqlite+aiosqlite:///./app.db"  # not rewritten


def test_cors_origins_and_rate_limit_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://app.example, https://admin.example")
    monkeypatch.setenv("RATE_LIMIT_DEFAULT", "7/second")
    settings = Settings()
    assert settings.cors_origins == ["https://app.example", "https://admin.example"]
    assert settings.rate_limit_default == "7/second"
    monkeypatch.setenv("RATE_LIMIT_DEFAULT", "lots")
    with pytest.raises(ValidationError, match="expected a rate like 100/minute"):
        Settings()


async def test_docs_are_off_in_production() -> None:
    app = create_app(Settings(environment="prod", secret_key=STRONG_SECRET))  # type: ignore[arg-type]
    async with call(app) as http:
        assert (await http.get("/docs")).status_code == HTTPStatus.NOT_FOUND
        assert (await http.get("/openapi.json")).status_code == HTTPStatus.NOT_FOUND
        assert (await http.get("/health/live")).status_code == HTTPStatus.OK


# --- CORS ----------------------------------------------------------------------------------


async def test_a_preflight_from_an_allowed_origin_passes_and_another_is_refused() -> None:
    app = probe_app(cors_origins=["https://app.example"])
    preflight = {"Access-Control-Request-Method": "POST"}
    async with call(app) as http:
        allowed = await http.options(
            "/probe/echo", headers={**preflight, "Origin": "https://app.example"}
        )
        refused = await http.options(
            "/probe/echo", headers={**preflight, "Origin": "https://evil.example"}
        )
    assert allowed.status_code == HTTPStatus.OK
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "access-control-allow-origin" not in refused.headers


# --- request ids and logs ------------------------------------------------------------------


async def test_a_valid_request_id_is_echoed_and_an_invalid_one_replaced(
    log_output: io.StringIO,
) -> None:
    async with call(probe_app()) as http:
        echoed = await http.get("/probe/ping", headers={"X-Request-ID": "trace-42.a_b"})
        replaced = await http.get("/probe/ping", headers={"X-Request-ID": "no spaces; ok?"})
        fresh = await http.get("/probe/ping")
    assert echoed.headers["X-Request-ID"] == "trace-42.a_b"
    assert replaced.headers["X-Request-ID"] != "no spaces; ok?"
    # A new id where none or an unsafe one came: a UUID's 32 hex digits.
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-ID"])
    lines = [line for line in log_output.getvalue().splitlines() if "request" in line]
    assert any("trace-42.a_b" in line and "/probe/ping" in line for line in lines)


async def test_a_logged_request_posting_a_password_names_the_request_not_the_password(
    log_output: io.StringIO,
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD}
    async with call(probe_app()) as http:
        created = await http.post("/probe/echo", json=body, headers={"X-Request-ID": "rq-1"})
        refused = await http.post(
            "/probe/echo",
            json={"email": "x" * 200, "password": PASSWORD},
            headers={"X-Request-ID": "rq-2"},
        )
    assert created.status_code == HTTPStatus.OK
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    text = log_output.getvalue()
    assert "rq-1" in text
    assert "rq-2" in text
    assert PASSWORD not in text
    assert "[redacted]" in text


async def test_the_request_line_names_the_route_template_not_the_path(
    log_output: io.StringIO,
) -> None:
    async with call(probe_app()) as http:
        response = await http.get("/api/v9/widgets/73501?token=abc")
    assert response.status_code == HTTPStatus.OK
    lines = log_output.getvalue().splitlines()
    [line] = [x for x in lines if "app.request" in x and "/api/v9/widgets" in x]
    assert "/api/v9/widgets/{widget_id}" in line
    # Neither the id nor the query string: "/73501" and "token=" cannot occur by chance
    # in the line's timestamp or random request id, as "abc" could.
    assert "/73501" not in line
    assert "token=" not in line
    assert "?" not in line
    assert "200" in line


# --- limits ----------------------------------------------------------------------------------


async def test_a_body_over_the_limit_is_413_problem() -> None:
    async with call(probe_app(max_body_bytes=64)) as http:
        declared = await http.post("/probe/echo", json={"email": "x" * 100, "password": "p" * 12})

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"x" * 16

        streamed = await http.post(
            "/probe/echo", content=chunks(), headers={"content-type": "application/json"}
        )
        small = await http.post("/probe/echo", json={"email": "a@b.c", "password": "p" * 12})
    for response in (declared, streamed):
        assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["detail"] == "The request body is larger than 64 bytes."
    assert small.status_code == HTTPStatus.OK


async def test_the_default_rate_limit_is_429_problem_with_retry_after() -> None:
    async with call(probe_app(rate_limit_default="3/minute")) as http:
        answers = [(await http.get("/api/v9/widgets/1")).status_code for _ in range(3)]
        limited = await http.get("/api/v9/widgets/2")
        probes = [(await http.get("/health/live")).status_code for _ in range(5)]
    assert answers == [200, 200, 200]
    assert limited.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert limited.headers["content-type"] == PROBLEM_JSON
    assert 0 < int(limited.headers["Retry-After"]) <= MINUTE
    assert probes == [200] * 5  # health probes are never limited


async def test_a_route_limit_is_429_before_the_default_one() -> None:
    async with call(probe_app()) as http:
        answers = [(await http.get("/probe/login")).status_code for _ in range(3)]
        last = await http.get("/probe/login")
    assert answers == [200, 200, 429]
    assert last.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert last.headers["content-type"] == PROBLEM_JSON
    assert int(last.headers["Retry-After"]) >= 1
