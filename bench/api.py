"""SQL statements per request and requests per second of each route of a generated resource.

Run from the repository root:

    .venv/bin/python bench/api.py              # SQLite, and PostgreSQL 15 when installed
    .venv/bin/python bench/api.py --requests 500

A fresh project gets two resources (residents, and weekly_requirements referencing them
with a composite unique and a CHECK). Each route is then called in-process through
httpx's ASGI transport, with a listener on the engine counting the statements sent to
the database (BEGIN/COMMIT excluded: they are transaction control, not queries). Rates
are measured over ``--requests`` sequential calls per route after a warm-up (a delete's
rate includes creating the row it removes); in-process
numbers show the cost of the generated code and the database, not of a network or a
server's worker count. It is a report, never a pass/fail gate: the targets (create,
get, patch and delete 1 statement, list at most 2) are printed beside the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGETS = {"create": 1, "get": 1, "patch": 1, "delete": 1, "list": 2}

PROBE = r"""
import asyncio, datetime as dt, json, sys, time
import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import event

command.upgrade(Config("alembic.ini"), "head")
from app.core.config import get_settings
from app.db.session import database
from app.main import app

engine = database.start(get_settings())

statements: list[str] = []


@event.listens_for(engine.sync_engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany):
    statements.append(statement)


async def main(requests: int) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        resident = (await client.post(
            "/api/v1/residents", json={"name": "Ada", "email": "ada@example.com", "pgy": 1}
        )).json()
        week = iter(range(1, 10**6))

        def body() -> dict:
            # A new week per row: (resident_id, week_start) is unique.
            week_start = (dt.date(2000, 1, 3) + dt.timedelta(weeks=next(week))).isoformat()
            return {"resident_id": resident["id"], "week_start": week_start,
                    "min_hours": 10, "max_hours": 40}

        created = []

        async def create():
            response = await client.post("/api/v1/weekly-requirements", json=body())
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])

        async def get():
            response = await client.get(f"/api/v1/weekly-requirements/{created[-1]}")
            assert response.status_code == 200, response.text

        async def patch():
            response = await client.patch(
                f"/api/v1/weekly-requirements/{created[-1]}", json={"max_hours": 41}
            )
            assert response.status_code == 200, response.text

        async def listing():
            response = await client.get("/api/v1/weekly-requirements", params={"limit": 20})
            assert response.status_code == 200, response.text

        async def remove():
            response = await client.delete(f"/api/v1/weekly-requirements/{created.pop()}")
            assert response.status_code == 204, response.text

        routes = {"create": create, "get": get, "patch": patch, "list": listing, "delete": remove}
        result = {}
        for name, call in routes.items():
            await call()  # warm-up, and a row for the next route
            statements.clear()
            await call()
            queries = [s for s in statements if s.split()[0].upper() not in ("BEGIN", "COMMIT")]
            if name == "delete":
                await create()  # put back the row the counted call removed
            started = time.perf_counter()
            for _ in range(requests):
                if name == "delete":
                    await create()
                await call()
            elapsed = time.perf_counter() - started
            result[name] = {"statements": len(queries), "sql": queries, "rps": requests / elapsed}
        print(json.dumps(result))


asyncio.run(main(int(sys.argv[1])))
"""


def generated_project(tmp: Path) -> Path:
    """A new project with the two resources the probe calls."""
    project = tmp / "app"
    scaffold = str(BIN / "scaffold")
    steps = [
        # --no-auth: the probe measures the resource's own statements, not the sign-in
        # lookup every protected route adds (one SELECT of the user).
        [scaffold, "new", str(project), "--defaults", "--no-auth"],
        [scaffold, "resource", "residents", "name:str=120", "email:str:unique", "pgy:int:min=1"],
        [
            scaffold,
            "resource",
            "weekly_requirements",
            "resident_id:ref=residents:ondelete=cascade",
            "week_start:date",
            "min_hours:int:min=0",
            "max_hours:int:max=80",
            "--unique",
            "resident_id,week_start",
            "--check",
            "min_hours<=max_hours",
        ],
    ]
    for argv in steps:
        cwd = project if argv[1] != "new" else tmp
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True, text=True)
    return project


def measure(project: Path, url: str, requests: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(requests)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"probe failed on {url.split(':')[0]}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def postgres_url(stack: list) -> str | None:
    """A scratch PostgreSQL 15 database from the test suite's fixture, or None."""
    sys.path.insert(0, str(ROOT))
    from tests.support.pg_fixture import make_database, start_pg_server

    try:
        server = start_pg_server()
    except Exception as exc:  # noqa: BLE001 - the report says why and goes on
        print(f"PostgreSQL not measured: {exc}", file=sys.stderr)
        return None
    stack.append(server)
    return make_database(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="calls per route (default 200)")
    parser.add_argument("--json", action="store_true", help="JSON on stdout")
    args = parser.parse_args()
    servers: list = []
    tmp = Path(tempfile.mkdtemp(prefix="scaffold-bench-api-"))
    try:
        project = generated_project(tmp)
        results = {"sqlite": measure(project, f"sqlite+aiosqlite:///{tmp}/bench.db", args.requests)}
        url = postgres_url(servers)
        if url:
            results["postgresql"] = measure(project, url, args.requests)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'database':<11} {'route':<7} {'statements':>10} {'target':>7} {'req/s':>8}")
    for database, routes in results.items():
        for route, row in routes.items():
            target = f"<= {TARGETS[route]}" if route == "list" else str(TARGETS[route])
            flag = "" if row["statements"] <= TARGETS[route] else "  MISSED"
            print(
                f"{database:<11} {route:<7} {row['statements']:>10} {target:>7} "
                f"{row['rps']:>8.0f}{flag}"
            )
    for database, routes in results.items():
        print(f"\n{database}: the statements of one call")
        for route, row in routes.items():
            for sql in row["sql"]:
                print(f"  {route:<7} {' '.join(sql.split())[:110]}")


if __name__ == "__main__":
    main()
