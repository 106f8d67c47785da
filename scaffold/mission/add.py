"""``add …``: a resource, a field, or (through the words) an endpoint or an index."""

from __future__ import annotations

from collections.abc import Sequence

from scaffold.mission.context import Ctx, find_table, lookup_table, snake
from scaffold.mission.fields import field_list
from scaffold.mission.plan import MissionAction
from scaffold.mission.routes import parse_endpoint, parse_index
from scaffold.mission.tokens import (
    Tok,
    is_plain_name,
    is_table_word,
    phrase_at,
    split_on,
    strip_articles,
    strip_words,
)
from scaffold.mission.vocabulary import (
    CREATE_VERBS,
    EXAMPLE_RESOURCE,
    HTTP_METHODS,
    INDEX_WORDS,
    KIND_WORDS,
    LIST_STOPS,
    NAME_WORD,
    NO_FIELDS_NOTE,
    PARENT_PHRASES,
    REF_LEADERS,
    REF_PHRASES,
    SECTION_STOPS,
    WITH_WORDS,
)
from scaffold.spec.inflect import pluralize, singularize


def parse_add(ctx: Ctx, verb: Tok | None, rest: list[Tok]) -> list[MissionAction]:
    has_path = any(t.text.startswith("/") and not t.sep for t in rest)
    names_route = any(t.word("endpoint", "endpoints", "route", "routes") for t in rest)
    if has_path or (names_route and any(t.word(HTTP_METHODS) for t in rest)):
        return parse_endpoint(ctx, rest)
    body = _cut_purpose(ctx, strip_articles(rest))
    if not body:
        ctx.fail(
            [verb] if verb else ctx.clause,
            "add what? name a table, field, endpoint or index",
            EXAMPLE_RESOURCE,
        )
    if body[0].word(INDEX_WORDS) or (
        body[0].word("missing", "any", "all") and any(t.word(INDEX_WORDS) for t in body)
    ):
        return parse_index(ctx, body)
    if body[0].word("to", "into"):
        return _parse_add_to_first(ctx, body[1:])
    if body[0].word(KIND_WORDS):
        return _parse_kind_first(ctx, body)
    for k, tok in enumerate(body):
        if tok.word(KIND_WORDS):
            return _parse_resource(ctx, body[:k], body[k + 1 :])
        if not is_table_word(tok):
            break
    split = _trailing_table(ctx, body)
    if split is not None:
        return _parse_field_add(ctx, body[:split], body[split + 1 :])
    k = next((k for k, t in enumerate(body) if not is_table_word(t)), len(body))
    creates = verb is not None and verb.word(CREATE_VERBS)
    if k and ((k == len(body) and creates) or (k < len(body) and body[k].word(WITH_WORDS, "for"))):
        return _parse_resource(ctx, body[:k], body[k:])
    ctx.fail(
        body,
        "say 'table' to create a table, or 'to TABLE' to add a field to an existing one",
        f"add a priority enum low|medium|high to {ctx.example_table()}",
    )


_PURPOSE_LEADS = (("in", "order", "to", "support"), ("to", "support"), ("for",))


def _cut_purpose(ctx: Ctx, body: list[Tok]) -> list[Tok]:
    """ "… for X" / "… to support X" at the end: X is a link when it names a table (then
    "to support" reads as "for"), else the purpose, recorded in the notes and cut off."""
    for k in range(len(body) - 1, 0, -1):
        n = phrase_at(body, k, _PURPOSE_LEADS)
        if not n:
            continue
        tail = body[k + n :]
        words = strip_words(tail, "each", "every", "all", "the", "a", "an", "our", "better")
        if not words or not all(not t.sep and NAME_WORD.fullmatch(t.text) for t in tail):
            return body
        if any(lookup_table(ctx, words[:j]) for j in (3, 2, 1) if j <= len(words)):
            if n == 1:
                return body
            return [*body[:k], Tok("for", body[k].start, body[k + n - 1].end), *tail]
        purpose = ctx.span(tail)
        ctx.notes.append(
            f"'{ctx.span(body[k : k + n])} {purpose}': no table is called that, so it is read "
            f"as the purpose ({purpose}), not a link"
        )
        return body[:k]
    return body


def _trailing_table(ctx: Ctx, body: list[Tok]) -> int | None:
    """Index of the "to/into/on/in" before the table in "add FIELDS to TABLE", if any."""
    for k in range(len(body) - 1, 0, -1):
        if not body[k].word("to", "into", "on", "in") or body[k - 1].word(REF_LEADERS):
            continue
        tail = strip_articles(body[k + 1 :])
        n = 0
        while n < min(len(tail), 3) and is_table_word(tail[n]):
            n += 1
        if n and n < len(tail) and tail[n].word(KIND_WORDS):
            n += 1
        if n == 0:
            return None
        if n < len(tail):
            ctx.fail(
                tail[n:],
                "nothing may follow the table name in 'add FIELD to TABLE'",
                f"add capacity int to {ctx.example_table()}",
            )
        return k
    return None


def _parse_add_to_first(ctx: Ctx, body: list[Tok]) -> list[MissionAction]:
    """ "add to rooms: capacity int" or "add to the rooms table a capacity int"."""
    body = strip_articles(body)
    kind = next((k for k, t in enumerate(body[:4]) if t.word(KIND_WORDS)), None)
    end = kind + 1 if kind is not None else 1
    return _parse_field_add(ctx, body[end:], body[:end])


def _parse_field_add(ctx: Ctx, field_toks: list[Tok], table_toks: list[Tok]) -> list[MissionAction]:
    example = f"add a priority enum low|medium|high to {ctx.example_table()}"
    table = find_table(ctx, table_toks, example)
    fields = field_list(ctx, field_toks, table, example)
    specs = tuple(spec for _, spec in fields)
    summary = f"add {'field' if len(specs) == 1 else 'fields'} {', '.join(specs)} to {table}"
    return [MissionAction("field_add", ("field", "add", table, *specs), summary)]


def _parse_kind_first(ctx: Ctx, body: list[Tok]) -> list[MissionAction]:
    """ "add a table called weekly requirements with ..." / "add table weekly_requirements"."""
    rest = body[1:]
    if rest and rest[0].word("called", "named"):
        rest = rest[1:]
    k = 0
    while k < len(rest) and is_table_word(rest[k]):
        k += 1
    if k == 0:
        ctx.fail(
            body[:1], "which table? name it, e.g. 'add table weekly_requirements'", EXAMPLE_RESOURCE
        )
    return _parse_resource(ctx, rest[:k], rest[k:])


def _parse_resource(ctx: Ctx, name_toks: list[Tok], rest: list[Tok]) -> list[MissionAction]:
    if not name_toks:
        ctx.fail(
            rest[:1] or ctx.clause, "which table? name it before the word 'table'", EXAMPLE_RESOURCE
        )
    if len(name_toks) > 4:
        ctx.fail(name_toks, "a table name has at most four words", EXAMPLE_RESOURCE)
    word = snake(ctx, name_toks, "table name", EXAMPLE_RESOURCE)
    table = pluralize(word)
    ctx.created.append(table)
    specs: dict[str, str] = {}
    user: set[str] = set()
    parent: str | None = None
    named_fields = False
    k = 0
    while k < len(rest):
        tok = rest[k]
        if tok.word("that", "which", "and") or tok.is_sep(","):
            k += 1
        elif tok.word(WITH_WORDS):
            end = _find_stop(rest, k + 1, LIST_STOPS)
            for name, spec in field_list(ctx, rest[k + 1 : end], table, EXAMPLE_RESOURCE):
                if name in user:
                    ctx.fail(rest[k + 1 : end], f"field {name} is listed twice", EXAMPLE_RESOURCE)
                specs[name] = spec
                user.add(name)
            named_fields, k = True, end
        elif tok.word("for"):
            end = _find_stop(rest, k + 1, SECTION_STOPS - {"and", ","})
            for name, spec in _for_links(ctx, rest[k + 1 : end], table):
                specs.setdefault(name, spec)
            k = end
        elif n := phrase_at(rest, k, PARENT_PHRASES + REF_PHRASES):
            end = _find_stop(rest, k + n, SECTION_STOPS)
            target = find_table(ctx, rest[k + n : end], EXAMPLE_RESOURCE)
            specs.setdefault(f"{singularize(target)}_id", f"{singularize(target)}_id:ref={target}")
            if phrase_at(rest, k, PARENT_PHRASES):
                parent = target
            k = end
        else:
            end = _find_stop(rest, k + 1, SECTION_STOPS)
            ctx.fail(
                rest[k:end],
                "after the table name, expected 'with FIELDS', 'for TABLE', 'belonging to TABLE' "
                "or 'nested under TABLE'",
                EXAMPLE_RESOURCE,
            )
    argv = ["resource", table, *specs.values()]
    if parent:
        argv += ["--parent", parent]
    if word != table and singularize(table) != word:
        argv += ["--singular", word]
    if not named_fields:
        ctx.notes.append(NO_FIELDS_NOTE.format(table=table))
    described = f" with {', '.join(specs.values())}" if specs else ""
    return [MissionAction("resource", tuple(argv), f"create resource {table}{described}")]


def _find_stop(tokens: Sequence[Tok], k: int, stops: frozenset[str]) -> int:
    depth = 0
    while k < len(tokens):
        tok = tokens[k]
        depth += tok.is_sep("(") - tok.is_sep(")")
        if depth <= 0 and (tok.word(stops) or (tok.sep and tok.text in stops)):
            return k
        k += 1
    return k


def _for_links(ctx: Ctx, tokens: list[Tok], table: str) -> list[tuple[str, str]]:
    """ "for Block scheduling" / "for each resident and block": links to existing tables."""
    example = (
        f"add weekly_requirements table for {ctx.example_table()}"
        if ctx.existing
        else EXAMPLE_RESOURCE
    )
    groups = [
        strip_words(g, "each", "every", "all", "the", "a", "an") for g in split_on(tokens, "and")
    ]
    if not groups or not all(groups):
        ctx.fail(ctx.clause, "'for' needs the name of an existing table", example)
    links = []
    for g, group in enumerate(groups):
        k = next((k for k in range(min(len(group), 3), 0, -1) if lookup_table(ctx, group[:k])), 0)
        if k == 0:
            named = group[:-1] if len(group) > 1 and group[-1].low.endswith("ing") else group
            ctx.fail(
                named, f"no existing table is called that (existing: {ctx.listing()})", example
            )
        target = lookup_table(ctx, group[:k]) or ""
        extra = group[k:]
        purpose = len(extra) == 1 and extra[0].low.endswith("ing") and is_plain_name(extra[0])
        if extra and not (purpose and g == len(groups) - 1):
            ctx.fail(
                extra, f"after 'for {ctx.span(group[:k])}' expected the end of the clause", example
            )
        name = f"{singularize(target)}_id"
        links.append((name, f"{name}:ref={target}"))
        ctx.notes.append(
            f"'for {ctx.span(group)}': {table} links to {target} ({name}:ref={target})"
        )
    return links
