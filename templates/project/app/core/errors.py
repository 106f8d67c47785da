"""Domain errors, and handlers that turn every error into RFC 9457 problem+json.

Responses never contain submitted values, stack traces or exception text: a client
learns what was wrong with its request, not what it sent or how the server failed.
"""

from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class DomainError(Exception):
    """An error a service raises; `detail` is shown to clients, so it never holds input."""

    status_code: ClassVar[int] = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnauthorizedError(DomainError):
    """No valid sign-in: a 401 with `WWW-Authenticate: Bearer`, e.g. an expired token."""

    status_code = 401


class ForbiddenError(DomainError):
    """Signed in, but not allowed, e.g. a non-admin on an admin-only route."""

    status_code = 403


class NotFoundError(DomainError):
    """The addressed resource does not exist, e.g. `NotFoundError("Resident not found")`."""

    status_code = 404


class ConflictError(DomainError):
    """The request conflicts with stored data, e.g. a duplicate unique value."""

    status_code = 409


class InvalidError(DomainError):
    """Input the database refused, e.g. `InvalidError("resident_id", "refers to a missing
    resident", "reference")`: a 422 whose `errors` name the field like a validation error."""

    status_code = 422

    def __init__(self, field: str, message: str, kind: str) -> None:
        super().__init__("The request is invalid.")
        self.errors = [{"loc": ["body", field], "msg": message, "type": kind}]


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


def problem(
    status: int,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    """Build a problem response; with type "about:blank" the title is the status phrase.

    Example: `problem(404, "Resident not found")`.
    """
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail or title}
    return ProblemResponse({**body, **extensions}, status_code=status, headers=headers)


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}
_VALIDATION_PROBLEM_SCHEMA: dict[str, Any] = {
    **_PROBLEM_SCHEMA,
    "required": [*_PROBLEM_SCHEMA["required"], "errors"],
    "properties": {
        **_PROBLEM_SCHEMA["properties"],
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}


# One component each in the OpenAPI document, referenced by every error response.
PROBLEM_COMPONENTS: dict[str, dict[str, Any]] = {
    "Problem": _PROBLEM_SCHEMA,
    "ValidationProblem": _VALIDATION_PROBLEM_SCHEMA,
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the problem+json body of each status.

    Example: `@router.get("/residents/{resident_id}", responses=problem_responses(404, 422))`.
    """
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {
                ProblemResponse.media_type: {
                    "schema": {
                        "$ref": "#/components/schemas/"
                        + (
                            "ValidationProblem"
                            if status == HTTPStatus.UNPROCESSABLE_ENTITY
                            else "Problem"
                        )
                    }
                }
            },
        }
        for status in sorted(statuses)
    }


def _with_problem_components(app: FastAPI) -> None:
    """Add the problem schemas to the app's OpenAPI document, once, when it is built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(PROBLEM_COMPONENTS)
            _exact_integer_bounds(document)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


_EXACT = {float(bound): bound for bound in (-(2**31), 2**31 - 1, -(2**63), 2**63 - 1)}


def _exact_integer_bounds(node: Any) -> None:
    """Integer bounds as integers: FastAPI's document model holds `maximum` as a float, so
    a BIGINT's 9223372036854775807 would read 9.223372036854776e+18 (one more than it)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "integer":
                for key in ("minimum", "maximum"):
                    bound = item.get(key)
                    if isinstance(bound, float) and bound.is_integer():
                        item[key] = _EXACT.get(bound, int(bound))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _printable(part: int | str) -> int | str:
    # A location can hold a submitted JSON key; a lone surrogate there cannot be encoded.
    return part if isinstance(part, int) else part.encode("utf-8", "replace").decode()


# Starlette types every handler as taking an Exception; each one is registered for one class.
async def _domain_error(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, DomainError):
        raise exc
    if isinstance(exc, InvalidError):
        return problem(exc.status_code, exc.detail, errors=exc.errors)
    if isinstance(exc, UnauthorizedError):
        return problem(exc.status_code, exc.detail, headers={"WWW-Authenticate": "Bearer"})
    return problem(exc.status_code, exc.detail)


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        # Starlette names the methods of the first route of the path; the path has more.
        headers["Allow"] = ", ".join(_methods_of_path(request))
    return problem(exc.status_code, detail, headers=headers or None)


def _methods_of_path(request: Request) -> list[str]:
    """Every method some route serves at the request's path, in a stable order."""
    methods: set[str] = set()
    for route in _flat_routes(request.app.router.routes):
        regex, served = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and served and regex.match(request.scope["path"]):
            methods |= set(served)
    return sorted(methods)


def _flat_routes(routes: list[Any]) -> list[Any]:
    """The routes of the app, those of included routers included (FastAPI keeps an
    included router as one route that yields its own, `effective_route_contexts`)."""
    out: list[Any] = []
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        out.extend(nested() if callable(nested) else [route])
    return out


def _query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters a route and its dependencies declare, a parameter model's
    fields included (`Annotated[ResidentListQuery, Query()]`)."""
    names: set[str] = set()
    dependants = [route.dependant]
    while dependants:
        dependant = dependants.pop()
        dependants.extend(dependant.dependencies)
        for param in dependant.query_params:
            annotation = param.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                fields = annotation.model_fields.items()
                names |= {field.alias or name for name, field in fields}
            else:
                names.add(param.alias)
    return frozenset(names)


async def known_query_only(request: Request) -> None:
    """Refuse a query parameter the route does not declare (422), as a misspelt filter
    would otherwise list everything: `GET /api/v1/residents?stauts=x`.

    An app-wide dependency (`FastAPI(dependencies=[Depends(known_query_only)])`).
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known: frozenset[str] | None = getattr(route, "known_query", None)
    if known is None:  # worked out once per route, on its first request
        known = _query_names(route)
        route.known_query = known  # type: ignore[attr-defined]
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": "is not a query parameter of this route",
                    "type": "extra_forbidden",
                }
                for name in dict.fromkeys(unknown)
            ]
        )


# Pydantic messages of these types can quote parts of the input (an email
# validator's "invalid characters: '!'", a UUID's "found `S` at 0").
_QUOTING_TYPES = frozenset(
    {"value_error", "assertion_error", "uuid_parsing", "url_parsing", "json_invalid"}
)


def _message(error: dict[str, Any]) -> str:
    return "Invalid value." if error["type"] in _QUOTING_TYPES else str(error["msg"])


def _location(error: dict[str, Any]) -> list[int | str]:
    loc = [_printable(part) for part in error["loc"]]
    # A rule over several fields (`rule_broken`) is reported on the field it names.
    field = (error.get("ctx") or {}).get("field")
    if error["type"] == "check" and isinstance(field, str):
        loc.append(field)
    return loc


async def _validation_error(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):
        raise exc
    # `input`, `ctx` and `url` are dropped: they echo the submitted values.
    if any(error["type"] == "json_invalid" for error in exc.errors()):
        return problem(400, "The request body is not valid JSON.")
    errors = [
        {"loc": _location(error), "msg": _message(error), "type": error["type"]}
        for error in exc.errors()
    ]
    return problem(422, "The request is invalid.", errors=errors)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error raised while handling a request with problem+json (an
    unhandled one is `app.core.middleware.UnhandledErrorMiddleware`'s)."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    _with_problem_components(app)
