"""The cards table."""

import datetime as dt
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, String, column
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, utcnow
from app.db.types import UTCDateTime


class Card(Base):
    __tablename__ = "cards"
    __table_args__ = (
        CheckConstraint(column("status").in_(["todo", "doing", "done"]), name="status_enum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[UUID] = mapped_column(ForeignKey("boards.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(5), default="todo")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
