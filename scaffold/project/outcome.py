"""What a command did (``Outcome``) and its machine form; ``scaffold.report.printer`` prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scaffold.project.files import Change, unified_diff

HIDDEN_PREFIX = ".scaffold/"

# The proof's checks, in the order the report lists them.
CHECK_NAMES = {
    "migrations": "migration upgrade → downgrade → upgrade on a scratch database",
    "alembic_check": "alembic check: models match migrations (no drift)",
    "tests": "generated tests pass",
    "app_import": "the app imports",
    "ruff": "ruff check and ruff format --check clean",
    "async_only": "async only: no blocking call or sync handler, no query in a router",
    "no_sensitive_read": "no sensitive field in a read schema or response",
    "input_validation": "input validation present (Pydantic models with extra=forbid on every body)",
}


@dataclass
class Outcome:
    """What a command did: the shape of ``--json`` output (PRODUCT.md, Output)."""

    command: str
    actions: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    escalations: list[dict[str, str]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    report_path: str | None = None
    notes: list[str] = field(default_factory=list)
    exit_code: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    mission: str = ""
    layers: dict[str, list[str]] = field(default_factory=dict)
    performance: list[str] = field(default_factory=list)
    handoff: list[str] = field(default_factory=list)
    lint: str = ""  # what ruff could not fix in the rendered files (empty when clean)
    dry_run: bool = False  # --dry-run: each written file's JSON entry carries its diff

    @property
    def visible(self) -> list[Change]:
        return [c for c in self.changes if not c.path.startswith(HIDDEN_PREFIX)]

    def _file(self, change: Change) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": change.path, "status": change.status}
        if self.dry_run and change.writes:
            entry["diff"] = unified_diff(change)
        return entry

    def to_json(self) -> dict[str, Any]:
        data = {
            "command": self.command,
            "actions": self.actions,
            "files": [self._file(c) for c in self.visible],
            "escalations": self.escalations,
            "checks": self.checks,
            "report_path": self.report_path,
            "exit_code": self.exit_code,
            "plan": self.layers,
        }
        data.update(self.extra)
        data.pop("load", None)  # in the report's performance_impact
        data.pop("not_run", None)  # in the report's handoff
        return data
