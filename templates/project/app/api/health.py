"""Liveness and readiness probes.

`/health/live` answers while the process does (a liveness probe must not restart
pods because the database is down); `/health/ready` also asks the database and is
503 problem+json while it does not answer. `/health` is ready's old name.
"""

from typing import Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.services.health import DatabaseUnavailableError, check_database

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


@router.get("/health/live", operation_id="health-live")
async def live() -> Health:
    """Answer `{"status": "ok"}` while the process serves requests; no database call."""
    return Health(status="ok")


@router.get("/health/ready", responses=problem_responses(503), operation_id="health-ready")
@router.get("/health", responses=problem_responses(503), operation_id="health-get", deprecated=True)
async def ready(session: SessionDep) -> Health:
    """Answer `{"status": "ok"}` once the database has answered too; 503 while it does not."""
    try:
        await check_database(session)
    except DatabaseUnavailableError:
        detail = "The database is unavailable."
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail) from None
    return Health(status="ok")
