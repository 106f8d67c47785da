"""Account routes: one's own account, the admins' routes, and `python -m app.users`."""

import io
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import Database, database
from app.main import create_app
from app.models.users import User
from app.users import main
from tests.factories.users import create_user, headers_for, sign_in

USERS = "/api/v1/users"
ME = f"{USERS}/me"
PROBLEM_JSON = "application/problem+json"
PASSWORD = "correct-horse-battery-staple"
NEW_PASSWORD = "staple-battery-horse-correct"
USAGE = 2  # the exit code of a command given bad arguments or input

ROUTES = [
    ("GET", ME),
    ("PATCH", ME),
    ("POST", f"{ME}/password"),
    ("GET", USERS),
    ("GET", f"{USERS}/1"),
    ("PATCH", f"{USERS}/1"),
]


@asynccontextmanager
async def fresh_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own, so its sign-in counters start empty (the shared
    app's, 5 a minute per client address, would run out across the suite)."""
    app = create_app()
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4321))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield http


async def password_works(email: str, password: str) -> bool:
    """Whether signing in with this password succeeds."""
    async with fresh_client() as http:
        response = await http.post(
            "/api/v1/auth/token", data={"username": email, "password": password}
        )
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.UNAUTHORIZED), response.text
    return response.status_code == HTTPStatus.OK


# --- anonymous -----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("authorization", [None, "Basic YWRhOnNlY3JldA=="])
async def test_every_route_is_401_problem_without_a_token(
    client: httpx.AsyncClient, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    body: dict[str, object] | None = {} if method != "GET" else None
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "Not signed in."


# --- one's own account ---------------------------------------------------------------------


async def test_users_me_is_the_signed_in_user(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, email="ada@example.com")
    response = await client.get(ME, headers=headers_for(user))
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert (body["id"], body["email"], body["is_admin"]) == (user.id, "ada@example.com", False)
    assert "hashed_password" not in body
    assert user.hashed_password not in response.text


async def test_patch_me_changes_the_email_lower_cased(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)
    response = await client.patch(ME, json={"email": "Ada@Example.com"}, headers=headers_for(user))
    assert response.status_code == HTTPStatus.OK, response.text
    assert response.json()["email"] == "ada@example.com"
    assert (await client.get(ME, headers=headers_for(user))).json()["email"] == "ada@example.com"


async def test_patch_me_to_a_taken_email_is_409(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_user(session, email="lin@example.com")
    user = await create_user(session)
    response = await client.patch(ME, json={"email": "LIN@example.com"}, headers=headers_for(user))
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["detail"] == "email is already taken."


@pytest.mark.parametrize(
    "body",
    [
        {"is_admin": True},
        {"password": NEW_PASSWORD},
        {"hashed_password": "!"},
        {"is_active": False},
        {"email": None},
    ],
)
async def test_patch_me_changes_nothing_but_the_email(
    client: httpx.AsyncClient, session: AsyncSession, body: dict[str, object]
) -> None:
    user = await create_user(session)
    response = await client.patch(ME, json=body, headers=headers_for(user))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"] == PROBLEM_JSON
    [field] = body
    assert response.json()["errors"][0]["loc"] == ["body", field]
    await session.refresh(user)
    assert (user.is_admin, user.is_active, user.hashed_password) == (False, True, "!")


async def test_changing_the_password_needs_the_current_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, email="ada@example.com", password=PASSWORD)
    url, headers = f"{ME}/password", headers_for(user)

    wrong = await client.post(
        url,
        json={"current_password": "not-it-at-all", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert wrong.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert wrong.json()["errors"] == [
        {
            "loc": ["body", "current_password"],
            "msg": "is not the current password",
            "type": "mismatch",
        }
    ]
    too_short = await client.post(
        url, json={"current_password": PASSWORD, "new_password": "short"}, headers=headers
    )
    assert too_short.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert too_short.json()["errors"][0]["loc"] == ["body", "new_password"]
    assert await password_works("ada@example.com", PASSWORD)

    changed = await client.post(
        url, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=headers
    )
    assert changed.status_code == HTTPStatus.NO_CONTENT
    assert changed.content == b""
    assert "content-type" not in changed.headers
    assert not await password_works("ada@example.com", PASSWORD)
    assert await password_works("ada@example.com", NEW_PASSWORD)


async def test_password_change_attempts_are_limited(session: AsyncSession) -> None:
    user = await create_user(session, password=PASSWORD)
    guess = {"current_password": "a-guess-at-it", "new_password": NEW_PASSWORD}
    async with fresh_client() as http:
        answers = [
            (await http.post(f"{ME}/password", json=guess, headers=headers_for(user))).status_code
            for _ in range(6)
        ]
    assert answers == [422] * 5 + [429]


# --- admins --------------------------------------------------------------------------------


async def test_an_admin_lists_and_filters_users(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await sign_in(session, admin=True)
    ada = await create_user(session, email="ada@example.com")
    lin = await create_user(session, email="lin@example.com")
    lin.is_active = False
    await session.commit()

    everyone = await client.get(USERS, headers=admin)
    assert everyone.status_code == HTTPStatus.OK
    page = everyone.json()
    assert page["total"] == len(("the admin", ada, lin))
    assert (page["limit"], page["offset"]) == (50, 0)
    assert "hashed_password" not in everyone.text
    assert "!" not in everyone.text
    by_email = await client.get(USERS, params={"email": "ADA@example.com"}, headers=admin)
    assert [item["id"] for item in by_email.json()["items"]] == [ada.id]
    inactive = await client.get(USERS, params={"is_active": "false"}, headers=admin)
    assert [item["id"] for item in inactive.json()["items"]] == [lin.id]
    second = await client.get(USERS, params={"limit": 1, "offset": 1}, headers=admin)
    assert [item["id"] for item in second.json()["items"]] == [ada.id]


async def test_an_admin_gets_a_user_and_404_for_an_unknown_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await sign_in(session, admin=True)
    ada = await create_user(session, email="ada@example.com")
    found = await client.get(f"{USERS}/{ada.id}", headers=admin)
    assert found.status_code == HTTPStatus.OK
    assert found.json()["email"] == "ada@example.com"
    missing = await client.get(f"{USERS}/2147483647", headers=admin)
    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert missing.json()["detail"] == "User not found."


async def test_the_admin_routes_are_403_for_a_user_who_is_not_an_admin(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)
    headers = headers_for(user)
    responses = [
        await client.get(USERS, headers=headers),
        await client.get(f"{USERS}/{user.id}", headers=headers),
        await client.patch(f"{USERS}/{user.id}", json={"email": "x@example.com"}, headers=headers),
    ]
    for response in responses:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.headers["content-type"] == PROBLEM_JSON
    await session.refresh(user)
    assert user.email != "x@example.com"


async def test_a_deactivated_user_s_token_is_401_at_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await sign_in(session, admin=True)
    user = await create_user(session)
    assert (await client.get(ME, headers=headers_for(user))).status_code == HTTPStatus.OK

    response = await client.patch(f"{USERS}/{user.id}", json={"is_active": False}, headers=admin)
    assert response.status_code == HTTPStatus.OK, response.text
    assert response.json()["is_active"] is False
    refused = await client.get(ME, headers=headers_for(user))
    assert refused.status_code == HTTPStatus.UNAUTHORIZED
    assert refused.json()["detail"] == "The access token is invalid or expired."

    await client.patch(f"{USERS}/{user.id}", json={"is_active": True}, headers=admin)
    assert (await client.get(ME, headers=headers_for(user))).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "body", [{"is_admin": True}, {"password": NEW_PASSWORD}, {"is_active": None}]
)
async def test_an_admin_cannot_grant_admin_or_set_a_password_through_the_api(
    client: httpx.AsyncClient, session: AsyncSession, body: dict[str, object]
) -> None:
    admin = await sign_in(session, admin=True)
    user = await create_user(session)
    response = await client.patch(f"{USERS}/{user.id}", json=body, headers=admin)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    await session.refresh(user)
    assert (user.is_admin, user.is_active, user.hashed_password) == (False, True, "!")


async def test_an_admin_update_of_an_unknown_user_is_404(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await sign_in(session, admin=True)
    response = await client.patch(f"{USERS}/2147483647", json={"is_active": False}, headers=admin)
    assert response.status_code == HTTPStatus.NOT_FOUND


# --- python -m app.users create-admin ------------------------------------------------------


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


async def test_create_admin_creates_an_admin_who_can_sign_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], session: AsyncSession
) -> None:
    stdin(monkeypatch, f"{PASSWORD}\n")
    assert await main(["create-admin", "Boss@Example.com"]) == 0
    out, err = capsys.readouterr()
    assert out == "created admin boss@example.com\n"
    assert PASSWORD not in out + err
    # The suite's engine is not the command's to stop.
    assert database.started
    boss = await session.scalar(select(User).where(User.email == "boss@example.com"))
    assert boss is not None
    assert boss.is_admin
    assert boss.is_active
    assert boss.hashed_password.startswith("$argon2id$")
    assert await password_works("boss@example.com", PASSWORD)


async def test_create_admin_promotes_an_existing_user_and_keeps_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], session: AsyncSession
) -> None:
    user = await create_user(session, email="boss@example.com", password=PASSWORD)
    user.is_active = False
    await session.commit()
    stdin(monkeypatch, f"{NEW_PASSWORD}\n")
    assert await main(["create-admin", "boss@example.com"]) == 0
    assert capsys.readouterr().out == "promoted boss@example.com to admin\n"
    await session.refresh(user)
    assert user.is_admin
    assert user.is_active
    assert await password_works("boss@example.com", PASSWORD)
    assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_create_admin_stops_the_engine_it_started(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], session: AsyncSession
) -> None:
    own = Database()
    monkeypatch.setattr("app.users.database", own)
    stdin(monkeypatch, f"{PASSWORD}\n")
    assert await main(["create-admin", "boss@example.com"]) == 0
    assert capsys.readouterr().out == "created admin boss@example.com\n"
    assert not own.started
    assert await session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    "case",
    [
        ("not-an-email", f"{PASSWORD}\n", "error: email: must be a valid email address\n"),
        ("boss@example.com", "short\n", "error: password: String should have at least 8"),
        ("boss@example.com", "x" * 129 + "\n", "error: password: String should have at most"),
        ("boss@example.com", "", "error: no password on standard input\n"),
    ],
)
async def test_create_admin_refuses_bad_input_with_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    session: AsyncSession,
    case: tuple[str, str, str],
) -> None:
    email, given, message = case
    stdin(monkeypatch, given)
    assert await main(["create-admin", email]) == USAGE
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1
    if given.strip():
        assert given.strip() not in err
    assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_create_admin_without_an_email_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        await main(["create-admin"])
    assert exited.value.code == USAGE
    assert "email" in capsys.readouterr().err
