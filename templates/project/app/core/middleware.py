"""ASGI middleware the app installs around every request (see `app.main.create_app`).

From the outside in: the request id, the request log line, CORS, the answer to an
unhandled error, the body size limit, the rate limit.
"""

import contextlib
import re
import time
import uuid

from asgi_correlation_id import CorrelationIdMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import problem
from app.core.logging import get_logger

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_log = get_logger("app.request")


def route_template(scope: Scope) -> str:
    """The matched route as declared, with every router prefix, e.g.
    `/api/v1/residents/{resident_id}`; `(no route)` before or without a match.

    A route knows its path below the routers that include it, so the prefix is taken
    from the request's own path: the segments before the route's.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return "(no route)"
    path = scope.get("path", "")
    width = template.count("/")
    prefix = "/".join(path.split("/")[: max(path.count("/") - width + 1, 0)])
    return (prefix + template) if prefix else template


def valid_request_id(value: str) -> bool:
    """A caller's `X-Request-ID` is kept when it is 1-128 of `A-Za-z0-9._-`."""
    return _REQUEST_ID.fullmatch(value) is not None


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_middleware(app: ASGIApp) -> CorrelationIdMiddleware:
    return CorrelationIdMiddleware(
        app, header_name=REQUEST_ID_HEADER, generator=new_request_id, validator=valid_request_id
    )


class RequestLogMiddleware:
    """One line per request: method, route template, status, duration, request id.

    The route template (`/api/v1/residents/{resident_id}`), not the path: ids and query
    strings stay out of the log, and lines of one route group together.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            _log.info(
                "request",
                method=scope["method"],
                path=route_template(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )


class UnhandledErrorMiddleware:
    """Answer an unhandled error with a 500 problem and log its traceback once.

    Starlette's own handler logs nothing and re-raises, and the server then prints the
    traceback again; this one logs it once and ends the request there.
    """

    def __init__(self, app: ASGIApp, *, debug: bool = False) -> None:
        self.app = app
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def track(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, track)
        except Exception:
            if self.debug:
                raise  # Starlette's debug page shows the traceback in the browser
            # Method and route only: the query string and body may carry secrets.
            _log.exception("unhandled error", method=scope["method"], path=route_template(scope))
            if not started:
                response = problem(500, "An unexpected error occurred.")
                await response(scope, receive, send)


class _BodyTooLargeError(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuse a request body larger than `max_bytes` with 413 problem+json.

    A declared `Content-Length` over the limit is refused before anything is read; a
    chunked body is counted as it arrives and refused once it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        received = 0
        too_large = started = False

        async def counted() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLargeError
            return message

        async def track(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to a body it could not read is replaced below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        # Raised through the app when it reads the body itself.
        with contextlib.suppress(_BodyTooLargeError):
            await self.app(scope, counted, track)
        if too_large and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is larger than {self.max_bytes} bytes."
        await problem(413, detail, headers={"Connection": "close"})(scope, receive, send)
