"""Part of the support module: problem+json on the generated routers, and `utcnow`.

In the support module this code follows the template's `core/errors.py` and uses its
names. The imports here let ruff and mypy check it alone; the module takes the lines
`OWN_IMPORTS` in scaffold/generate/adopted/support.py lists.
"""

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import (
    _PROBLEM_SCHEMA,
    _VALIDATION_PROBLEM_SCHEMA,
    DomainError,
    ProblemResponse,
    _domain_error,
    _http_error,
    _validation_error,
)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the problem+json body of each status."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {
                ProblemResponse.media_type: {
                    "schema": _VALIDATION_PROBLEM_SCHEMA if status == 422 else _PROBLEM_SCHEMA
                }
            },
        }
        for status in sorted(statuses)
    }


class ProblemRoute(APIRoute):
    """A route that answers its own errors with problem+json (RFC 9457).

    Set on the generated routers (`APIRouter(route_class=ProblemRoute)`), so the
    project's existing routes and exception handlers are left as they are.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                return await _domain_error(request, exc)
            except RequestValidationError as exc:
                return await _validation_error(request, exc)
            except StarletteHTTPException as exc:
                return await _http_error(request, exc)

        return route


def utcnow() -> datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)
