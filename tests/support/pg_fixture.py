"""Throw-away PostgreSQL 15 server for the test suite.

Use it through ``pytest_plugins = ["tests.support.pg_fixture"]`` in the root conftest, or import
the fixtures into a test module.

* ``pg_server`` (session): a private PostgreSQL 15 cluster in a temporary directory,
  listening on 127.0.0.1 only, on a free port, trust auth, durability switched off.
  It is stopped (``pg_ctl stop -m immediate``) and its directory removed at the end of
  the session, on failure too (try/finally plus an atexit fallback).
* ``pg_url`` (function): a fresh, uniquely named, empty database on that server, as a
  ``postgresql+asyncpg://`` URL; dropped (``WITH (FORCE)``) after the test.
* ``make_database(server)`` / ``drop_database(server, url_or_name)``: the same, usable
  outside fixtures.

If the binaries are missing or the server does not start, the tests that need it are
skipped with the reason -- unless ``SCAFFOLD_REQUIRE_PG=1``, then they fail.

As root, ``initdb``/``pg_ctl`` run as the ``postgres`` system user (``initdb`` refuses to
run as root); otherwise as the current user.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PG_BINDIR = Path(os.environ.get("SCAFFOLD_PG_BINDIR", "/usr/lib/postgresql/15/bin"))
REQUIRE_ENV = "SCAFFOLD_REQUIRE_PG"
HOST = "127.0.0.1"
SUPERUSER = "postgres"
SYSTEM_USER = "postgres"  # OS account used to run the server when we are root
_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "psql")
_START_ATTEMPTS = 3  # a fresh port per attempt, in case another process grabbed ours
_LOG_TAIL_LINES = 40
__all__ = [
    "PgServer",
    "PgUnavailable",
    "drop_database",
    "make_database",
    "pg_server",
    "pg_url",
    "start_pg_server",
]


class PgUnavailable(RuntimeError):
    """PostgreSQL binaries are missing or the server could not be started."""


@dataclass
class PgServer:
    host: str
    port: int
    user: str
    bindir: Path
    tmpdir: Path
    startup_seconds: float = 0.0
    _run_as: str | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def datadir(self) -> Path:
        return self.tmpdir / "data"

    @property
    def log_path(self) -> Path:
        return self.tmpdir / "server.log"

    def url(self, dbname: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://{self.user}@{self.host}:{self.port}/{dbname}"

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        return _tail(self.log_path, lines)

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run one SQL command with the ``psql`` binary; return its unaligned output."""
        cmd = [
            str(self.bindir / "psql"),
            "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", dbname,
            "-c", sql,
        ]  # fmt: skip
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=_client_env(), timeout=60, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed ({proc.returncode}) on {sql!r}: {proc.stderr}")
        return proc.stdout.strip()

    def pause(self) -> None:
        """Stop the server as a restart would, keeping its data: `resume()` starts it
        again on the same port (a database outage, for the tests that need one)."""
        proc = _run(
            [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir),
             "-m", "fast", "-w", "-t", "30", "-s"],
            self._run_as, cwd=self.tmpdir, timeout=60,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {proc.stderr}")

    def resume(self) -> None:
        """Start a paused server again on its port."""
        proc = _run(
            [str(self.bindir / "pg_ctl"), "start", "-D", str(self.datadir),
             "-l", str(self.log_path), "-o", f"-p {self.port}", "-w", "-t", "60", "-s"],
            self._run_as, cwd=self.tmpdir, timeout=90,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {proc.stderr}\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server immediately and delete its directory. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        try:
            if (self.datadir / "postmaster.pid").exists():
                proc = _run(
                    [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir),
                     "-m", "immediate", "-w", "-t", "30", "-s"],
                    self._run_as, cwd=self.tmpdir, timeout=60,
                )  # fmt: skip
                if proc.returncode != 0:
                    _kill_postmaster(self.datadir)
        finally:
            _rmtree(self.tmpdir)


# --------------------------------------------------------------------------- helpers


def _client_env() -> dict[str, str]:
    # Drop PG* variables from the caller's environment (PGHOST, PGSERVICE, PGPASSWORD ...)
    # so that only our explicit arguments decide where we connect.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = "10"
    env["PGAPPNAME"] = "scaffold-tests"
    return env


def _run(
    cmd: list[str], run_as: str | None, *, cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    if run_as is not None:
        runuser = shutil.which("runuser")
        if runuser:
            cmd = [runuser, "-u", run_as, "--", *cmd]
        else:
            import shlex

            cmd = ["su", run_as, "-s", "/bin/sh", "-c", shlex.join(cmd)]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=cwd,  # the caller's cwd may be unreadable for the postgres user
        env=_client_env(),
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no server log at {path}: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _kill_postmaster(datadir: Path) -> None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((datadir / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)  # children exit on their own once the postmaster is gone
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.05)


def _rmtree(path: Path) -> None:
    for _ in range(5):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.1)  # a dying backend may still be writing


def _world_traversable(path: Path) -> bool:
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in (path, *path.parents))


def _make_tmpdir(run_as: str | None) -> Path:
    base = Path(tempfile.gettempdir())
    if run_as is not None and not _world_traversable(base):
        base = Path("/tmp")  # the postgres user must be able to reach the directory
    tmp = Path(tempfile.mkdtemp(prefix="scaffold-pg-", dir=base))
    if run_as is not None:
        import pwd

        pw = pwd.getpwnam(run_as)
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
    return tmp


def _check_binaries(bindir: Path) -> None:
    missing = [b for b in _REQUIRED_BINARIES if not os.access(bindir / b, os.X_OK)]
    if missing:
        raise PgUnavailable(
            f"PostgreSQL 15 binaries not found in {bindir} (missing: {', '.join(missing)}); "
            "install them with `apt-get install postgresql` (Debian 12) or run .ci/run"
        )


def _system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise PgUnavailable(
            f"running as root but there is no {SYSTEM_USER!r} system user to run initdb as"
        ) from None
    if not shutil.which("runuser") and not shutil.which("su"):
        raise PgUnavailable("running as root but neither runuser nor su is available")
    return SYSTEM_USER


# --------------------------------------------------------------------------- start


def start_pg_server(bindir: Path | str = PG_BINDIR) -> PgServer:
    """Create and start a throw-away cluster; the caller must call ``.stop()``.

    Raises ``PgUnavailable`` with a readable reason (including the server log tail when
    the server fails to start).
    """
    started = time.perf_counter()
    bindir = Path(bindir)
    _check_binaries(bindir)
    run_as = _system_user()
    tmp = _make_tmpdir(run_as)
    server = PgServer(HOST, 0, SUPERUSER, bindir, tmp, _run_as=run_as)
    atexit.register(server.stop)  # fallback if the session dies before its teardown
    try:
        _initdb(server)
        _start(server)
    except (OSError, subprocess.SubprocessError) as exc:  # e.g. a hung initdb/pg_ctl
        reason = f"starting PostgreSQL failed: {exc!r}\n--- tail of {server.log_path} ---\n"
        reason += server.log_tail()
        server.stop()
        raise PgUnavailable(reason) from exc
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.perf_counter() - started
    return server


def _initdb(server: PgServer) -> None:
    proc = _run(
        [str(server.bindir / "initdb"), "-D", str(server.datadir), "-U", server.user,
         "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
        server._run_as, cwd=server.tmpdir, timeout=120,
    )  # fmt: skip
    if proc.returncode != 0:
        raise PgUnavailable(
            f"initdb failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}".rstrip()
        )
    # Opening the existing files keeps their owner (postgres) and mode.
    with open(server.datadir / "pg_hba.conf", "w") as f:
        f.write(
            "# scaffold test cluster: trust, loopback TCP and the private socket only\n"
            "local all all trust\n"
            f"host  all all {HOST}/32 trust\n"
        )
    with open(server.datadir / "postgresql.conf", "a") as f:
        f.write(
            "\n# scaffold test cluster\n"
            f"listen_addresses = '{HOST}'\n"
            f"unix_socket_directories = '{server.tmpdir}'\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 200\n"
            "shared_buffers = 32MB\n"
            "max_wal_size = 1GB\n"
            "checkpoint_timeout = 1h\n"
            "logging_collector = off\n"
            "log_min_messages = warning\n"
            "log_min_error_statement = error\n"
            "timezone = 'UTC'\n"
        )


def _start(server: PgServer) -> None:
    failure = ""
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        proc = _run(
            [str(server.bindir / "pg_ctl"), "start", "-D", str(server.datadir),
             "-l", str(server.log_path), "-o", f"-p {port}", "-w", "-t", "60", "-s"],
            server._run_as, cwd=server.tmpdir, timeout=90,
        )  # fmt: skip
        if proc.returncode == 0:
            server.port = port
            return
        log = server.log_tail()
        failure = (
            f"PostgreSQL server failed to start on {HOST}:{port} "
            f"(pg_ctl exit {proc.returncode}): {proc.stderr.strip()}\n"
            f"--- tail of {server.log_path} ---\n{log}"
        )
        _kill_postmaster(server.datadir)  # pg_ctl -w may time out with a live postmaster
        if "Address already in use" not in log and "could not bind" not in log:
            break
    raise PgUnavailable(failure)


# --------------------------------------------------------------------------- databases

_db_counter = itertools.count(1)


def make_database(server: PgServer) -> str:
    """Create a fresh, uniquely named database on *server*; return its asyncpg URL."""
    name = f"test_{os.getpid()}_{next(_db_counter)}_{secrets.token_hex(3)}"
    server.psql(f'CREATE DATABASE "{name}"')
    return server.url(name)


def drop_database(server: PgServer, url_or_name: str) -> None:
    """Drop a database made by ``make_database``, terminating any open connections."""
    name = url_or_name.rsplit("/", 1)[-1].split("?", 1)[0]
    server.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- fixtures

# One server per process, even if the fixture is registered twice (plugin + import).
_lock = threading.Lock()
_shared: PgServer | None = None
_shared_users = 0
_shared_failure: str | None = None


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but PostgreSQL is unavailable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def _acquire() -> PgServer:
    global _shared, _shared_users, _shared_failure
    with _lock:
        if _shared is None and _shared_failure is None:
            try:
                _shared = start_pg_server()
            except PgUnavailable as exc:
                _shared_failure = str(exc)
        if _shared is None:
            _unavailable(_shared_failure or "unknown error")
        _shared_users += 1
        return _shared


def _release() -> None:
    global _shared, _shared_users
    with _lock:
        _shared_users -= 1
        if _shared_users == 0 and _shared is not None:
            server, _shared = _shared, None
            server.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = _acquire()
    try:
        yield server
    finally:
        _release()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    url = make_database(pg_server)
    try:
        yield url
    finally:
        drop_database(pg_server, url)
