"""The domain fuzzer's ownership probe, copied into each generated project as
tests/test_fuzz_ownership_probe.py (after its static checks) and run among its tests with
its own fixtures and factories; never imported here.

Generic: which rows are a user's comes from the models (``__owner__`` and
``__owned_through__``), the routes from the app's OpenAPI paths. Alice creates a row of
every owned table (the factories create the rows they hang from); Bob must reach none of
them by any path: each version's GET/PATCH/DELETE of the row, the lists nested under it,
its table's lists, ``?include=`` of shared rows that link to it; the admin and Alice are
the controls that the paths are right.
"""

# Sorted as the generated project sorts them (`app` is first-party there).
# ruff: noqa: I001

import importlib
import re
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import RelationshipDirection

from app.db.base import Base
from app.main import app
from tests.factories.users import sign_in


def _create(table: str) -> Any:
    """The factory that creates a row of ``table`` through the API."""
    module = importlib.import_module(f"tests.factories.{table}")
    [create] = [
        f
        for name, f in vars(module).items()
        if name.startswith("create_") and getattr(f, "__module__", "") == module.__name__
    ]
    return create


def _scoped(cls: Any) -> bool:
    return bool(getattr(cls, "__owner__", None) or getattr(cls, "__owned_through__", None))


def _urls(table: str, row_id: object) -> tuple[list[str], list[str], list[str]]:
    """Every version's item path of the row, the lists nested under it, and the lists
    of its table."""
    route = table.replace("_", "-")
    items, nested, lists = [], [], []
    for path, operations in app.openapi()["paths"].items():
        url = re.sub(r"\{[^}]+\}", str(row_id), path)
        if re.fullmatch(rf"/api/v\d+/{route}/\{{[^}}]+\}}", path):
            items.append(url)
        elif re.fullmatch(rf"/api/v\d+/{route}/\{{[^}}]+\}}/[a-z0-9-]+", path):
            if "get" in operations:
                nested.append(url)
        elif re.fullmatch(rf"/api/v\d+/{route}", path) and "get" in operations:
            lists.append(path)
    return items, nested, lists


async def _linked(
    client: AsyncClient, models: dict[str, Any], rows: dict[str, Any], bob: Any
) -> list[str]:
    """Shared rows pointing at Alice's rows (an optional reference is a link, not
    ownership): Bob reads the shared row, never the linked one (``?include=`` is null)."""
    leaks = []
    for table, mapper in sorted(models.items()):
        if table in rows or table == "users":
            continue
        for rel in mapper.relationships:
            target = rel.mapper.class_.__tablename__
            if rel.direction is not RelationshipDirection.MANYTOONE or target not in rows:
                continue
            [column] = list(rel.local_columns)
            shared = await _create(table)(client, **{column.key: rows[target]["id"]})
            for url in _urls(table, shared["id"])[0]:
                seen = await client.get(f"{url}?include={rel.key}", headers=bob)
                if seen.status_code != 200 or seen.json().get(rel.key) is not None:
                    leaks.append(f"Bob GET {url}?include={rel.key}: {seen.status_code} {seen.text}")
                mine = await client.get(f"{url}?include={rel.key}")
                if mine.status_code != 200 or mine.json().get(rel.key) is None:
                    leaks.append(
                        f"Alice GET {url}?include={rel.key} (the probe's control): {mine.text}"
                    )
    return leaks


async def _refused(client: AsyncClient, method: str, url: str, row_id: Any, bob: Any) -> str:
    """What is wrong with Bob's answer on Alice's row: not a 404, unless it is the refusal
    he gets for a row that does not exist (a 403 of admin-only writes tells him nothing)."""
    body = {} if method == "PATCH" else None
    response = await client.request(method, url, json=body, headers=bob)
    if response.status_code == 404:
        return ""
    missing = "00000000-0000-4000-8000-000000000000" if isinstance(row_id, str) else 2147483647
    # The id's own path segment: a plain replace of id 1 also rewrote the /api/v1 prefix.
    absent_url = re.sub(rf"/{re.escape(str(row_id))}(?=/|$)", f"/{missing}", url)
    absent = await client.request(method, absent_url, json=body, headers=bob)
    if response.status_code >= 400 and response.status_code == absent.status_code:
        return ""
    return f"Bob {method} {url}: {response.status_code} {response.text}"


async def _reached(client: AsyncClient, table: str, row: Any, users: dict[str, Any]) -> list[str]:
    """Bob on every path to Alice's ``row``: each version's item routes (GET, PATCH,
    DELETE), the lists nested under it, its table's lists; the admin and Alice as controls."""
    leaks = []
    bob = users["bob"]
    items, nested, lists = _urls(table, row["id"])
    assert items, f"no item route found for {table}"
    for url in nested + items:
        got = (await client.get(url, headers=users["admin"])).status_code
        if got != 200:
            leaks.append(f"admin GET {url}: {got} (the probe's control)")
        leaks.append(await _refused(client, "GET", url, row["id"], bob))
        if url in items:
            leaks.append(await _refused(client, "PATCH", url, row["id"], bob))
    for url in lists:
        page = (await client.get(url, headers=bob)).json()
        if page.get("total") != 0 or page.get("items"):
            leaks.append(f"Bob GET {url}: {page}")
        page = (await client.get(url)).json()
        if row["id"] not in [item["id"] for item in page["items"]]:
            leaks.append(f"Alice GET {url} misses her row {row['id']}: {page}")
    for url in items:
        leaks.append(await _refused(client, "DELETE", url, row["id"], bob))
        got = (await client.get(url)).status_code
        if got != 200:
            leaks.append(f"Alice GET {url} after Bob's tries: {got}")
    return [leak for leak in leaks if leak]


async def test_another_user_reaches_none_of_the_owned_rows(
    client: AsyncClient, session: AsyncSession
) -> None:
    users = {"bob": await sign_in(session), "admin": await sign_in(session, admin=True)}
    client.headers.update(await sign_in(session))  # Alice
    models = {m.class_.__tablename__: m for m in Base.registry.mappers}
    rows = {t: await _create(t)(client) for t, m in sorted(models.items()) if _scoped(m.class_)}
    leaks = await _linked(client, models, rows, users["bob"])
    for table, row in rows.items():
        leaks += await _reached(client, table, row, users)
    assert not leaks, "\n".join(leaks)
