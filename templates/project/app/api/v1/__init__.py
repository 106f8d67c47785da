"""Version 1 of the API: the router of each module in this package, under /api/v1.

Every route here counts against `RATE_LIMIT_DEFAULT` (see `app.core.limits`).
"""

from fastapi import APIRouter, Depends

from app.api.discovery import include_package_routers
from app.core.limits import default_rate_limit

router = APIRouter(prefix="/api/v1", dependencies=[Depends(default_rate_limit)])
include_package_routers(router, __name__)
