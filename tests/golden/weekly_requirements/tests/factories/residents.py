"""Valid payloads and rows for tests, created through the API.

Table: residents
"""

import itertools
from http import HTTPStatus
from typing import Any

from httpx import AsyncClient

_sequence = itertools.count(1)


async def build_resident(_client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """A valid create payload; missing parents are created through the API."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "name": f"name-{n:04d}",
        "email": f"user{n}@example.com",
        "pgy": 1,
    }
    payload.update(overrides)
    return payload


async def create_resident(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """Create one row through the API and return its JSON body."""
    payload = await build_resident(client, **overrides)
    response = await client.post("/api/v1/residents", json=payload)
    assert response.status_code == HTTPStatus.CREATED, response.text
    body: dict[str, Any] = response.json()
    return body
