"""The rule catalogue: every code ``scaffold check`` can report, in report order.

Each rule has a default severity: ``error`` (a defect: the run exits 1), ``warning``
(a standing order is not followed; reported, exit 0) or ``info`` (worth a look, never
wrong by itself). ``[tool.scaffold] severity = {SC201 = "error"}`` changes one.
``scaffold check --explain SC101`` prints the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    summary: str
    explanation: str

    def explain(self) -> str:
        """The text ``scaffold check --explain CODE`` prints."""
        return (
            f"{self.code} ({self.severity}): {self.summary}\n\n{self.explanation.strip()}\n\n"
            f"Silence one line with `# noqa: {self.code}`; turn the rule off with\n"
            f'`disable = ["{self.code}"]` or change its severity with\n'
            f'`severity = {{{self.code} = "warning"}}` under [tool.scaffold] in pyproject.toml.\n'
        )


def _rules(*rules: Rule) -> MappingProxyType[str, Rule]:
    return MappingProxyType({rule.code: rule for rule in rules})


RULES: MappingProxyType[str, Rule] = _rules(
    Rule(
        "SC001",
        "error",
        "file cannot be parsed, so no other rule could check it",
        """
The file is not valid Python for the versions the project supports. The grammar is
the one of the lowest version `requires-python` allows (Python 3.12 syntax such as
`type X = int` or `class C[T]` is read when requires-python is ">=3.12"; without a
requires-python the newest grammar is used). A file that uses newer syntax than the
project declares is reported here, with the version it needs.

Fix: correct the syntax error, or raise requires-python in pyproject.toml.
""",
    ),
    Rule(
        "SC101",
        "error",
        "blocking call inside async def (sync Session, requests, time.sleep, open...)",
        """
A blocking call inside `async def` stops the event loop: every other request waits
until it returns. Reported, once per call, when the call is made on something known
to be synchronous:

- a sync SQLAlchemy `Session`, `Connection` or `Engine` (a parameter annotated with
  it, a `Depends(get_db)` whose dependency yields one, a `sessionmaker()` or
  `scoped_session()` result, `with Session(engine) as db:`): execute, scalars, get,
  add, commit, flush, refresh, query...
- `requests` and the sync `httpx` API, `urllib.request.urlopen`, sync `redis`,
  `time.sleep`, `subprocess.run/call/check_call/check_output/Popen`, `os.system`,
  `open()`, `sqlite3.connect`, `psycopg2.connect`, `smtplib.SMTP`.

Names are never guessed: a variable called `session` that is a login session or a
dict is not a database session.

Bad:
    async def list_items(db: Session = Depends(get_db)):
        return db.execute(select(Item)).scalars().all()
Good:
    async def list_items(db: AsyncSession = Depends(get_db)):
        return (await db.execute(select(Item))).scalars().all()

Code in a nested sync `def` handed to `asyncio.to_thread` / `run_in_threadpool`
is not flagged.

A call of the project's own sync function, method or class that blocks (it makes a
blocking call, or calls another of the project's functions that does, through
`self.x` attributes, factories' results and `functools.partial`) is reported too,
with the chain: `repo.first() → OrderRepository.first → BaseRepository.get → sync
Session call self.session.execute()`. Handing the function itself to
`asyncio.to_thread`, `run_in_threadpool` or `anyio.to_thread.run_sync` is fine.
""",
    ),
    Rule(
        "SC102",
        "warning",
        "route handler is a sync def; handlers must be async def",
        """
Standing order: async only. FastAPI runs a plain `def` handler in a thread pool,
which hides blocking I/O instead of removing it and caps concurrency at the pool
size (40 threads by default).

Fix: make the handler `async def` and make what it awaits async with it. When the
handler uses a sync SQLAlchemy `Session`, switch the session to `AsyncSession`
(`create_async_engine`, `async_sessionmaker`) in the same change: an `async def`
handler on a sync session blocks the event loop (SC101), which is worse than the
thread pool.
""",
    ),
    Rule(
        "SC201",
        "warning",
        "router queries the database directly; queries belong in a service",
        """
Standing order: layered. A router (a module with route handlers, or one matched by
the `routers` globs) that builds or runs queries mixes HTTP and persistence. Reported
for SQLAlchemy `select/insert/update/delete/text` used in a router and for calls made
on a database session, connection or engine there (the receiver's type is resolved,
not guessed from its name). Passing the session on to a service is fine, and so is a
dependency generator that yields the session and commits or rolls it back.

Fix: move the query into a service method and call that from the handler.
""",
    ),
    Rule(
        "SC301",
        "error",
        "request body not typed by a Pydantic model (dict, Any, bare Body(), request.json())",
        """
Standing order: Pydantic on every input. A handler parameter typed `dict`, `Any`,
`list[dict]`, a `Body()` with no model, or a raw `await request.json()` /
`request.body()` reaches the code unvalidated.

Not reported: a webhook handler that reads the raw body to verify its signature
(the body is passed to `hmac`, `compare_digest` or a function named like
verify/signature/construct_event): the signature covers the exact bytes, so
parsing them first would break it.

Fix: declare a Pydantic model and use it as the parameter's type.
""",
    ),
    Rule(
        "SC401",
        "error",
        "sensitive field (password, token, secret...) in a read schema or response_model",
        """
Standing order: nothing sensitive in responses. A read schema (`*Read`, `*Out`,
`*Response`, `*Public`, `*Detail`, `*Item` or `from_attributes=True`) or a route's
response model that declares or inherits a field named like a secret (password,
password_hash, token, api_key, secret...) or marked `json_schema_extra={"sensitive":
True}` sends it to clients. `Field(exclude=True)` and bool fields are fine.

A route that issues a credential (POST/PUT/PATCH returning an access token, an API
key or a client secret: a login, an API key shown once on creation) is SC402 (info),
not SC401. The same credential returned by a GET is SC401.

Fix: remove the field from the read schema, or mark it Field(exclude=True).
""",
    ),
    Rule(
        "SC402",
        "info",
        "route issues a credential (token, API key, client secret) in its response",
        """
The route returns a freshly issued credential: a login returning an access token,
an API key or client secret shown once when it is created or rotated. That is what
such routes are for, so it is not a leak; it is listed so a reviewer can confirm the
credential is shown only to its owner, once, and is stored hashed.
""",
    ),
    Rule(
        "SC501",
        "warning",
        "foreign key column without an index",
        """
PostgreSQL does not index foreign key columns by itself: joins on them and the
cascade checks when a parent row is deleted scan the whole child table.

A foreign key (declared in a model, a Core Table or a migration) counts as indexed
when an index, unique constraint or primary key leads with its column(s): from the
models (`index=True`, `unique=True`, `Index(...)`, `UniqueConstraint(...)`), from the
migrations (`op.create_index`, `create_unique_constraint`, `sa.UniqueConstraint`,
`CREATE INDEX` in `op.execute`, batch operations, later drops), and with
`--database-url` from the live catalog. `scaffold index --missing` uses the same
definition and writes the migration.
""",
    ),
    Rule(
        "SC601",
        "error",
        "more than one Alembic head",
        """
Two migrations claim the same parent, so `alembic upgrade head` refuses to run.

Fix: `alembic merge heads -m merge`, or rebase the newer migration onto the main head.
""",
    ),
    Rule(
        "SC602",
        "error",
        "down_revision points to a revision that does not exist",
        """
A migration's down_revision names a revision no file declares (a deleted or renamed
migration), so Alembic cannot build the history.
""",
    ),
    Rule(
        "SC603",
        "warning",
        "migration DDL that blocks a PostgreSQL table holding rows",
        """
In `upgrade()`, on a table the migration does not create: an index built without
`postgresql_concurrently=True` (writes wait for the build), a foreign key without
`postgresql_not_valid=True` (both tables locked while every row is checked), a column
added `nullable=False` without a `server_default` (fails on a table with rows). Code in
the non-PostgreSQL branch of a dialect test is left alone.

Fix: build indexes `CONCURRENTLY` in `op.get_context().autocommit_block()`; add foreign
keys and CHECKs `NOT VALID`, then `VALIDATE CONSTRAINT` after a commit; add a column
nullable, backfill it, then `SET NOT NULL` through a validated `CHECK (col IS NOT NULL)`.
`scaffold field add`, `index add`, `constraint add` and `field alter` write them so.
""",
    ),
    Rule(
        "SC700",
        "warning",
        "`alembic check` could not run (settings, import error, database unreachable or behind)",
        """
scaffold runs `alembic check` with the project's own interpreter (`.venv` when
present). By default it sets DATABASE_URL to a scratch SQLite file and upgrades it to
head first, so no real database is touched. When the project's settings refuse that
URL (a PostgresDsn field, settings that read other variables), or env.py imports
something missing, the check cannot run and this finding says why.

Point it at a database: `scaffold check --database-url postgresql+asyncpg://...`
(used as it is: it must already be at head), or TEST_DATABASE_URL=... in the
environment (a disposable database, upgraded to head first). `--no-alembic` skips it.
""",
    ),
    Rule(
        "SC701",
        "error",
        "models differ from migrations (`alembic check` found new operations)",
        """
`alembic check` compared the models with the database migrated to head and found
operations no migration performs: the next deploy would run with a schema the code
does not expect.

Fix: `alembic revision --autogenerate -m "..."`, review it, commit it.
""",
    ),
)


def severity_of(code: str, overrides: dict[str, str] | None = None) -> str:
    """The severity of ``code`` after ``[tool.scaffold] severity`` overrides."""
    if overrides and code in overrides:
        return overrides[code]
    return RULES[code].severity
