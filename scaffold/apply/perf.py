"""Measured query plans and timings for the Performance Impact section of the report.

A scratch SQLite database is migrated to the revision before the change,
filled with generated rows, and each affected lookup is explained and timed;
then the change's migration runs and the same lookups are measured again.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

ROWS = 20000
LOOKUPS = 200


def _value(kind: str, i: int, fk: bool) -> object:
    kind = kind.upper()
    if fk:
        return i % 500 + 1
    if "INT" in kind:
        return i
    if "BOOL" in kind:
        return i % 2
    if "CHAR(32)" in kind:
        return uuid.UUID(int=i).hex
    if "DATETIME" in kind or "TIMESTAMP" in kind:
        return f"2024-01-01 00:{i // 60 % 60:02d}:{i % 60:02d}.000000"
    if "DATE" in kind:
        return "2024-01-01"
    if "TIME" in kind:
        return "09:00:00.000000"
    if "NUMERIC" in kind or "FLOAT" in kind or "REAL" in kind or "DOUBLE" in kind:
        return i * 1.5
    if "JSON" in kind:
        return "{}"
    return f"v{i}"


def _fill(db: Path, tables: list[str]) -> None:
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("PRAGMA ignore_check_constraints = ON")
        for table in tables:
            info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
            fks = {row[3] for row in con.execute(f'PRAGMA foreign_key_list("{table}")')}
            columns = [
                row[1]
                for row in info
                if not (row[5] and row[1] == "id" and "INT" in row[2].upper())
            ]
            kinds = {row[1]: row[2] for row in info}
            placeholders = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{c}"' for c in columns)
            rows = [
                tuple(_value(kinds[c], i, c in fks) for c in columns) for i in range(1, ROWS + 1)
            ]
            con.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({placeholders})', rows)
        con.commit()
    finally:
        con.close()


def _measure(db: Path, table: str, column: str, where: str | None = None) -> tuple[str, float]:
    """The plan and time of the lookup an index serves: equality on each of its columns
    (``column`` may be ``a,b``), within its ``where`` predicate for a partial one."""
    con = sqlite3.connect(db)
    try:
        columns = column.split(",")
        condition = " AND ".join(f'"{c}" = ?' for c in columns)
        if where:
            condition += f" AND ({where})"
        sql = f'SELECT * FROM "{table}" WHERE {condition}'
        names = ", ".join(f'"{c}"' for c in columns)
        within = f" WHERE {where}" if where else ""
        found = con.execute(f'SELECT {names} FROM "{table}"{within} LIMIT 1 OFFSET 7').fetchone()
        value = tuple(found) if found else tuple(1 for _ in columns)
        plan = " ".join(row[-1] for row in con.execute(f"EXPLAIN QUERY PLAN {sql}", value))
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(LOOKUPS // 5):
                con.execute(sql, value).fetchall()
            samples.append((time.perf_counter() - start) * 1000)
        return plan, statistics.median(samples) * 5
    finally:
        con.close()


def index_impact(
    root: Path, python: str, before_revision: str | None, lookups: list[tuple[str, ...]]
) -> list[str]:
    """Report lines: plan and time of each ``(table, column[, where])`` lookup before and
    after ``upgrade head`` (``column`` may be ``a,b``)."""
    if not lookups:
        return []
    with tempfile.TemporaryDirectory(prefix="scaffold-perf-") as tmp:
        db = Path(tmp, "perf.db")
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}"}

        def alembic(*args: str) -> None:
            proc = subprocess.run(
                [python, "-m", "alembic", *args],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise RuntimeError(
                    proc.stderr.strip().splitlines()[-1]
                    if proc.stderr.strip()
                    else "alembic failed"
                )

        try:
            alembic("upgrade", before_revision or "base")
            _fill(db, sorted({lookup[0] for lookup in lookups}))
            before = {lookup: _measure(db, *lookup) for lookup in lookups}
            alembic("upgrade", "head")
            after = {lookup: _measure(db, *lookup) for lookup in lookups}
        except (RuntimeError, sqlite3.Error, OSError) as exc:
            return [f"- Not measured: {exc}"]
    lines = [
        f"Scratch SQLite database, {ROWS:,} generated rows per table, {LOOKUPS} equality lookups each:",
        "",
        "| lookup | plan before | plan after | time before | time after | speed-up |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for lookup in lookups:
        (plan_a, ms_a), (plan_b, ms_b) = before[lookup], after[lookup]
        ratio = ms_a / ms_b if ms_b else float("inf")
        table, column, *where = lookup
        shown = " AND ".join(f"{table}.{c} = ?" for c in column.split(","))
        shown += "".join(f" AND {w}" for w in where)
        lines.append(
            f"| `{shown}` | {plan_a} | {plan_b} | {ms_a:.1f} ms | {ms_b:.1f} ms | {ratio:.0f}× |"
        )
    return lines
