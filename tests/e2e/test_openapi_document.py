"""The OpenAPI document is the server: a client built from it works, and what it documents
is what the server accepts and refuses.

openapi-python-client builds a client for every route of every API version of a small
project whose field rename opened v2 (the same class names in both versions
once collided as ``app__schemas__v2__...`` components, and a link route's operation id
was repeated), with an enum, a decimal, a time, a one-to-one and a many-to-many: its
OpenAPI document goes through openapi-python-client (its own virtualenv, see
tests/support/openapi_client.py), which must warn about nothing and write one module per
operation, each of which imports.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import db_env, run, scaffold
from tests.support.openapi_client import (
    app_document,
    assert_client_builds_every_route,
    openapi_client_generator,
)

__all__ = ["openapi_client_generator"]

pytestmark = pytest.mark.e2e

DOMAIN = [
    ["resource", "tags", "name:str=40:unique", "--public", "--approve"],
    [
        "resource",
        "visits",
        "title:str=80",
        "kind:enum=first-visit,follow_up,2nd:default=follow_up",
        "fee:decimal=8,2:optional",
        "opens:time:optional",
        "tags:many=tags",
        "--owned",
        "--id",
        "uuid",
    ],
    ["resource", "reports", "visit_id:ref=visits:unique", "body:text"],
]


@pytest.fixture(scope="module")
def versioned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("client") / "visits"
    assert scaffold("new", str(root), "--defaults").exit_code == 0
    for argv in DOMAIN:
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, f"{argv}: {result.output}"
    result = scaffold("field", "rename", "visits", "title", "subject", "--approve", project=root)
    assert result.exit_code == 0, result.output
    return root


def test_v1_and_v2_components_have_their_own_short_names(versioned: Path) -> None:
    document = app_document(versioned)
    names = set(document["components"]["schemas"])
    assert {"VisitCreate", "VisitV2Create", "VisitV2Update", "VisitKind", "VisitV2Kind"} <= names
    assert not [name for name in names if "__" in name]
    operations = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(operations) == len(set(operations))


def test_openapi_python_client_builds_every_route_of_every_version(
    versioned: Path, openapi_client_generator: Path, tmp_path: Path
) -> None:
    document = app_document(versioned)
    paths = [p for p in document["paths"] if p.startswith("/api/")]
    assert all(any(f"/api/v{n}/" in p for n in (1, 2)) for p in paths)
    out = assert_client_builds_every_route(
        document, openapi_client_generator, tmp_path, "visits_client"
    )
    assert (out / "api" / "visits" / "visits_create_v2.py").exists()


# Run inside the generated project, with its own fixtures: each request is one a client
# built from the document may send (or one the document says is refused).
PROBE = """
import asyncio

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.users import sign_in

VISITS = "/api/v2/visits"


async def _visit(client: AsyncClient, **fields: object) -> dict:
    body = {"subject": "Checkup", "kind": "2nd", "fee": "12.50", "opens": "09:30:00Z", **fields}
    response = await client.post(VISITS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_server_takes_what_the_document_allows(
    client: AsyncClient, session: AsyncSession
) -> None:
    client.headers.update(await sign_in(session))
    tag = (await client.post("/api/v1/tags", json={"name": "urgent"})).json()
    # A "time" ending in Z (RFC 3339) and an integer written 57.0 (JSON Schema's integer).
    visit = await _visit(client, tag_ids=[float(tag["id"])])
    assert visit["opens"] == "09:30:00" and visit["kind"] == "2nd"
    linked = await client.get(f"{VISITS}/{visit['id']}/tags")
    assert [t["id"] for t in linked.json()["items"]] == [tag["id"]]
    # null clears an optional field only.
    cleared = await client.patch(f"{VISITS}/{visit['id']}", json={"fee": None})
    assert cleared.status_code == 200 and cleared.json()["fee"] is None
    listed = await client.get(VISITS, params={"include": "tags", "limit": 5})
    assert listed.status_code == 200 and listed.json()["total"] == 1


async def test_the_server_refuses_what_the_document_refuses(
    client: AsyncClient, session: AsyncSession
) -> None:
    client.headers.update(await sign_in(session))
    visit = await _visit(client)
    item = f"{VISITS}/{visit['id']}"
    refused = {
        "a decimal as a JSON number": await client.post(
            VISITS, json={"subject": "x", "fee": 12.5}
        ),
        "a time with another offset": await client.post(
            VISITS, json={"subject": "x", "opens": "09:30:00+02:00"}
        ),
        "57.5 for an integer": await client.post(VISITS, json={"subject": "x", "tag_ids": [57.5]}),
        "null for a required field": await client.patch(item, json={"subject": None}),
        "an unknown query parameter": await client.get(VISITS, params={"stauts": "zzz"}),
        "an unknown query parameter of an item": await client.get(item, params={"x": "1"}),
        "a value outside the enum": await client.patch(item, json={"kind": "zzz"}),
    }
    wrong = {what: r.status_code for what, r in refused.items() if r.status_code != 422}
    assert not wrong, wrong


async def test_a_wrong_method_names_every_method_of_the_path(client: AsyncClient) -> None:
    response = await client.put("/api/v1/tags/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"
    response = await client.put("/api/v1/tags")
    assert response.headers["allow"] == "GET, POST"
"""


# 50 identical link replacements at once: each one locks the row, so they run one after
# the other instead of inserting the same link rows side by side (a 409 each, before).
CONCURRENT_LINKS = """
import asyncio

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.users import sign_in


async def test_identical_concurrent_link_updates_do_not_conflict(
    client: AsyncClient, session: AsyncSession
) -> None:
    client.headers.update(await sign_in(session))
    tags = [(await client.post("/api/v1/tags", json={"name": n})).json()["id"] for n in "ab"]
    visit = (await client.post("/api/v2/visits", json={"subject": "x", "tag_ids": tags})).json()
    url = f"/api/v2/visits/{visit['id']}"
    answers = await asyncio.gather(
        *(client.patch(url, json={"tag_ids": tags[::-1]}) for _ in range(50))
    )
    assert [r.status_code for r in answers] == [200] * 50
    linked = (await client.get(f"{url}/tags")).json()
    assert sorted(t["id"] for t in linked["items"]) == sorted(tags)
"""


def _probe(project: Path, text: str, env: dict[str, str] | None = None) -> str:
    """Run ``text`` as a test module of ``project``'s own suite; its output."""
    probe = project / "tests" / "test_document_probe.py"
    probe.write_text(text.lstrip(), encoding="utf-8")
    try:
        return run(project, "pytest", "-q", "-p", "no:randomly", str(probe), env=env).stdout
    finally:
        probe.unlink()


def test_the_server_accepts_and_refuses_what_its_document_says(versioned: Path) -> None:
    output = _probe(versioned, PROBE)
    assert "3 passed" in output, output[-3000:]


@pytest.mark.pg
def test_identical_concurrent_link_updates_do_not_conflict_on_postgres(
    versioned: Path, pg_url: str
) -> None:
    output = _probe(versioned, CONCURRENT_LINKS, env=db_env(pg_url))
    assert "1 passed" in output and "postgresql" in output, output[-3000:]


def test_the_document_names_enums_and_marks_required_patch_fields_non_nullable(
    versioned: Path,
) -> None:
    schemas = app_document(versioned)["components"]["schemas"]
    assert schemas["VisitV2Read"]["properties"]["kind"] == {
        "$ref": "#/components/schemas/VisitV2Kind"
    }
    assert schemas["VisitV2Kind"]["enum"] == ["first-visit", "follow_up", "2nd"]
    update = schemas["VisitV2Update"]["properties"]
    assert update["subject"]["type"] == "string" and "anyOf" not in update["subject"]
    assert {"type": "null"} in update["fee"]["anyOf"]
    # A BIGINT key's bound as an integer, not the float FastAPI's model would make of it.
    ids = schemas["VisitV2Create"]["properties"]["tag_ids"]["items"]
    assert ids["maximum"] == 2**63 - 1 and isinstance(ids["maximum"], int)
    # A required string's rule (not blank) is in the document too.
    assert schemas["VisitV2Create"]["properties"]["subject"]["pattern"] == r"[^\s\x1c-\x1f\x85]"
    fee = schemas["VisitV2Create"]["properties"]["fee"]
    assert fee["anyOf"][0]["type"] == "string" and "pattern" in str(fee)
