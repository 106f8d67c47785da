"""The weekly_requirements table."""

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Integer,
    Text,
    UniqueConstraint,
    column,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, utcnow
from app.db.types import UTCDateTime

if TYPE_CHECKING:
    from app.models.residents import Resident


class WeeklyRequirement(Base):
    __tablename__ = "weekly_requirements"
    __table_args__ = (
        UniqueConstraint("resident_id", "week_start"),
        CheckConstraint(column("min_hours") >= 0, name="min_hours_range"),
        CheckConstraint(column("max_hours") <= 80, name="max_hours_range"),
        CheckConstraint(column("min_hours") <= column("max_hours"), name="min_hours_le_max_hours"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        BigInteger(), ForeignKey("residents.id", ondelete="CASCADE")
    )
    week_start: Mapped[dt.date] = mapped_column(Date())
    min_hours: Mapped[int] = mapped_column(Integer())
    max_hours: Mapped[int] = mapped_column(Integer())
    notes: Mapped[str | None] = mapped_column(Text())
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    resident: Mapped["Resident"] = relationship(back_populates="weekly_requirements", lazy="raise")
