"""The residents table."""

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, Identity, Integer, String, column, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, utcnow
from app.db.types import UTCDateTime

if TYPE_CHECKING:
    from app.models.weekly_requirements import WeeklyRequirement


class Resident(Base):
    __tablename__ = "residents"
    __table_args__ = (CheckConstraint(column("pgy").between(1, 3), name="pgy_range"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    pgy: Mapped[int] = mapped_column(Integer())
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    weekly_requirements: Mapped[list["WeeklyRequirement"]] = relationship(
        back_populates="resident", lazy="raise"
    )
