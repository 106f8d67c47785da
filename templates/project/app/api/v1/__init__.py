"""Version 1 of the API: the router of each module in this package, under /api/v1."""

from fastapi import APIRouter

from app.api.discovery import include_package_routers

router = APIRouter(prefix="/api/v1")
include_package_routers(router, __name__)
