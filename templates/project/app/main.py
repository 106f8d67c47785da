"""The FastAPI application: settings, error handlers, and every discovered router."""

import importlib
import pkgutil
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from app import api
from app.api import health
from app.core.config import get_settings
from app.core.errors import install_error_handlers
from app.db.session import engine

_VERSION_PACKAGE = re.compile(r"v(\d+)")


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Close the pooled database connections when the server stops."""
    yield
    await engine.dispose()


def version_routers() -> list[APIRouter]:
    """Return the `router` of each `app.api.v<N>` package, in version order (v2 before v10)."""
    versions = sorted(
        (int(match[1]), info.name)
        for info in pkgutil.iter_modules(api.__path__)
        if info.ispkg and (match := _VERSION_PACKAGE.fullmatch(info.name))
    )
    return [importlib.import_module(f"{api.__name__}.{name}").router for _, name in versions]


def create_app() -> FastAPI:
    """Build the application; tests build fresh ones to add routes of their own."""
    settings = get_settings()
    app = FastAPI(title=settings.app_name, debug=settings.debug, lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(health.router)
    for router in version_routers():
        app.include_router(router)
    return app


app = create_app()
