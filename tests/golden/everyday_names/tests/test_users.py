"""API tests: every route, and the ways each one must fail.

Table: users
"""

import asyncio
import datetime as dt
from http import HTTPStatus

from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.main import create_app
from tests.factories.users import build_user, create_user

ITEMS = "/api/v1/users"
MISSING_ID = 2147483647
PROBLEM = "application/problem+json"


async def test_the_default_rate_limit_applies_to_these_routes(client: AsyncClient) -> None:
    app = create_app(Settings(rate_limit_default="2/minute"))
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://test") as limited:
        url = f"{ITEMS}/{MISSING_ID}"
        answers = [(await limited.get(url, headers=client.headers)).status_code for _ in range(3)]
    assert answers == [404, 404, 429]


async def test_create_returns_201_and_the_row(client: AsyncClient) -> None:
    payload = await build_user(client)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.CREATED, response.text
    body = response.json()
    assert body["id"]
    assert body["email"] == payload["email"]
    assert body["role"] == payload["role"]


async def test_get_returns_the_row(client: AsyncClient) -> None:
    created = await create_user(client)
    response = await client.get(f"{ITEMS}/{created['id']}")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == created


async def test_get_unknown_id_is_404_problem(client: AsyncClient) -> None:
    response = await client.get(f"{ITEMS}/{MISSING_ID}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == HTTPStatus.NOT_FOUND


async def test_list_paginates(client: AsyncClient) -> None:
    ids = [(await create_user(client))["id"] for _ in range(3)]
    response = await client.get(ITEMS, params={"limit": 2, "offset": 1})
    assert response.status_code == HTTPStatus.OK
    page = response.json()
    assert page["total"] == len(ids)
    assert (page["limit"], page["offset"]) == (2, 1)
    assert [item["id"] for item in page["items"]] == ids[1:], "oldest first"


async def test_list_refuses_limit_over_100(client: AsyncClient) -> None:
    response = await client.get(ITEMS, params={"limit": 101})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_list_filters_by_email(client: AsyncClient) -> None:
    mine = await create_user(client)
    await create_user(client)
    response = await client.get(ITEMS, params={"email": mine["email"]})
    assert response.status_code == HTTPStatus.OK
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]


async def test_email_is_unique_whatever_its_case(client: AsyncClient) -> None:
    await create_user(client, email="Mixed.Case@Example.com")
    payload = await build_user(client, email="mixed.case@EXAMPLE.com")
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.CONFLICT, response.text


async def test_update_changes_only_given_fields(client: AsyncClient) -> None:
    created = await create_user(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"role": "admin"})
    assert response.status_code == HTTPStatus.OK, response.text
    body = response.json()
    assert body["role"] == "admin"
    assert {k: v for k, v in body.items() if k not in ("role", "updated_at")} == {
        k: v for k, v in created.items() if k not in ("role", "updated_at")
    }
    assert dt.datetime.fromisoformat(body["updated_at"]) > dt.datetime.fromisoformat(
        created["updated_at"]
    )
    assert (await client.get(f"{ITEMS}/{created['id']}")).json() == body


async def test_update_unknown_id_is_404(client: AsyncClient) -> None:
    response = await client.patch(f"{ITEMS}/{MISSING_ID}", json={})
    assert response.status_code == HTTPStatus.NOT_FOUND


async def test_update_refuses_null_for_required_field(client: AsyncClient) -> None:
    created = await create_user(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"email": None})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_delete_returns_204_then_404(client: AsyncClient) -> None:
    created = await create_user(client)
    response = await client.delete(f"{ITEMS}/{created['id']}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert "content-type" not in response.headers
    assert response.content == b""
    assert (await client.get(f"{ITEMS}/{created['id']}")).status_code == HTTPStatus.NOT_FOUND


async def test_concurrent_update_and_delete_are_never_a_server_error(client: AsyncClient) -> None:
    for _ in range(5):
        created = await create_user(client)
        url = f"{ITEMS}/{created['id']}"
        patched, deleted = await asyncio.gather(client.patch(url, json={}), client.delete(url))
        # The row vanishes before, during or after the update: 200 or 404, never a 5xx.
        assert patched.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND), patched.text
        assert deleted.status_code == HTTPStatus.NO_CONTENT, deleted.text


async def test_create_refuses_unknown_fields_without_echoing_them(client: AsyncClient) -> None:
    payload = await build_user(client)
    payload["id"] = 12345
    payload["unexpected_field"] = "do-not-echo-this-value"
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "do-not-echo-this-value" not in response.text


async def test_create_refuses_value_too_long(client: AsyncClient) -> None:
    payload = await build_user(client, email="x" * 321)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["errors"][0]["loc"][-1] == "email"


async def test_duplicate_unique_value_is_409_naming_the_field(client: AsyncClient) -> None:
    first = await create_user(client)
    payload = await build_user(client, email=first["email"])
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"] == "email is already taken."
