"""The PostgreSQL 15 fixture itself: version, loopback-only, isolation, async SQLAlchemy."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import asyncpg
import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, select
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import pg_fixture
from tests.support.pg_fixture import PgServer, drop_database, make_database, pg_server, pg_url  # noqa: F401

pytestmark = pytest.mark.pg


async def _fetch(url: str, sql: str) -> list[asyncpg.Record]:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def fetch(url: str, sql: str) -> list[asyncpg.Record]:
    return asyncio.run(_fetch(url, sql))


USER_TABLES = (
    "SELECT table_schema, table_name FROM information_schema.tables "
    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
)


@pytest.fixture
def other_pg_url(pg_server: PgServer) -> Iterator[str]:  # noqa: F811
    url = make_database(pg_server)
    yield url
    drop_database(pg_server, url)


def test_server_is_postgresql_15(pg_url: str, pg_server: PgServer) -> None:  # noqa: F811
    (row,) = fetch(pg_url, "SHOW server_version")
    assert row[0].split(".")[0] == "15", row[0]
    assert pg_server.user == "postgres"
    assert pg_url.startswith(f"postgresql+asyncpg://postgres@127.0.0.1:{pg_server.port}/")
    print(f"PostgreSQL {row[0]} started in {pg_server.startup_seconds:.2f}s")


def test_server_listens_on_loopback_only(pg_url: str, pg_server: PgServer) -> None:  # noqa: F811
    (row,) = fetch(pg_url, "SELECT current_setting('listen_addresses'), inet_server_addr()::text")
    assert row[0] == "127.0.0.1"
    assert row[1] in ("127.0.0.1", "127.0.0.1/32")
    if sys.platform == "linux":
        # All of 127/8 reaches lo on Linux: a server bound to 0.0.0.0 would answer here.
        with pytest.raises(OSError), socket.create_connection(("127.0.0.2", pg_server.port), 2):
            pass


def test_pg_url_gives_separate_empty_databases(pg_url: str, other_pg_url: str) -> None:  # noqa: F811
    assert pg_url != other_pg_url
    assert pg_url.rsplit("/", 1)[0] == other_pg_url.rsplit("/", 1)[0]  # same server
    assert fetch(pg_url, USER_TABLES) == []
    assert fetch(other_pg_url, USER_TABLES) == []
    fetch(pg_url, "CREATE TABLE only_here (id int)")
    assert [tuple(r) for r in fetch(pg_url, USER_TABLES)] == [("public", "only_here")]
    assert fetch(other_pg_url, USER_TABLES) == []


def test_make_and_drop_database(pg_server: PgServer) -> None:  # noqa: F811
    url = make_database(pg_server)
    name = url.rsplit("/", 1)[-1]
    assert url == pg_server.url(name)

    async def drop_while_connected() -> None:
        conn = await asyncpg.connect(url.replace("+asyncpg", "", 1))
        try:  # an open connection must not block the drop (WITH (FORCE))
            await asyncio.to_thread(drop_database, pg_server, url)
        finally:
            conn.terminate()

    asyncio.run(drop_while_connected())
    rows = fetch(pg_server.url("postgres"), f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    assert rows == []


def test_async_engine_roundtrips_aware_timestamps(pg_url: str) -> None:  # noqa: F811
    metadata = MetaData()
    events = Table(
        "events",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    written = datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))

    async def roundtrip() -> datetime:
        engine = create_async_engine(pg_url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
                await conn.execute(events.insert().values(id=1, at=written))
            async with engine.connect() as conn:
                return (await conn.execute(select(events.c.at))).scalar_one()
        finally:
            await engine.dispose()

    read = asyncio.run(roundtrip())
    assert read.tzinfo is not None and read.utcoffset() is not None
    assert read == written
    assert read.astimezone(UTC) == datetime(2024, 3, 1, 10, 30, 15, 123456, UTC)


def test_unavailable_skips_or_fails(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    with pytest.raises(pg_fixture.PgUnavailable, match="binaries not found"):
        pg_fixture.start_pg_server(tmp_path)
    monkeypatch.delenv(pg_fixture.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL unavailable: boom"):
        pg_fixture._unavailable("boom")
    monkeypatch.setenv(pg_fixture.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="SCAFFOLD_REQUIRE_PG=1.*boom"):
        pg_fixture._unavailable("boom")


def test_start_failure_reports_log_tail_and_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (pg_fixture.PG_BINDIR / "initdb").exists():
        pg_fixture._unavailable(f"no initdb in {pg_fixture.PG_BINDIR}")
    seen: list[PgServer] = []
    real_initdb = pg_fixture._initdb

    def broken_initdb(server: PgServer) -> None:
        real_initdb(server)
        seen.append(server)
        with open(server.datadir / "postgresql.conf", "a") as f:
            f.write("shared_buffers = 'not-a-size'\n")

    monkeypatch.setattr(pg_fixture, "_initdb", broken_initdb)
    with pytest.raises(pg_fixture.PgUnavailable) as excinfo:
        pg_fixture.start_pg_server()
    message = str(excinfo.value)
    assert "failed to start" in message and "server.log" in message
    assert "shared_buffers" in message  # the server's own complaint, from the log tail
    assert not seen[0].tmpdir.exists()
