"""API tests: every route, and the ways each one must fail.

Table: weekly_requirements
"""

import asyncio
import datetime as dt
from http import HTTPStatus

from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.main import create_app
from tests.factories.weekly_requirements import build_weekly_requirement, create_weekly_requirement

ITEMS = "/api/v1/weekly-requirements"
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
    payload = await build_weekly_requirement(client)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.CREATED, response.text
    body = response.json()
    assert body["id"]
    assert body["resident_id"] == payload["resident_id"]
    assert body["week_start"] == payload["week_start"]
    assert body["min_hours"] == payload["min_hours"]
    assert body["max_hours"] == payload["max_hours"]
    assert body["notes"] == payload["notes"]


async def test_get_returns_the_row(client: AsyncClient) -> None:
    created = await create_weekly_requirement(client)
    response = await client.get(f"{ITEMS}/{created['id']}")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == created


async def test_get_unknown_id_is_404_problem(client: AsyncClient) -> None:
    response = await client.get(f"{ITEMS}/{MISSING_ID}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == HTTPStatus.NOT_FOUND


async def test_list_paginates(client: AsyncClient) -> None:
    ids = [(await create_weekly_requirement(client))["id"] for _ in range(3)]
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


async def test_list_filters_by_resident_id(client: AsyncClient) -> None:
    mine = await create_weekly_requirement(client)
    await create_weekly_requirement(client)
    response = await client.get(ITEMS, params={"resident_id": mine["resident_id"]})
    assert response.status_code == HTTPStatus.OK
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]


async def test_deleting_its_resident_removes_it(client: AsyncClient) -> None:
    created = await create_weekly_requirement(client)
    response = await client.delete(f"/api/v1/residents/{created['resident_id']}")
    assert response.status_code == HTTPStatus.NO_CONTENT, response.text
    after = await client.get(f"{ITEMS}/{created['id']}")
    assert after.status_code == HTTPStatus.NOT_FOUND


async def test_duplicate_resident_id_and_week_start_is_409(client: AsyncClient) -> None:
    first = await build_weekly_requirement(client)
    await create_weekly_requirement(client, **first)
    payload = await build_weekly_requirement(
        client, resident_id=first["resident_id"], week_start=first["week_start"]
    )
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.CONFLICT, response.text
    assert response.json()["detail"] == "resident_id and week_start are already taken together."


async def test_update_changes_only_given_fields(client: AsyncClient) -> None:
    created = await create_weekly_requirement(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"week_start": "2024-06-15"})
    assert response.status_code == HTTPStatus.OK, response.text
    body = response.json()
    assert body["week_start"] == "2024-06-15"
    assert {k: v for k, v in body.items() if k not in ("week_start", "updated_at")} == {
        k: v for k, v in created.items() if k not in ("week_start", "updated_at")
    }
    assert dt.datetime.fromisoformat(body["updated_at"]) > dt.datetime.fromisoformat(
        created["updated_at"]
    )
    assert (await client.get(f"{ITEMS}/{created['id']}")).json() == body


async def test_update_unknown_id_is_404(client: AsyncClient) -> None:
    response = await client.patch(f"{ITEMS}/{MISSING_ID}", json={})
    assert response.status_code == HTTPStatus.NOT_FOUND


async def test_update_refuses_null_for_required_field(client: AsyncClient) -> None:
    created = await create_weekly_requirement(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"resident_id": None})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_delete_returns_204_then_404(client: AsyncClient) -> None:
    created = await create_weekly_requirement(client)
    response = await client.delete(f"{ITEMS}/{created['id']}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert "content-type" not in response.headers
    assert response.content == b""
    assert (await client.get(f"{ITEMS}/{created['id']}")).status_code == HTTPStatus.NOT_FOUND


async def test_concurrent_update_and_delete_are_never_a_server_error(client: AsyncClient) -> None:
    for _ in range(5):
        created = await create_weekly_requirement(client)
        url = f"{ITEMS}/{created['id']}"
        patched, deleted = await asyncio.gather(client.patch(url, json={}), client.delete(url))
        # The row vanishes before, during or after the update: 200 or 404, never a 5xx.
        assert patched.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND), patched.text
        assert deleted.status_code == HTTPStatus.NO_CONTENT, deleted.text


async def test_create_breaking_min_hours_le_max_hours_is_422_naming_the_rule(
    client: AsyncClient,
) -> None:
    payload = await build_weekly_requirement(client, min_hours=2)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
    assert response.json()["errors"] == [
        {"loc": ["body", "min_hours"], "msg": "min_hours must be <= max_hours", "type": "check"}
    ]


async def test_patch_breaking_min_hours_le_max_hours_against_the_stored_row_is_422(
    client: AsyncClient,
) -> None:
    created = await create_weekly_requirement(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"min_hours": 2})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
    assert response.json()["errors"] == [
        {"loc": ["body", "min_hours"], "msg": "min_hours must be <= max_hours", "type": "check"}
    ]


async def test_create_refuses_true_and_numeric_strings_for_an_int(client: AsyncClient) -> None:
    for wrong in (True, "2"):
        payload = await build_weekly_requirement(client, min_hours=wrong)
        response = await client.post(ITEMS, json=payload)
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
        assert response.json()["errors"][0]["loc"] == ["body", "min_hours"]


async def test_create_refuses_unknown_fields_without_echoing_them(client: AsyncClient) -> None:
    payload = await build_weekly_requirement(client)
    payload["id"] = 12345
    payload["unexpected_field"] = "do-not-echo-this-value"
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "do-not-echo-this-value" not in response.text


async def test_create_refuses_value_above_maximum(client: AsyncClient) -> None:
    payload = await build_weekly_requirement(client, min_hours=2147483648)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["errors"][0]["loc"][-1] == "min_hours"


async def test_unknown_reference_is_422_naming_the_field(client: AsyncClient) -> None:
    payload = await build_weekly_requirement(client, resident_id=2147483647)
    response = await client.post(ITEMS, json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"] == [
        {
            "loc": ["body", "resident_id"],
            "msg": "refers to a resident that does not exist",
            "type": "reference",
        }
    ]


async def test_include_resident(client: AsyncClient, statements: list[str]) -> None:
    """?include= embeds the row, with no query per row: as many for 3 rows as for 1."""
    first = await create_weekly_requirement(client)
    url = ITEMS
    statements.clear()
    one = await client.get(url, params={"include": "resident"})
    for_one = len(statements)
    rows = 3
    for _ in range(rows - 1):
        await create_weekly_requirement(client)
    statements.clear()
    many = await client.get(url, params={"include": "resident"})
    assert (one.status_code, many.status_code) == (HTTPStatus.OK, HTTPStatus.OK), many.text
    items = many.json()["items"]
    assert len(items) == rows
    # One SELECT for the page, one for the related rows: as many for several rows as for 1.
    assert len(statements) == for_one
    assert items[0]["resident"]["id"] == first["resident_id"]


async def test_get_include_resident(client: AsyncClient) -> None:
    """GET one row with ?include= embeds it; without, the key is absent."""
    created = await create_weekly_requirement(client)
    url = f"{ITEMS}/{created['id']}"
    embedded = await client.get(url, params={"include": "resident"})
    assert embedded.status_code == HTTPStatus.OK, embedded.text
    assert embedded.json()["resident"]["id"] == created["resident_id"]
    assert "resident" not in (await client.get(url)).json()


async def test_an_unknown_include_is_422(client: AsyncClient) -> None:
    created = await create_weekly_requirement(client)
    response = await client.get(f"{ITEMS}/{created['id']}", params={"include": "nope"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
