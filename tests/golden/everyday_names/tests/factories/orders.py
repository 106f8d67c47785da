"""Valid payloads and rows for tests, created through the API.

Table: orders
"""

import itertools
from http import HTTPStatus
from typing import Any

from httpx import AsyncClient

from tests.factories.users import create_user

_sequence = itertools.count(1)


async def build_order(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """A valid create payload; missing parents are created through the API."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "user": f"user-{n:04d}",
        "order": 1,
        "from": f"from-{n:04d}",
        "metadata": {"key": "value", "count": 1},
        "payload": {"key": "value", "count": 1},
        "limit": 1,
        "status": "pending",
    }
    if "user_id" not in overrides:
        payload["user_id"] = (await create_user(client))["id"]
    payload.update(overrides)
    return payload


async def create_order(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """Create one row through the API and return its JSON body."""
    payload = await build_order(client, **overrides)
    response = await client.post("/api/v1/orders", json=payload)
    assert response.status_code == HTTPStatus.CREATED, response.text
    body: dict[str, Any] = response.json()
    return body
