"""The users table."""

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, Identity, Integer, String, column, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, utcnow
from app.db.types import UTCDateTime

if TYPE_CHECKING:
    from app.models.orders import Order


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(column("role").in_(["admin", "member"]), name="role_enum"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(6), default="member")
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    orders: Mapped[list["Order"]] = relationship(back_populates="user_ref", lazy="raise")
