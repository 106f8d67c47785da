"""What blocks the event loop: the known blocking functions, and the methods of sync
clients (SQLAlchemy sessions, connections and engines, HTTP and Redis clients) that do I/O."""

from __future__ import annotations

import ast

from scaffold.checks._kinds import (
    SCOPED_SESSION,
    SYNC_CONNECTION,
    SYNC_ENGINE,
    SYNC_HTTP,
    SYNC_REDIS,
    SYNC_SESSION,
)
from scaffold.checks._types import Resolver

# Methods that do I/O or belong to the sync API, per kind of receiver.
_SESSION_METHODS = frozenset(
    {"execute", "scalars", "scalar", "get", "get_one", "add", "add_all", "commit", "delete"}
    | {"flush", "refresh", "merge", "query", "rollback", "close", "connection", "exec"}
    | {"bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings", "begin"}
    | {"begin_nested", "stream", "stream_scalars", "expire_all", "invalidate", "run_sync"}
)
BLOCKING_METHODS: dict[str, frozenset[str]] = {
    SYNC_SESSION: _SESSION_METHODS - {"stream", "stream_scalars", "run_sync"},
    SCOPED_SESSION: _SESSION_METHODS - {"stream", "stream_scalars", "run_sync"} | {"remove"},
    SYNC_CONNECTION: frozenset(
        {"execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback", "begin"}
        | {"begin_nested", "close", "invalidate"}
    ),
    SYNC_ENGINE: frozenset({"connect", "begin", "execute", "raw_connection", "dispose"}),
    SYNC_HTTP: frozenset(
        {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"}
    ),
    # Every command of a sync client talks to the server; building a pipeline does not.
    SYNC_REDIS: frozenset(),
}
_REDIS_QUIET = frozenset({"pipeline", "lock", "pubsub", "register_script", "client"})


def blocking_method(kind: str, method: str) -> bool:
    """Whether calling ``method`` on a value of ``kind`` blocks."""
    if kind == SYNC_REDIS:
        return method not in _REDIS_QUIET and not method.startswith("_")
    return method in BLOCKING_METHODS.get(kind, frozenset())


_BLOCKING = frozenset(
    {
        "time.sleep",
        "urllib.request.urlopen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
        "os.popen",
        "open",
        "io.open",
        "sqlite3.connect",
        "psycopg2.connect",
        "psycopg.connect",
        "pymysql.connect",
        "smtplib.SMTP",
        "smtplib.SMTP_SSL",
        "socket.create_connection",
    }
)
# Sync HTTP functions of requests and httpx (httpx.AsyncClient is fine).
_SYNC_HTTP = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"}
)


def blocking_call(call: ast.Call, resolver: Resolver, env: dict[str, str]) -> str | None:
    """What makes ``call`` block, or None: a known blocking function, or a blocking
    method of a value whose type is known to be synchronous."""
    func = call.func
    if isinstance(func, ast.Attribute):
        kind = resolver.expr_kind(func.value, env)
        if kind and blocking_method(kind, func.attr):
            return f"{kind} call {ast.unparse(func.value)}.{func.attr}()"
    qualname = resolver.qualname(func)
    if qualname is None:
        return None
    if qualname == "open" and ("open" in resolver.module_env or "open" in env):
        return None
    root, last = qualname.partition(".")[0], qualname.rpartition(".")[2]
    if qualname in _BLOCKING or (root in {"requests", "httpx"} and last in _SYNC_HTTP):
        if root in {"requests", "httpx"} and qualname.count(".") != 1:
            return None  # requests.adapters.x / httpx.AsyncClient.get: not the module API
        return f"{qualname}()"
    return None


def advice(what: str) -> str:
    """What to use instead of the blocking ``what`` (as :func:`blocking_call` names it)."""
    if "Session" in what or "Connection" in what or "Engine" in what:
        return "switch to AsyncSession (create_async_engine, async_sessionmaker) and await it"
    if "Redis" in what:
        return "use redis.asyncio and await it"
    if "HTTP" in what or what.startswith(("requests.", "httpx.")):
        return "use httpx.AsyncClient and await it"
    if what == "time.sleep()":
        return "use await asyncio.sleep()"
    return "use an async library or run it with asyncio.to_thread"
