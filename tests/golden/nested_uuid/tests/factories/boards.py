"""Valid payloads and rows for tests, created through the API.

Table: boards
"""

import itertools
from http import HTTPStatus
from typing import Any

from httpx import AsyncClient

_sequence = itertools.count(1)


async def build_board(_client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """A valid create payload; missing parents are created through the API."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "title": f"title-{n:04d}",
    }
    payload.update(overrides)
    return payload


async def create_board(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """Create one row through the API and return its JSON body."""
    payload = await build_board(client, **overrides)
    response = await client.post("/api/v1/boards", json=payload)
    assert response.status_code == HTTPStatus.CREATED, response.text
    body: dict[str, Any] = response.json()
    return body
