"""Tokens of a sentence, its clauses, and the phrase and name tests on them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scaffold.mission.vocabulary import (
    ARTICLES,
    CLAUSE_GLUE,
    KEYWORDS,
    NAME_WORD,
    QUOTES,
    SEPARATORS,
    STRUCTURE,
    VERBS,
)


@dataclass(frozen=True)
class Tok:
    text: str
    start: int
    end: int
    sep: bool = False

    @property
    def low(self) -> str:
        return self.text.lower()

    def word(self, *words: str | frozenset[str]) -> bool:
        if self.sep:
            return False
        low = self.low
        return any(low == w if isinstance(w, str) else low in w for w in words)

    def is_sep(self, chars: str) -> bool:
        return self.sep and self.text in chars


def tokenize(text: str) -> list[Tok]:
    tokens: list[Tok] = []
    for match in re.finditer(r"\S+", text):
        tokens.extend(_chunk_tokens(match.group(), match.start()))
    return tokens


def _chunk_tokens(chunk: str, at: int) -> list[Tok]:
    """Split one whitespace-free chunk into edge punctuation and its core word.

    Field syntax (``notes:text:optional``) and paths (``/api/v1/x``) stay whole;
    other words are split around parentheses and ``->``.
    """
    i, j = 0, len(chunk)
    lead: list[Tok] = []
    trail: list[Tok] = []
    while i < j and chunk[i] in QUOTES + "(":
        if chunk[i] == "(":
            lead.append(Tok("(", at + i, at + i + 1, True))
        i += 1
    while j > i and chunk[j - 1] in QUOTES + SEPARATORS and chunk[j - 1] != "(":
        if chunk[j - 1] not in QUOTES:
            trail.append(Tok(chunk[j - 1], at + j - 1, at + j, True))
        j -= 1
    core = chunk[i:j]
    middle: list[Tok] = []
    if core.startswith("/") or ":" in core or "=" in core:
        middle.append(Tok(core, at + i, at + j))
    elif core:
        pos = at + i
        for piece in re.split(r"(->|[()])", core):
            if piece:
                middle.append(Tok(piece, pos, pos + len(piece), piece in "()"))
            pos += len(piece)
    return lead + middle + trail[::-1]


def split_clauses(tokens: list[Tok]) -> list[list[Tok]]:
    """Split at ``;``, sentence ends and "then"; at ``,``, ``:`` and "and" only before a verb."""
    clauses: list[list[Tok]] = [[]]
    for k, tok in enumerate(tokens):
        hard = tok.is_sep(";.!?") or tok.word("then")
        soft = (tok.is_sep(",:") or tok.word("and")) and _verb_follows(tokens, k + 1)
        if hard or soft:
            clauses.append([])
        else:
            clauses[-1].append(tok)
    return [c for c in clauses if any(not t.sep for t in c)]


def _verb_follows(tokens: list[Tok], k: int) -> bool:
    while k < len(tokens) and (tokens[k].word(CLAUSE_GLUE) or tokens[k].is_sep(",")):
        k += 1
    return k < len(tokens) and tokens[k].word(VERBS)


def phrase_at(tokens: Sequence[Tok], k: int, phrases: Sequence[tuple[str, ...]]) -> int:
    """Length of the longest phrase starting at ``tokens[k]``, or 0."""
    best = 0
    for phrase in phrases:
        n = len(phrase)
        window = tokens[k : k + n]
        if (
            len(window) == n
            and n > best
            and all(t.word(w) for t, w in zip(window, phrase, strict=True))
        ):
            best = n
    return best


def strip_articles(tokens: Sequence[Tok]) -> list[Tok]:
    k = 0
    while k < len(tokens) and (tokens[k].word(ARTICLES) or tokens[k].is_sep(",:")):
        k += 1
    return list(tokens[k:])


def split_on(tokens: Sequence[Tok], *words: str) -> list[list[Tok]]:
    """Split at top-level commas and the given words, dropping empty parts."""
    parts: list[list[Tok]] = [[]]
    for tok in tokens:
        if tok.is_sep(",") or tok.word(*words):
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def is_plain_name(tok: Tok) -> bool:
    return not tok.sep and bool(NAME_WORD.fullmatch(tok.text)) and tok.low not in KEYWORDS


def is_table_word(tok: Tok) -> bool:
    """Table names may contain type words ("time entries"), not structure words."""
    return not tok.sep and bool(NAME_WORD.fullmatch(tok.text)) and tok.low not in STRUCTURE


def strip_words(tokens: list[Tok], *words: str) -> list[Tok]:
    return [t for t in tokens if not t.word(*words)]
