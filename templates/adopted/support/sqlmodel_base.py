"""Part of the support module of a SQLModel project: the `Base` of scaffold's models.
The module takes these imports and this code as they are.
"""

from sqlalchemy.orm import DeclarativeBase
from sqlmodel import SQLModel


class Base(DeclarativeBase):
    """Base of scaffold's models: SQLModel's metadata, so one Alembic history covers all."""

    metadata = SQLModel.metadata
