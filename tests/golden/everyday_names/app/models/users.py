"""The users table."""

import datetime as dt

from sqlalchemy import CheckConstraint, String, column
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, utcnow
from app.db.types import UTCDateTime


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(column("role").in_(["admin", "member"]), name="role_enum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(6), default="member")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
