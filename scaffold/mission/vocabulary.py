"""The words and patterns missions are read with, and the reasons escalations give."""

from __future__ import annotations

import re

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
SECURITY = tuple(re.compile(rf"(?<![a-z0-9])(?:{term})(?![a-z0-9])") for term in _SECURITY_TERMS)


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
NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
ENUM_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
VALUE = re.compile(r"[A-Za-z0-9_.+-]+")
SEGMENT = re.compile(r"[A-Za-z0-9_.~-]+|\{[A-Za-z_][A-Za-z0-9_]*\}")
VERSION = re.compile(r"v[0-9]+", re.IGNORECASE)
CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
SEPARATORS = ",;:.!?()"
QUOTES = "\"'`"
# Words that structure a clause; never part of a table or field name.
STRUCTURE = (
    set(MOD_WORDS) | COLUMN_WORDS | KIND_WORDS | WITH_WORDS | LIST_STOPS
    | {p[0] for p in REF_PHRASES}
    | _words("default not on of and or to in into from for as a an the called named by per at")
    | _words("if when where because but than is are be should must can will so it its this")
    | _words("these those also then please only just")
)  # fmt: skip
# Field names also stop at a type word: "week_start date" is a name and a type.
KEYWORDS = STRUCTURE | set(TYPE_WORDS) | _words("defaults defaulting null big long short")
