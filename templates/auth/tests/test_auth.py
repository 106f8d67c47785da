"""Sign-in: registration, the token route and its limits, and which tokens are refused.

Tests that sign in with a password do it on an app of their own (`fresh`): the
shared app's sign-in counters (5 a minute per client address) would run out across
the suite.
"""

import datetime as dt
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

import httpx
import pytest
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings, get_settings
from app.core.security import HASHER, create_access_token
from app.main import create_app
from app.models.users import User
from tests.factories.users import create_user, headers_for

AUTH = "/api/v1/auth"
ME = "/api/v1/users/me"
PROBLEM_JSON = "application/problem+json"
MINUTE = 60  # seconds: the longest Retry-After of a per-minute limit
PASSWORD = "correct-horse-battery-staple"


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """`app` with its lifespan run (the suite's database stays started)."""
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def call(app: FastAPI, address: str = "203.0.113.7") -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app` from one address (sign-in attempts count per address)."""
    transport = httpx.ASGITransport(app=app, client=(address, 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def app_with(settings: Settings) -> FastAPI:
    """A fresh app whose sign-in routes read `settings`."""
    return create_app(settings)


@pytest.fixture
async def fresh() -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh app, so its sign-in counters start empty."""
    async with running(create_app()) as app, call(app) as http:
        yield http


async def sign_in(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await http.post(f"{AUTH}/token", data={"username": email, "password": password})


# --- registration --------------------------------------------------------------------------


async def test_register_returns_201_and_the_user_without_password_or_hash(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post(
        f"{AUTH}/register", json={"email": "Ada@Example.com", "password": PASSWORD}
    )
    assert response.status_code == HTTPStatus.CREATED, response.text
    body = response.json()
    assert set(body) == {"id", "email", "is_active", "is_admin", "created_at", "updated_at"}
    assert body["email"] == "ada@example.com"
    assert body["is_active"] is True
    assert body["is_admin"] is False
    stored = await session.scalar(select(User.hashed_password).where(User.id == body["id"]))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in response.text
    assert stored not in response.text
    assert "argon2" not in response.text


async def test_register_refuses_is_admin(client: httpx.AsyncClient, session: AsyncSession) -> None:
    response = await client.post(
        f"{AUTH}/register",
        json={"email": "mallory@example.com", "password": PASSWORD, "is_admin": True},
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [error["loc"] for error in response.json()["errors"]] == [["body", "is_admin"]]
    assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_register_with_a_taken_email_in_another_case_is_409(
    client: httpx.AsyncClient,
) -> None:
    first = await client.post(
        f"{AUTH}/register", json={"email": "lin@example.com", "password": PASSWORD}
    )
    again = await client.post(
        f"{AUTH}/register", json={"email": "LIN@Example.COM", "password": PASSWORD}
    )
    assert first.status_code == HTTPStatus.CREATED
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.headers["content-type"] == PROBLEM_JSON
    assert again.json()["detail"] == "email is already taken."


async def test_register_is_404_while_registration_is_closed(session: AsyncSession) -> None:
    closed = get_settings().model_copy(update={"registration_open": False})
    async with running(app_with(closed)) as app, call(app) as http:
        valid = await http.post(
            f"{AUTH}/register", json={"email": "ada@example.com", "password": PASSWORD}
        )
        invalid = await http.post(f"{AUTH}/register", json={"is_admin": True})
    for response in (valid, invalid):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["detail"] == "Registration is closed."
    assert await session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("length", "error"),
    [(get_settings().password_min_length - 1, "string_too_short"), (129, "string_too_long")],
)
async def test_register_refuses_a_password_too_short_or_too_long(
    client: httpx.AsyncClient, length: int, error: str
) -> None:
    password = "p4ssw0rd!" * 20
    response = await client.post(
        f"{AUTH}/register", json={"email": "ada@example.com", "password": password[:length]}
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    [reported] = response.json()["errors"]
    assert reported["loc"] == ["body", "password"]
    assert reported["type"] == error
    assert password[:length] not in response.text


async def test_register_accepts_the_shortest_and_longest_passwords(
    client: httpx.AsyncClient,
) -> None:
    for n, length in enumerate((get_settings().password_min_length, 128)):
        response = await client.post(
            f"{AUTH}/register", json={"email": f"edge{n}@example.com", "password": "x" * length}
        )
        assert response.status_code == HTTPStatus.CREATED, response.text


async def test_the_minimum_password_length_is_the_setting(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    stricter = get_settings().model_copy(update={"password_min_length": 12})
    monkeypatch.setattr("app.schemas.users.get_settings", lambda: stricter)
    short = await client.post(
        f"{AUTH}/register", json={"email": "ada@example.com", "password": "x" * 11}
    )
    assert short.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert short.json()["errors"][0]["msg"] == "String should have at least 12 characters"


# --- signing in ----------------------------------------------------------------------------


async def test_sign_in_returns_a_token_that_works_on_users_me(
    fresh: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, email="ada@example.com", password=PASSWORD)
    response = await sign_in(fresh, "Ada@Example.com", PASSWORD)
    assert response.status_code == HTTPStatus.OK, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert set(body) == {"access_token", "token_type"}
    assert response.headers["cache-control"] == "no-store"
    me = await fresh.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == HTTPStatus.OK
    assert me.json()["id"] == user.id


async def test_the_oauth2_form_fields_of_any_client_are_accepted(
    fresh: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, email="ada@example.com", password=PASSWORD)
    form = {
        "grant_type": "password",
        "username": "ada@example.com",
        "password": PASSWORD,
        "scope": "",
        "client_id": "docs",
        "unknown": "ignored",
    }
    assert (await fresh.post(f"{AUTH}/token", data=form)).status_code == HTTPStatus.OK
    wrong_grant = await fresh.post(f"{AUTH}/token", data={**form, "grant_type": "implicit"})
    assert wrong_grant.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


async def test_a_wrong_password_and_an_unknown_email_get_the_same_401(
    fresh: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, email="ada@example.com", password=PASSWORD)
    wrong = await sign_in(fresh, "ada@example.com", "not-the-password")
    unknown = await sign_in(fresh, "nobody@example.com", PASSWORD)
    not_an_email = await sign_in(fresh, "not an email", PASSWORD)
    for response in (wrong, unknown, not_an_email):
        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json() == wrong.json()
    assert wrong.json()["detail"] == "Incorrect email or password."


async def test_an_inactive_user_cannot_sign_in(
    fresh: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, email="ada@example.com", password=PASSWORD)
    user.is_active = False
    await session.commit()
    response = await sign_in(fresh, "ada@example.com", PASSWORD)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["detail"] == "Incorrect email or password."


async def test_signing_in_replaces_a_hash_made_with_older_parameters(
    fresh: httpx.AsyncClient, session: AsyncSession
) -> None:
    old = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192),)).hash(PASSWORD)
    user = await create_user(session, email="ada@example.com")
    user.hashed_password = old
    await session.commit()
    current_prefix = HASHER.hash("x").rsplit("$", 2)[0] + "$"  # $argon2id$v=19$m=...,t=...,p=...$

    assert (await sign_in(fresh, "ada@example.com", PASSWORD)).status_code == HTTPStatus.OK
    await session.refresh(user)
    upgraded = user.hashed_password
    assert upgraded != old
    assert upgraded.startswith(current_prefix)
    assert not old.startswith(current_prefix)

    assert (await sign_in(fresh, "ada@example.com", PASSWORD)).status_code == HTTPStatus.OK
    await session.refresh(user)
    assert user.hashed_password == upgraded  # already current: left alone


# --- sign-in limits ------------------------------------------------------------------------


@pytest.mark.usefixtures("session")
async def test_registration_is_limited_per_address() -> None:
    app = create_app(Settings(registration_rate_limit="2/hour"))
    async with running(app), call(app, "192.0.2.30") as http:
        answers = [
            await http.post(
                f"{AUTH}/register", json={"email": f"new{n}@example.com", "password": PASSWORD}
            )
            for n in range(3)
        ]
        async with call(app, "192.0.2.31") as elsewhere:
            other = await elsewhere.post(
                f"{AUTH}/register", json={"email": "new9@example.com", "password": PASSWORD}
            )
    assert [r.status_code for r in answers] == [201, 201, 429]
    assert answers[-1].headers["content-type"] == PROBLEM_JSON
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert other.status_code == HTTPStatus.CREATED, "another address has its own count"


async def test_the_sixth_attempt_on_one_account_in_a_minute_is_429(session: AsyncSession) -> None:
    await create_user(session, email="ada@example.com", password=PASSWORD)
    await create_user(session, email="lin@example.com", password=PASSWORD)
    answers = []
    async with running(create_app()) as app:
        # A new address each time: only the account's counter can stop them.
        for n in range(6):
            async with call(app, f"198.51.100.{n + 1}") as http:
                answers.append(await sign_in(http, "ADA@example.com", f"guess-{n}"))
        async with call(app, "198.51.100.99") as http:
            right_password = await sign_in(http, "ada@example.com", PASSWORD)
            other_account = await sign_in(http, "lin@example.com", PASSWORD)
    assert [r.status_code for r in answers] == [401] * 5 + [429]
    limited = answers[-1]
    assert limited.headers["content-type"] == PROBLEM_JSON
    assert 1 <= int(limited.headers["retry-after"]) <= MINUTE
    # The right password waits like a guess.
    assert right_password.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other_account.status_code == HTTPStatus.OK


@pytest.mark.usefixtures("session")
async def test_the_sixth_attempt_from_one_address_in_a_minute_is_429() -> None:
    async with running(create_app()) as app:
        async with call(app, "192.0.2.10") as http:
            answers = [
                (await sign_in(http, f"user{n}@example.com", PASSWORD)).status_code
                for n in range(6)
            ]
        async with call(app, "192.0.2.11") as http:
            elsewhere = await sign_in(http, "user9@example.com", PASSWORD)
    assert answers == [401] * 5 + [429]
    assert elsewhere.status_code == HTTPStatus.UNAUTHORIZED


async def test_successful_sign_ins_use_up_no_limit(session: AsyncSession) -> None:
    await create_user(session, email="ada@example.com", password=PASSWORD)
    async with running(create_app()) as app, call(app, "192.0.2.20") as http:
        answers = [(await sign_in(http, "ada@example.com", PASSWORD)).status_code for _ in range(7)]
    assert answers == [200] * 7


# --- tokens --------------------------------------------------------------------------------


async def test_an_expired_token_is_401(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session)
    settings = get_settings()
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(
        minutes=settings.access_token_expire_minutes, seconds=1
    )
    token = create_access_token(str(user.id), settings, now=issued)
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "The access token is invalid or expired."


async def test_a_tampered_or_foreign_token_is_401(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)
    admin = await create_user(session, admin=True)
    settings = get_settings()
    head, _, signature = create_access_token(str(user.id), settings).split(".")
    _, admin_claims, _ = create_access_token(str(admin.id), settings).split(".")
    other_key = settings.model_copy(update={"secret_key": type(settings.secret_key)("k" * 40)})
    tokens = [
        # Another user's claims under this signature.
        f"{head}.{admin_claims}.{signature}",
        create_access_token(str(user.id), other_key),
        "not-a-token",
        "",
    ]
    for token in tokens:
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == HTTPStatus.UNAUTHORIZED, token
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["detail"] == "The access token is invalid or expired."


async def test_a_token_naming_no_user_is_401(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    gone = await create_user(session)
    gone_id, headers = gone.id, headers_for(gone)
    await session.delete(gone)
    await session.commit()
    settings = get_settings()
    for subject in ("abc", "0", "-1", "٣", str(2**63)):
        token = create_access_token(subject, settings)
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == HTTPStatus.UNAUTHORIZED, subject
    # The next account never gets the deleted one's id, so its old token names nobody.
    newcomer = await create_user(session)
    assert newcomer.id != gone_id
    assert (await client.get(ME, headers=headers)).status_code == HTTPStatus.UNAUTHORIZED


# --- nothing sensitive leaves the app ------------------------------------------------------


async def test_no_password_or_hash_reaches_a_response_or_the_log(
    log_output: io.StringIO, session: AsyncSession
) -> None:
    new_password = "staple-battery-horse-correct"
    wrong_password = "hunter2-hunter2"
    admin = await create_user(session, admin=True)
    registration = {"email": "ada@example.com", "password": PASSWORD}
    hashed = select(User.hashed_password).where(User.email == "ada@example.com")
    async with running(create_app()) as app, call(app) as http:
        responses = [
            await http.post(f"{AUTH}/register", json=registration),
            await http.post(f"{AUTH}/register", json=registration),
            await http.post(f"{AUTH}/register", json={"email": "x", "password": wrong_password}),
            await sign_in(http, "ada@example.com", wrong_password),
        ]
        first_hash = await session.scalar(hashed)
        signed_in = await sign_in(http, "ada@example.com", PASSWORD)
        token = signed_in.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for current in (wrong_password, PASSWORD):
            change = {"current_password": current, "new_password": new_password}
            responses.append(await http.post(f"{ME}/password", json=change, headers=headers))
        responses.append(await http.get("/api/v1/users", headers=headers_for(admin)))
        responses.append(await http.get(ME, headers=headers))
    second_hash = await session.scalar(hashed.execution_options(populate_existing=True))
    assert first_hash
    assert second_hash
    assert first_hash != second_hash
    assert [r.status_code for r in responses] == [201, 409, 422, 401, 422, 204, 200, 200]
    logged = log_output.getvalue()
    assert "signed in" in logged
    assert "password changed" in logged
    secrets = (PASSWORD, new_password, wrong_password, first_hash, second_hash, "$argon2", token)
    for text in [logged, signed_in.text, *(r.text for r in responses)]:
        for secret in secrets:
            assert secret not in text or (secret == token and text == signed_in.text)
