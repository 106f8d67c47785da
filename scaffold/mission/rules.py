"""Indexes on chosen columns, unique and CHECK rules on live tables, in words.

"shifts need an index on starts_at" → ``index add shifts starts_at``; "make email unique
on residents" → ``constraint add residents --unique email``; "ends_at must be after
starts_at in shifts" → ``constraint add shifts --check "ends_at>starts_at"``. A rule the
table already has is answered, nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scaffold.mission.plan import MissionAction, MissionParseError, MissionPlan, TableFacts
from scaffold.mission.scan import Scan, words

_INDEX = frozenset(["index", "indexes", "indices", "indexed", "indexing"])
_INDEX_ALLOWED = _INDEX | words(
    """
    add create build make put need needs unique composite compound multi-column
    multicolumn lookup lookups queries query searches search filter filtering faster
    fast speed up slow by over across
    """
)
_SPEED = frozenset(
    ["lookups", "lookup", "faster", "slow", "speed", "optimize", "optimise", "queries", "query"]
)
_UNIQUE = frozenset(["unique", "uniqueness", "duplicate", "duplicates", "distinct"])
_UNIQUE_ALLOWED = _UNIQUE | words(
    """
    make ensure enforce prevent avoid forbid disallow reject no two may share same pair
    pairs combination combinations together one only have has rule constraint add across
    once allowed appear appears
    """
)
# Comparison phrases, longest first, as (words, operator); "not" before one negates it.
_COMPARE = (
    (("no", "later", "than"), "<="), (("no", "earlier", "than"), ">="),
    (("no", "more", "than"), "<="), (("no", "less", "than"), ">="),
    (("at", "most"), "<="), (("at", "least"), ">="),
    (("less", "than", "or", "equal", "to"), "<="), (("greater", "than", "or", "equal", "to"), ">="),
    (("earlier", "than"), "<"), (("later", "than"), ">"), (("less", "than"), "<"),
    (("greater", "than"), ">"), (("more", "than"), ">"), (("fewer", "than"), "<"),
    (("smaller", "than"), "<"), (("bigger", "than"), ">"), (("larger", "than"), ">"),
    (("before",), "<"), (("after",), ">"), (("below",), "<"), (("above",), ">"),
    (("under",), "<"), (("over",), ">"), (("exceed",), ">"), (("exceeds",), ">"),
    (("precede",), "<"), (("precedes",), "<"), (("follow",), ">"), (("follows",), ">"),
    (("equal", "to"), "="), (("equals",), "="), (("different", "from"), "!="),
    (("<=",), "<="), ((">=",), ">="), (("<",), "<"), ((">",), ">"), (("=",), "="),
    (("==",), "="), (("!=",), "!="),
)  # fmt: skip
_SIGNS = {"positive": (">", "0"), "negative": ("<", "0"), "non-negative": (">=", "0")}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}
_CHECK_ALLOWED = words(
    """
    must should has have to be always never not cannot can't can may check rule
    constraint ensure enforce make sure that add than or equal validate validation verify
    require requires reject rejected
    """
)


def index_plan(scan: Scan) -> MissionPlan | None:
    """An index on chosen columns of one table (``index add``)."""
    asks = any(w in _INDEX for w in scan.words)
    if not (asks or any(w in _SPEED for w in scan.words)) or scan.table is None:
        return None
    if scan.words[0] in ("drop", "remove", "delete", "destroy"):
        return None  # the clause parser says missions do not remove indexes
    if not scan.fields:
        return _missing(scan) if not asks else None
    table, columns = scan.table, list(dict.fromkeys(scan.fields))
    left = scan.rest(_INDEX_ALLOWED)
    example = f"add an index on {table}.{columns[0]}"
    if left:
        raise MissionParseError(
            left[0], f"an index is 'add an index on {table}.COLUMN [and COLUMN]'", example
        )
    argv = ["index", "add", table, ",".join(columns)]
    if scan.has("unique"):
        argv.append("--unique")
    kind = "a unique index" if scan.has("unique") else "an index"
    summary = f"add {kind} on {table} ({', '.join(columns)})"
    return MissionPlan(scan.text, (MissionAction("index_add", tuple(argv), summary),), (), ())


def _missing(scan: Scan) -> MissionPlan | None:
    """ "make the residents table faster": the missing indexes, every table's."""
    if scan.rest(_INDEX_ALLOWED | {"make", "table", "performance", "perform", "better"}):
        return None
    action = MissionAction(
        "index", ("index", "--missing"), "add missing indexes on foreign keys and filter columns"
    )
    note = (
        f"'{scan.text}': no column named, so index --missing indexes the unindexed foreign "
        f"keys and filter columns of every table, {scan.table} included; one column: "
        f"'add an index on {scan.table}.COLUMN'"
    )
    return MissionPlan(scan.text, (action,), (), (note,))


def filter_plan(scan: Scan, facts: Mapping[str, TableFacts]) -> MissionPlan | None:
    """ "filter residents by email": answered when it filters already, else indexed."""
    if not scan.phrase(r"filter(?:s|ing|able)?|search(?:able)?|look\s+up|find") or not (
        scan.table and len(scan.fields) == 1 and scan.has("by", "on")
    ):
        return None
    if scan.rest(
        frozenset(
            [
                "filter",
                "filters",
                "filtering",
                "filterable",
                "let",
                "allow",
                "search",
                "searchable",
                "look",
                "up",
                "find",
                "add",
                "make",
                "support",
                "clients",
            ]
        )
    ):
        return None
    table, name = scan.table, scan.fields[0]
    token = facts[table].token(name) if table in facts else None
    version = facts[table].api_version if table in facts else 1
    url = f"GET /api/v{version}/{table.replace('_', '-')}?{name}=..."
    if token is not None and (
        ":index" in token or ":unique" in token or ":ref" in token or name.endswith("_id")
    ):
        note = f"{table} can already be filtered by {name} (equality): {url}"
        return MissionPlan(scan.text, (), (), (note,))
    action = MissionAction(
        "index_add",
        ("index", "add", table, name),
        f"add an index on {table} ({name}); an indexed field is filterable: {url}",
    )
    return MissionPlan(scan.text, (action,), (), ())


def unique_plan(scan: Scan, facts: Mapping[str, TableFacts]) -> MissionPlan | None:
    """A unique rule on one or more columns of a live table (``constraint add --unique``)."""
    asks = any(w in _UNIQUE for w in scan.words) or scan.phrase(
        r"no\s+two|(?:may|can|must|should)\s*(?:not|never|n't)\s+share|cannot\s+share|only\s+once"
    )
    if not asks or any(w in _INDEX for w in scan.words):
        return None
    if scan.table is None or not scan.fields or scan.rest(_UNIQUE_ALLOWED):
        return None
    table, columns = scan.table, list(dict.fromkeys(scan.fields))
    info = facts.get(table)
    if info is not None:
        token = info.token(columns[0]) or ""
        single = len(columns) == 1 and ":unique" in token
        group = set(columns)
        if single or any(set(u.split(",")) == group for u in info.uniques):
            note = (
                f"{table}.{'+'.join(columns)} is already unique: a duplicate is a 409 naming "
                f"{', '.join(columns)} ({'the field' if single else 'the unique rule'})"
            )
            return MissionPlan(scan.text, (), (), (note,))
    argv = ("constraint", "add", table, "--unique", ",".join(columns))
    summary = (
        f"make {', '.join(columns)} unique {'together ' if len(columns) > 1 else ''}in {table}"
    )
    return MissionPlan(scan.text, (MissionAction("constraint", argv, summary),), (), ())


def check_plan(scan: Scan, facts: Mapping[str, TableFacts]) -> MissionPlan | None:
    """A CHECK between two columns or a column and a number (``constraint add --check``)."""
    if scan.table is None or not scan.fields or len(scan.fields) > 2:
        return None
    rule = _comparison(scan)
    if rule is None or scan.rest(_CHECK_ALLOWED):
        return None
    table = scan.table
    info = facts.get(table)
    if info is not None and (
        rule in {c.replace(" ", "") for c in info.checks} or _in_range(info, rule)
    ):
        note = f"{table} already has the rule {rule}: breaking it is a 422 naming the rule"
        return MissionPlan(scan.text, (), (), (note,))
    argv = ("constraint", "add", table, "--check", rule)
    summary = f"add the rule {rule} to {table} (422 when broken)"
    return MissionPlan(scan.text, (MissionAction("constraint", argv, summary),), (), ())


def _comparison(scan: Scan) -> str | None:
    """``left OP right`` of the words, the comparison words marked as used."""
    fields = [k for k, kind in enumerate(scan.kinds) if kind == "field"]
    left = fields[0]
    words = scan.words
    for k in range(left + 1, len(words)):
        if scan.kinds[k]:
            continue
        sign = _SIGNS.get(words[k])
        found = next(
            (
                (n, op)
                for phrase, op in _COMPARE
                if tuple(words[k : k + (n := len(phrase))]) == phrase
            ),
            None,
        )
        if sign is None and found is None:
            continue
        negated = any(words[j] in ("not", "never", "cannot", "can't") for j in range(left, k))
        if sign is not None:
            op, right = sign
            used = [k]
        else:
            n, op = found
            used = list(range(k, k + n))
            after = k + n
            if after < len(words) and scan.kinds[after] == "field":
                right = scan.fields[1] if len(scan.fields) > 1 else ""
            elif after < len(words) and _number(words[after]):
                right = words[after]
                used.append(after)
            else:
                return None
        if not right or (len(scan.fields) > 1 and right != scan.fields[1]):
            return None
        for j in used:
            scan.kinds[j] = "rule"
        if negated:
            op = _NEGATE[op]
        return f"{scan.fields[0]}{op}{right}"
    return None


def _in_range(info: TableFacts, rule: str) -> bool:
    """Whether the field's own min/max already says ``rule`` (``pgy:int:min=1``: pgy>=1)."""
    match = re.fullmatch(r"([a-z0-9_]+)(>=|<=|>|<)(-?\d+)", rule)
    token = info.token(match.group(1)) if match else None
    if match is None or token is None:
        return False
    bound, value = match.group(2), int(match.group(3))
    key, same = {">=": ("min", value), ">": ("min", value + 1)}.get(
        bound, ("max", value if bound == "<=" else value - 1)
    )
    return f":{key}={same}:" in f"{token}:"


def _number(word: str) -> bool:
    return word.replace(".", "", 1).lstrip("-").isdigit()
