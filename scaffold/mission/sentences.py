"""Whole-sentence recognisers: settings, security, relationships, access, versions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from scaffold.mission.normalize import normalize_for_matching
from scaffold.mission.plan import Escalation, MissionAction, MissionPlan
from scaffold.mission.vocabulary import SECURITY, SECURITY_REASON
from scaffold.spec.inflect import pluralize, singularize

_TO = r"\s+(?:to|=|at|of)\s+"
# "add rate limiting to the login route": sign-in has its limit already (no value given).
LOGIN_LIMITS = re.compile(
    r"\b(?:rate[ -]?limit(?:s|ing)?|throttl\w*)\b.*\b(?:log[ -]?ins?|sign[ -]?ins?|auth\w*)\b"
    r"|\b(?:log[ -]?ins?|sign[ -]?ins?)\b.*\b(?:rate[ -]?limit(?:s|ing)?|throttl\w*)\b"
)
HAS_RATE = re.compile(r"\d+\s*(?:/|per|a|an|requests?|attempts?)")
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
    found = sorted((m.start(), m.group(0)) for p in SECURITY if (m := p.search(text)))
    triggers = dict.fromkeys(trigger for _, trigger in found)
    return tuple(Escalation(SECURITY_REASON, trigger) for trigger in triggers)


_LINK = re.compile(r"(?:link|connect|relate)\s+(\w+)\s+(?:and|to|with)\s+(\w+)")
_HAS_MANY = re.compile(r"(?:each\s+|every\s+|an?\s+)?(\w+)\s+(?:has|have)\s+many\s+(\w+)")
_HAS_ONE = re.compile(
    r"(?:each|every|an?)\s+(\w+)\s+(?:has|have)\s+(?:one|an?|a\s+single|exactly\s+one)\s+(\w+)"
)


def relationship(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan | None:
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


def access_plan(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan | None:
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


def new_version(sentence: str, existing: Mapping[str, Sequence[str]]) -> MissionPlan | None:
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
