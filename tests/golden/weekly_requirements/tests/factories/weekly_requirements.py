"""Valid payloads and rows for tests, created through the API.

Table: weekly_requirements
"""

import datetime as dt
import itertools
from http import HTTPStatus
from typing import Any

from httpx import AsyncClient

from tests.factories.residents import create_resident

_sequence = itertools.count(1)


async def build_weekly_requirement(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """A valid create payload; missing parents are created through the API."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "week_start": (dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat(),
        "min_hours": 1,
        "max_hours": 1,
        "notes": f"notes-{n:04d}",
    }
    if "resident_id" not in overrides:
        payload["resident_id"] = (await create_resident(client))["id"]
    payload.update(overrides)
    return payload


async def create_weekly_requirement(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """Create one row through the API and return its JSON body."""
    payload = await build_weekly_requirement(client, **overrides)
    response = await client.post("/api/v1/weekly-requirements", json=payload)
    assert response.status_code == HTTPStatus.CREATED, response.text
    body: dict[str, Any] = response.json()
    return body
