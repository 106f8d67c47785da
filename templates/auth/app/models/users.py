"""The users table: who can sign in, and who is an admin.

Emails are stored lower-cased (the schemas normalise them), so the unique constraint
ignores case. A password is stored only as its Argon2id hash (`app.core.security`).
"""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import BigInteger, Boolean, Identity, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, utcnow
from app.db.types import UTCDateTime


class User(Base):
    __tablename__ = "users"
    # SQLite would give a deleted user's id to the next new one, and a token naming it
    # would then sign in as that user: AUTOINCREMENT never reuses an id (PostgreSQL's
    # identity never does either).
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean(), default=True, server_default=sa.true())
    is_admin: Mapped[bool] = mapped_column(Boolean(), default=False, server_default=sa.false())
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )
