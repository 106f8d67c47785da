"""Liveness and readiness probe."""

from typing import Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.services.health import DatabaseUnavailable, check_database

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


@router.get("/health", responses=problem_responses(503), operation_id="health-get")
async def health(session: SessionDep) -> Health:
    """Answer `{"status": "ok"}` once the database has answered too; 503 while it does not."""
    try:
        await check_database(session)
    except DatabaseUnavailable:
        detail = "The database is unavailable."
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail) from None
    return Health(status="ok")
