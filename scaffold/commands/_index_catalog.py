"""What ``scaffold index add`` reads before it plans: the tables, columns and indexes the
migrations build (a scratch SQLite database migrated to head, read through its catalog),
the ``--where`` expression checked against them, and the rows of the database the
project points at that a unique rule would reject (read-only)."""

from __future__ import annotations

import difflib
import json
import os
import re
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.errors import InputError, ProjectError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class IndexRequest:
    """What the user asked for: ``index add TABLE COLUMNS [--unique] [--where EXPR]``."""

    table: str
    columns: tuple[str, ...]
    unique: bool = False
    where: str | None = None

    def command(self, *, table: str | None = None, columns: tuple[str, ...] | None = None) -> str:
        """The command line of this request (with ``table``/``columns`` swapped in)."""
        line = f"scaffold index add {table or self.table} {','.join(columns or self.columns)}"
        if self.unique:
            line += " --unique"
        if self.where is not None:
            line += f' --where "{self.where}"'
        return line

    @property
    def label(self) -> str:
        return f"{self.table}({', '.join(self.columns)})"


@dataclass(frozen=True)
class Existing:
    name: str
    columns: tuple[str, ...]
    unique: bool
    where: str | None  # the predicate of a partial index, as the migrations wrote it
    kind: str  # "index" | "unique constraint" | "primary key"


@dataclass
class TableInfo:
    columns: list[str] = field(default_factory=list)
    indexes: list[Existing] = field(default_factory=list)


def parse_columns(text: str, table: str) -> tuple[str, ...]:
    """``a,b`` → ("a", "b"); exit 2 on an empty or malformed name or a repeated one."""
    names = tuple(part.strip() for part in text.split(","))
    example = f"scaffold index add {table} {','.join(n for n in names if _IDENTIFIER.match(n)) or 'column'}"
    for name in names:
        if not _IDENTIFIER.match(name):
            raise InputError(
                f"{name!r} is not a column name (letters, digits and _).",
                token=name or text,
                example=example,
            )
    if len(set(names)) != len(names):
        repeated = next(n for n in names if names.count(n) > 1)
        raise InputError(
            f"{repeated!r} appears twice in {text!r}.",
            token=repeated,
            example=f"scaffold index add {table} {','.join(dict.fromkeys(names))}",
        )
    return names


def scratch_catalog(
    root: Path, python: str, *, asynchronous: bool = True, ini: str = "alembic.ini"
) -> dict[str, TableInfo]:
    """Every table the migrations create, with its columns and indexes: ``alembic upgrade
    head`` into a scratch SQLite database (through the driver the env uses: async or
    not), then its catalog. Raises ProjectError when the migrations do not run on SQLite."""
    with tempfile.TemporaryDirectory(prefix="scaffold-index-") as tmp:
        db = Path(tmp, "catalog.db")
        driver = "sqlite+aiosqlite" if asynchronous else "sqlite"
        env = {**os.environ, "DATABASE_URL": f"{driver}:///{db}"}
        proc = subprocess.run(
            [python, "-m", "alembic", "-c", ini, "upgrade", "head"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["alembic failed"])[-1]
            raise ProjectError(
                f"Could not read the tables: `alembic upgrade head` failed on a scratch SQLite "
                f"database ({last}).",
                example="alembic upgrade head",
            )
        return _read_catalog(db)


def _read_catalog(db: Path) -> dict[str, TableInfo]:
    con = sqlite3.connect(db)
    try:
        tables: dict[str, TableInfo] = {}
        rows = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
        ).fetchall()
        for table, create in rows:
            info = TableInfo()
            columns = con.execute(f'PRAGMA table_info("{table}")').fetchall()
            info.columns = [c[1] for c in columns]
            pk = tuple(c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5])
            if pk:
                info.indexes.append(Existing("", pk, True, None, "the primary key"))
            named = _named_uniques(create or "")
            for _seq, name, unique, origin, partial in con.execute(
                f'PRAGMA index_list("{table}")'
            ).fetchall():
                if origin == "pk":
                    continue
                cols = tuple(r[2] for r in con.execute(f'PRAGMA index_info("{name}")'))
                sql = con.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
                ).fetchone()
                where = _where_of(sql[0]) if partial and sql and sql[0] else None
                if origin == "u":
                    info.indexes.append(
                        Existing(
                            named.get(cols, "a unique constraint"),
                            cols,
                            True,
                            None,
                            "unique constraint",
                        )
                    )
                else:
                    info.indexes.append(Existing(name, cols, bool(unique), where, "index"))
            tables[table] = info
        return tables
    finally:
        con.close()


def _named_uniques(create: str) -> dict[tuple[str, ...], str]:
    """``CONSTRAINT uq_x UNIQUE (a, b)`` in a CREATE TABLE → {("a", "b"): "uq_x"}."""
    found = {}
    for name, cols in re.findall(r'CONSTRAINT\s+"?(\w+)"?\s+UNIQUE\s*\(([^)]*)\)', create, re.I):
        found[tuple(c.strip().strip('"') for c in cols.split(","))] = name
    return found


def _where_of(create_index: str) -> str | None:
    match = re.search(r"\bWHERE\b(.*)$", create_index, re.I | re.S)
    return match.group(1).strip() if match else None


def normalized(expr: str | None) -> str:
    """A predicate without quotes, spaces, outer parentheses or case, to compare two."""
    text = re.sub(r'["\s]', "", (expr or "").lower())
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text


def validate(request: IndexRequest, catalog: dict[str, TableInfo]) -> TableInfo:
    """The table of ``request``; exit 2 naming an unknown table, column or bad ``--where``."""
    info = catalog.get(request.table)
    if info is None:
        close = difflib.get_close_matches(request.table, list(catalog), n=1)
        have = ", ".join(sorted(catalog)) or "none"
        raise InputError(
            f"No table {request.table!r} in the migrations (tables: {have}).",
            token=request.table,
            example=request.command(table=close[0])
            if close
            else f"scaffold resource {request.table} name:str",
        )
    for column in request.columns:
        if column not in info.columns:
            close = difflib.get_close_matches(column, info.columns, n=1)
            fixed = (
                tuple(close[0] if c == column else c for c in request.columns) if close else None
            )
            raise InputError(
                f"{request.table} has no column {column!r} (columns: {', '.join(info.columns)}).",
                token=column,
                example=request.command(columns=fixed)
                if fixed
                else f"scaffold index add {request.table} {info.columns[-1]}",
            )
    if request.where is not None:
        _check_where(request, info)
    return info


def _check_where(request: IndexRequest, info: TableInfo) -> None:
    """The predicate must be one SQL expression over the table's columns: SQLite parses it
    against an empty copy of the table (no data, no side effect)."""
    where = request.where or ""
    problem = None
    if not where.strip() or ";" in where or "--" in where:
        problem = "it must be one SQL condition"
    else:
        con = sqlite3.connect(":memory:")
        try:
            columns = ", ".join(f'"{c}"' for c in info.columns)
            con.execute(f'CREATE TABLE "{request.table}" ({columns})')
            con.execute(f'EXPLAIN SELECT 1 FROM "{request.table}" WHERE {where}')
        except sqlite3.Error as exc:
            problem = str(exc)
        finally:
            con.close()
    if problem:
        example = IndexRequest(
            request.table, request.columns, request.unique, f"{request.columns[0]} IS NOT NULL"
        ).command()
        raise InputError(
            f"--where {where!r} is not a condition on {request.table} ({problem}).",
            token=where,
            example=example,
        )


def already_there(request: IndexRequest, info: TableInfo) -> Existing | None:
    """An index, unique constraint or primary key that already does what ``request`` asks:
    the same columns in the same order, unique when asked, the same predicate."""
    for existing in info.indexes:
        if existing.columns != request.columns or (request.unique and not existing.unique):
            continue
        if normalized(existing.where) == normalized(request.where):
            return existing
    return None


_PROBE = r"""
import asyncio, json, sys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

async def main():
    engine = create_async_engine(sys.argv[1])
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(text("SET TRANSACTION READ ONLY"))
            rows = (await conn.execute(text(sys.argv[2]))).fetchall()
            await conn.rollback()
    finally:
        await engine.dispose()
    print(json.dumps([[None if v is None else str(v) for v in row] for row in rows]))

asyncio.run(asyncio.wait_for(main(), 10))
"""


def project_database_url(root: Path, python: str, settings: str | None) -> str | None:
    """``DATABASE_URL`` from the environment, else the project's ``.env``, else what its
    settings module (``settings``: ``app.core.config``, a template project's) defaults to."""
    url = os.environ.get("DATABASE_URL")
    env_file = root / ".env"
    if not url and env_file.is_file():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            key, _, value = line.strip().partition("=")
            if key.strip() == "DATABASE_URL" and value.strip():
                url = value.strip().strip("'\"")
    if not url and settings:
        code = f"from {settings} import get_settings; print(get_settings().database_url)"
        proc = subprocess.run(
            [python, "-c", code], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
        lines = proc.stdout.strip().splitlines()
        url = lines[-1] if proc.returncode == 0 and lines else None
    return url


def _read_only_url(root: Path, url: str) -> str | None:
    """A SQLite URL opened read-only (None when the file does not exist: never created)."""
    if not url.startswith("sqlite"):
        return url
    scheme, _, path = url.partition(":///")
    path = path.split("?")[0]
    if not path or path == ":memory:":
        return None
    file = (root / path).resolve() if not Path(path).is_absolute() else Path(path)
    if not file.is_file():
        return None
    return f"{scheme}:///file:{file}?mode=ro&uri=true"


def live_duplicates(
    root: Path, python: str, sql: str, database_url: str | None, settings: str | None
) -> tuple[str, list[list[str | None]] | None]:
    """(what was read, the offending rows or None when the database could not be read)."""
    url = database_url or project_database_url(root, python, settings)
    if not url:
        return "no DATABASE_URL", None
    shown = re.sub(r"//[^@/]*@", "//***@", url)
    from scaffold.apply.verify import _with_driver

    # The probe reads through SQLAlchemy's async engine, whatever driver the app uses.
    readable = _read_only_url(root, _with_driver(url, asynchronous=True))
    if readable is None:
        return f"{shown} (no database file yet)", None
    proc = subprocess.run(
        [python, "-c", _PROBE, readable, sql],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["unreachable"])[-1]
        last = re.sub(r"\s*\(Background on this error.*$", "", last)
        return f"{shown} (not read: {last[:160]})", None
    return shown, json.loads(proc.stdout.strip().splitlines()[-1])


def request_of(
    action: str,
    table: str | None,
    columns: str | None,
    *,
    unique: bool,
    where: str | None,
    missing: bool,
) -> IndexRequest:
    """The request of ``scaffold index ACTION TABLE COLUMNS``; exit 2 on anything else."""
    example = f"scaffold index add {table or 'shifts'} {columns or 'starts_at'}"
    if action != "add":
        raise InputError(
            f"Unknown index action {action!r}: `add TABLE COLUMNS` or --missing.",
            token=action,
            example=example,
        )
    if missing:
        raise InputError(
            "--missing indexes every table at once; `index add` one table's columns: use one.",
            token="--missing",
            example=example,
        )
    if not table or not columns:
        raise InputError(
            "index add needs a table and its columns.",
            token="add",
            example=example,
        )
    return IndexRequest(table, parse_columns(columns, table), unique, where)
