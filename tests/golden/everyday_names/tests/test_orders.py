"""API tests: every route, and the ways each one must fail.

Table: orders
"""

import asyncio
import datetime as dt
from http import HTTPStatus

from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.main import create_app
from tests.factories.orders import build_order, create_order

ITEMS = "/api/v1/orders"
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
    payload = await build_order(client)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.CREATED, response.text
    body = response.json()
    assert body["id"]
    assert body["user_id"] == payload["user_id"]
    assert body["user"] == payload["user"]
    assert body["order"] == payload["order"]
    assert body["from"] == payload["from"]
    assert body["metadata"] == payload["metadata"]
    assert body["payload"] == payload["payload"]
    assert body["limit"] == payload["limit"]
    assert body["status"] == payload["status"]


async def test_get_returns_the_row(client: AsyncClient) -> None:
    created = await create_order(client)
    response = await client.get(f"{ITEMS}/{created['id']}")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == created


async def test_get_unknown_id_is_404_problem(client: AsyncClient) -> None:
    response = await client.get(f"{ITEMS}/{MISSING_ID}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == HTTPStatus.NOT_FOUND


async def test_list_paginates(client: AsyncClient) -> None:
    ids = [(await create_order(client))["id"] for _ in range(3)]
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


async def test_list_filters_by_user_id(client: AsyncClient) -> None:
    mine = await create_order(client)
    await create_order(client)
    response = await client.get(ITEMS, params={"user_id": mine["user_id"]})
    assert response.status_code == HTTPStatus.OK
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]


async def test_list_filters_by_from(client: AsyncClient) -> None:
    mine = await create_order(client)
    await create_order(client, **{"from": "updated"})
    response = await client.get(ITEMS, params={"from": mine["from"]})
    assert response.status_code == HTTPStatus.OK
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]


async def test_deleting_its_user_removes_it(client: AsyncClient) -> None:
    created = await create_order(client)
    response = await client.delete(f"/api/v1/users/{created['user_id']}")
    assert response.status_code == HTTPStatus.NO_CONTENT, response.text
    after = await client.get(f"{ITEMS}/{created['id']}")
    assert after.status_code == HTTPStatus.NOT_FOUND


async def test_update_changes_only_given_fields(client: AsyncClient) -> None:
    created = await create_order(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"user": "updated"})
    assert response.status_code == HTTPStatus.OK, response.text
    body = response.json()
    assert body["user"] == "updated"
    assert {k: v for k, v in body.items() if k not in ("user", "updated_at")} == {
        k: v for k, v in created.items() if k not in ("user", "updated_at")
    }
    assert dt.datetime.fromisoformat(body["updated_at"]) > dt.datetime.fromisoformat(
        created["updated_at"]
    )
    assert (await client.get(f"{ITEMS}/{created['id']}")).json() == body


async def test_update_unknown_id_is_404(client: AsyncClient) -> None:
    response = await client.patch(f"{ITEMS}/{MISSING_ID}", json={})
    assert response.status_code == HTTPStatus.NOT_FOUND


async def test_update_refuses_null_for_required_field(client: AsyncClient) -> None:
    created = await create_order(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"user_id": None})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_delete_returns_204_then_404(client: AsyncClient) -> None:
    created = await create_order(client)
    response = await client.delete(f"{ITEMS}/{created['id']}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert "content-type" not in response.headers
    assert response.content == b""
    assert (await client.get(f"{ITEMS}/{created['id']}")).status_code == HTTPStatus.NOT_FOUND


async def test_concurrent_update_and_delete_are_never_a_server_error(client: AsyncClient) -> None:
    for _ in range(5):
        created = await create_order(client)
        url = f"{ITEMS}/{created['id']}"
        patched, deleted = await asyncio.gather(client.patch(url, json={}), client.delete(url))
        # The row vanishes before, during or after the update: 200 or 404, never a 5xx.
        assert patched.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND), patched.text
        assert deleted.status_code == HTTPStatus.NO_CONTENT, deleted.text


async def test_create_breaking_order_le_limit_is_422_naming_the_rule(client: AsyncClient) -> None:
    payload = await build_order(client, order=2)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
    assert response.json()["errors"] == [
        {"loc": ["body", "order"], "msg": "order must be <= limit", "type": "check"}
    ]


async def test_patch_breaking_order_le_limit_against_the_stored_row_is_422(
    client: AsyncClient,
) -> None:
    created = await create_order(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"order": 2})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
    assert response.json()["errors"] == [
        {"loc": ["body", "order"], "msg": "order must be <= limit", "type": "check"}
    ]


async def test_create_refuses_a_blank_required_string(client: AsyncClient) -> None:
    for blank in ("", "   "):
        payload = await build_order(client, user=blank)
        response = await client.post(ITEMS, json=payload)
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
        assert response.json()["errors"][0]["loc"] == ["body", "user"]


async def test_create_refuses_true_and_numeric_strings_for_an_int(client: AsyncClient) -> None:
    for wrong in (True, "2"):
        payload = await build_order(client, order=wrong)
        response = await client.post(ITEMS, json=payload)
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
        assert response.json()["errors"][0]["loc"] == ["body", "order"]


async def test_create_refuses_unknown_fields_without_echoing_them(client: AsyncClient) -> None:
    payload = await build_order(client)
    payload["id"] = 12345
    payload["unexpected_field"] = "do-not-echo-this-value"
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "do-not-echo-this-value" not in response.text


async def test_create_refuses_value_too_long(client: AsyncClient) -> None:
    payload = await build_order(client, user="x" * 41)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["errors"][0]["loc"][-1] == "user"


async def test_unknown_reference_is_422_naming_the_field(client: AsyncClient) -> None:
    payload = await build_order(client, user_id=2147483647)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"] == [
        {
            "loc": ["body", "user_id"],
            "msg": "refers to a user that does not exist",
            "type": "reference",
        }
    ]


async def test_include_user_ref(client: AsyncClient, statements: list[str]) -> None:
    """?include= embeds the row, with no query per row: as many for 3 rows as for 1."""
    first = await create_order(client)
    url = ITEMS
    statements.clear()
    one = await client.get(url, params={"include": "user_ref"})
    for_one = len(statements)
    rows = 3
    for _ in range(rows - 1):
        await create_order(client)
    statements.clear()
    many = await client.get(url, params={"include": "user_ref"})
    assert (one.status_code, many.status_code) == (HTTPStatus.OK, HTTPStatus.OK), many.text
    items = many.json()["items"]
    assert len(items) == rows
    # One SELECT for the page, one for the related rows: as many for several rows as for 1.
    assert len(statements) == for_one
    assert items[0]["user_ref"]["id"] == first["user_id"]


async def test_get_include_user_ref(client: AsyncClient) -> None:
    """GET one row with ?include= embeds it; without, the key is absent."""
    created = await create_order(client)
    url = f"{ITEMS}/{created['id']}"
    embedded = await client.get(url, params={"include": "user_ref"})
    assert embedded.status_code == HTTPStatus.OK, embedded.text
    assert embedded.json()["user_ref"]["id"] == created["user_id"]
    assert "user_ref" not in (await client.get(url)).json()


async def test_an_unknown_include_is_422(client: AsyncClient) -> None:
    created = await create_order(client)
    response = await client.get(f"{ITEMS}/{created['id']}", params={"include": "nope"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
