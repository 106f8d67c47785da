"""The weekly_requirements table."""

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Text, UniqueConstraint, column
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, utcnow
from app.db.types import UTCDateTime


class WeeklyRequirement(Base):
    __tablename__ = "weekly_requirements"
    __table_args__ = (
        UniqueConstraint("resident_id", "week_start"),
        CheckConstraint(column("min_hours") <= column("max_hours"), name="min_hours_le_max_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    week_start: Mapped[dt.date] = mapped_column(Date())
    min_hours: Mapped[int] = mapped_column(Integer())
    max_hours: Mapped[int] = mapped_column(Integer())
    notes: Mapped[str | None] = mapped_column(Text())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
