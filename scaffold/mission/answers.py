"""Work-list requests scaffold's projects already satisfy: answered, nothing written.

Each answer names what already does it and where ("residents are already paginated:
GET /api/v1/residents?limit=50&offset=0"), and how to change it when there is a knob.
"""

from __future__ import annotations

from collections.abc import Mapping

from scaffold.mission.plan import MissionPlan, TableFacts
from scaffold.mission.scan import Scan, words
from scaffold.spec.inflect import camelize, singularize

# (the words that ask for it, the words it may carry besides filler)
_PAGING = ("paginat", "page through", "pages of", "limit and offset", "offset pagination")
_VALIDATION = ("validat", "input checks", "check the input", "check input", "reject bad input")
_ERRORS = ("error handling", "handle errors", "error responses", "proper errors", "problem+json")
_INJECTION = ("dependency injection", "inject", "injected", "di for", "via depends")
_TIMESTAMPS = ("timestamps", "created_at", "updated_at", "audit timestamps")
_MIGRATIONS = ("migration", "migrations", "migrate")
_ANSWER_WORDS = words(
    """
    add adding make set up setup enable use using implement support proper proper
    handling handle errors error responses response input inputs request requests body
    bodies check checks reject bad validation validate validated validating paginate
    pagination paginated paging list lists listing endpoint endpoints route routes
    service services dependency injection inject injected di depends via write writes
    create run generate migration migrations migrate database db schema timestamps
    created_at updated_at audit limit offset page pages through have has get consistent
    structured improve better standardize standardise consistent return returns problem
    json rfc 9457 session sessions into repository repositories
    """
)


_KINDS = ("table", "tables", "model", "models")


def route(table: str, facts: Mapping[str, TableFacts]) -> str:
    version = facts[table].api_version if table in facts else 1
    return f"/api/v{version}/{table.replace('_', '-')}"


def answer(scan: Scan, facts: Mapping[str, TableFacts]) -> MissionPlan | None:
    """The answer to a request that is already satisfied, or None."""
    if scan.rest(_ANSWER_WORDS | {"schema", "schemas"}):
        return None
    table = scan.table
    if len(set(scan.tables)) > 1 or scan.fields or (table is None and scan.has(*_KINDS)):
        return None  # "add a migrations table" is a table of that name
    for asks, reply in (
        (_PAGING, _paging),
        (_VALIDATION, _validation),
        (_ERRORS, _errors),
        (_INJECTION, _injection),
        (_TIMESTAMPS, _timestamps),
        (_MIGRATIONS, _migrations),
    ):
        if any(w in scan.text for w in asks):
            return MissionPlan(scan.text, (), (), (reply(table, facts),))
    return None


def _paging(table: str | None, facts: Mapping[str, TableFacts]) -> str:
    if table is None:
        return (
            "every generated list is already paginated: GET /api/v1/TABLE?limit=50&offset=0 "
            "(limit 1-100, default 50; the page has items, total, limit and offset)"
        )
    return (
        f"{table} are already paginated: GET {route(table, facts)}?limit=50&offset=0 (limit "
        "1-100, default 50; the page has items, total, limit and offset)"
    )


def _validation(table: str | None, facts: Mapping[str, TableFacts]) -> str:
    where = f"app/schemas/{table}.py" if table else "app/schemas/TABLE.py"
    what = f"{table} input is" if table else "every input is"
    return (
        f"{what} already validated by Pydantic ({where}: extra=forbid, types, lengths, "
        "ranges, enums, CHECK rules): bad input is a 422 problem+json naming the field and "
        "the rule, never echoing the value; a new rule: 'FIELD must be at least N on TABLE'"
    )


def _errors(table: str | None, facts: Mapping[str, TableFacts]) -> str:
    where = f" on {route(table, facts)}" if table else ""
    return (
        f"errors are already handled{where}: application/problem+json (RFC 9457, "
        "app/core/errors.py): 404 for an unknown id, 409 naming the unique fields, 422 naming "
        "the field and the rule, 400 for malformed JSON, 429 over a rate limit; never a 500 "
        "for bad input, never the submitted values echoed back"
    )


def _injection(table: str | None, facts: Mapping[str, TableFacts]) -> str:
    if table is None:
        return (
            "routes already get their services by FastAPI dependency injection: each router's "
            "provide_service (Depends) builds the service on the request's AsyncSession "
            "(SessionDep, app/db/session.py); tests override nothing, they call the app"
        )
    cls = camelize(singularize(table))
    return (
        f"{table} already uses dependency injection: provide_service in "
        f"app/api/v{facts[table].api_version if table in facts else 1}/{table}.py "
        f"(Depends) gives each request a {cls}Service on its AsyncSession (SessionDep, "
        "app/db/session.py)"
    )


def _timestamps(table: str | None, facts: Mapping[str, TableFacts]) -> str:
    what = f"{table} already has" if table else "every generated table already has"
    return f"{what} created_at and updated_at (timezone-aware, server defaults, in every response)"


def _migrations(table: str | None, facts: Mapping[str, TableFacts]) -> str:
    return (
        "every scaffold change already writes its own Alembic migration (migrations/versions/, "
        "one per change, chained to the single head, reversible, proved by the round trip and "
        "alembic check): run `alembic upgrade head` where the app runs; say the change itself, "
        "e.g. 'make phone optional on contacts'"
    )
