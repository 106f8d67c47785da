"""API tests: every route, and the ways each one must fail.

Table: cards
"""

import asyncio
import datetime as dt
from http import HTTPStatus

from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.main import create_app
from tests.factories.cards import build_card, create_card

ITEMS = "/api/v1/cards"
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
    payload = await build_card(client)
    parent_id = payload.pop("board_id")
    response = await client.post(f"/api/v1/boards/{parent_id}/cards", json=payload)
    payload["board_id"] = parent_id
    assert response.status_code == HTTPStatus.CREATED, response.text
    body = response.json()
    assert body["id"]
    assert body["board_id"] == payload["board_id"]
    assert body["title"] == payload["title"]
    assert body["status"] == payload["status"]


async def test_get_returns_the_row(client: AsyncClient) -> None:
    created = await create_card(client)
    response = await client.get(f"{ITEMS}/{created['id']}")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == created


async def test_get_unknown_id_is_404_problem(client: AsyncClient) -> None:
    response = await client.get(f"{ITEMS}/{MISSING_ID}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == HTTPStatus.NOT_FOUND


async def test_nested_list_paginates(client: AsyncClient) -> None:
    first = await create_card(client)
    parent_id = first["board_id"]
    ids = [first["id"]]
    ids += [(await create_card(client, board_id=parent_id))["id"] for _ in range(2)]
    await create_card(client)
    response = await client.get(
        f"/api/v1/boards/{parent_id}/cards", params={"limit": 2, "offset": 1}
    )
    assert response.status_code == HTTPStatus.OK
    page = response.json()
    assert page["total"] == len(ids)
    assert (page["limit"], page["offset"]) == (2, 1)
    assert [item["id"] for item in page["items"]] == ids[1:], "oldest first"


async def test_nested_list_of_unknown_parent_is_404(client: AsyncClient) -> None:
    parent_id = "00000000-0000-4000-8000-000000000000"
    response = await client.get(f"/api/v1/boards/{parent_id}/cards")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_create_under_unknown_parent_is_404(client: AsyncClient) -> None:
    payload = await build_card(client)
    payload.pop("board_id")
    parent_id = "00000000-0000-4000-8000-000000000000"
    response = await client.post(f"/api/v1/boards/{parent_id}/cards", json=payload)
    assert response.status_code == HTTPStatus.NOT_FOUND


async def test_deleting_its_board_is_refused(client: AsyncClient) -> None:
    created = await create_card(client)
    response = await client.delete(f"/api/v1/boards/{created['board_id']}")
    assert response.status_code == HTTPStatus.CONFLICT, response.text
    after = await client.get(f"{ITEMS}/{created['id']}")
    assert after.status_code == HTTPStatus.OK


async def test_update_changes_only_given_fields(client: AsyncClient) -> None:
    created = await create_card(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"title": "updated"})
    assert response.status_code == HTTPStatus.OK, response.text
    body = response.json()
    assert body["title"] == "updated"
    assert {k: v for k, v in body.items() if k not in ("title", "updated_at")} == {
        k: v for k, v in created.items() if k not in ("title", "updated_at")
    }
    assert dt.datetime.fromisoformat(body["updated_at"]) > dt.datetime.fromisoformat(
        created["updated_at"]
    )
    assert (await client.get(f"{ITEMS}/{created['id']}")).json() == body


async def test_update_unknown_id_is_404(client: AsyncClient) -> None:
    response = await client.patch(f"{ITEMS}/{MISSING_ID}", json={})
    assert response.status_code == HTTPStatus.NOT_FOUND


async def test_update_refuses_null_for_required_field(client: AsyncClient) -> None:
    created = await create_card(client)
    response = await client.patch(f"{ITEMS}/{created['id']}", json={"board_id": None})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_delete_returns_204_then_404(client: AsyncClient) -> None:
    created = await create_card(client)
    response = await client.delete(f"{ITEMS}/{created['id']}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert "content-type" not in response.headers
    assert response.content == b""
    assert (await client.get(f"{ITEMS}/{created['id']}")).status_code == HTTPStatus.NOT_FOUND


async def test_concurrent_update_and_delete_are_never_a_server_error(client: AsyncClient) -> None:
    for _ in range(5):
        created = await create_card(client)
        url = f"{ITEMS}/{created['id']}"
        patched, deleted = await asyncio.gather(client.patch(url, json={}), client.delete(url))
        # The row vanishes before, during or after the update: 200 or 404, never a 5xx.
        assert patched.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND), patched.text
        assert deleted.status_code == HTTPStatus.NO_CONTENT, deleted.text


async def test_create_refuses_a_blank_required_string(client: AsyncClient) -> None:
    for blank in ("", "   "):
        payload = await build_card(client, title=blank)
        parent_id = payload.pop("board_id")
        response = await client.post(f"/api/v1/boards/{parent_id}/cards", json=payload)
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
        assert response.json()["errors"][0]["loc"] == ["body", "title"]


async def test_create_refuses_unknown_fields_without_echoing_them(client: AsyncClient) -> None:
    payload = await build_card(client)
    parent_id = payload.pop("board_id")
    payload["id"] = 12345
    payload["unexpected_field"] = "do-not-echo-this-value"
    response = await client.post(f"/api/v1/boards/{parent_id}/cards", json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "do-not-echo-this-value" not in response.text


async def test_create_refuses_value_too_long(client: AsyncClient) -> None:
    payload = await build_card(client, title="x" * 81)
    parent_id = payload.pop("board_id")
    response = await client.post(f"/api/v1/boards/{parent_id}/cards", json=payload)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["errors"][0]["loc"][-1] == "title"


async def test_include_board(client: AsyncClient, statements: list[str]) -> None:
    """?include= embeds the row, with no query per row: as many for 3 rows as for 1."""
    first = await create_card(client)
    parent_id = first["board_id"]
    url = f"/api/v1/boards/{parent_id}/cards"
    statements.clear()
    one = await client.get(url, params={"include": "board"})
    for_one = len(statements)
    rows = 3
    for _ in range(rows - 1):
        await create_card(client, board_id=parent_id)
    statements.clear()
    many = await client.get(url, params={"include": "board"})
    assert (one.status_code, many.status_code) == (HTTPStatus.OK, HTTPStatus.OK), many.text
    items = many.json()["items"]
    assert len(items) == rows
    # One SELECT for the page, one for the related rows: as many for several rows as for 1.
    assert len(statements) == for_one
    assert items[0]["board"]["id"] == first["board_id"]


async def test_get_include_board(client: AsyncClient) -> None:
    """GET one row with ?include= embeds it; without, the key is absent."""
    created = await create_card(client)
    url = f"{ITEMS}/{created['id']}"
    embedded = await client.get(url, params={"include": "board"})
    assert embedded.status_code == HTTPStatus.OK, embedded.text
    assert embedded.json()["board"]["id"] == created["board_id"]
    assert "board" not in (await client.get(url)).json()


async def test_an_unknown_include_is_422(client: AsyncClient) -> None:
    created = await create_card(client)
    response = await client.get(f"{ITEMS}/{created['id']}", params={"include": "nope"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith(PROBLEM)
