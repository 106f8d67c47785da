"""Expected load, measured: requests per second and statements per request of each route
a change adds or alters, called in-process on a scratch database during the proof.

The probe runs in the project's own interpreter (a child process), migrates a scratch
SQLite database to head, and calls each route through the generated test factories
(which know how to build a valid body, parents included) for a short, bounded time.
The figures are for one client on this machine: a comparison between routes and
between changes, not a capacity plan.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

BUDGET_SECONDS = 0.05  # per route
MAX_REQUESTS = 50  # per route
TIMEOUT = 120

PROBE = r"""
import asyncio, importlib, json, os, sys, time

os.environ["RATE_LIMIT_DEFAULT"] = "100000000/minute"
from alembic import command
from alembic.config import Config

command.upgrade(Config("alembic.ini"), "head")

import httpx
from sqlalchemy import event

try:
    from app.core.config import get_settings
    from app.db.session import database

    engine = database.start(get_settings())
except ImportError:  # a project from before the engine moved into the lifespan
    from app.db.session import engine
from app.main import app

statements = []


@event.listens_for(engine.sync_engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany):
    if statement.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
        statements.append(statement)


BUDGET, CAP = float(sys.argv[1]), int(sys.argv[2])
TARGETS = json.loads(sys.argv[3])


async def timed(name, call, prepare=None):
    if prepare:
        await prepare()
    await call()  # warm-up
    if prepare:
        await prepare()
    statements.clear()
    await call()
    count = len(statements)
    spent, done = 0.0, 0
    while done < CAP and spent < BUDGET:
        if prepare:
            await prepare()
        started = time.perf_counter()
        await call()
        spent += time.perf_counter() - started
        done += 1
    return {"route": name, "requests": done, "rps": done / spent if spent else 0.0,
            "statements": count}


async def probe(client, target):
    factories = importlib.import_module(f"tests.factories.{target['table']}")
    build = getattr(factories, f"build_{target['singular']}")
    create = getattr(factories, f"create_{target['singular']}")
    items = target["items"]
    rows = []

    async def post():
        rows.append(await create(client))

    async def fetch():
        response = await client.get(f"{items}/{rows[-1]['id']}")
        assert response.status_code == 200, response.text

    async def listing():
        response = await client.get(items, params={"limit": 20})
        assert response.status_code == 200, response.text

    async def patch():
        body = await build(client)
        field = next(
            (k for k, v in body.items() if isinstance(v, str) and not k.endswith("_id")), None
        )
        change = {field: body[field]} if field else {}
        response = await client.patch(f"{items}/{rows[-1]['id']}", json=change)
        assert response.status_code == 200, response.text

    async def remove():
        response = await client.delete(f"{items}/{rows.pop()['id']}")
        assert response.status_code == 204, response.text

    return [
        await timed(f"POST {items}", post),
        await timed(f"GET {items}/{{id}}", fetch),
        await timed(f"GET {items}", listing),
        await timed(f"PATCH {items}/{{id}}", patch),
        await timed(f"DELETE {items}/{{id}}", remove, prepare=post),
    ]


async def main():
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://probe"
    ) as client:
        try:  # a project with sign-in: the probe calls as an admin (every row, every route)
            from tests.factories.users import sign_in
        except ImportError:
            pass
        else:
            async with database.session() as session:
                client.headers.update(await sign_in(session, admin=True))
        routes = []
        for target in TARGETS:
            routes += await probe(client, target)
    print("@@load " + json.dumps(routes))


asyncio.run(main())
"""

_ITEMS = re.compile(r'^ITEMS = "([^"]+)"', re.M)


def targets(root: Path, tests: str, changes: list[Any], manifest: Any) -> list[dict[str, str]]:
    """The resources whose routes this change adds or alters, with how to call them."""
    found = []
    for change in changes:
        match = re.fullmatch(rf"{re.escape(tests)}/factories/(\w+)\.py", change.path)
        if not match or change.status not in ("create", "update", "force") or change.delete:
            continue
        module = match.group(1)
        table = re.sub(r"_v\d+$", "", module) if module not in manifest.resources else module
        entry = manifest.resources.get(table) or {}
        test_file = root / tests / f"test_{module}.py"
        items = _ITEMS.search(test_file.read_text()) if test_file.is_file() else None
        if entry.get("singular") and items:
            found.append({"table": module, "singular": entry["singular"], "items": items.group(1)})
    # One target per resource: its latest API version (every version writes the same
    # table, and each version's factory counts its unique samples from 1).
    latest: dict[str, dict[str, str]] = {}
    for target in found:
        table = re.sub(r"_v\d+$", "", target["table"])
        if table not in latest or _version_of(target["table"]) > _version_of(
            latest[table]["table"]
        ):
            latest[table] = target
    return list(latest.values())


def _version_of(module: str) -> int:
    match = re.search(r"_v(\d+)$", module)
    return int(match.group(1)) if match else 1


def measure_load(root: Path, python: str, wanted: list[dict[str, str]]) -> dict[str, Any]:
    """``{"routes": [...], "where": ...}``, or ``{"reason": ...}`` when it could not run."""
    if not wanted:
        return {"reason": "no new or changed route to call"}
    with tempfile.TemporaryDirectory(prefix="scaffold-load-") as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/load.db"
        env = {**os.environ, "DATABASE_URL": url, "TEST_DATABASE_URL": url}
        env.pop("PYTEST_ADDOPTS", None)
        try:
            done = subprocess.run(
                [python, "-c", PROBE, *probe_args(wanted)],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return {"reason": f"the load probe did not run ({exc})"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"reason": f"the load probe failed: {last[:200]}"}
    return probe_result(done.stdout)


def probe_args(wanted: list[dict[str, str]]) -> list[str]:
    """The probe's arguments: its time budget and request cap per route, and the routes."""
    return [str(BUDGET_SECONDS), str(MAX_REQUESTS), json.dumps(wanted)]


def probe_result(stdout: str) -> dict[str, Any]:
    """The probe's figures from the output of the process it ran in."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("@@load-failed "):
            return {"reason": f"the load probe failed: {line.removeprefix('@@load-failed ')}"}
        if line.startswith("@@load "):
            try:
                routes = json.loads(line.removeprefix("@@load "))
            except ValueError:
                break
            return {
                "routes": routes,
                "where": f"in-process on a scratch SQLite database, up to {MAX_REQUESTS} "
                f"requests or {BUDGET_SECONDS:.2f} s per route",
            }
    return {"reason": "the load probe printed no result"}
