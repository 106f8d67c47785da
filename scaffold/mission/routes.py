"""Endpoints and indexes: ``add GET /api/v1/…``, ``add missing indexes``, ``optimize …``."""

from __future__ import annotations

from scaffold.mission.context import Ctx, lookup_table
from scaffold.mission.plan import MissionAction
from scaffold.mission.tokens import Tok, is_plain_name, strip_words
from scaffold.mission.vocabulary import (
    ARTICLES,
    EXAMPLE_ENDPOINT,
    EXAMPLE_INDEX,
    HTTP_METHODS,
    INDEX_FILLER,
    QUERY_WORDS,
    SEGMENT,
    VERSION,
)


def parse_endpoint(ctx: Ctx, tokens: list[Tok]) -> list[MissionAction]:
    """ "GET /api/residents/{id}/weekly-requirements endpoint", several joined by "and"."""
    actions = []
    method: Tok | None = None
    for tok in tokens:
        if tok.word(HTTP_METHODS) and method is None:
            method = tok
        elif tok.text.startswith("/") and not tok.sep:
            if method is None:
                ctx.fail([tok], "which HTTP method? write it before the path", EXAMPLE_ENDPOINT)
            route = f"{method.text.upper()} {_normalize_path(ctx, tok)}"
            actions.append(MissionAction("endpoint", ("endpoint", route), f"add endpoint {route}"))
            method = None
        elif not (
            tok.is_sep(",") or tok.word(ARTICLES, "endpoint", "endpoints", "route", "routes", "and")
        ):
            ctx.fail([tok], "an endpoint is 'METHOD /api/v1/PATH'", EXAMPLE_ENDPOINT)
    if method is not None or not actions:
        ctx.fail(
            [method] if method else tokens,
            "an endpoint needs a path such as /api/v1/residents",
            EXAMPLE_ENDPOINT,
        )
    return actions


def _normalize_path(ctx: Ctx, tok: Tok) -> str:
    """Prefix ``/api/v1`` where the version (or ``/api``) is missing; keep the rest as written."""
    path = tok.text.rstrip("/")
    segments = path.split("/")[1:]
    if not segments or "" in segments:
        ctx.fail(
            [tok],
            "a path is /api/v1/ followed by segments separated by single slashes",
            EXAMPLE_ENDPOINT,
        )
    for segment in segments:
        if not SEGMENT.fullmatch(segment):
            ctx.fail(
                segment, "path segments are letters, digits, '-', '_' or {param}", EXAMPLE_ENDPOINT
            )
    if segments[0].lower() == "api":
        segments = segments[1:]
    version = "v1"
    if segments and VERSION.fullmatch(segments[0]):
        version, segments = segments[0].lower(), segments[1:]
    if not segments:
        ctx.fail([tok], "the path names no resource", EXAMPLE_ENDPOINT)
    return "/" + "/".join(["api", version, *segments])


_INDEX_ACTION = MissionAction(
    "index", ("index", "--missing"), "add missing indexes on foreign keys and filter columns"
)


def parse_index(ctx: Ctx, tokens: list[Tok]) -> list[MissionAction]:
    """ "add missing indexes [on foreign keys | on TABLE]"."""
    for tok in tokens:
        if tok.is_sep(",") or tok.word(INDEX_FILLER):
            continue
        table = lookup_table(ctx, [tok])
        if table is None:
            ctx.fail(
                [tok],
                "missions add only the missing indexes on foreign keys and filter columns; "
                "to index one field declare it with ':index'",
                EXAMPLE_INDEX,
            )
        ctx.notes.append(f"index --missing checks every table, not only {table}")
    return [_INDEX_ACTION]


def parse_optimize(ctx: Ctx, verb: list[Tok], rest: list[Tok]) -> list[MissionAction]:
    """ "optimize [the] [SCOPE] queries [with missing indexes]" -> index --missing."""
    tokens = strip_words(rest, "the", "our", "all", "any", "slow")
    at = next((k for k, t in enumerate(tokens) if t.word(QUERY_WORDS)), None)
    if at is None:
        ctx.fail(
            rest or verb,
            "missions speed up queries only, by adding the missing indexes",
            EXAMPLE_INDEX,
        )
    scope = tokens[:at]
    k = at + 1
    while k < len(tokens):
        tok = tokens[k]
        named = k + 1 < len(tokens) and is_plain_name(tokens[k + 1])
        if (
            tok.word("of", "for", "in", "on", "around", "during")
            and named
            and not tokens[k + 1].word(INDEX_FILLER)
        ):
            end = k + 1
            while end < len(tokens) and is_plain_name(tokens[end]):
                end += 1
            scope, k = scope + tokens[k + 1 : end], end
        elif tok.word(
            QUERY_WORDS, INDEX_FILLER, "with", "by", "using", "adding", "add", "creating"
        ):
            k += 1
        else:
            ctx.fail(
                tokens[k:],
                "expected the end of the clause or 'with missing indexes'",
                EXAMPLE_INDEX,
            )
    for tok in scope:
        if not is_plain_name(tok) and not tok.word(QUERY_WORDS):
            ctx.fail([tok], "the queries to optimise are named with plain words", EXAMPLE_INDEX)
    if scope:
        ctx.notes.append(
            f"'{' '.join(t.text for t in scope)}' is read as the area to speed up: "
            "index --missing indexes foreign keys and filter columns in every table"
        )
    return [_INDEX_ACTION]
