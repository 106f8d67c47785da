"""Valid payloads and rows for tests, created through the API.

Table: cards
"""

import itertools
from http import HTTPStatus
from typing import Any

from httpx import AsyncClient

from tests.factories.boards import create_board

_sequence = itertools.count(1)


async def build_card(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """A valid create payload; missing parents are created through the API."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "title": f"title-{n:04d}",
        "status": "todo",
    }
    if "board_id" not in overrides:
        payload["board_id"] = (await create_board(client))["id"]
    payload.update(overrides)
    return payload


async def create_card(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """Create one row through the API and return its JSON body."""
    payload = await build_card(client, **overrides)
    parent_id = payload.pop("board_id")
    response = await client.post(f"/api/v1/boards/{parent_id}/cards", json=payload)
    assert response.status_code == HTTPStatus.CREATED, response.text
    body: dict[str, Any] = response.json()
    return body
