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

from collections.abc import Mapping, Sequence

from scaffold.mission.clauses import parse, reject_unplain
from scaffold.mission.plan import (
    Escalation,
    MissionAction,
    MissionParseError,
    MissionPlan,
    TableFacts,
)
from scaffold.mission.sentences import HAS_RATE, LOGIN_LIMITS, security_escalations, settings_action
from scaffold.mission.vocabulary import (
    EXAMPLE_RESOURCE,
    MAX_SENTENCE,
)
from scaffold.mission.worklist import worklist_plan


def parse_mission(
    sentence: str,
    existing: Mapping[str, Sequence[str]],
    facts: Mapping[str, TableFacts] | None = None,
) -> MissionPlan:
    """Map an English mission to scaffold commands, escalations and notes.

    ``existing`` maps each existing table (plural snake_case) to its field names;
    ``facts`` what else is known of the generated ones (each field's declared token,
    unique and CHECK rules, rate limit, API version): column changes and the answers to
    requests already satisfied need it.

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
    if LOGIN_LIMITS.search(" ".join(sentence.lower().split())) and not HAS_RATE.search(
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
    facts = facts if facts is not None else {t: TableFacts(tuple(f)) for t, f in existing.items()}
    try:
        reject_unplain(sentence)
        listed = worklist_plan(sentence, existing, facts)
        if listed is not None:
            escalations = dict.fromkeys([*listed.escalations, *security_escalations(sentence)])
            return MissionPlan(sentence, listed.actions, tuple(escalations), listed.notes)
        return parse(sentence, existing)
    except MissionParseError as err:
        err.escalations = security_escalations(sentence)
        raise


__all__ = [
    "Escalation",
    "MissionAction",
    "MissionParseError",
    "MissionPlan",
    "parse_mission",
    "security_escalations",
    "settings_action",
    "TableFacts",
]
