"""The rule catalogue: every code ``scaffold check`` can report, in report order."""

from __future__ import annotations

from types import MappingProxyType

RULES: MappingProxyType[str, str] = MappingProxyType(
    {
        "SC001": "file cannot be parsed, so no other rule could check it",
        "SC101": "blocking call inside async def (time.sleep, requests, subprocess, sync Session)",
        "SC102": "route handler is a sync def; handlers must be async def",
        "SC201": "router queries the database directly; queries belong in a service",
        "SC301": (
            "request body not typed by a Pydantic model (dict, Any, bare Body(), request.json())"
        ),
        "SC401": "sensitive field (password, token, secret...) in a read schema or response_model",
        "SC501": "foreign key column without an index",
        "SC601": "more than one Alembic head",
        "SC602": "down_revision points to a revision that does not exist",
        "SC700": "`alembic check` could not run (import error, database unreachable or behind)",
        "SC701": "models differ from migrations (`alembic check` found new operations)",
    }
)
