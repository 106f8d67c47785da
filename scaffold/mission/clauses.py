"""The clause splitter and its dispatch to a recogniser per verb."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from scaffold.mission.add import parse_add
from scaffold.mission.context import Ctx
from scaffold.mission.normalize import describe_char, first_unplain
from scaffold.mission.plan import MissionAction, MissionParseError, MissionPlan
from scaffold.mission.remove import parse_remove, parse_rename
from scaffold.mission.routes import parse_optimize
from scaffold.mission.sentences import access_plan, new_version, relationship, security_escalations
from scaffold.mission.tokens import Tok, phrase_at, split_clauses, tokenize
from scaffold.mission.vocabulary import (
    ADD_VERBS,
    CURLY,
    EXAMPLE_RESOURCE,
    IMPLICIT_ADD,
    LEADING_FILLER,
    OPTIMIZE_VERBS,
    QUOTES,
    REMOVE_VERBS,
    SEPARATORS,
    TRAILING_FILLER,
)


def parse(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan:
    reject_unplain(sentence)
    access = access_plan(sentence, existing) or new_version(sentence, existing)
    if access is not None:
        return access
    related = relationship(sentence, existing)
    if related is not None:
        escalations = security_escalations(sentence)
        return MissionPlan(related.sentence, related.actions, escalations, related.notes)
    ctx = Ctx(sentence, existing)
    clauses = split_clauses(tokenize(sentence.translate(CURLY)))
    if not clauses:
        raise MissionParseError(sentence.strip(), "the sentence is empty", EXAMPLE_RESOURCE)
    actions: list[MissionAction] = []
    for clause in clauses:
        for action in _parse_clause(ctx, clause):
            if action not in actions:
                actions.append(action)
    escalations = dict.fromkeys([*ctx.escalations, *security_escalations(sentence)])
    return MissionPlan(
        sentence, tuple(actions), tuple(escalations), tuple(dict.fromkeys(ctx.notes))
    )


def reject_unplain(sentence: str) -> None:
    for match in re.finditer(r"\S+", sentence):
        bad = first_unplain(match.group().translate(CURLY))
        if bad is not None:
            raise MissionParseError(
                match.group().strip(QUOTES + SEPARATORS),
                f"it contains {describe_char(bad)}; mission words must be plain ASCII, so a "
                "look-alike or invisible character never turns into a different name",
                EXAMPLE_RESOURCE,
            )


def _parse_clause(ctx: Ctx, clause: list[Tok]) -> list[MissionAction]:
    tokens, implicit_add = _strip_filler(clause)
    if not tokens:
        return []
    ctx.clause = tokens
    head, rest = tokens[0], tokens[1:]
    if head.word(ADD_VERBS):
        return parse_add(ctx, head, rest)
    if head.word(REMOVE_VERBS):
        return parse_remove(ctx, head, rest)
    if head.word("rename"):
        return parse_rename(ctx, head, rest)
    if head.word(OPTIMIZE_VERBS):
        return parse_optimize(ctx, [head], rest)
    if head.word("speed") and rest and rest[0].word("up"):
        return parse_optimize(ctx, tokens[:2], rest[1:])
    if implicit_add:
        return parse_add(ctx, None, tokens)
    ctx.fail(
        [head],
        "expected an action such as add, create, drop, remove, rename or optimize",
        EXAMPLE_RESOURCE,
    )


def _strip_filler(clause: list[Tok]) -> tuple[list[Tok], bool]:
    tokens = list(clause)
    implicit = False
    while tokens:
        if tokens[0].sep and tokens[0].text in ",:":
            tokens = tokens[1:]
            continue
        filler = phrase_at(tokens, 0, LEADING_FILLER)
        wish = phrase_at(tokens, 0, IMPLICIT_ADD)
        if not filler and not wish:
            break
        implicit = implicit or wish > filler
        tokens = tokens[max(filler, wish) :]
    while tokens:
        for phrase in TRAILING_FILLER:
            if len(tokens) > len(phrase) and phrase_at(tokens, len(tokens) - len(phrase), [phrase]):
                tokens = tokens[: -len(phrase)]
                break
        else:
            break
    return tokens, implicit
