"""Checks on the Alembic side: the revision graph (SC601/SC602) and drift (SC700/SC701).

The revision graph is read with ``ast`` (no import, so a broken migration cannot
run code here); drift is left to ``alembic check`` in a subprocess, so this
module never imports SQLAlchemy or Alembic.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.checks._config import CheckConfig
from scaffold.checks._finding import Finding

ALEMBIC_TIMEOUT = 120


@dataclass(frozen=True)
class Revision:
    path: str
    revision: str
    revision_line: int
    down: tuple[str, ...]
    down_line: int
    unsafe: tuple[Finding, ...] = field(default=(), repr=False)  # SC603 (``_unsafe_ddl``)


def _revision_value(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
        return (node.value,) if node.value else ()
    if isinstance(node, ast.Tuple | ast.List):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(values) == len(node.elts) and all(isinstance(v, str) for v in values):
            return tuple(values)
    return None


def read_revision(tree: ast.Module, path: str) -> Revision | None:
    """The ``revision``/``down_revision`` assignments of one migration module.

    >>> tree = ast.parse("revision = 'b'\\ndown_revision: str | None = 'a'")
    >>> read_revision(tree, "v/b.py")
    Revision(path='v/b.py', revision='b', revision_line=1, down=('a',), down_line=2)
    """
    found: dict[str, tuple[tuple[str, ...], int]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
            parsed = _revision_value(value)
            if parsed is not None:
                found[target.id] = (parsed, stmt.lineno)
    if "revision" not in found or len(found["revision"][0]) != 1:
        return None
    from scaffold.checks._unsafe_ddl import unsafe_ddl

    down, down_line = found.get("down_revision", ((), found["revision"][1]))
    unsafe = tuple(unsafe_ddl(tree, path))
    return Revision(path, found["revision"][0][0], found["revision"][1], down, down_line, unsafe)


def revision_graph(revisions: list[Revision]) -> Iterator[Finding]:
    """SC601 for every head beyond the main one, SC602 for every dangling down_revision.

    The main head is the one with the longest chain (ties: first by path), so the
    finding lands on the branch that most likely needs merging.
    """
    by_id: dict[str, Revision] = {}
    for rev in sorted(revisions, key=lambda r: r.path):
        by_id.setdefault(rev.revision, rev)
        yield from rev.unsafe
    for rev in by_id.values():
        for down in rev.down:
            if down not in by_id:
                yield Finding(
                    rev.path,
                    rev.down_line,
                    1,
                    "SC602",
                    f"down_revision {down!r} of revision {rev.revision!r} does not exist",
                )
    referenced = {down for rev in by_id.values() for down in rev.down}
    heads = [rev for rev in by_id.values() if rev.revision not in referenced]
    if len(heads) < 2:
        return
    depth: dict[str, int] = {}

    def chain(rev_id: str, seen: frozenset[str] = frozenset()) -> int:
        if rev_id not in depth:
            parents = [d for d in by_id[rev_id].down if d in by_id and d not in seen]
            depth[rev_id] = 1 + max((chain(d, seen | {rev_id}) for d in parents), default=0)
        return depth[rev_id]

    heads.sort(key=lambda rev: (-chain(rev.revision), rev.path))
    names = ", ".join(rev.revision for rev in heads)
    for extra in heads[1:]:
        yield Finding(
            extra.path,
            extra.revision_line,
            1,
            "SC601",
            f"revision {extra.revision!r} is an extra Alembic head (heads: {names}); "
            "run `alembic merge heads` or rebase it onto the main head",
        )


_UPGRADE_THEN_CHECK = """
import sys
from alembic.config import main
ini = sys.argv[1]
try:
    main(["-c", ini, "upgrade", "head"])
    main(["-c", ini, "check"])
except SystemExit as exc:
    sys.exit(exc.code)
"""


@dataclass
class AlembicRun:
    """A running ``alembic check`` and how it was set up (for SC700's explanation)."""

    process: subprocess.Popen[str]
    setup: str


def describe_url(url: str) -> str:
    """The URL with its password hidden.

    >>> describe_url("postgresql+asyncpg://app:s3cret@db:5432/app")
    'postgresql+asyncpg://app:***@db:5432/app'
    """
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def start_alembic_check(
    root: Path,
    config: CheckConfig,
    python: str,
    database_url: str | None = None,
    upgrade: bool = True,
    environment: dict[str, str] | None = None,
) -> AlembicRun | list[Finding]:
    """Start ``alembic check`` in the background (the AST rules run meanwhile).

    Alembic's own rule applies: the database must be at head for the comparison, so a
    database that is behind is an SC700 saying so, not drift. ``database_url`` is
    passed as ``DATABASE_URL``; with ``upgrade`` (a scratch or test database) it is
    upgraded to head first, in the same interpreter, so the models and SQLAlchemy are
    imported once. ``environment`` describes where the URL came from, for SC700.
    """
    ini = config.alembic_ini
    env = dict(os.environ)
    command = [python, "-m", "alembic", "-c", ini, "check"]
    setup = "with the environment as it is (no DATABASE_URL set by scaffold)"
    if database_url:
        env["DATABASE_URL"] = database_url
        origin = (environment or {}).get("origin", "--database-url")
        setup = f"with DATABASE_URL={describe_url(database_url)} ({origin}"
        if upgrade:
            command = [python, "-c", _UPGRADE_THEN_CHECK, ini]
            setup += ", upgraded to head first)"
        else:
            setup += ", used as it is)"
    try:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except OSError as exc:
        return [_at_ini(ini, "SC700", f"`alembic check` could not start: {exc.strerror or exc}")]
    return AlembicRun(process, f"{python} -m alembic check {setup}")


_POINT_IT = (
    "point it at a database the project accepts with --database-url URL (used as it is) "
    "or TEST_DATABASE_URL=URL (a disposable database, upgraded first), or skip it with "
    "--no-alembic"
)


def _advice(output: str) -> str:
    if "ValidationError" in output:
        fields = re.findall(r"^(\w+)\n\s+(.+?)(?: \[|$)", output, re.M)
        detail = "; ".join(f"{name}: {problem}" for name, problem in fields[:2])
        detail = f" ({detail})" if detail else ""
        return f"the project's settings refused that environment{detail}; {_POINT_IT}"
    if re.search(r"Connection refused|could not connect|getaddrinfo|timeout expired", output, re.I):
        return f"the database did not answer; start it, or {_POINT_IT}"
    if "Target database is not up to date" in output:
        return (
            "run `alembic upgrade head` on that database first, or let check use a scratch database"
        )
    if "ModuleNotFoundError" in output or "ImportError" in output:
        return "env.py could not import the project; install it in the interpreter shown"
    return _POINT_IT


def finish_alembic_check(config: CheckConfig, started: AlembicRun | list[Finding]) -> list[Finding]:
    """SC701 on drift, SC700 when Alembic itself could not run."""
    if isinstance(started, list):
        return started
    setup, started = started.setup, started.process
    ini = config.alembic_ini
    try:
        stdout, stderr = started.communicate(timeout=ALEMBIC_TIMEOUT)
    except subprocess.TimeoutExpired:
        started.kill()
        started.communicate()
        return [_at_ini(ini, "SC700", f"`alembic check` timed out after {ALEMBIC_TIMEOUT} s")]
    if started.returncode == 0:
        return []
    output = f"{stdout}\n{stderr}"
    drift = re.search(r"New upgrade operations detected:\s*(.*)", output, re.DOTALL)
    if drift:
        ops = drift.group(1)
        count = len(re.findall(r"\(\s*'(?:add|remove|modify)_\w+'", ops))
        more = f" (and {count - 1} more)" if count > 1 else ""
        return [
            _at_ini(
                ini,
                "SC701",
                f"models differ from migrations: {first_operation(ops)}{more}; "
                "run `alembic revision --autogenerate`",
            )
        ]
    reason = failure_reason(stderr or output)
    return [
        _at_ini(
            ini,
            "SC700",
            f"`alembic check` failed: {reason}. It ran as `{setup}`; {_advice(output)}",
        )
    ]


def alembic_check(
    root: Path, config: CheckConfig, python: str, database_url: str | None = None
) -> list[Finding]:
    """Run ``alembic check`` to the end (see :func:`start_alembic_check`)."""
    return finish_alembic_check(config, start_alembic_check(root, config, python, database_url))


def _at_ini(ini: str, code: str, message: str) -> Finding:
    return Finding(Path(ini).as_posix(), 1, 1, code, message)


def first_operation(ops: str) -> str:
    """Summarise the first op of Alembic's diff list.

    >>> first_operation("[('add_column', None, 'users', Column('age', Integer()))]")
    'add_column users.age'
    >>> first_operation("[('add_table', Table('items', MetaData(), Column('id')))]")
    'add_table items'
    """
    match = re.search(r"\(\s*'(\w+)'", ops)
    if not match:
        return ops.strip().splitlines()[0][:120] if ops.strip() else "unknown operation"
    op = match.group(1)
    rest = ops[match.end() : match.end() + 400]
    names = re.findall(r"'([^']*)'", rest)
    wanted = 2 if "column" in op or op.startswith("modify_") else 1
    return " ".join([op, ".".join(names[:wanted])]).strip()


def failure_reason(text: str) -> str:
    """The line that says why Alembic failed, not the traceback above it.

    >>> failure_reason("Traceback...\\n  File x\\nModuleNotFoundError: No module named 'app'\\n")
    "ModuleNotFoundError: No module named 'app'"
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("FAILED:"):
            return line.removeprefix("FAILED:").strip()[:200]
    for line in reversed(lines):
        if re.match(r"^[\w.]*(Error|Exception|Exit|Failure)\b.*:", line):
            return line[:200]
    return (lines[-1] if lines else "no output")[:200]
