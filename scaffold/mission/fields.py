"""Field lists in words or field syntax: names, types, modifiers, enum values."""

from __future__ import annotations

import re

from scaffold.mission.context import Ctx, find_table, lookup_table, snake
from scaffold.mission.tokens import Tok, is_plain_name, is_table_word, phrase_at
from scaffold.mission.vocabulary import (
    ARTICLES,
    COLUMN_WORDS,
    ENUM_VALUE,
    FIELD_TYPES,
    FLAG_MODIFIERS,
    GENERATED_FIELDS,
    KIND_WORDS,
    MOD_WORDS,
    NAME_WORD,
    REF_PHRASES,
    STRUCTURE,
    TWO_WORD_TYPES,
    TYPE_WORDS,
    VALUE,
    VALUE_MODIFIERS,
)
from scaffold.spec.inflect import underscore


def field_list(ctx: Ctx, tokens: list[Tok], table: str, example: str) -> list[tuple[str, str]]:
    """Parse "resident_id, week_start date and title:str=120" into (name, field token) pairs."""
    k = 0
    while k < len(tokens) and (
        tokens[k].word("the", "following", "fields", "columns") or tokens[k].is_sep(":")
    ):
        k += 1
    entries = _split_entries(tokens[k:])
    if not entries:
        ctx.fail(tokens or ctx.clause, "no fields named", example)
    fields: list[tuple[str, str]] = []
    for entry in entries:
        name, spec = _parse_field(ctx, entry, table, example)
        if name in GENERATED_FIELDS:
            ctx.fail(entry, f"{name} is added to every table automatically", example)
        if any(name == seen for seen, _ in fields):
            ctx.fail(entry, f"field {name} is listed twice", example)
        fields.append((name, spec))
    return fields


def _split_entries(tokens: list[Tok]) -> list[list[Tok]]:
    """Split a field list at top-level commas and "and"; "enum of a, b and c" runs to the end."""
    entries: list[list[Tok]] = [[]]
    depth = 0
    enum_of = False
    for tok in tokens:
        depth += tok.is_sep("(") - tok.is_sep(")")
        current = entries[-1]
        enum_of = enum_of or (tok.word("of") and bool(current) and current[-1].word("enum"))
        if depth == 0 and not enum_of and (tok.is_sep(",;") or tok.word("and")):
            entries.append([])
        else:
            current.append(tok)
    return [e for e in entries if e]


def _parse_field(ctx: Ctx, entry: list[Tok], table: str, example: str) -> tuple[str, str]:
    """One field in words ("an optional due_at datetime") or field syntax ("due_at:datetime")."""
    mods: list[str] = []
    k = 0
    while k < len(entry) and entry[k].word(ARTICLES, COLUMN_WORDS, frozenset(MOD_WORDS)):
        _add_mod(mods, entry[k])
        k += 1
    if k == len(entry):
        ctx.fail(entry, "a field needs a name", example)
    first = entry[k]
    kind = args = None
    if ":" in first.text or "=" in first.text:
        name, base = _syntax_field(ctx, first, example)
        k += 1
    else:
        if first.word(frozenset(STRUCTURE)):
            # "from", "order", "default"... are words of the sentence here; in field syntax
            # they are plain names, so the example is the user's sentence written that way.
            typed = k + 1 < len(entry) and entry[k + 1].word(frozenset(TYPE_WORDS))
            end = entry[k + 1] if typed else first
            kind_word = entry[k + 1].low if typed else "str"
            written = f"{first.low}:{TYPE_WORDS.get(kind_word, kind_word)}"
            sentence = ctx.sentence[: first.start] + written + ctx.sentence[end.end :]
            ctx.fail(
                [first],
                "reads as a word of the sentence, not a field name; write that field in field "
                f"syntax ({written})",
                sentence,
            )
        start = k
        k += 1
        while k < len(entry) and k - start < 4 and is_plain_name(entry[k]):
            k += 1
        name = snake(ctx, entry[start:k], "field name", example)
        kind, args, k = _read_type(ctx, entry, k, example)
        base = name
    while k < len(entry):
        tok = entry[k]
        if tok.word(COLUMN_WORDS):
            k += 1
        elif tok.word(frozenset(MOD_WORDS)):
            _add_mod(mods, tok)
            k += 1
        elif tok.word("not") and k + 1 < len(entry) and entry[k + 1].word("null"):
            k += 2
        elif tok.word("default", "defaults", "defaulting"):
            k += 2 if k + 1 < len(entry) and entry[k + 1].word("to") else 1
            if k >= len(entry) or entry[k].sep or not VALUE.fullmatch(entry[k].text):
                ctx.fail([tok], "a default needs one plain value, e.g. 'default medium'", example)
            mods.append(f"default={entry[k].text}")
            k += 1
        elif tok.word("on") and k + 1 < len(entry) and entry[k + 1].word("delete"):
            k, rule = _read_ondelete(ctx, entry, k + 2, example)
            mods.append(f"ondelete={rule}")
        elif ":" in tok.text and base == name and kind is None:
            # Words then syntax: "external_id uuid:unique".
            name, base = _syntax_field(ctx, Tok(f"{name}:{tok.text}", tok.start, tok.end), example)
            k += 1
        elif n := phrase_at(entry, k, REF_PHRASES):
            if base != name or kind not in (None, "ref"):
                ctx.fail(entry[k : k + n], "a reference cannot also have another type", example)
            end = k + n
            while end < len(entry) and (
                is_table_word(entry[end]) or entry[end].word(ARTICLES, KIND_WORDS)
            ):
                end += 1
            kind, args, k = "ref", find_table(ctx, entry[k + n : end], example), end
            if not name.endswith("_id"):
                ctx.notes.append(f"{table}.{name} references {args}, so it is named {name}_id")
                name += "_id"
        else:
            ctx.fail(
                [tok],
                f"not a type, modifier or reference in the field '{ctx.span(entry)}'",
                example,
            )
    if base == name or kind == "ref":
        base = name + (f":{kind}" if kind else "") + (f"={args}" if args else "")
    return name, ":".join([base, *dict.fromkeys(m for m in mods if m)])


def _add_mod(mods: list[str], tok: Tok) -> None:
    mod = MOD_WORDS.get(tok.low)
    if mod is not None:
        mods.append(mod)


def _read_type(
    ctx: Ctx, entry: list[Tok], k: int, example: str
) -> tuple[str | None, str | None, int]:
    if k + 1 < len(entry) and entry[k].word("as") and entry[k + 1].word(frozenset(TYPE_WORDS)):
        k += 1
    if n := phrase_at(entry, k, tuple(TWO_WORD_TYPES)):
        return TWO_WORD_TYPES[(entry[k].low, entry[k + 1].low)], None, k + n
    if k >= len(entry) or not entry[k].word(frozenset(TYPE_WORDS)):
        return None, None, k
    kind, type_tok = TYPE_WORDS[entry[k].low], entry[k]
    k += 1
    if kind == "enum":
        values, k = _enum_values(ctx, entry, k, type_tok, example)
        return kind, ",".join(values), k
    if kind in ("str", "decimal") and k < len(entry):
        if entry[k].is_sep("("):
            end = next((e for e in range(k, len(entry)) if entry[e].is_sep(")")), len(entry))
            numbers = [t.text for t in entry[k + 1 : end] if not t.is_sep(",")]
            if end == len(entry) or not numbers or not all(n.isdigit() for n in numbers):
                ctx.fail(
                    entry[k : end + 1], "a length or precision is digits, e.g. string(120)", example
                )
            return kind, ",".join(numbers), end + 1
        if re.fullmatch(r"\d+(,\d+)?", entry[k].text):
            return kind, entry[k].text, k + 1
    return kind, None, k


def _enum_values(
    ctx: Ctx, entry: list[Tok], k: int, enum_tok: Tok, example: str
) -> tuple[list[str], int]:
    """Enum values: ``low|medium|high``, ``low,medium,high``, ``(low, medium, high)``
    or "of low, medium and high"."""
    wanted = "an enum needs at least two values, e.g. 'priority enum low|medium|high'"
    values: list[Tok] = []
    if k < len(entry) and (entry[k].word("of") or entry[k].is_sep("(")):
        closing = entry[k].is_sep("(")
        k += 1
        expect_value = True
        while k < len(entry):
            tok = entry[k]
            if closing and tok.is_sep(")"):
                k += 1
                break
            if not closing and tok.word(frozenset(MOD_WORDS), "default", "defaults", "not", "on"):
                break
            if tok.is_sep(",") or tok.word("and", "or") or tok.text == "|":
                expect_value = True
            elif expect_value and not tok.sep:
                values.append(tok)
                expect_value = False
            else:
                ctx.fail(
                    [tok],
                    "'enum of' values are single words and run to the end of the field list; "
                    "put it last or write the values as low|medium|high",
                    example,
                )
            k += 1
    elif k < len(entry) and not entry[k].sep and re.search(r"[|,/]", entry[k].text):
        pos = entry[k].start
        for piece in re.split(r"([|,/])", entry[k].text):
            if piece not in "|,/":
                values.append(Tok(piece, pos, pos + len(piece)))
            pos += len(piece)
        k += 1
    for value in values:
        if not ENUM_VALUE.fullmatch(value.text):
            ctx.fail(
                [value] if value.text else [enum_tok],
                "enum values are letters, digits, '_', '.' or '-'",
                example,
            )
    texts = [v.text for v in values]
    if len(texts) < 2:
        ctx.fail([enum_tok], wanted, example)
    if len(set(texts)) != len(texts):
        ctx.fail([enum_tok], "an enum value is listed twice", example)
    return texts, k


def _read_ondelete(ctx: Ctx, entry: list[Tok], k: int, example: str) -> tuple[int, str]:
    if k < len(entry) and entry[k].word("cascade", "restrict"):
        return k + 1, entry[k].low
    if k + 1 < len(entry) and entry[k].word("set") and entry[k + 1].word("null"):
        return k + 2, "set-null"
    ctx.fail(
        entry[k - 2 : k + 1], "expected 'on delete cascade', 'restrict' or 'set null'", example
    )


def _syntax_field(ctx: Ctx, tok: Tok, example: str) -> tuple[str, str]:
    """Check a field-syntax token (``priority:enum=low,high:default=low``); lowercase its name."""
    name_raw, *parts = tok.text.split(":")
    if not NAME_WORD.fullmatch(name_raw):
        ctx.fail([tok], "field syntax is name[:type[=ARGS]][:modifier[=VALUE]]...", example)
    name = underscore(name_raw)
    out = [name]
    for n, part in enumerate(parts):
        head, eq, value = part.partition("=")
        head = head.lower()
        if n == 0 and head in FIELD_TYPES:
            if head in ("enum", "ref") and not value:
                ctx.fail(
                    [tok], f"{head} needs a value, e.g. priority:enum=low,medium,high", example
                )
            if head == "ref":
                target = lookup_table(ctx, [Tok(value, tok.start, tok.end)])
                if target is None:
                    ctx.fail(
                        [tok], f"there is no table {value} (existing: {ctx.listing()})", example
                    )
                value = target
            out.append(head + eq + value)
        elif head in FLAG_MODIFIERS and not eq:
            out.append(head)
        elif head in VALUE_MODIFIERS and value:
            out.append(f"{head}={value}")
        else:
            ctx.fail([tok], f"{part!r} is not a known type or modifier", example)
    return name, ":".join(out)
