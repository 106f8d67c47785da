"""The generated API is safe by default: hostile HTTP requests against a generated resource.

A project gets ``owners`` and an ``accounts`` resource with a sensitive ``password``, a
unique ``username``, bounded and unbounded numbers, a decimal, a float, a JSON document,
an enum and a foreign key (``ondelete=restrict``). The requests run inside the generated
project (its app only imports there): this file writes ``tests/test_hostile_http.py``
into it, runs its pytest once, and each test below checks one promise of PRODUCT.md's
"The generated API" and standing orders 4 and 5 from that run's per-test results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.helpers import BIN, scaffold

pytestmark = pytest.mark.e2e

OWNERS = ("resource", "owners", "name:str=40")
ACCOUNTS = (
    "resource",
    "accounts",
    "username:str=40:unique",
    "password:str=128",
    "age:int:min=0:max=150",
    "visits:int",
    "views:bigint:optional",
    "balance:decimal=10,2",
    "ratio:float",
    "settings:json:optional",
    "role:enum=user,admin:default=user",
    "owner_id:ref=owners:optional:ondelete=restrict",
    "--approve",  # a sensitive field is a security change
)

# Point 3 of the safety issue -> the inner tests (by function name) that show it.
PROMISES = {
    "unknown fields are 422: no mass assignment of id, created_at or anything else": (
        "test_unknown_fields_are_refused_on_create_and_update",
    ),
    "null or nothing for a required column is 422, not a database error": (
        "test_null_for_a_required_field_is_422",
        "test_missing_required_field_is_422",
    ),
    "numbers are bounded to the column type, values to their type, length and enum": (
        "test_out_of_range_and_wrongly_typed_values_are_422",
    ),
    "NaN and Infinity are rejected, in numbers and inside JSON documents": (
        "test_nan_and_infinity_are_422",
    ),
    "lone surrogates, NUL and hostile bodies are 4xx problems, never 500": (
        "test_lone_surrogates_nul_and_deep_documents_are_422",
        "test_hostile_bodies_are_4xx_problems_never_500",
        "test_malformed_bodies_are_400_and_wrong_shapes_422",
    ),
    "strings are NFC-normalised before length and unique checks": (
        "test_strings_are_nfc_normalised_before_the_length_check",
    ),
    "limit is capped at 100, offset and filters bounded": (
        "test_list_parameters_are_bounded",
        "test_list_limit_defaults_to_50_and_never_exceeds_100",
        "test_list_filter_with_invalid_utf8_is_422",
    ),
    "unique violations are 409, missing references 422 naming the field, without the value": (
        "test_duplicate_unique_value_is_409_without_echo",
        "test_missing_references_are_422_and_restricted_deletes_409",
    ),
    "unknown ids are 404, invalid ids 422, unknown routes problems": (
        "test_unknown_ids_are_404",
        "test_invalid_ids_are_422",
        "test_unknown_route_and_method_are_problems",
    ),
    "the sensitive field is in no response, list, error, schema or log": (
        "test_the_password_never_leaves_the_api",
    ),
    "500s are problem+json without stack traces or exception text": (
        "test_a_failing_service_is_a_500_problem_without_internals",
    ),
}
DB_FAILURE = "test_a_database_failure_is_a_500_that_logs_no_submitted_value"

HOSTILE_HTTP = r'''
"""Hostile requests against the generated accounts resource (written by scaffold's test suite)."""

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.api.v1.accounts import provide_service
from app.db.session import database
from app.main import app

ITEMS = "/api/v1/accounts"
OWNERS = "/api/v1/owners"
PROBLEM = "application/problem+json"
JSON = {"content-type": "application/json"}
SECRET = "hunter2-S3CRET-do-not-echo"
MARKER = "marker-value-do-not-echo"
MAX_INT = 2**31 - 1
MAX_ID = 2**63 - 1  # keys are BIGINT


@pytest.fixture
async def raw() -> AsyncIterator[httpx.AsyncClient]:
    """A client that receives 500 responses instead of re-raising the app's exceptions."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture(autouse=True)
def _production_log_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


def assert_nothing_secret_logged(caplog: pytest.LogCaptureFixture) -> None:
    """No log line (message or traceback), as the app's log handler writes it, carries a
    submitted secret."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "app"]
    for record in caplog.records:
        text = handler.format(record)
        for secret in (SECRET, MARKER):
            assert secret not in text, f"{record.name} logged a submitted value: {text[-1500:]}"


def payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": "alice",
        "password": SECRET,
        "age": 30,
        "visits": 0,
        "views": None,
        "balance": "12.50",
        "ratio": 0.5,
        "settings": {"theme": "dark"},
        "role": "user",
    }
    body.update(overrides)
    return body


def assert_problem(response: httpx.Response, status: int, *secrets: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status
    for secret in (SECRET, MARKER, *secrets):
        assert secret not in response.text, response.text
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body


async def total(client: httpx.AsyncClient) -> int:
    response = await client.get(ITEMS)
    assert response.status_code == 200, response.text
    return response.json()["total"]


def encoded(body: str) -> bytes:
    return body.encode("utf-8", "surrogateescape")


async def post_raw(client: httpx.AsyncClient, body: str, url: str = ITEMS) -> httpx.Response:
    return await client.post(url, content=encoded(body), headers=JSON)


def raw_json(**overrides: str) -> str:
    """The JSON text of a valid payload with some values replaced by raw JSON tokens."""
    fields = {k: json.dumps(v) for k, v in payload().items()}
    fields.update(overrides)
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"


# -- unknown fields: no mass assignment ------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"id": 999},
        {"created_at": "2000-01-01T00:00:00Z"},
        {"updated_at": "2000-01-01T00:00:00Z"},
        {"is_admin": True},
        {"owner": {"id": 1}},
        {"__class__": MARKER},
        {"unknown": MARKER},
    ],
)
async def test_unknown_fields_are_refused_on_create_and_update(
    client: httpx.AsyncClient, extra: dict[str, Any]
) -> None:
    assert_problem(await client.post(ITEMS, json=payload(**extra)), 422)
    assert await total(client) == 0
    created = await client.post(ITEMS, json=payload())
    assert created.status_code == 201, created.text
    item = created.json()
    assert_problem(await client.patch(f"{ITEMS}/{item['id']}", json=extra), 422)
    assert (await client.get(f"{ITEMS}/{item['id']}")).json() == item


# -- null for a required column -------------------------------------------------------


@pytest.mark.parametrize("name", ["username", "password", "age", "balance", "ratio", "role"])
async def test_null_for_a_required_field_is_422(client: httpx.AsyncClient, name: str) -> None:
    assert_problem(await client.post(ITEMS, json=payload(**{name: None})), 422)
    created = (await client.post(ITEMS, json=payload())).json()
    response = await client.patch(f"{ITEMS}/{created['id']}", json={name: None})
    body = assert_problem(response, 422)
    assert body["errors"][0]["loc"][-1] == name


async def test_missing_required_field_is_422(client: httpx.AsyncClient) -> None:
    body = payload()
    del body["username"]
    assert_problem(await client.post(ITEMS, json=body), 422)


# -- numbers bounded to the column type ------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"age": -1},
        {"age": 151},
        {"visits": MAX_INT + 1},
        {"visits": -(2**31) - 1},
        {"visits": 10**40},
        {"views": 2**63},
        {"views": -(2**63) - 1},
        {"balance": "100000000.00"},
        {"balance": "1.234"},
        {"balance": 1e20},
        {"ratio": "not a number"},
        {"age": 1.5},
        {"age": "30x"},
        {"owner_id": 0},
        {"owner_id": MAX_INT + 1},
        {"role": "superuser"},
        {"role": "ADMIN"},
        {"settings": [1, 2]},
        {"settings": "text"},
        {"username": "x" * 41},
        {"username": "x" * 1_000_000},
        {"password": "x" * 129},
        {"username": 12},
    ],
    ids=repr,
)
async def test_out_of_range_and_wrongly_typed_values_are_422(
    client: httpx.AsyncClient, overrides: dict[str, Any]
) -> None:
    response = await client.post(ITEMS, json=payload(**overrides))
    echoed = [v for v in overrides.values() if isinstance(v, str) and len(v) >= 3]
    assert_problem(response, 422, *echoed)
    assert await total(client) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"ratio": "NaN"},
        {"ratio": "Infinity"},
        {"ratio": "-Infinity"},
        {"ratio": "1e999"},
        {"balance": "NaN"},
        {"balance": '"NaN"'},
        {"balance": '"Infinity"'},
        {"balance": '"-inf"'},
        {"balance": '"sNaN"'},
        {"visits": "NaN"},
        {"settings": '{"x": NaN}'},
        {"settings": '{"x": [Infinity]}'},
        {"settings": '{"x": 1e999}'},
    ],
    ids=repr,
)
async def test_nan_and_infinity_are_422(
    client: httpx.AsyncClient, overrides: dict[str, str]
) -> None:
    assert_problem(await post_raw(client, raw_json(**overrides)), 422)
    assert await total(client) == 0


# -- text: surrogates, NUL, NFC ----------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"username": '"\\ud800"'},
        {"username": '"ok\\udfff"'},
        {"username": '"a\\u0000b"'},
        {"password": '"\\ud800' + SECRET + '"'},
        {"settings": '{"\\ud800": 1}'},
        {"settings": '{"k": "\\udc00"}'},
        {"settings": '{"k": ["a\\u0000"]}'},
        {"settings": "[" * 100 + "]" * 100},
        {"settings": '{"k":' * 100 + "1" + "}" * 100},
    ],
    ids=repr,
)
async def test_lone_surrogates_nul_and_deep_documents_are_422(
    client: httpx.AsyncClient, overrides: dict[str, str]
) -> None:
    assert_problem(await post_raw(client, raw_json(**overrides)), 422)
    assert await total(client) == 0


@pytest.mark.parametrize(
    "body",
    [
        raw_json(settings='{"k":' * 100_000 + "1" + "}" * 100_000),
        "[" * 100_000 + "]" * 100_000,
        raw_json(visits="9" * 5000),
        raw_json(ratio="1" * 5000 + ".5"),
        raw_json(balance='"' + "9" * 5000 + '"'),
        raw_json(balance='"1e-999999999"'),
        raw_json(username='"' + "\\ud800" * 10_000 + '"'),
        "\udcff\udcfe",  # the bytes FF FE: not UTF-8
    ],
    ids=[
        "deep-object",
        "deep-array",
        "5000-digit-int",
        "5000-digit-float",
        "5000-digit-decimal",
        "tiny-exponent",
        "many-surrogates",
        "not-utf8",
    ],
)
async def test_hostile_bodies_are_4xx_problems_never_500(
    raw: httpx.AsyncClient, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    for response in (
        await post_raw(raw, body),
        await raw.patch(f"{ITEMS}/1", content=encoded(body), headers=JSON),
    ):
        assert response.status_code in (400, 404, 413, 422), response.text[:500]
        assert_problem(response, response.status_code)
    assert_nothing_secret_logged(caplog)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ("{", 400),
        ('{"username": "a",}', 400),
        ("", 422),
        ("[]", 422),
        ("null", 422),
        ("1", 422),
        ('"text"', 422),
    ],
    ids=repr,
)
async def test_malformed_bodies_are_400_and_wrong_shapes_422(
    client: httpx.AsyncClient, body: str, status: int
) -> None:
    response = await client.post(ITEMS, content=body.encode(), headers=JSON)
    assert_problem(response, status)


async def test_strings_are_nfc_normalised_before_the_length_check(
    client: httpx.AsyncClient,
) -> None:
    decomposed = "e\u0301" * 40  # 80 code points, 40 characters once composed
    created = await client.post(ITEMS, json=payload(username=decomposed))
    assert created.status_code == 201, created.text
    assert created.json()["username"] == "\u00e9" * 40
    assert_problem(await client.post(ITEMS, json=payload(username="e\u0301" * 41)), 422)
    # The composed and decomposed spellings are one value: the unique check sees it.
    again = await client.post(ITEMS, json=payload(username="\u00e9" * 40))
    assert_problem(again, 409)


# -- the list: limit capped, offset and filters bounded ------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 101},
        {"limit": 0},
        {"limit": -1},
        {"limit": 10**30},
        {"limit": "ten"},
        {"offset": -1},
        {"offset": 2**63},
        {"username": "x" * 41},
        {"username": "\x00"},
    ],
    ids=repr,
)
async def test_list_parameters_are_bounded(client: httpx.AsyncClient, params: dict) -> None:
    assert_problem(await client.get(ITEMS, params=params), 422)


async def test_list_limit_defaults_to_50_and_never_exceeds_100(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get(ITEMS)).json()
    assert page["limit"] == 50
    page = (await client.get(ITEMS, params={"limit": 100})).json()
    assert page["limit"] == 100


async def test_list_filter_with_invalid_utf8_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ITEMS}?username=%ED%A0%80")
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert_problem(response, 422)


# -- conflicts and unknown ids -----------------------------------------------------------


async def test_duplicate_unique_value_is_409_without_echo(client: httpx.AsyncClient) -> None:
    first = await client.post(ITEMS, json=payload(username=MARKER[:40]))
    assert first.status_code == 201, first.text
    second = await client.post(ITEMS, json=payload(username=MARKER[:40]))
    assert_problem(second, 409, MARKER[:40])
    other = await client.post(ITEMS, json=payload(username="bob"))
    response = await client.patch(f"{ITEMS}/{other.json()['id']}", json={"username": MARKER[:40]})
    assert_problem(response, 409, MARKER[:40])
    assert await total(client) == 2


async def test_missing_references_are_422_and_restricted_deletes_409(
    client: httpx.AsyncClient,
) -> None:
    missing = assert_problem(await client.post(ITEMS, json=payload(owner_id=MAX_INT)), 422)
    assert [error["loc"] for error in missing["errors"]] == [["body", "owner_id"]]
    owner = (await client.post(OWNERS, json={"name": "owner"})).json()
    created = await client.post(ITEMS, json=payload(owner_id=owner["id"]))
    assert created.status_code == 201, created.text
    item = created.json()
    patched = await client.patch(f"{ITEMS}/{item['id']}", json={"owner_id": MAX_INT})
    assert assert_problem(patched, 422)["errors"][0]["type"] == "reference"
    # ondelete=restrict: the owner cannot go while an account points at it.
    assert_problem(await client.delete(f"{OWNERS}/{owner['id']}"), 409)
    assert (await client.get(f"{OWNERS}/{owner['id']}")).status_code == 200


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("item_id", [MAX_INT, 1])
async def test_unknown_ids_are_404(client: httpx.AsyncClient, method: str, item_id: int) -> None:
    kwargs = {"json": {"age": 1}} if method == "PATCH" else {}
    response = await client.request(method, f"{ITEMS}/{item_id}", **kwargs)
    assert_problem(response, 404)


@pytest.mark.parametrize("item_id", ["0", "-1", str(MAX_ID + 1), "abc", "1.5", "1e3", "%00"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_invalid_ids_are_422(client: httpx.AsyncClient, method: str, item_id: str) -> None:
    kwargs = {"json": {}} if method == "PATCH" else {}
    response = await client.request(method, f"{ITEMS}/{item_id}", **kwargs)
    assert_problem(response, 422)


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/nope"), 404)
    assert_problem(await client.put(f"{ITEMS}/1", json=payload()), 405)


# -- sensitive fields ----------------------------------------------------------------------


async def test_the_password_never_leaves_the_api(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    created = await client.post(ITEMS, json=payload())
    assert created.status_code == 201
    item = created.json()
    assert "password" not in item
    responses = [
        created,
        await client.get(ITEMS),
        await client.get(ITEMS, params={"username": "alice"}),
        await client.get(f"{ITEMS}/{item['id']}"),
        await client.patch(f"{ITEMS}/{item['id']}", json={"password": SECRET + "2"}),
        await client.patch(f"{ITEMS}/{item['id']}", json={"password": SECRET, "age": -5}),
        await client.post(ITEMS, json=payload()),  # 409: duplicate username
        await client.post(ITEMS, json=payload(username="x" * 41)),  # 422
        await client.post(ITEMS, json=payload(password=SECRET + "x" * 200)),  # 422: too long
        await client.post(ITEMS, json=payload(password=12345)),  # 422: wrong type
    ]
    for response in responses:
        assert SECRET not in response.text, response.text
        if response.status_code < 300:
            assert "password" not in response.json()
    assert "password" not in json.dumps(responses[1].json()["items"])
    openapi = (await client.get("/openapi.json")).json()
    read = openapi["components"]["schemas"]["AccountRead"]
    assert "password" not in read["properties"]
    assert "password" not in json.dumps(openapi["components"]["schemas"]["AccountPage"])
    assert_nothing_secret_logged(caplog)


async def test_a_failing_service_is_a_500_problem_without_internals(
    raw: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        async def create(self, data: Any) -> Any:
            raise RuntimeError("internal state: /srv/app/secret.py line 3")

        async def list_page(self, params: Any) -> Any:
            raise ZeroDivisionError("division by zero in the billing code")

    app.dependency_overrides[provide_service] = Broken
    try:
        created = await raw.post(ITEMS, json=payload())
        listed = await raw.get(ITEMS)
    finally:
        app.dependency_overrides.pop(provide_service)
    for response in (created, listed):
        body = assert_problem(response, 500)
        assert body["detail"] == "An unexpected error occurred."
        assert "secret.py" not in response.text and "billing" not in response.text
        assert "RuntimeError" not in response.text and "ZeroDivisionError" not in response.text
    assert_nothing_secret_logged(caplog)


async def test_a_database_failure_is_a_500_that_logs_no_submitted_value(
    raw: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # The table vanishes under the app (a failed deploy, a dropped connection): the driver
    # error carries the INSERT's parameters, the password among them.
    async with database.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE accounts RENAME TO accounts_away"))
    try:
        response = await raw.post(ITEMS, json=payload())
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE accounts_away RENAME TO accounts"))
    assert_problem(response, 500)
    assert_nothing_secret_logged(caplog)
'''


@pytest.fixture(scope="module")
def hostile_run(
    pristine_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, str]]:
    """Generate the resources, run the hostile module once: test id -> (outcome, detail)."""
    tmp = tmp_path_factory.mktemp("api-safety")
    project = tmp / "myapp"
    shutil.copytree(pristine_project, project)
    for argv in (OWNERS, ACCOUNTS):
        result = scaffold(*argv, project=project)
        assert result.exit_code == 0, result.output
    (project / "tests/test_hostile_http.py").write_text(HOSTILE_HTTP.lstrip())
    report = tmp / "junit.xml"
    env = {**os.environ, "TEST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/hostile.db"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            "tests/test_hostile_http.py",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    outcomes: dict[str, tuple[str, str]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        outcome, detail = "passed", ""
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome, detail = tag, (found.get("message") or "") + (found.text or "")[-3000:]
                break
        outcomes[case.get("name", "")] = (outcome, detail)
    assert outcomes, proc.stdout[-3000:]
    return outcomes


def results_of(outcomes: dict[str, tuple[str, str]], function: str) -> dict[str, tuple[str, str]]:
    return {name: result for name, result in outcomes.items() if name.split("[")[0] == function}


def assert_all_passed(outcomes: dict[str, tuple[str, str]], functions: tuple[str, ...]) -> None:
    for function in functions:
        results = results_of(outcomes, function)
        assert results, f"{function} did not run"
        failed = {
            name: detail for name, (outcome, detail) in results.items() if outcome != "passed"
        }
        assert not failed, "\n\n".join(f"{name}:\n{detail}" for name, detail in failed.items())


@pytest.mark.parametrize("promise", sorted(PROMISES))
def test_the_generated_api_keeps_its_promise(
    promise: str, hostile_run: dict[str, tuple[str, str]]
) -> None:
    assert_all_passed(hostile_run, PROMISES[promise])


def test_a_database_failure_logs_no_submitted_value(
    hostile_run: dict[str, tuple[str, str]],
) -> None:
    assert_all_passed(hostile_run, (DB_FAILURE,))


def test_every_inner_test_is_checked(hostile_run: dict[str, tuple[str, str]]) -> None:
    checked = {f for functions in PROMISES.values() for f in functions} | {DB_FAILURE}
    ran = {name.split("[")[0] for name in hostile_run}
    assert ran == checked
    assert len(hostile_run) >= 100
