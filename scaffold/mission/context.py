"""What a clause is read against: the project's tables and their fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NoReturn

from scaffold.mission.plan import Escalation, MissionParseError
from scaffold.mission.tokens import Tok, strip_articles
from scaffold.mission.vocabulary import KIND_WORDS, NAME_WORD, SNAKE
from scaffold.spec.inflect import pluralize, singularize, underscore


class Ctx:
    def __init__(self, sentence: str, existing: Mapping[str, Sequence[str]]) -> None:
        self.sentence = sentence
        self.existing = {table: tuple(fields) for table, fields in existing.items()}
        self.created: list[str] = []
        self.notes: list[str] = []
        self.escalations: list[Escalation] = []
        self.clause: list[Tok] = []

    def span(self, tokens: Sequence[Tok]) -> str:
        return self.sentence[tokens[0].start : tokens[-1].end]

    def fail(self, where: Sequence[Tok] | str, detail: str, example: str) -> NoReturn:
        token = where if isinstance(where, str) else self.span(where) if where else ""
        raise MissionParseError(token, detail, example)

    def tables(self) -> list[str]:
        return [*self.existing, *(t for t in self.created if t not in self.existing)]

    def listing(self) -> str:
        return ", ".join(sorted(self.tables())) or "none yet"

    def example_table(self) -> str:
        return sorted(self.existing)[0] if self.existing else "tasks"


def snake(ctx: Ctx, tokens: Sequence[Tok], what: str, example: str) -> str:
    if not tokens:
        ctx.fail(ctx.clause, f"a {what} is missing", example)
    for tok in tokens:
        if tok.sep or not NAME_WORD.fullmatch(tok.text):
            ctx.fail([tok], f"a {what} is letters, digits, underscores or hyphens", example)
    name = "_".join(underscore(tok.text) for tok in tokens)
    if not SNAKE.fullmatch(name):
        ctx.fail(tokens, f"{name!r} is not a valid snake_case {what}", example)
    return name


def lookup_table(ctx: Ctx, tokens: Sequence[Tok]) -> str | None:
    if not tokens or not all(not t.sep and NAME_WORD.fullmatch(t.text) for t in tokens):
        return None
    name = "_".join(underscore(t.text) for t in tokens)
    for table in ctx.tables():
        if name in (table, singularize(table)) or pluralize(name) == table:
            return table
    return None


def find_table(ctx: Ctx, tokens: Sequence[Tok], example: str) -> str:
    tokens = strip_articles(tokens)
    if tokens and tokens[-1].word(KIND_WORDS):
        tokens = tokens[:-1]
    table = lookup_table(ctx, tokens)
    if table is None:
        name = snake(ctx, tokens, "table name", example)
        ctx.fail(tokens, f"there is no table {name} (existing: {ctx.listing()})", example)
    return table


def fields_of(ctx: Ctx, table: str) -> tuple[str, ...]:
    return ctx.existing.get(table, ())


def listing(names: Sequence[str]) -> str:
    return ", ".join(names) or "none"
