"""Rate limits (slowapi): a default for every route, and tighter ones per route.

`RATE_LIMIT_DEFAULT` (e.g. `100/minute`) applies to each route per client address.
A route takes its own limit on top of it with a dependency:

    @router.post("/login", dependencies=[rate_limit("5/minute")])

Both answer 429 problem+json with `Retry-After` (seconds). Health probes are exempt.
"""

import time
from typing import Any, NoReturn

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from limits import RateLimitItem, parse
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from app.core.config import Settings
from app.core.errors import problem


def create_limiter(settings: Settings) -> Limiter:
    """The app's limiter; its counters live in `RATE_LIMIT_STORAGE_URI` (memory, per
    process, unless a shared store is set).

    A moving window: "5/minute" is at most 5 in any 60 seconds, where a fixed window
    lets a client send 10 across the turn of a minute.
    """
    return Limiter(
        key_func=get_remote_address,
        default_limits=[settings.rate_limit_default],
        headers_enabled=True,
        strategy="moving-window",
        storage_uri=settings.rate_limit_storage_uri,
    )


class RouteRateLimited(Exception):
    def __init__(self, limit: RateLimitItem, retry_after: int) -> None:
        super().__init__(str(limit))
        self.limit = limit
        self.retry_after = retry_after


def rate_limit(limit: str) -> Any:
    """A dependency limiting one route to `limit` per client, e.g. `rate_limit("5/minute")`."""
    item = parse(limit)

    async def check(request: Request) -> None:
        route = getattr(request.scope.get("route"), "path", request.url.path)
        hit(request, item, "route", route, get_remote_address(request))

    return Depends(check)


def hit(request: Request, item: RateLimitItem, *key: str) -> None:
    """Count one request against `item` for `key`; RouteRateLimited when it is over.

    Example: `hit(request, parse("5/minute"), "login", email)` limits per account.
    """
    limiter: Limiter = request.app.state.limiter
    if not limiter.limiter.hit(item, *key):
        _over(limiter, item, *key)


def refuse_if_over(request: Request, item: RateLimitItem, *key: str) -> None:
    """RouteRateLimited when `key` has used up `item` already, without counting this
    request: count it afterwards with `hit` (sign-in counts only its failures)."""
    limiter: Limiter = request.app.state.limiter
    if not limiter.limiter.test(item, *key):
        _over(limiter, item, *key)


def _over(limiter: Limiter, item: RateLimitItem, *key: str) -> NoReturn:
    reset, _remaining = limiter.limiter.get_window_stats(item, *key)
    raise RouteRateLimited(item, max(1, int(reset - time.time()) + 1))


def _too_many(detail: str, retry_after: int) -> Response:
    return problem(429, detail, headers={"Retry-After": str(retry_after)})


async def _default_limit_hit(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimitExceeded)
    response = _too_many(f"Too many requests: {exc.detail}.", 60)
    limiter: Limiter = request.app.state.limiter
    # slowapi's own headers: X-RateLimit-Limit/Remaining/Reset and the real Retry-After.
    return limiter._inject_headers(response, request.state.view_rate_limit)


async def _route_limit_hit(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RouteRateLimited)
    return _too_many(f"Too many requests: {exc.limit}.", exc.retry_after)


def install_rate_limits(app: FastAPI, settings: Settings, *exempt: Any) -> None:
    """Put the limiter on the app and answer both kinds of limit with 429 problem+json."""
    limiter = create_limiter(settings)
    for endpoint in exempt:
        limiter.exempt(endpoint)  # type: ignore[no-untyped-call]
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, _default_limit_hit)
    app.add_exception_handler(RouteRateLimited, _route_limit_hit)
