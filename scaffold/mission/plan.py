"""What a mission turns into: actions, escalations, the plan, and the parse error."""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.mission.vocabulary import EXAMPLE_RESOURCE


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
class TableFacts:
    """What a mission may know of a generated table beyond its field names: each field's
    token as declared (``name:str=120:unique``), the composite unique groups, the CHECK
    rules, its own rate limit and the newest API version serving it.

    >>> TableFacts(("name:str=120",)).token("name")
    'name:str=120'
    """

    fields: tuple[str, ...] = ()
    uniques: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    rate_limit: str | None = None
    api_version: int = 1

    def token(self, name: str) -> str | None:
        return next((t for t in self.fields if t.partition(":")[0] == name), None)


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
