"""``drop``/``remove``/``rename``: tables, columns and renames (escalated)."""

from __future__ import annotations

from scaffold.mission.context import Ctx, fields_of, find_table, listing, lookup_table, snake
from scaffold.mission.plan import Escalation, MissionAction
from scaffold.mission.tokens import Tok, split_on, strip_articles, strip_words
from scaffold.mission.vocabulary import (
    COLUMN_WORDS,
    DESTROY_REASON,
    GENERATED_FIELDS,
    INDEX_WORDS,
    KIND_WORDS,
    REMOVE_REASON,
    RENAME_REASON,
    RENAME_TABLE_REASON,
)


def parse_remove(ctx: Ctx, verb: Tok, rest: list[Tok]) -> list[MissionAction]:
    body = strip_articles(rest)
    example = _remove_example(ctx)
    if not body:
        ctx.fail([verb], "remove what? name a column and its table, or a table", example)
    if any(t.text.startswith("/") or t.word(INDEX_WORDS) for t in body):
        ctx.fail(body, "missions do not remove endpoints or indexes", example)
    if body[0].word(KIND_WORDS):
        return _destroy(ctx, body[1:], example)
    if "." in body[0].text and len(strip_words(body, *COLUMN_WORDS)) == 1:
        table_name, _, field = body[0].text.partition(".")
        table = find_table(
            ctx, [Tok(table_name, body[0].start, body[0].start + len(table_name))], example
        )
        return _remove_fields(
            ctx, table, [[Tok(field, body[0].end - len(field), body[0].end)]], example
        )
    at = next((k for k in range(len(body) - 1, 0, -1) if body[k].word("from", "in", "on")), None)
    if at is not None:
        table = find_table(ctx, body[at + 1 :], example)
        return _remove_fields(ctx, table, split_on(body[:at], "and"), example)
    if body[-1].word(KIND_WORDS):
        return _destroy(ctx, body[:-1], example)
    if verb.word("destroy"):
        return _destroy(ctx, body, example)
    ctx.fail(
        body,
        "say which column of which table ('drop phone from contacts') or 'drop the TABLE table'",
        example,
    )


def _remove_example(ctx: Ctx) -> str:
    for table, fields in sorted(ctx.existing.items()):
        if fields:
            return f"drop the {fields[0]} column from {table}"
    return "drop the phone column from contacts"


def _destroy(ctx: Ctx, tokens: list[Tok], example: str) -> list[MissionAction]:
    table = find_table(ctx, tokens, example)
    ctx.escalations.append(Escalation(DESTROY_REASON.format(table=table), ctx.span(ctx.clause)))
    return [
        MissionAction("destroy", ("destroy", table), f"destroy resource {table} and drop its table")
    ]


def _remove_fields(
    ctx: Ctx, table: str, entries: list[list[Tok]], example: str
) -> list[MissionAction]:
    actions = []
    for entry in entries:
        words = strip_words(entry, "the", "a", "an", *COLUMN_WORDS)
        name = snake(ctx, words or entry, "field name", example)
        if name not in fields_of(ctx, table):
            ctx.fail(
                words or entry,
                f"{table} has no field {name} (fields: {listing(fields_of(ctx, table))})",
                example,
            )
        reason = REMOVE_REASON.format(table=table, name=name)
        ctx.escalations.append(Escalation(reason, ctx.span(ctx.clause)))
        argv = ("field", "remove", table, name)
        actions.append(MissionAction("field_remove", argv, f"remove {table}.{name}"))
    return actions


def _parse_table_rename(ctx: Ctx, old_toks: list[Tok], new_toks: list[Tok]) -> list[MissionAction]:
    """ "rename table rooms to venues": one migration, the old paths kept in the previous
    API version; escalated (breaking, and a production migration)."""
    example = "rename table rooms to venues"
    if not old_toks:
        ctx.fail(new_toks, "which table? say 'rename table TABLE to NEW_NAME'", example)
    table = find_table(ctx, old_toks, example)
    new = snake(ctx, new_toks, "new table name", f"rename table {table} to venues")
    reason = RENAME_TABLE_REASON.format(old=table, new=new, new_route=new.replace("_", "-"))
    ctx.escalations.append(Escalation(reason, ctx.span(ctx.clause)))
    return [MissionAction("rename", ("rename", table, new), f"rename table {table} to {new}")]


def parse_rename(ctx: Ctx, verb: Tok, rest: list[Tok]) -> list[MissionAction]:
    """ "rename phone to phone_number in contacts", "rename contacts.phone to phone_number";
    tables: "rename table rooms to venues", "rename the rooms table to venues", "rename
    rooms to venues" (rooms being a table)."""
    example = "rename phone to phone_number in contacts"
    body = strip_articles(rest)
    to = next((k for k, t in enumerate(body) if t.word("to")), None)
    if to is None or to == 0:
        ctx.fail(body or [verb], "expected 'rename FIELD to NEW_NAME in TABLE'", example)
    before, after = body[:to], body[to + 1 :]
    table_words = [t for t in before if t.word(KIND_WORDS)]
    named = [t for t in before if not t.word(KIND_WORDS)]
    no_table_clause = not any(t.word("in", "on", "of", "from") for t in body)
    if table_words or (
        no_table_clause
        and len(named) == 1
        and "." not in named[0].text
        and lookup_table(ctx, named)
    ):
        return _parse_table_rename(ctx, named, [t for t in after if not t.word(KIND_WORDS)])
    table_toks: list[Tok] = []
    for part in (before, after):
        at = next((k for k, t in enumerate(part) if t.word("in", "on", "of", "from")), None)
        if at is not None:
            table_toks = part[at + 1 :]
            part[at:] = []
    old_toks = strip_words(before, "the", *COLUMN_WORDS)
    if not table_toks and len(old_toks) == 1 and "." in old_toks[0].text:
        dotted = old_toks[0]
        table_name, _, field = dotted.text.partition(".")
        table_toks = [Tok(table_name, dotted.start, dotted.start + len(table_name))]
        old_toks = [Tok(field, dotted.end - len(field), dotted.end)]
    if not table_toks:
        ctx.fail(before, "which table? say 'in TABLE'", example)
    table = find_table(ctx, table_toks, example)
    old = snake(ctx, old_toks, "field name", example)
    new = snake(ctx, strip_words(after, *COLUMN_WORDS), "new field name", example)
    fields = fields_of(ctx, table)
    if old not in fields:
        ctx.fail(old_toks, f"{table} has no field {old} (fields: {listing(fields)})", example)
    if new in fields or new in GENERATED_FIELDS:
        ctx.fail(after, f"{table} already has a field {new}", example)
    ctx.escalations.append(
        Escalation(RENAME_REASON.format(table=table, old=old, new=new), ctx.span(ctx.clause))
    )
    return [
        MissionAction(
            "field_rename", ("field", "rename", table, old, new), f"rename {table}.{old} to {new}"
        )
    ]
