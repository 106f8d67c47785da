"""The kinds of value the rules tell apart (a sync ``Session``, an ``AsyncEngine``, a sync
HTTP client...), and how annotations and calls name them."""

from __future__ import annotations

SYNC_SESSION = "sync Session"
ASYNC_SESSION = "AsyncSession"
SCOPED_SESSION = "scoped_session"
SYNC_CONNECTION = "sync Connection"
ASYNC_CONNECTION = "AsyncConnection"
SYNC_ENGINE = "sync Engine"
ASYNC_ENGINE = "AsyncEngine"
SYNC_FACTORY = "sessionmaker"
ASYNC_FACTORY = "async_sessionmaker"
SYNC_HTTP = "sync HTTP client"
SYNC_REDIS = "sync Redis client"
ROUTER = "FastAPI router"  # a FastAPI/Starlette app or router: its decorators make routes

DATABASE = frozenset(
    {SYNC_SESSION, ASYNC_SESSION, SCOPED_SESSION, SYNC_CONNECTION, ASYNC_CONNECTION}
    | {SYNC_ENGINE, ASYNC_ENGINE}
)
SYNC_SESSIONS = frozenset({SYNC_SESSION, SCOPED_SESSION})


# The classes whose instances make routes (FastAPI and Starlette only).
ROUTER_TYPES = frozenset(
    {"fastapi.FastAPI", "fastapi.applications.FastAPI", "fastapi.APIRouter"}
    | {"fastapi.routing.APIRouter", "starlette.applications.Starlette", "starlette.routing.Router"}
)
# Module roots whose apps make routes; any other framework's decorators are not routes.
ROUTING_ROOTS = frozenset({"fastapi", "starlette"})

# Annotations: qualified type name -> kind.
ANNOTATION_TYPES = {
    "sqlalchemy.orm.Session": SYNC_SESSION,
    "sqlalchemy.orm.session.Session": SYNC_SESSION,
    "sqlmodel.Session": SYNC_SESSION,
    "sqlmodel.orm.session.Session": SYNC_SESSION,
    "sqlalchemy.ext.asyncio.AsyncSession": ASYNC_SESSION,
    "sqlalchemy.ext.asyncio.session.AsyncSession": ASYNC_SESSION,
    "sqlmodel.ext.asyncio.session.AsyncSession": ASYNC_SESSION,
    "sqlalchemy.orm.scoped_session": SCOPED_SESSION,
    "sqlalchemy.orm.scoping.scoped_session": SCOPED_SESSION,
    "sqlalchemy.Connection": SYNC_CONNECTION,
    "sqlalchemy.engine.Connection": SYNC_CONNECTION,
    "sqlalchemy.engine.base.Connection": SYNC_CONNECTION,
    "sqlalchemy.ext.asyncio.AsyncConnection": ASYNC_CONNECTION,
    "sqlalchemy.Engine": SYNC_ENGINE,
    "sqlalchemy.engine.Engine": SYNC_ENGINE,
    "sqlalchemy.engine.base.Engine": SYNC_ENGINE,
    "sqlalchemy.ext.asyncio.AsyncEngine": ASYNC_ENGINE,
    "sqlalchemy.orm.sessionmaker": SYNC_FACTORY,
    "sqlalchemy.ext.asyncio.async_sessionmaker": ASYNC_FACTORY,
    "requests.Session": SYNC_HTTP,
    "requests.sessions.Session": SYNC_HTTP,
    "httpx.Client": SYNC_HTTP,
    "redis.Redis": SYNC_REDIS,
    "redis.StrictRedis": SYNC_REDIS,
    "redis.client.Redis": SYNC_REDIS,
    **{name: ROUTER for name in ROUTER_TYPES},
}
# A bare, unimported name in an annotation (a string annotation, a star import).
BARE_TYPES = {"Session": SYNC_SESSION, "AsyncSession": ASYNC_SESSION}

# Calls: qualified callable -> kind of what it returns.
MAKERS = {
    **{
        name: kind
        for name, kind in ANNOTATION_TYPES.items()
        if kind not in {SYNC_FACTORY, ASYNC_FACTORY}
    },
    "sqlalchemy.orm.sessionmaker": SYNC_FACTORY,
    "sqlalchemy.ext.asyncio.async_sessionmaker": ASYNC_FACTORY,
    "sqlalchemy.ext.asyncio.async_scoped_session": ASYNC_SESSION,
    "sqlalchemy.create_engine": SYNC_ENGINE,
    "sqlalchemy.engine.create_engine": SYNC_ENGINE,
    "sqlmodel.create_engine": SYNC_ENGINE,
    "sqlalchemy.engine_from_config": SYNC_ENGINE,
    "sqlalchemy.ext.asyncio.create_async_engine": ASYNC_ENGINE,
    "requests.session": SYNC_HTTP,
    "redis.from_url": SYNC_REDIS,
    "redis.Redis.from_url": SYNC_REDIS,
    "redis.StrictRedis.from_url": SYNC_REDIS,
}
PRODUCES = {  # calling a value of this kind, or .begin() on it
    SYNC_FACTORY: SYNC_SESSION,
    ASYNC_FACTORY: ASYNC_SESSION,
    SCOPED_SESSION: SYNC_SESSION,
}
CONNECTS = {SYNC_ENGINE: SYNC_CONNECTION, ASYNC_ENGINE: ASYNC_CONNECTION}
GENERATORS = frozenset(
    {"Generator", "Iterator", "Iterable", "AsyncGenerator", "AsyncIterator", "AsyncIterable"}
)

# Symbol table values: "<kind>" for a value, "type:<kind>" for an annotation alias or a
# class (calling it gives a "<kind>": a subclass of APIRouter or Session),
# "returns:<kind>" for a function (a dependency) that returns or yields one. A module's
# own facts are read without the other modules, so what comes from an import is kept
# symbolic and resolved by the SymbolTable: "@ref:Q" (the value of Q), "@call:Q" (what
# calling Q gives), "@dep:Q" (what Depends(Q) injects).
# "@of:<kind>" is what calling a value of a symbolic kind gives (``Router = factory()``,
# then ``Router()``).
# "@ann:Q" is what an annotation naming Q declares (Q imported from another module:
# ``AsyncSession = NewType("AsyncSession", _AsyncSession)`` there, re-exported here).
# A class of the project is "type:@obj:Q" (its instances "@obj:Q"), or "@cls:Q|<base>"
# while its base is imported (a subclass of APIRouter is a router class, any other is
# its own); "@fn:Q" is a function value (``functools.partial(Q, ...)``).
TYPE, RETURNS = "type:", "returns:"
REF, CALL, DEP, OF, ANN = "@ref:", "@call:", "@dep:", "@of:", "@ann:"
OBJ, CLS, FN = "@obj:", "@cls:", "@fn:"
