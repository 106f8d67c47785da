"""Column changes in words: ``field alter TABLE FIELD:SPEC`` with the whole new definition.

"make phone optional on contacts", "allow longer names on residents" (or "up to 255
characters"), "default priority to medium in tasks", "change hours to bigint in
time_entries", "add urgent to the priority values of tasks". The new definition is the
field's declared token with that one attribute changed; a definition it already has is
answered, nothing written.
"""

from __future__ import annotations

from collections.abc import Mapping

from scaffold.mission.plan import MissionAction, MissionPlan, TableFacts
from scaffold.mission.scan import Scan, words
from scaffold.mission.vocabulary import TYPE_WORDS

_OPTIONAL = ("optional", "nullable", "allow null", "allow nulls", "allow empty", "not required")
_REQUIRED = ("required", "mandatory", "not null", "non-nullable", "non nullable")
_LONGER = ("longer", "up to", "characters", "chars", "length", "long")
_ALLOWED = words(
    """
    make makes made allow let change set give alter turn become becomes store stored as into
    optional nullable null nulls empty blank not required mandatory non-nullable non
    nullable default defaults defaulting longer up characters chars length long letters
    type a an bigger wider extend widen raise increase option options choice choices
    enum add also value values may can hold holds accept accepts take takes fit fits
    store stores
    """
)
STR_DEFAULT_WIDTH = 255


def alter_plan(scan: Scan, facts: Mapping[str, TableFacts]) -> MissionPlan | None:
    """One field's new definition, or None when the sentence is not a column change."""
    table = scan.table
    if table is None or len(scan.fields) != 1 or table not in facts:
        return None
    name = scan.fields[0]
    token = facts[table].token(name)
    if token is None:
        return None
    changed = _changed(scan, token)
    if changed is None:
        return None
    new, what = changed
    if new == token:
        note = f"{table}.{name} is already {what} ({token}): nothing to change"
        return MissionPlan(scan.text, (), (), (note,))
    argv = ("field", "alter", table, new)
    summary = f"change {table}.{name}: {what} ({token} → {new})"
    return MissionPlan(scan.text, (MissionAction("field_alter", argv, summary),), (), ())


def _changed(scan: Scan, token: str) -> tuple[str, str] | None:
    text = scan.text
    value = _default_value(scan)
    if value is not None:
        return _set(token, "default", value), f"default {value}"
    if any(p in text for p in _REQUIRED):
        if scan.rest(_ALLOWED):
            return None
        return _without(token, "optional"), "required"
    if any(p in text for p in _OPTIONAL):
        if scan.rest(_ALLOWED):
            return None
        return _with_flag(token, "optional"), "optional"
    kind = _type_word(scan)
    if kind is not None:
        return _typed(token, kind), f"type {kind}"
    enum_value = _enum_value(scan, token)
    if enum_value is not None:
        return enum_value
    if any(p in text for p in _LONGER):
        numbers = scan.numbers()
        left = scan.rest(_ALLOWED | set(numbers))
        if left or len(numbers) > 1:
            return None
        width = int(numbers[0]) if numbers else _wider(token)
        scan.mark("value", set(numbers))
        return _typed(token, f"str={width}"), f"up to {width} characters"
    return None


def _default_value(scan: Scan) -> str | None:
    """The one word besides the table, the field and the allowed words, in a sentence
    about a default ("default the priority of tasks to high": high)."""
    if not scan.has("default", "defaults", "defaulting"):
        return None
    values = scan.rest(_ALLOWED - {"null", "empty", "blank"})
    if len(values) != 1:
        return None
    scan.mark("value", {values[0]})
    return values[0]


def _type_word(scan: Scan) -> str | None:
    found = [
        (k, TYPE_WORDS[w])
        for k, w in enumerate(scan.words)
        if not scan.kinds[k] and w in TYPE_WORDS and w != "enum"
    ]
    if len(found) != 1 or not scan.has("to", "into", "as", "a", "an", "be", "become"):
        return None
    k, kind = found[0]
    scan.kinds[k] = "type"
    return None if scan.rest(_ALLOWED) else kind


def _enum_value(scan: Scan, token: str) -> tuple[str, str] | None:
    """ "add urgent to the priority values of tasks": one more value of an enum."""
    head, _, _ = token.partition(":")
    parts = token.split(":")
    enum = next((p for p in parts[1:] if p.startswith("enum=")), None)
    if enum is None or not scan.has("add", "allow"):
        return None
    values = enum.removeprefix("enum=").split(",")
    new = [w for w in scan.rest(_ALLOWED) if w.replace("_", "").replace("-", "").isalnum()]
    if len(new) != 1 or new[0] in values:
        return None
    scan.mark("value", {new[0]})
    if scan.rest(_ALLOWED):
        return None
    widened = ":".join(p if p != enum else f"{enum},{new[0]}" for p in parts)
    return widened, f"enum value {new[0]} added"


def _parts(token: str) -> list[str]:
    return token.split(":")


def _set(token: str, key: str, value: str) -> str:
    parts = [p for p in _parts(token) if not p.startswith(f"{key}=")]
    return ":".join([*parts, f"{key}={value}"])


def _with_flag(token: str, flag: str) -> str:
    parts = _parts(token)
    return token if flag in parts[1:] else ":".join([*parts, flag])


def _without(token: str, flag: str) -> str:
    parts = _parts(token)
    return ":".join([parts[0], *(p for p in parts[1:] if p != flag)])


def _typed(token: str, kind: str) -> str:
    """The token with its type replaced (or given, when it was inferred from the name)."""
    parts = _parts(token)
    bases = {"str", "text", "int", "bigint", "float", "decimal", "bool", "date", "datetime"}
    bases |= {"time", "uuid", "json", "enum", "ref"}
    if len(parts) > 1 and parts[1].partition("=")[0] in bases:
        return ":".join([parts[0], kind, *parts[2:]])
    return ":".join([parts[0], kind, *parts[1:]])


def _wider(token: str) -> int:
    parts = _parts(token)
    if len(parts) > 1 and parts[1].startswith("str="):
        current = int(parts[1].partition("=")[2])
        return max(STR_DEFAULT_WIDTH, current * 2) if current < STR_DEFAULT_WIDTH else current * 2
    return STR_DEFAULT_WIDTH
