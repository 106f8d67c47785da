"""Rate limits, pool, CORS, middleware and versions, in the coordinator's words.

"rate-limit residents to 100 requests per minute" is ``limit residents 100/minute``; the
pool, CORS and the default limit are settings, answered with which one, where the app
reads it and its ``.env.example`` line; custom middleware is not written (the answer says
what the app already has and where yours goes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scaffold.mission.plan import MissionAction, MissionParseError, MissionPlan, TableFacts
from scaffold.mission.scan import Scan, words

_RATE = re.compile(
    r"(\d{1,7})\s*(?:requests?|calls?|hits?|reqs?)?\s*(?:/|per|a|an|each|every)\s*"
    r"(second|minute|hour|day|sec|min|hr)s?\b"
)
_SHORT = {"sec": "second", "min": "minute", "hr": "hour"}
_LIMIT_WORDS = re.compile(r"\b(?:rate[ -]?limit\w*|ratelimit\w*|throttl\w*|limit|cap)\b")
_LIMIT_ALLOWED = words(
    """
    rate rate-limit rate-limited rate-limiting ratelimit limit limited limiting limits
    throttle throttled throttling cap capped add set apply allow allowed at most max
    maximum up requests request calls call hits routes route endpoints endpoint client
    clients address addresses ip user users
    """
)
_POOL = re.compile(r"\b(?:connection|db|database)?\s*pool(?:s|ing|ed)?\b")
_CORS = re.compile(r"\b(?:cors|cross[ -]?origin)\b")
_MIDDLEWARE = re.compile(r"\bmiddlewares?\b")
_VERSIONING = re.compile(r"\b(?:api\s+)?versioning\b|\bversion(?:ed)?\s+(?:the\s+)?api\b")
_V_OF = re.compile(
    r"(?:add|create|start|serve|publish|introduce)\s+(?:an?\s+)?(?:new\s+)?(?:api\s+)?"
    r"v(?:ersion\s*)?(\d+)\s+(?:of|for)\s+(?:the\s+)?([a-z][a-z0-9_ -]*?)(?:\s+(?:api|routes|endpoints))?"
)
POOL_NOTE = (
    "the engine already pools connections, with pool_pre_ping and the pool created and "
    "disposed in the app's lifespan: DB_POOL_SIZE (5), DB_MAX_OVERFLOW (10), DB_POOL_RECYCLE "
    "(1800 s), DB_POOL_TIMEOUT (30 s) in app.core.config.Settings, each with its line in "
    ".env.example (DB_POOL_SIZE=5); size it where the app runs, e.g. 'set the pool size to 20'"
)
CORS_NOTE = (
    "CORS is already installed from CORS_ORIGINS (app.core.config.Settings.cors_origins; "
    "empty: no browser origin is allowed; .env.example: CORS_ORIGINS=); set the origins where "
    "the app runs, e.g. 'allow CORS from https://app.example.com'"
)
DEFAULT_LIMIT_NOTE = (
    "every /api route is already rate-limited per client address by RATE_LIMIT_DEFAULT "
    "(100/minute unless set; app.core.config.Settings.rate_limit_default; .env.example: "
    "RATE_LIMIT_DEFAULT=100/minute), 429 problem+json with Retry-After; one resource's own "
    "limit: 'rate-limit {table} to 100 requests per minute'"
)
MIDDLEWARE_NOTE = (
    "the app's middleware already gives every request a request id, one structured log line "
    "(secrets redacted), CORS from CORS_ORIGINS, a body size limit (MAX_BODY_BYTES, 413) and "
    "rate limits (RATE_LIMIT_DEFAULT, 429), all in app/main.py's create_app"
)
_KNOWN_MIDDLEWARE = (
    ("log", "request logging: one structured log line per request (app/core/logging.py)"),
    ("request id", "request ids: X-Request-ID on every request and log line"),
    ("correlation", "request ids: X-Request-ID on every request and log line"),
    ("trac", "request ids: X-Request-ID on every request and log line"),
    ("body", "a request body size limit: MAX_BODY_BYTES (1048576), 413 beyond it"),
    ("size", "a request body size limit: MAX_BODY_BYTES (1048576), 413 beyond it"),
    ("rate", "rate limits: RATE_LIMIT_DEFAULT per client address, 429 with Retry-After"),
    ("throttl", "rate limits: RATE_LIMIT_DEFAULT per client address, 429 with Retry-After"),
    ("error", "errors as problem+json (app/core/errors.py), one traceback per error logged"),
    ("exception", "errors as problem+json (app/core/errors.py), one traceback per error logged"),
)


def limit_plan(scan: Scan, facts: Mapping[str, TableFacts]) -> MissionPlan | None:
    """ "rate-limit residents to 100 requests per minute", "throttle shifts at 10/second"."""
    if not _LIMIT_WORDS.search(scan.text) or scan.phrase(r"log[ -]?ins?|sign[ -]?ins?"):
        return None
    rate = _RATE.search(scan.text)
    if scan.table is None:
        if rate is None and scan.phrase(r"rate[ -]?limit\w*|throttl\w*") and not scan.tables:
            return MissionPlan(scan.text, (), (), (DEFAULT_LIMIT_NOTE.format(table="TABLE"),))
        return None
    if scan.fields:
        return None
    if rate is None:
        if not scan.phrase(r"rate[ -]?limit\w*|throttl\w*"):
            return None
        count = next((w for w in scan.words if w.isdigit()), None)
        if count is not None:  # a number, but no period scaffold reads
            left = scan.rest(_LIMIT_ALLOWED | {count})
            raise MissionParseError(
                left[0] if left else count,
                "a limit is 'rate-limit TABLE to N requests per second, minute, hour or day'",
                f"rate-limit {scan.table} to {count} requests per minute",
            )
        note = DEFAULT_LIMIT_NOTE.format(table=scan.table)
        own = facts[scan.table].rate_limit if scan.table in facts else None
        if own:
            note = f"{scan.table} is already limited to {own} per client (its own limit); " + note
        return MissionPlan(scan.text, (), (), (note,))
    count, period = rate.group(1), _SHORT.get(rate.group(2), rate.group(2))
    said = set(rate.group(0).split())  # "100 requests per minute", "10 req/sec"
    for k, word in enumerate(scan.words):
        if word in said or word.rstrip("s") in (rate.group(2), period):
            scan.kinds[k] = "rate"
    left = scan.rest(_LIMIT_ALLOWED | {"second", "minute", "hour", "day", "per", "every"})
    example = f"rate-limit {scan.table} to {count} requests per {period}"
    if left:
        raise MissionParseError(
            left[0], "a limit is 'rate-limit TABLE to N requests per PERIOD'", example
        )
    wanted = f"{int(count)}/{period}"
    if scan.table in facts and facts[scan.table].rate_limit == wanted:
        note = (
            f"{scan.table} is already limited to {wanted} per client: its router's "
            f"limit_requests, proved by tests/test_{scan.table}.py"
        )
        return MissionPlan(scan.text, (), (), (note,))
    action = MissionAction(
        "limit",
        ("limit", scan.table, wanted),
        f"limit {scan.table} to {wanted} per client over all its routes",
    )
    return MissionPlan(scan.text, (action,), (), ())


def settings_answer(scan: Scan) -> MissionPlan | None:
    """The pool and CORS asked for without a value; today's answer: which setting."""
    if _POOL.search(scan.text) and not scan.fields:
        return MissionPlan(scan.text, (), (), (POOL_NOTE,))
    if _CORS.search(scan.text) and not re.search(r"https?://", scan.text) and not scan.fields:
        return MissionPlan(scan.text, (), (), (CORS_NOTE,))
    return None


def middleware_answer(scan: Scan) -> MissionPlan | None:
    """Middleware the app has is named; any other is refused with where it goes."""
    if not _MIDDLEWARE.search(scan.text):
        return None
    for word, what in _KNOWN_MIDDLEWARE:
        if word in scan.text:
            return MissionPlan(scan.text, (), (), (f"already there: {what}. {MIDDLEWARE_NOTE}",))
    if _CORS.search(scan.text):
        return MissionPlan(scan.text, (), (), (CORS_NOTE,))
    table = scan.table or (sorted(scan.existing)[0] if scan.existing else "residents")
    raise MissionParseError(
        scan.text,
        "scaffold writes no custom middleware: "
        + MIDDLEWARE_NOTE
        + "; add yours there with app.add_middleware (its test beside tests/test_operations.py), "
        "or limit one resource's routes with a mission",
        f"rate-limit {table} to 100 requests per minute",
    )


def version_plan(scan: Scan, facts: Mapping[str, TableFacts]) -> MissionPlan | None:
    """ "add a v2 of the residents API"; "API versioning" alone is answered."""
    match = _V_OF.fullmatch(scan.text)
    if match:
        name = match.group(2).strip().replace(" ", "_").replace("-", "_")
        table = scan.lookup_table(name)
        if table is None:
            return None
        argv = ("version", table, match.group(1))
        summary = f"serve {table} under v{match.group(1)} (older versions kept)"
        return MissionPlan(scan.text, (MissionAction("version", argv, summary),), (), ())
    if (
        _VERSIONING.search(scan.text)
        and scan.table is None
        and not scan.rest(
            frozenset(
                [
                    "add",
                    "set",
                    "up",
                    "setup",
                    "enable",
                    "use",
                    "implement",
                    "support",
                    "api",
                    "versioning",
                    "versioned",
                    "version",
                    "versions",
                    "routes",
                    "endpoints",
                    "url",
                    "urls",
                    "path",
                    "paths",
                ]
            )
        )
    ):
        note = (
            "routes are already versioned: every generated route is under /api/v1/...; a "
            "breaking change (a field renamed or removed, a narrower type) is served at "
            "/api/v2 with v1 kept; to serve a resource's current contract at the next version "
            "too: 'version the TABLE API'"
        )
        return MissionPlan(scan.text, (), (), (note,))
    return None
