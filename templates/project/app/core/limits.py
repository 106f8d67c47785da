"""Rate limits as dependencies: a default for every API route, and tighter ones per route.

`RATE_LIMIT_DEFAULT` (e.g. `100/minute`) applies to each route under `/api/vN` per
client address: every version router depends on `default_rate_limit`, so a route counts
however it was included (no middleware has to recognise its endpoint). A route takes its
own limit on top of it with a dependency:

    @router.post("/login", dependencies=[rate_limit("5/minute")])

Both answer 429 problem+json with `Retry-After` (seconds). Health probes are not under
`/api` and are never limited. Counters live in `RATE_LIMIT_STORAGE_URI` (memory: per
worker process, unless a shared store is set). A moving window: "5/minute" is at most 5
in any 60 seconds, where a fixed window lets a client send 10 across the turn of a minute.
"""

import time
from functools import lru_cache
from typing import Any, NoReturn

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from limits import RateLimitItem, parse, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.core.config import Settings
from app.core.errors import problem


class RouteRateLimitedError(Exception):
    def __init__(self, limit: RateLimitItem, retry_after: int) -> None:
        super().__init__(str(limit))
        self.limit = limit
        self.retry_after = retry_after


def get_remote_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: run uvicorn with
    `--forwarded-allow-ips` set to the proxy's address so it is the client's)."""
    return request.client.host if request.client else "unknown"


@lru_cache
def _rates(text: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(text))


def _route(request: Request) -> str:
    return getattr(request.scope.get("route"), "path", request.url.path)


async def default_rate_limit(request: Request) -> None:
    """`RATE_LIMIT_DEFAULT` per route and client: the dependency of every version router."""
    settings: Settings = request.app.state.settings
    for item in _rates(settings.rate_limit_default):
        hit(request, item, "default", _route(request), get_remote_address(request))


def rate_limit(limit: str) -> Any:
    """A dependency limiting one route to `limit` per client, e.g. `rate_limit("5/minute")`."""
    item = parse(limit)

    async def check(request: Request) -> None:
        hit(request, item, "route", _route(request), get_remote_address(request))

    return Depends(check)


def _limiter(request: Request) -> MovingWindowRateLimiter:
    limiter: MovingWindowRateLimiter = request.app.state.limiter
    return limiter


def hit(request: Request, item: RateLimitItem, *key: str) -> None:
    """Count one request against `item` for `key`; RouteRateLimitedError when it is over.

    Example: `hit(request, parse("5/minute"), "login", email)` limits per account.
    """
    if not _limiter(request).hit(item, *key):
        _over(request, item, *key)


def refuse_if_over(request: Request, item: RateLimitItem, *key: str) -> None:
    """RouteRateLimitedError when `key` has used up `item` already, without counting this
    request: count it afterwards with `hit` (sign-in counts only its failures)."""
    if not _limiter(request).test(item, *key):
        _over(request, item, *key)


def _over(request: Request, item: RateLimitItem, *key: str) -> NoReturn:
    reset, _remaining = _limiter(request).get_window_stats(item, *key)
    raise RouteRateLimitedError(item, max(1, int(reset - time.time()) + 1))


async def _route_limit_hit(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RouteRateLimitedError):
        raise exc
    detail = f"Too many requests: {exc.limit}."
    return problem(429, detail, headers={"Retry-After": str(exc.retry_after)})


def install_rate_limits(app: FastAPI, settings: Settings) -> None:
    """Put the limiter on the app and answer every limit with 429 problem+json."""
    storage = storage_from_string(settings.rate_limit_storage_uri)
    app.state.limiter = MovingWindowRateLimiter(storage)
    app.add_exception_handler(RouteRateLimitedError, _route_limit_hit)
