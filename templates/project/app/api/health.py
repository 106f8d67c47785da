"""Liveness and readiness probe."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from app.db.session import SessionDep
from app.services.health import check_database

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


@router.get("/health")
async def health(session: SessionDep) -> Health:
    """Answer `{"status": "ok"}` once the database has answered too."""
    await check_database(session)
    return Health(status="ok")
