"""The rest of the coordinator's work list, read sentence-wide before the clause parser.

Each recogniser claims a sentence only when every word of it is accounted for (a table,
a field of it, a value, or a word that recogniser allows); otherwise the next one tries,
and then the clause parser. See ``scan.py`` for how words are claimed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from scaffold.mission.alter import alter_plan
from scaffold.mission.answers import answer, route
from scaffold.mission.operations import (
    limit_plan,
    middleware_answer,
    settings_answer,
    version_plan,
)
from scaffold.mission.plan import MissionAction, MissionPlan, TableFacts
from scaffold.mission.rules import check_plan, filter_plan, index_plan, unique_plan
from scaffold.mission.scan import Scan, words
from scaffold.spec.inflect import singularize

_MIGRATION_LEAD = re.compile(
    r"^(?:please\s+)?(?:add|create|write|generate|make)\s+(?:an?\s+|the\s+)?(?:new\s+)?"
    r"(?:alembic\s+)?migration\s+(?:to|that|which|for)\s+"
)
_ROUTE_WORDS = words(
    """
    endpoint endpoints route routes api list lists listing get fetch return returns
    returning show shows read reads give gives expose exposes query add create one
    single all crud rest restful operations operation for of by under belonging nested
    retrieve clients client let allow can see make be restful design
    """
)
_CRUD = re.compile(
    r"\b(?:crud|rest(?:ful)?|create|update|delete|list|get|fetch|read|retrieve|show|design)\b"
)


def worklist_plan(
    sentence: str, existing: Mapping[str, Sequence[str]], facts: Mapping[str, TableFacts]
) -> MissionPlan | None:
    """The plan of a work-list sentence, or None for the clause parser to read it."""
    text = " ".join(sentence.strip().split())
    lead = _MIGRATION_LEAD.match(text.lower())
    if lead:
        inner = worklist_plan(text[lead.end() :], existing, facts)
        if inner is not None:
            note = "the change writes its own migration (migrations/versions/), as every change"
            return MissionPlan(sentence, inner.actions, inner.escalations, (*inner.notes, note))
        return None
    recognisers = (
        lambda s: limit_plan(s, facts),
        settings_answer,
        middleware_answer,
        lambda s: version_plan(s, facts),
        index_plan,
        lambda s: filter_plan(s, facts),
        lambda s: unique_plan(s, facts),
        lambda s: check_plan(s, facts),
        lambda s: alter_plan(s, facts),
        lambda s: endpoint_plan(s, facts),
        lambda s: answer(s, facts),
    )
    read = Scan(text, existing)
    for recognise in recognisers:
        plan = recognise(read.fresh())
        if plan is not None:
            return MissionPlan(sentence, plan.actions, plan.escalations, plan.notes)
    return None


def endpoint_plan(scan: Scan, facts: Mapping[str, TableFacts]) -> MissionPlan | None:
    """ "list a resident's weekly requirements" → GET /api/v1/residents/{id}/weekly-
    requirements; the routes every resource has already ("CRUD endpoints for residents")
    are answered with their paths."""
    if not set(scan.words) & _ROUTE_WORDS - {"for", "of", "by", "under"} or scan.has(
        "table", "tables", "model", "models"
    ):
        return None  # "create the rooms table": a table, not its routes
    tables = list(dict.fromkeys(scan.tables))
    if scan.rest(_ROUTE_WORDS | {"each", "every", "given", "their", "his", "her"}):
        return None
    if len(tables) == 2:
        child, parent = _child_and_parent(scan, tables)
        # "a resident's weekly requirements": the parent's word read as child's resident_id.
        if child is None or parent is None or set(scan.fields) - {f"{singularize(parent)}_id"}:
            return None
        path = f"GET /api/v1/{parent.replace('_', '-')}/{{id}}/{child.replace('_', '-')}"
        action = MissionAction("endpoint", ("endpoint", path), f"add endpoint {path}")
        note = f"'{scan.text}': one {singularize(parent)}'s {child}, paginated"
        return MissionPlan(scan.text, (action,), (), (note,))
    if len(tables) == 1 and not scan.fields and _CRUD.search(scan.text):
        table = tables[0]
        where = route(table, facts)
        note = (
            f"{table} already has its routes: GET {where}?limit=50&offset=0 (paginated), "
            f"POST {where}, GET/PATCH/DELETE {where}/{{id}}; another table's rows of one "
            f"{singularize(table)}: 'add GET /api/v1/{table.replace('_', '-')}/{{id}}/CHILDREN "
            "endpoint'"
        )
        return MissionPlan(scan.text, (), (), (note,))
    return None


def _child_and_parent(scan: Scan, tables: list[str]) -> tuple[str | None, str | None]:
    """Of two tables, the one whose rows reference the other (``resident_id``)."""
    a, b = tables
    refs = {
        (x, y) for x, y in ((a, b), (b, a)) if f"{singularize(y)}_id" in scan.existing.get(x, ())
    }
    if len(refs) != 1:
        return None, None
    return next(iter(refs))
