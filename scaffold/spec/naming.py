"""Constraint and index names, identical to the generated project's naming convention.

``app/db/base.py`` in the project template applies the same rule through
SQLAlchemy's naming convention; migrations spell the names out with
``op.f(...)``. Both keep every name within PostgreSQL's 63 bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

MAX = 63


def fit_identifier(name: str) -> str:
    """Shorten ``name`` deterministically to at most 63 bytes.

    >>> fit_identifier("ix_short")
    'ix_short'
    >>> len(fit_identifier("ix_" + "x" * 80))
    63
    """
    if len(name.encode()) <= MAX:
        return name
    return name[:54] + "_" + hashlib.sha1(name.encode()).hexdigest()[:8]


def pk(table: str) -> str:
    return fit_identifier(f"pk_{table}")


def fk(table: str, columns: Sequence[str], referred: str) -> str:
    return fit_identifier(f"fk_{table}_{'_'.join(columns)}_{referred}")


def uq(table: str, columns: Sequence[str]) -> str:
    return fit_identifier(f"uq_{table}_{'_'.join(columns)}")


def ix(table: str, columns: Sequence[str]) -> str:
    return fit_identifier(f"ix_{table}_{'_'.join(columns)}")


def ck(table: str, name: str) -> str:
    return fit_identifier(f"ck_{table}_{name}")
