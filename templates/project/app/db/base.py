"""Declarative base whose constraint names are predictable and fit every database.

Every index and constraint is named by convention (`ix_<table>_<columns>`, ...), and a
name longer than PostgreSQL's 63-byte limit is shortened with a stable hash, so the
name in the models, in the migrations and in the database is always the same.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Constraint, Index, MetaData, Table
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.naming import ConventionDict

MAX_IDENTIFIER_BYTES = 63  # PostgreSQL's limit, the lowest of the supported databases

_FULL_NAMES = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def fit_identifier(name: str) -> str:
    """Return `name` unchanged if it fits in 63 bytes, else a 63-character hashed form.

    Example: `fit_identifier("ix_users_email")` is `"ix_users_email"`; a 70-character
    name becomes its first 54 characters, `_`, and 8 hex digits of its SHA-1.
    """
    if len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()
    return f"{name[:54]}_{digest[:8]}"


def _fitted(kind: str) -> Callable[[Constraint | Index, Table], str]:
    def name(constraint: Constraint | Index, table: Table) -> str:
        # SQLAlchemy's ConventionDict is untyped; it is the mapping the convention reads.
        tokens = ConventionDict(constraint, table, _FULL_NAMES)  # type: ignore[no-untyped-call]
        full = _FULL_NAMES[kind] % tokens
        return fit_identifier(full)

    return name


NAMING_CONVENTION: dict[str, str | Callable[[Constraint | Index, Table], str]] = {
    "ix": "%(ix_name)s",
    "uq": "%(uq_name)s",
    # SQLAlchemy passes an explicit check name through the convention only when the
    # template mentions "constraint_name", hence this token's name.
    "ck": "%(ck_constraint_name)s",
    "fk": "%(fk_name)s",
    "pk": "%(pk_name)s",
    "ix_name": _fitted("ix"),
    "uq_name": _fitted("uq"),
    "ck_constraint_name": _fitted("ck"),
    "fk_name": _fitted("fk"),
    "pk_name": _fitted("pk"),
}


class Base(DeclarativeBase):
    """Base class of every table model (`app/models/<table>.py`)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)
