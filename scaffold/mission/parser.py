"""Turn one English mission sentence into the scaffold commands that perform it.

Deterministic and offline: a tokenizer, a clause splitter, and one small
recogniser per mission kind (resource, endpoint, field add/remove/rename,
destroy, index). Anything the recognisers cannot map completely is a
:class:`MissionParseError` that quotes the part not understood; words that
carry meaning are never dropped. Security keywords are matched on a folded
copy of the sentence (see :mod:`scaffold.mission.normalize`); names are taken
from the original sentence and must be plain ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

from scaffold.mission.normalize import describe_char, first_unplain, normalize_for_matching
from scaffold.spec.inflect import pluralize, singularize, underscore

MAX_SENTENCE = 2000

EXAMPLE_RESOURCE = "add weekly_requirements table with resident_id, week_start date, min_hours int"
EXAMPLE_ENDPOINT = "add GET /api/v1/residents/{id}/weekly-requirements endpoint"
EXAMPLE_INDEX = "optimize the schedule queries: add missing indexes"
NO_FIELDS_NOTE = (
    "no fields named: the table gets id, timestamps and inferred links; "
    "add fields later with `scaffold field add {table} NAME:TYPE`"
)

SECURITY_REASON = "security: touches authentication, permissions, secrets or sensitive data"
DESTROY_REASON = "destructive: drops table {table} and all its rows"
# Same wording as `scaffold field remove|rename`, so a mission and the command report alike.
REMOVE_REASON = (
    "destructive and breaking: drops column {table}.{name} and its data; "
    "API clients that send or read {name} break"
)
RENAME_REASON = "breaking: renames {table}.{old} to {new}; API clients that use {old} break"
RENAME_TABLE_REASON = (
    "breaking: renames table {old} to {new}; its API paths move to /{new_route} in a new API "
    "version, and the rename is a schema change that needs a production migration"
)

# Matched on normalize_for_matching() text; "_", "-", "/" and spaces are word boundaries.
# A bare "session" is not a trigger: training or teaching sessions are ordinary data.
_SECURITY_TERMS = (
    r"auth[nz]?",
    r"oauth2?",
    r"(?:re)?authenticat(?:e|es|ed|ing|ion|ions|or|ors)",
    r"(?:un|de|re)?authori[sz](?:e|es|ed|ing|ation|ations|er|ers)",
    r"permissions?",
    r"privileges?",
    r"roles?",
    r"admins?|administrators?|superusers?",
    r"pass(?:word|wd|phrase|code)s?",
    r"tokens?",
    r"secrets?",
    r"api[ _-]?keys?",
    r"(?:private|secret|signing|encryption|access)[ _-]?keys?",
    r"credentials?",
    r"log[ _-]?ins?|logons?|sign[ _-]?ins?|sso",
    r"session[ _-]?(?:ids?|keys?|cookies?|tokens?)",
    r"(?:user|login|auth)[ _-]?sessions?",
    r"ssns?|social[ _-]?security(?:[ _-]?numbers?)?",
    r"jwts?",
    r"mfa|2fa|totp|otp",
    r"acls?|access[ _-]?control",
    r"(?:en|de)crypt(?:ion|ed|s)?",
    # Who may call what: making something public or anonymous, auditing access, CORS.
    r"public(?:ly)?|publish(?:es|ed|ing)?|protect(?:s|ed|ing|ion)?|lock(?:s|ed)?[ _-]down",
    r"anonymous(?:ly)?|unauthenticated|unauthori[sz]ed|logged[ _-]?out",
    r"(?:log|sign)[ _-]?(?:out|off)s?",
    r"everyone|everybody|anyone|anybody",
    r"audit(?:s|ed|ing|ors?)?",
    r"cors|cross[ _-]?origin",
)
_SECURITY = tuple(re.compile(rf"(?<![a-z0-9])(?:{term})(?![a-z0-9])") for term in _SECURITY_TERMS)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ADD_VERBS = _words("add create make generate build introduce scaffold")
CREATE_VERBS = _words("create make generate build scaffold")
REMOVE_VERBS = _words("drop remove delete destroy")
OPTIMIZE_VERBS = _words("optimize optimise tune improve accelerate")
VERBS = ADD_VERBS | REMOVE_VERBS | OPTIMIZE_VERBS | {"rename", "speed"}

KIND_WORDS = _words("table tables model models resource resources entity entities")
COLUMN_WORDS = _words("column columns field fields attribute attributes property properties")
ARTICLES = _words("a an the new another")
HTTP_METHODS = _words("get post put patch delete head options")
INDEX_WORDS = _words("index indexes indices")
QUERY_WORDS = INDEX_WORDS | _words(
    "queries query lookups lookup reads performance database db joins filters filtering "
    "searches search reports listings indexing"
)
WITH_WORDS = _words("with having has have containing including")

TYPE_WORDS = {
    "str": "str", "string": "str", "varchar": "str", "text": "text",
    "int": "int", "integer": "int", "smallint": "int",
    "bigint": "bigint", "biginteger": "bigint",
    "float": "float", "double": "float",
    "decimal": "decimal", "numeric": "decimal",
    "bool": "bool", "boolean": "bool", "flag": "bool",
    "date": "date", "datetime": "datetime", "timestamp": "datetime", "timestamptz": "datetime",
    "time": "time", "uuid": "uuid", "guid": "uuid", "json": "json", "jsonb": "json",
    "enum": "enum",
}  # fmt: skip
TWO_WORD_TYPES = {
    ("big", "integer"): "bigint", ("big", "int"): "bigint",
    ("long", "text"): "text", ("short", "text"): "str",
}  # fmt: skip
# "required" is the default, so it adds no modifier.
MOD_WORDS = {
    "optional": "optional", "nullable": "optional", "required": "", "mandatory": "",
    "unique": "unique", "indexed": "index", "sensitive": "sensitive",
}  # fmt: skip
FIELD_TYPES = _words("str text int bigint float decimal bool date datetime time uuid json enum ref")
FLAG_MODIFIERS = _words("optional unique index sensitive")
VALUE_MODIFIERS = _words("default min max pattern ondelete")
GENERATED_FIELDS = _words("id created_at updated_at")

# Phrases that make a field (or, before "with", the whole table) point at another table.
REF_PHRASES = (
    ("referencing",), ("references",), ("reference",), ("ref",), ("->",),
    ("pointing", "to"), ("points", "to"), ("linked", "to"), ("link", "to"),
    ("foreign", "key", "to"), ("fk", "to"), ("belonging", "to"), ("belongs", "to"),
)  # fmt: skip
PARENT_PHRASES = (("nested", "under"), ("under",))
REF_LEADERS = _words("pointing points linked link key fk belonging belongs")
LIST_STOPS = _words("for belonging belongs nested under that which")
SECTION_STOPS = LIST_STOPS | WITH_WORDS | {"linked", "referencing", "references", "and", ","}
LEADING_FILLER = (
    ("please",), ("pls",), ("kindly",), ("also",), ("and",), ("then",), ("now",), ("just",),
    ("finally",), ("so",), ("ok",), ("okay",), ("hey",), ("additionally",),
    ("can", "you"), ("could", "you"), ("would", "you"), ("will", "you"), ("can", "we"),
    ("could", "we"), ("let's",), ("lets",), ("let", "us"), ("go", "ahead", "and"),
    ("we", "need", "to"), ("i", "need", "to"), ("we", "want", "to"), ("i", "want", "to"),
    ("we'd", "like", "to"), ("i'd", "like", "to"), ("we", "would", "like", "to"),
    ("i", "would", "like", "to"), ("we", "should"), ("you", "should"), ("need", "to"),
    ("want", "to"), ("we", "must"),
)  # fmt: skip
# A wish with no verb means "add": "we need a shifts table".
IMPLICIT_ADD = (
    ("we", "need"), ("i", "need"), ("we", "want"), ("i", "want"), ("we'd", "like"),
    ("i'd", "like"), ("give", "me"), ("there", "should", "be"), ("we", "should", "have"),
)  # fmt: skip
TRAILING_FILLER = (("please",), ("thanks",), ("thank", "you"), ("asap",))
CLAUSE_GLUE = _words("also then and please now finally additionally")
INDEX_FILLER = INDEX_WORDS | _words(
    "the any all missing needed where on for to every each and "
    "foreign keys key fks filter filters columns tables"
)

_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_ENUM_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_VALUE = re.compile(r"[A-Za-z0-9_.+-]+")
_SEGMENT = re.compile(r"[A-Za-z0-9_.~-]+|\{[A-Za-z_][A-Za-z0-9_]*\}")
_VERSION = re.compile(r"v[0-9]+", re.IGNORECASE)
_CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SEPARATORS = ",;:.!?()"
_QUOTES = "\"'`"
# Words that structure a clause; never part of a table or field name.
_STRUCTURE = (
    set(MOD_WORDS) | COLUMN_WORDS | KIND_WORDS | WITH_WORDS | LIST_STOPS
    | {p[0] for p in REF_PHRASES}
    | _words("default not on of and or to in into from for as a an the called named by per at")
    | _words("if when where because but than is are be should must can will so it its this")
    | _words("these those also then please only just")
)  # fmt: skip
# Field names also stop at a type word: "week_start date" is a name and a type.
_KEYWORDS = _STRUCTURE | set(TYPE_WORDS) | _words("defaults defaulting null big long short")


@dataclass(frozen=True)
class MissionAction:
    """One scaffold command: ``argv`` is exactly what follows ``scaffold`` on the command line.

    >>> MissionAction("index", ("index", "--missing"), "add missing indexes").argv
    ('index', '--missing')
    """

    kind: str
    argv: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class Escalation:
    """Why a change needs ``--approve``, and the part of the sentence that triggered it."""

    reason: str
    trigger: str


@dataclass(frozen=True)
class MissionPlan:
    """What a sentence asks for: actions in order, escalations, and notes for the report."""

    sentence: str
    actions: tuple[MissionAction, ...]
    escalations: tuple[Escalation, ...] = ()
    notes: tuple[str, ...] = ()


class MissionParseError(ValueError):
    """A sentence (or part of one) the parser cannot map to commands.

    ``token`` is the exact part of the sentence not understood, ``example`` a
    sentence that works, ``escalations`` the security keywords seen anyway.

    >>> str(MissionParseError("frobnicate", "expected an action", "add missing indexes"))[:54]
    'could not understand "frobnicate": expected an action.'
    """

    def __init__(self, token: str, detail: str, example: str = EXAMPLE_RESOURCE) -> None:
        self.token = token
        self.detail = detail
        self.example = example
        self.escalations: tuple[Escalation, ...] = ()
        super().__init__(
            f"could not understand {_show(token)}: {detail}. Try: scaffold mission {_show(example)}"
        )


def _show(text: str) -> str:
    if len(text) > 80:
        text = text[:77] + "..."
    return '"' + "".join(c if " " <= c <= "~" else f"\\u{ord(c):04x}" for c in text) + '"'


# --- tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
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


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    for match in re.finditer(r"\S+", text):
        tokens.extend(_chunk_tokens(match.group(), match.start()))
    return tokens


def _chunk_tokens(chunk: str, at: int) -> list[_Tok]:
    """Split one whitespace-free chunk into edge punctuation and its core word.

    Field syntax (``notes:text:optional``) and paths (``/api/v1/x``) stay whole;
    other words are split around parentheses and ``->``.
    """
    i, j = 0, len(chunk)
    lead: list[_Tok] = []
    trail: list[_Tok] = []
    while i < j and chunk[i] in _QUOTES + "(":
        if chunk[i] == "(":
            lead.append(_Tok("(", at + i, at + i + 1, True))
        i += 1
    while j > i and chunk[j - 1] in _QUOTES + _SEPARATORS and chunk[j - 1] != "(":
        if chunk[j - 1] not in _QUOTES:
            trail.append(_Tok(chunk[j - 1], at + j - 1, at + j, True))
        j -= 1
    core = chunk[i:j]
    middle: list[_Tok] = []
    if core.startswith("/") or ":" in core or "=" in core:
        middle.append(_Tok(core, at + i, at + j))
    elif core:
        pos = at + i
        for piece in re.split(r"(->|[()])", core):
            if piece:
                middle.append(_Tok(piece, pos, pos + len(piece), piece in "()"))
            pos += len(piece)
    return lead + middle + trail[::-1]


def _split_clauses(tokens: list[_Tok]) -> list[list[_Tok]]:
    """Split at ``;``, sentence ends and "then"; at ``,``, ``:`` and "and" only before a verb."""
    clauses: list[list[_Tok]] = [[]]
    for k, tok in enumerate(tokens):
        hard = tok.is_sep(";.!?") or tok.word("then")
        soft = (tok.is_sep(",:") or tok.word("and")) and _verb_follows(tokens, k + 1)
        if hard or soft:
            clauses.append([])
        else:
            clauses[-1].append(tok)
    return [c for c in clauses if any(not t.sep for t in c)]


def _verb_follows(tokens: list[_Tok], k: int) -> bool:
    while k < len(tokens) and (tokens[k].word(CLAUSE_GLUE) or tokens[k].is_sep(",")):
        k += 1
    return k < len(tokens) and tokens[k].word(VERBS)


def _phrase_at(tokens: Sequence[_Tok], k: int, phrases: Sequence[tuple[str, ...]]) -> int:
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


def _strip_articles(tokens: Sequence[_Tok]) -> list[_Tok]:
    k = 0
    while k < len(tokens) and (tokens[k].word(ARTICLES) or tokens[k].is_sep(",:")):
        k += 1
    return list(tokens[k:])


def _split_on(tokens: Sequence[_Tok], *words: str) -> list[list[_Tok]]:
    """Split at top-level commas and the given words, dropping empty parts."""
    parts: list[list[_Tok]] = [[]]
    for tok in tokens:
        if tok.is_sep(",") or tok.word(*words):
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def _is_plain_name(tok: _Tok) -> bool:
    return not tok.sep and bool(_NAME_WORD.fullmatch(tok.text)) and tok.low not in _KEYWORDS


def _is_table_word(tok: _Tok) -> bool:
    """Table names may contain type words ("time entries"), not structure words."""
    return not tok.sep and bool(_NAME_WORD.fullmatch(tok.text)) and tok.low not in _STRUCTURE


# --- context --------------------------------------------------------------------------


class _Ctx:
    def __init__(self, sentence: str, existing: Mapping[str, Sequence[str]]) -> None:
        self.sentence = sentence
        self.existing = {table: tuple(fields) for table, fields in existing.items()}
        self.created: list[str] = []
        self.notes: list[str] = []
        self.escalations: list[Escalation] = []
        self.clause: list[_Tok] = []

    def span(self, tokens: Sequence[_Tok]) -> str:
        return self.sentence[tokens[0].start : tokens[-1].end]

    def fail(self, where: Sequence[_Tok] | str, detail: str, example: str) -> NoReturn:
        token = where if isinstance(where, str) else self.span(where) if where else ""
        raise MissionParseError(token, detail, example)

    def tables(self) -> list[str]:
        return [*self.existing, *(t for t in self.created if t not in self.existing)]

    def listing(self) -> str:
        return ", ".join(sorted(self.tables())) or "none yet"

    def example_table(self) -> str:
        return sorted(self.existing)[0] if self.existing else "tasks"


def _snake(ctx: _Ctx, tokens: Sequence[_Tok], what: str, example: str) -> str:
    if not tokens:
        ctx.fail(ctx.clause, f"a {what} is missing", example)
    for tok in tokens:
        if tok.sep or not _NAME_WORD.fullmatch(tok.text):
            ctx.fail([tok], f"a {what} is letters, digits, underscores or hyphens", example)
    name = "_".join(underscore(tok.text) for tok in tokens)
    if not _SNAKE.fullmatch(name):
        ctx.fail(tokens, f"{name!r} is not a valid snake_case {what}", example)
    return name


def _lookup_table(ctx: _Ctx, tokens: Sequence[_Tok]) -> str | None:
    if not tokens or not all(not t.sep and _NAME_WORD.fullmatch(t.text) for t in tokens):
        return None
    name = "_".join(underscore(t.text) for t in tokens)
    for table in ctx.tables():
        if name in (table, singularize(table)) or pluralize(name) == table:
            return table
    return None


def _find_table(ctx: _Ctx, tokens: Sequence[_Tok], example: str) -> str:
    tokens = _strip_articles(tokens)
    if tokens and tokens[-1].word(KIND_WORDS):
        tokens = tokens[:-1]
    table = _lookup_table(ctx, tokens)
    if table is None:
        name = _snake(ctx, tokens, "table name", example)
        ctx.fail(tokens, f"there is no table {name} (existing: {ctx.listing()})", example)
    return table


def _fields_of(ctx: _Ctx, table: str) -> tuple[str, ...]:
    return ctx.existing.get(table, ())


def _listing(names: Sequence[str]) -> str:
    return ", ".join(names) or "none"


# --- entry point ----------------------------------------------------------------------


def parse_mission(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan:
    """Map an English mission to scaffold commands, escalations and notes.

    ``existing`` maps each existing table (plural snake_case) to its field names.

    >>> plan = parse_mission("add weekly_requirements table for Block scheduling",
    ...                      {"blocks": ["name"], "residents": ["name"]})
    >>> plan.actions[0].argv
    ('resource', 'weekly_requirements', 'block_id:ref=blocks')
    """
    if len(sentence) > MAX_SENTENCE:
        raise MissionParseError(
            sentence[:40],
            f"the sentence is {len(sentence):,} characters; a mission is at most "
            f"{MAX_SENTENCE:,}, so split it into several missions",
            EXAMPLE_RESOURCE,
        )
    if _LOGIN_LIMITS.search(" ".join(sentence.lower().split())) and not _HAS_RATE.search(
        sentence.lower()
    ):
        note = (
            "the sign-in route is already rate-limited per account and per client address by "
            "LOGIN_RATE_LIMIT (5/minute by default; e.g. 'set the login rate limit to 10/minute'); "
            "with several workers, point RATE_LIMIT_STORAGE_URI at a shared store"
        )
        return MissionPlan(sentence, (), security_escalations(sentence), (note,))
    setting = settings_action(sentence)
    if setting is not None:
        return MissionPlan(
            sentence,
            (setting,),
            security_escalations(sentence),
            (f"{setting.summary}: scaffold does not write settings; a deploy sets it",),
        )
    try:
        return _parse(sentence, existing)
    except MissionParseError as err:
        err.escalations = security_escalations(sentence)
        raise


_TO = r"\s+(?:to|=|at|of)\s+"
# "add rate limiting to the login route": sign-in has its limit already (no value given).
_LOGIN_LIMITS = re.compile(
    r"\b(?:rate[ -]?limit(?:s|ing)?|throttl\w*)\b.*\b(?:log[ -]?ins?|sign[ -]?ins?|auth\w*)\b"
    r"|\b(?:log[ -]?ins?|sign[ -]?ins?)\b.*\b(?:rate[ -]?limit(?:s|ing)?|throttl\w*)\b"
)
_HAS_RATE = re.compile(r"\d+\s*(?:/|per|a|an|requests?|attempts?)")
_SETTINGS = (
    (
        re.compile(rf"\b(?:(?:db|database|connection)\s+)*pool(?:\s+size)?{_TO}(\d+)\b"),
        "DB_POOL_SIZE",
        lambda m: m.group(1),
    ),
    (
        re.compile(rf"\b(?:pool\s+)?(?:max(?:imum)?\s+)?overflow{_TO}(\d+)\b"),
        "DB_MAX_OVERFLOW",
        lambda m: m.group(1),
    ),
    (
        re.compile(
            rf"\b(?:request\s+|upload\s+)?body(?:\s+size)?\s+limit{_TO}(\d+)\s*"
            r"(bytes?|b|kb|kib|mb|mib)?\b"
        ),
        "MAX_BODY_BYTES",
        lambda m: str(
            int(m.group(1))
            * {"kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2}.get(m.group(2) or "", 1)
        ),
    ),
    (
        re.compile(
            r"\b(?:(?:log[ -]?in|sign[ -]?in|auth\w*)\s+(?:attempts?\s+)?(?:rate[ -]?)?limit"
            r"|limit\s+(?:log[ -]?in|sign[ -]?in)\s+attempts?)"
            rf"{_TO}(\d+)\s*(?:/|per|a|an|(?:requests?|attempts?)\s+(?:per|a|an))"
            r"\s*(second|minute|hour|day)\b"
        ),
        "LOGIN_RATE_LIMIT",
        lambda m: f"{m.group(1)}/{m.group(2)}",
    ),
    (
        re.compile(
            rf"\b(?:default\s+)?rate[ -]?limit{_TO}(\d+)\s*(?:/|per|a|an|requests?\s+(?:per|a|an))"
            r"\s*(second|minute|hour|day)\b"
        ),
        "RATE_LIMIT_DEFAULT",
        lambda m: f"{m.group(1)}/{m.group(2)}",
    ),
    (
        re.compile(rf"\blog(?:ging)?\s+level{_TO}(debug|info|warning|error|critical)\b"),
        "LOG_LEVEL",
        lambda m: m.group(1).upper(),
    ),
    (
        re.compile(
            r"\bcors\s+(?:origins?\s+)?(?:for|from|to|=)\s+(https?://[^\s,;]+(?:\s*,\s*https?://[^\s,;]+)*)"
        ),
        "CORS_ORIGINS",
        lambda m: ",".join(part.strip() for part in m.group(1).split(",")),
    ),
)


def settings_action(sentence: str) -> MissionAction | None:
    """A sentence about a runtime setting (pool size, body limit, default rate limit, log
    level, CORS origins) as the setting to change; None for any other sentence.

    >>> settings_action("raise the connection pool to 20").argv
    ('setting', 'DB_POOL_SIZE', '20')
    >>> settings_action("set the body limit to 2 MB").argv
    ('setting', 'MAX_BODY_BYTES', '2000000')
    """
    text = " ".join(sentence.lower().split())
    for pattern, name, value in _SETTINGS:
        match = pattern.search(text)
        if match:
            setting = value(match)
            return MissionAction("setting", ("setting", name, setting), f"set {name}={setting}")
    return None


def security_escalations(sentence: str) -> tuple[Escalation, ...]:
    """Escalations for security keywords, found however the sentence disguises them.

    >>> security_escalations("add a PASS\\u200bWORD to users")[0].trigger
    'password'
    """
    text = normalize_for_matching(sentence)
    # One escalation per term ("role" and "roles" are one), in sentence order.
    found = sorted((m.start(), m.group(0)) for p in _SECURITY if (m := p.search(text)))
    triggers = dict.fromkeys(trigger for _, trigger in found)
    return tuple(Escalation(SECURITY_REASON, trigger) for trigger in triggers)


_LINK = re.compile(r"(?:link|connect|relate)\s+(\w+)\s+(?:and|to|with)\s+(\w+)")
_HAS_MANY = re.compile(r"(?:each\s+|every\s+|an?\s+)?(\w+)\s+(?:has|have)\s+many\s+(\w+)")
_HAS_ONE = re.compile(
    r"(?:each|every|an?)\s+(\w+)\s+(?:has|have)\s+(?:one|an?|a\s+single|exactly\s+one)\s+(\w+)"
)


def _relationship(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan | None:
    """ "link articles and tags", "articles have many tags" (many-to-many), "each user has one
    profile" (a unique reference, created with the table when there is none yet)."""
    text = " ".join(sentence.strip().rstrip(".!").lower().split())

    def table(word: str) -> str | None:
        for candidate in (word, pluralize(word), singularize(word)):
            if candidate in existing:
                return candidate
        return None

    many = _LINK.fullmatch(text) or _HAS_MANY.fullmatch(text)
    if many:
        owner, target = table(many.group(1)), table(many.group(2))
        if owner is None or target is None:
            return None
        if target in existing[owner]:
            return MissionPlan(
                sentence, (), (), (f"{owner} and {target} are already linked ({owner}.{target})",)
            )
        if f"{singularize(owner)}_id" in existing[target]:
            note = f"{target} already references {owner} ({singularize(owner)}_id): nothing to add"
            return MissionPlan(sentence, (), (), (note,))
        token = f"{target}:many={target}"
        action = MissionAction(
            "field_add",
            ("field", "add", owner, token),
            f"link {owner} and {target} (many-to-many, through {owner}_{target})",
        )
        one_to_many = f"scaffold field add {target} {singularize(owner)}_id:ref={owner}"
        return MissionPlan(
            sentence,
            (action,),
            (),
            (f"for one {singularize(owner)} per row of {target} instead: {one_to_many}",),
        )
    one = _HAS_ONE.fullmatch(text)
    if one:
        owner = table(one.group(1))
        if owner is None:
            return None
        child = table(one.group(2)) or pluralize(one.group(2))
        ref = f"{singularize(owner)}_id"
        if child in existing:
            # Existing rows have no owner yet: the reference starts optional.
            argv: tuple[str, ...] = ("field", "add", child, f"{ref}:ref={owner}:unique:optional")
            kind = "field_add"
        else:
            argv, kind = ("resource", child, f"{ref}:ref={owner}:unique"), "resource"
        summary = (
            f"each {singularize(owner)} has at most one {singularize(child)} (unique {child}.{ref})"
        )
        return MissionPlan(sentence, (MissionAction(kind, argv, summary),), (), ())
    return None


_SIGN_IN = (
    r"(?:user\s+)?(?:sign[ -]?in|log[ -]?in|login|authentication|auth|accounts)"
    r"(?:\s+(?:and|&)\s+(?:users|accounts|sign[ -]?up|registration))?"
)
_ADD_SIGN_IN = re.compile(
    rf"(?:add|enable|set\s+up|create|build)\s+(?:an?\s+)?(?:users?\s+(?:and|with)\s+)?{_SIGN_IN}"
    r"(?:\s+(?:with|using|by|via)\s+(?:an?\s+)?(?:email|e-mail)(?:\s+(?:and|&)\s+(?:a\s+)?password)?)?"
)
_ROUTES = r"(?:\s+(?:routes?|api|endpoints?|resources?|table))?"
_PROTECT = re.compile(
    rf"(?:protect|secure|lock\s+down|require\s+(?:a\s+)?(?:sign[ -]?in|log[ -]?in|login|auth\w*)"
    rf"\s+(?:for|on))\s+(?:the\s+|all\s+|every\s+)?(\w+){_ROUTES}"
    r"(?:\s+(?:with|behind)\s+(?:a\s+)?(?:sign[ -]?in|log[ -]?in|login|auth\w*))?"
)
_PUBLISH = re.compile(
    rf"(?:open|make|let\s+(?:anonymous\s+)?(?:visitors|anyone|everyone|users)\s+(?:read|use|call))"
    rf"\s+(?:up\s+)?(?:the\s+)?(\w+){_ROUTES}"
    r"(\s+(?:to|for)\s+(?:everyone|anyone|the\s+public|anonymous\s+(?:visitors|users))|\s+public(?:ly)?)?"
)


def _access(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan | None:
    """Sign-in for the project ("add sign-in with email and password") and who may call a
    resource ("protect the notes routes", "open the rooms API to everyone"). Every one is
    a security change: escalated, whatever words it uses."""
    text = " ".join(sentence.strip().rstrip(".!").lower().split())
    reason = SECURITY_REASON
    if _ADD_SIGN_IN.fullmatch(text):
        action = MissionAction("auth", ("auth",), "add users, sign-in and protected routes")
        return MissionPlan(sentence, (action,), (Escalation(reason, "sign-in"),), ())
    for pattern, level, what in (
        (_PROTECT, "user", "require a signed-in user on every {table} route"),
        (_PUBLISH, "public", "open every {table} route to anyone (no sign-in)"),
    ):
        match = pattern.fullmatch(text)
        if not match or (level == "public" and text.startswith("make") and not match.group(2)):
            continue
        word = match.group(1)
        table = next((c for c in (word, pluralize(word), singularize(word)) if c in existing), None)
        if table is None:
            return None
        action = MissionAction("access", ("access", table, level), what.format(table=table))
        trigger = "public" if level == "public" else "protect"
        return MissionPlan(sentence, (action,), (Escalation(reason, trigger),), ())
    return None


_NEW_VERSION = re.compile(
    r"(?:version|add\s+(?:a\s+)?(?:new\s+)?version\s+(?:\d+\s+)?(?:of|to)|bump(?:\s+the\s+version\s+of)?)"
    r"\s+(?:the\s+)?(\w+)(?:\s+(?:api|routes|endpoints|resource))?"
    r"(?:\s+(?:to|as|at)\s+(?:/api/)?v(?:ersion\s+)?(\d+))?"
)


def _new_version(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan | None:
    """ "version the residents API" (the next version), "version residents as v3": the
    current contract served under a new API version too, the older ones kept."""
    text = " ".join(sentence.strip().rstrip(".!").lower().split())
    match = _NEW_VERSION.fullmatch(text)
    if not match:
        return None
    word = match.group(1)
    table = next((c for c in (word, pluralize(word), singularize(word)) if c in existing), None)
    if table is None:
        return None
    argv = ("version", table, *((match.group(2),) if match.group(2) else ()))
    where = f"v{match.group(2)}" if match.group(2) else "the next API version"
    action = MissionAction("version", argv, f"serve {table} under {where} (older versions kept)")
    return MissionPlan(sentence, (action,), security_escalations(sentence), ())


def _parse(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan:
    _reject_unplain(sentence)
    access = _access(sentence, existing) or _new_version(sentence, existing)
    if access is not None:
        return access
    related = _relationship(sentence, existing)
    if related is not None:
        escalations = security_escalations(sentence)
        return MissionPlan(related.sentence, related.actions, escalations, related.notes)
    ctx = _Ctx(sentence, existing)
    clauses = _split_clauses(_tokenize(sentence.translate(_CURLY)))
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


def _reject_unplain(sentence: str) -> None:
    for match in re.finditer(r"\S+", sentence):
        bad = first_unplain(match.group().translate(_CURLY))
        if bad is not None:
            raise MissionParseError(
                match.group().strip(_QUOTES + _SEPARATORS),
                f"it contains {describe_char(bad)}; mission words must be plain ASCII, so a "
                "look-alike or invisible character never turns into a different name",
                EXAMPLE_RESOURCE,
            )


def _parse_clause(ctx: _Ctx, clause: list[_Tok]) -> list[MissionAction]:
    tokens, implicit_add = _strip_filler(clause)
    if not tokens:
        return []
    ctx.clause = tokens
    head, rest = tokens[0], tokens[1:]
    if head.word(ADD_VERBS):
        return _parse_add(ctx, head, rest)
    if head.word(REMOVE_VERBS):
        return _parse_remove(ctx, head, rest)
    if head.word("rename"):
        return _parse_rename(ctx, head, rest)
    if head.word(OPTIMIZE_VERBS):
        return _parse_optimize(ctx, [head], rest)
    if head.word("speed") and rest and rest[0].word("up"):
        return _parse_optimize(ctx, tokens[:2], rest[1:])
    if implicit_add:
        return _parse_add(ctx, None, tokens)
    ctx.fail(
        [head],
        "expected an action such as add, create, drop, remove, rename or optimize",
        EXAMPLE_RESOURCE,
    )


def _strip_filler(clause: list[_Tok]) -> tuple[list[_Tok], bool]:
    tokens = list(clause)
    implicit = False
    while tokens:
        if tokens[0].sep and tokens[0].text in ",:":
            tokens = tokens[1:]
            continue
        filler = _phrase_at(tokens, 0, LEADING_FILLER)
        wish = _phrase_at(tokens, 0, IMPLICIT_ADD)
        if not filler and not wish:
            break
        implicit = implicit or wish > filler
        tokens = tokens[max(filler, wish) :]
    while tokens:
        for phrase in TRAILING_FILLER:
            if len(tokens) > len(phrase) and _phrase_at(
                tokens, len(tokens) - len(phrase), [phrase]
            ):
                tokens = tokens[: -len(phrase)]
                break
        else:
            break
    return tokens, implicit


# --- add: endpoint, index, resource, field ----------------------------------------------


def _parse_add(ctx: _Ctx, verb: _Tok | None, rest: list[_Tok]) -> list[MissionAction]:
    has_path = any(t.text.startswith("/") and not t.sep for t in rest)
    names_route = any(t.word("endpoint", "endpoints", "route", "routes") for t in rest)
    if has_path or (names_route and any(t.word(HTTP_METHODS) for t in rest)):
        return _parse_endpoint(ctx, rest)
    body = _strip_articles(rest)
    if not body:
        ctx.fail(
            [verb] if verb else ctx.clause,
            "add what? name a table, field, endpoint or index",
            EXAMPLE_RESOURCE,
        )
    if body[0].word(INDEX_WORDS) or (
        body[0].word("missing", "any", "all") and any(t.word(INDEX_WORDS) for t in body)
    ):
        return _parse_index(ctx, body)
    if body[0].word("to", "into"):
        return _parse_add_to_first(ctx, body[1:])
    if body[0].word(KIND_WORDS):
        return _parse_kind_first(ctx, body)
    for k, tok in enumerate(body):
        if tok.word(KIND_WORDS):
            return _parse_resource(ctx, body[:k], body[k + 1 :])
        if not _is_table_word(tok):
            break
    split = _trailing_table(ctx, body)
    if split is not None:
        return _parse_field_add(ctx, body[:split], body[split + 1 :])
    k = next((k for k, t in enumerate(body) if not _is_table_word(t)), len(body))
    creates = verb is not None and verb.word(CREATE_VERBS)
    if k and ((k == len(body) and creates) or (k < len(body) and body[k].word(WITH_WORDS, "for"))):
        return _parse_resource(ctx, body[:k], body[k:])
    ctx.fail(
        body,
        "say 'table' to create a table, or 'to TABLE' to add a field to an existing one",
        f"add a priority enum low|medium|high to {ctx.example_table()}",
    )


def _trailing_table(ctx: _Ctx, body: list[_Tok]) -> int | None:
    """Index of the "to/into/on/in" before the table in "add FIELDS to TABLE", if any."""
    for k in range(len(body) - 1, 0, -1):
        if not body[k].word("to", "into", "on", "in") or body[k - 1].word(REF_LEADERS):
            continue
        tail = _strip_articles(body[k + 1 :])
        n = 0
        while n < min(len(tail), 3) and _is_table_word(tail[n]):
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


def _parse_add_to_first(ctx: _Ctx, body: list[_Tok]) -> list[MissionAction]:
    """ "add to rooms: capacity int" or "add to the rooms table a capacity int"."""
    body = _strip_articles(body)
    kind = next((k for k, t in enumerate(body[:4]) if t.word(KIND_WORDS)), None)
    end = kind + 1 if kind is not None else 1
    return _parse_field_add(ctx, body[end:], body[:end])


def _parse_field_add(
    ctx: _Ctx, field_toks: list[_Tok], table_toks: list[_Tok]
) -> list[MissionAction]:
    example = f"add a priority enum low|medium|high to {ctx.example_table()}"
    table = _find_table(ctx, table_toks, example)
    fields = _field_list(ctx, field_toks, table, example)
    specs = tuple(spec for _, spec in fields)
    summary = f"add {'field' if len(specs) == 1 else 'fields'} {', '.join(specs)} to {table}"
    return [MissionAction("field_add", ("field", "add", table, *specs), summary)]


def _parse_kind_first(ctx: _Ctx, body: list[_Tok]) -> list[MissionAction]:
    """ "add a table called weekly requirements with ..." / "add table weekly_requirements"."""
    rest = body[1:]
    if rest and rest[0].word("called", "named"):
        rest = rest[1:]
    k = 0
    while k < len(rest) and _is_table_word(rest[k]):
        k += 1
    if k == 0:
        ctx.fail(
            body[:1], "which table? name it, e.g. 'add table weekly_requirements'", EXAMPLE_RESOURCE
        )
    return _parse_resource(ctx, rest[:k], rest[k:])


def _parse_resource(ctx: _Ctx, name_toks: list[_Tok], rest: list[_Tok]) -> list[MissionAction]:
    if not name_toks:
        ctx.fail(
            rest[:1] or ctx.clause, "which table? name it before the word 'table'", EXAMPLE_RESOURCE
        )
    if len(name_toks) > 4:
        ctx.fail(name_toks, "a table name has at most four words", EXAMPLE_RESOURCE)
    word = _snake(ctx, name_toks, "table name", EXAMPLE_RESOURCE)
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
            for name, spec in _field_list(ctx, rest[k + 1 : end], table, EXAMPLE_RESOURCE):
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
        elif n := _phrase_at(rest, k, PARENT_PHRASES + REF_PHRASES):
            end = _find_stop(rest, k + n, SECTION_STOPS)
            target = _find_table(ctx, rest[k + n : end], EXAMPLE_RESOURCE)
            specs.setdefault(f"{singularize(target)}_id", f"{singularize(target)}_id:ref={target}")
            if _phrase_at(rest, k, PARENT_PHRASES):
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


def _find_stop(tokens: Sequence[_Tok], k: int, stops: frozenset[str]) -> int:
    depth = 0
    while k < len(tokens):
        tok = tokens[k]
        depth += tok.is_sep("(") - tok.is_sep(")")
        if depth <= 0 and (tok.word(stops) or (tok.sep and tok.text in stops)):
            return k
        k += 1
    return k


def _for_links(ctx: _Ctx, tokens: list[_Tok], table: str) -> list[tuple[str, str]]:
    """ "for Block scheduling" / "for each resident and block": links to existing tables."""
    example = (
        f"add weekly_requirements table for {ctx.example_table()}"
        if ctx.existing
        else EXAMPLE_RESOURCE
    )
    groups = [
        _strip_words(g, "each", "every", "all", "the", "a", "an") for g in _split_on(tokens, "and")
    ]
    if not groups or not all(groups):
        ctx.fail(ctx.clause, "'for' needs the name of an existing table", example)
    links = []
    for g, group in enumerate(groups):
        k = next((k for k in range(min(len(group), 3), 0, -1) if _lookup_table(ctx, group[:k])), 0)
        if k == 0:
            named = group[:-1] if len(group) > 1 and group[-1].low.endswith("ing") else group
            ctx.fail(
                named, f"no existing table is called that (existing: {ctx.listing()})", example
            )
        target = _lookup_table(ctx, group[:k]) or ""
        extra = group[k:]
        purpose = len(extra) == 1 and extra[0].low.endswith("ing") and _is_plain_name(extra[0])
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


def _strip_words(tokens: list[_Tok], *words: str) -> list[_Tok]:
    return [t for t in tokens if not t.word(*words)]


# --- fields -----------------------------------------------------------------------------


def _field_list(ctx: _Ctx, tokens: list[_Tok], table: str, example: str) -> list[tuple[str, str]]:
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


def _split_entries(tokens: list[_Tok]) -> list[list[_Tok]]:
    """Split a field list at top-level commas and "and"; "enum of a, b and c" runs to the end."""
    entries: list[list[_Tok]] = [[]]
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


def _parse_field(ctx: _Ctx, entry: list[_Tok], table: str, example: str) -> tuple[str, str]:
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
        if first.word(frozenset(_STRUCTURE)):
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
        while k < len(entry) and k - start < 4 and _is_plain_name(entry[k]):
            k += 1
        name = _snake(ctx, entry[start:k], "field name", example)
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
            if k >= len(entry) or entry[k].sep or not _VALUE.fullmatch(entry[k].text):
                ctx.fail([tok], "a default needs one plain value, e.g. 'default medium'", example)
            mods.append(f"default={entry[k].text}")
            k += 1
        elif tok.word("on") and k + 1 < len(entry) and entry[k + 1].word("delete"):
            k, rule = _read_ondelete(ctx, entry, k + 2, example)
            mods.append(f"ondelete={rule}")
        elif ":" in tok.text and base == name and kind is None:
            # Words then syntax: "external_id uuid:unique".
            name, base = _syntax_field(ctx, _Tok(f"{name}:{tok.text}", tok.start, tok.end), example)
            k += 1
        elif n := _phrase_at(entry, k, REF_PHRASES):
            if base != name or kind not in (None, "ref"):
                ctx.fail(entry[k : k + n], "a reference cannot also have another type", example)
            end = k + n
            while end < len(entry) and (
                _is_table_word(entry[end]) or entry[end].word(ARTICLES, KIND_WORDS)
            ):
                end += 1
            kind, args, k = "ref", _find_table(ctx, entry[k + n : end], example), end
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


def _add_mod(mods: list[str], tok: _Tok) -> None:
    mod = MOD_WORDS.get(tok.low)
    if mod is not None:
        mods.append(mod)


def _read_type(
    ctx: _Ctx, entry: list[_Tok], k: int, example: str
) -> tuple[str | None, str | None, int]:
    if k + 1 < len(entry) and entry[k].word("as") and entry[k + 1].word(frozenset(TYPE_WORDS)):
        k += 1
    if n := _phrase_at(entry, k, tuple(TWO_WORD_TYPES)):
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
    ctx: _Ctx, entry: list[_Tok], k: int, enum_tok: _Tok, example: str
) -> tuple[list[str], int]:
    """Enum values: ``low|medium|high``, ``low,medium,high``, ``(low, medium, high)``
    or "of low, medium and high"."""
    wanted = "an enum needs at least two values, e.g. 'priority enum low|medium|high'"
    values: list[_Tok] = []
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
                values.append(_Tok(piece, pos, pos + len(piece)))
            pos += len(piece)
        k += 1
    for value in values:
        if not _ENUM_VALUE.fullmatch(value.text):
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


def _read_ondelete(ctx: _Ctx, entry: list[_Tok], k: int, example: str) -> tuple[int, str]:
    if k < len(entry) and entry[k].word("cascade", "restrict"):
        return k + 1, entry[k].low
    if k + 1 < len(entry) and entry[k].word("set") and entry[k + 1].word("null"):
        return k + 2, "set-null"
    ctx.fail(
        entry[k - 2 : k + 1], "expected 'on delete cascade', 'restrict' or 'set null'", example
    )


def _syntax_field(ctx: _Ctx, tok: _Tok, example: str) -> tuple[str, str]:
    """Check a field-syntax token (``priority:enum=low,high:default=low``); lowercase its name."""
    name_raw, *parts = tok.text.split(":")
    if not _NAME_WORD.fullmatch(name_raw):
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
                target = _lookup_table(ctx, [_Tok(value, tok.start, tok.end)])
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


# --- endpoint and index -------------------------------------------------------------------


def _parse_endpoint(ctx: _Ctx, tokens: list[_Tok]) -> list[MissionAction]:
    """ "GET /api/residents/{id}/weekly-requirements endpoint", several joined by "and"."""
    actions = []
    method: _Tok | None = None
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


def _normalize_path(ctx: _Ctx, tok: _Tok) -> str:
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
        if not _SEGMENT.fullmatch(segment):
            ctx.fail(
                segment, "path segments are letters, digits, '-', '_' or {param}", EXAMPLE_ENDPOINT
            )
    if segments[0].lower() == "api":
        segments = segments[1:]
    version = "v1"
    if segments and _VERSION.fullmatch(segments[0]):
        version, segments = segments[0].lower(), segments[1:]
    if not segments:
        ctx.fail([tok], "the path names no resource", EXAMPLE_ENDPOINT)
    return "/" + "/".join(["api", version, *segments])


_INDEX_ACTION = MissionAction(
    "index", ("index", "--missing"), "add missing indexes on foreign keys and filter columns"
)


def _parse_index(ctx: _Ctx, tokens: list[_Tok]) -> list[MissionAction]:
    """ "add missing indexes [on foreign keys | on TABLE]"."""
    for tok in tokens:
        if tok.is_sep(",") or tok.word(INDEX_FILLER):
            continue
        table = _lookup_table(ctx, [tok])
        if table is None:
            ctx.fail(
                [tok],
                "missions add only the missing indexes on foreign keys and filter columns; "
                "to index one field declare it with ':index'",
                EXAMPLE_INDEX,
            )
        ctx.notes.append(f"index --missing checks every table, not only {table}")
    return [_INDEX_ACTION]


def _parse_optimize(ctx: _Ctx, verb: list[_Tok], rest: list[_Tok]) -> list[MissionAction]:
    """ "optimize [the] [SCOPE] queries [with missing indexes]" -> index --missing."""
    tokens = _strip_words(rest, "the", "our", "all", "any", "slow")
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
        named = k + 1 < len(tokens) and _is_plain_name(tokens[k + 1])
        if (
            tok.word("of", "for", "in", "on", "around", "during")
            and named
            and not tokens[k + 1].word(INDEX_FILLER)
        ):
            end = k + 1
            while end < len(tokens) and _is_plain_name(tokens[end]):
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
        if not _is_plain_name(tok) and not tok.word(QUERY_WORDS):
            ctx.fail([tok], "the queries to optimise are named with plain words", EXAMPLE_INDEX)
    if scope:
        ctx.notes.append(
            f"'{' '.join(t.text for t in scope)}' is read as the area to speed up: "
            "index --missing indexes foreign keys and filter columns in every table"
        )
    return [_INDEX_ACTION]


# --- remove, destroy, rename ------------------------------------------------------------------


def _parse_remove(ctx: _Ctx, verb: _Tok, rest: list[_Tok]) -> list[MissionAction]:
    body = _strip_articles(rest)
    example = _remove_example(ctx)
    if not body:
        ctx.fail([verb], "remove what? name a column and its table, or a table", example)
    if any(t.text.startswith("/") or t.word(INDEX_WORDS) for t in body):
        ctx.fail(body, "missions do not remove endpoints or indexes", example)
    if body[0].word(KIND_WORDS):
        return _destroy(ctx, body[1:], example)
    if "." in body[0].text and len(_strip_words(body, *COLUMN_WORDS)) == 1:
        table_name, _, field = body[0].text.partition(".")
        table = _find_table(
            ctx, [_Tok(table_name, body[0].start, body[0].start + len(table_name))], example
        )
        return _remove_fields(
            ctx, table, [[_Tok(field, body[0].end - len(field), body[0].end)]], example
        )
    at = next((k for k in range(len(body) - 1, 0, -1) if body[k].word("from", "in", "on")), None)
    if at is not None:
        table = _find_table(ctx, body[at + 1 :], example)
        return _remove_fields(ctx, table, _split_on(body[:at], "and"), example)
    if body[-1].word(KIND_WORDS):
        return _destroy(ctx, body[:-1], example)
    if verb.word("destroy"):
        return _destroy(ctx, body, example)
    ctx.fail(
        body,
        "say which column of which table ('drop phone from contacts') or 'drop the TABLE table'",
        example,
    )


def _remove_example(ctx: _Ctx) -> str:
    for table, fields in sorted(ctx.existing.items()):
        if fields:
            return f"drop the {fields[0]} column from {table}"
    return "drop the phone column from contacts"


def _destroy(ctx: _Ctx, tokens: list[_Tok], example: str) -> list[MissionAction]:
    table = _find_table(ctx, tokens, example)
    ctx.escalations.append(Escalation(DESTROY_REASON.format(table=table), ctx.span(ctx.clause)))
    return [
        MissionAction("destroy", ("destroy", table), f"destroy resource {table} and drop its table")
    ]


def _remove_fields(
    ctx: _Ctx, table: str, entries: list[list[_Tok]], example: str
) -> list[MissionAction]:
    actions = []
    for entry in entries:
        words = _strip_words(entry, "the", "a", "an", *COLUMN_WORDS)
        name = _snake(ctx, words or entry, "field name", example)
        if name not in _fields_of(ctx, table):
            ctx.fail(
                words or entry,
                f"{table} has no field {name} (fields: {_listing(_fields_of(ctx, table))})",
                example,
            )
        reason = REMOVE_REASON.format(table=table, name=name)
        ctx.escalations.append(Escalation(reason, ctx.span(ctx.clause)))
        argv = ("field", "remove", table, name)
        actions.append(MissionAction("field_remove", argv, f"remove {table}.{name}"))
    return actions


def _parse_table_rename(
    ctx: _Ctx, old_toks: list[_Tok], new_toks: list[_Tok]
) -> list[MissionAction]:
    """ "rename table rooms to venues": one migration, the old paths kept in the previous
    API version; escalated (breaking, and a production migration)."""
    example = "rename table rooms to venues"
    if not old_toks:
        ctx.fail(new_toks, "which table? say 'rename table TABLE to NEW_NAME'", example)
    table = _find_table(ctx, old_toks, example)
    new = _snake(ctx, new_toks, "new table name", f"rename table {table} to venues")
    reason = RENAME_TABLE_REASON.format(old=table, new=new, new_route=new.replace("_", "-"))
    ctx.escalations.append(Escalation(reason, ctx.span(ctx.clause)))
    return [MissionAction("rename", ("rename", table, new), f"rename table {table} to {new}")]


def _parse_rename(ctx: _Ctx, verb: _Tok, rest: list[_Tok]) -> list[MissionAction]:
    """ "rename phone to phone_number in contacts", "rename contacts.phone to phone_number";
    tables: "rename table rooms to venues", "rename the rooms table to venues", "rename
    rooms to venues" (rooms being a table)."""
    example = "rename phone to phone_number in contacts"
    body = _strip_articles(rest)
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
        and _lookup_table(ctx, named)
    ):
        return _parse_table_rename(ctx, named, [t for t in after if not t.word(KIND_WORDS)])
    table_toks: list[_Tok] = []
    for part in (before, after):
        at = next((k for k, t in enumerate(part) if t.word("in", "on", "of", "from")), None)
        if at is not None:
            table_toks = part[at + 1 :]
            part[at:] = []
    old_toks = _strip_words(before, "the", *COLUMN_WORDS)
    if not table_toks and len(old_toks) == 1 and "." in old_toks[0].text:
        dotted = old_toks[0]
        table_name, _, field = dotted.text.partition(".")
        table_toks = [_Tok(table_name, dotted.start, dotted.start + len(table_name))]
        old_toks = [_Tok(field, dotted.end - len(field), dotted.end)]
    if not table_toks:
        ctx.fail(before, "which table? say 'in TABLE'", example)
    table = _find_table(ctx, table_toks, example)
    old = _snake(ctx, old_toks, "field name", example)
    new = _snake(ctx, _strip_words(after, *COLUMN_WORDS), "new field name", example)
    fields = _fields_of(ctx, table)
    if old not in fields:
        ctx.fail(old_toks, f"{table} has no field {old} (fields: {_listing(fields)})", example)
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
