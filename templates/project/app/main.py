"""The FastAPI application: settings, logging, middleware, error handlers, every router."""

import importlib
import pkgutil
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import api
from app.api import health
from app.core.config import Settings, get_settings
from app.core.errors import install_error_handlers, known_query_only
from app.core.limits import install_rate_limits
from app.core.logging import configure_logging, get_logger
from app.core.middleware import (
    REQUEST_ID_HEADER,
    BodySizeLimitMiddleware,
    RequestLogMiddleware,
    UnhandledErrorMiddleware,
    request_id_middleware,
)
from app.db.session import database

_VERSION_PACKAGE = re.compile(r"v(\d+)")


def version_routers() -> list[APIRouter]:
    """Return the `router` of each `app.api.v<N>` package, in version order (v2 before v10)."""
    versions = sorted(
        (int(match[1]), info.name)
        for info in pkgutil.iter_modules(api.__path__)
        if info.ispkg and (match := _VERSION_PACKAGE.fullmatch(info.name))
    )
    return [importlib.import_module(f"{api.__name__}.{name}").router for _, name in versions]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; tests build fresh ones with their own settings or routes."""
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Started here, not at import; a database a test suite started stays its own.
        owned = not database.started
        database.start(settings)
        if settings.signing_key_is_random:
            get_logger(__name__).warning(
                "SECRET_KEY is unset: access tokens are signed with a random key of this "
                "process and stop working when it ends; set SECRET_KEY to keep them"
            )
        try:
            yield
        finally:
            if owned:
                await database.stop()

    app = FastAPI(
        title=settings.app_name,
        debug=settings.debug,
        lifespan=lifespan,
        docs_url="/docs" if settings.docs else None,
        redoc_url="/redoc" if settings.docs else None,
        openapi_url="/openapi.json" if settings.docs else None,
        # Every route refuses a query parameter it does not declare (422).
        dependencies=[Depends(known_query_only)],
    )
    # What routes read through `request.app.state.settings` (a test's app: its own).
    app.state.settings = settings
    install_error_handlers(app)
    install_rate_limits(app, settings)
    # add_middleware wraps what is there: the last one added runs first.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(UnhandledErrorMiddleware, debug=settings.debug)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=[REQUEST_ID_HEADER, "Retry-After"],
    )
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(request_id_middleware)
    app.include_router(health.router)
    for router in version_routers():
        app.include_router(router)
    return app


app = create_app()
