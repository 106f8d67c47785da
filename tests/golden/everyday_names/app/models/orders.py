"""The orders table."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Integer,
    String,
    column,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, utcnow
from app.db.types import JSONDocument, UTCDateTime

if TYPE_CHECKING:
    from app.models.users import User


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(column("status").in_(["pending", "paid"]), name="status_enum"),
        CheckConstraint(column("order") >= 0, name="order_range"),
        CheckConstraint(column("order") <= column("limit"), name="order_le_limit"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger(), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    user: Mapped[str] = mapped_column(String(40))
    order: Mapped[int] = mapped_column(Integer())
    from_: Mapped[str] = mapped_column("from", String(40), index=True)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONDocument)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    limit: Mapped[int] = mapped_column(Integer(), index=True)
    status: Mapped[str] = mapped_column(String(7), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    user_ref: Mapped["User"] = relationship(back_populates="orders", lazy="raise")
