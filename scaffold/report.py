"""The Platform Coordination Report: one Markdown file per applied change.

Check boxes are ticked only from :class:`~scaffold.verify.CheckResult` values
that ran in this invocation; a check that did not run says why.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from scaffold.output import Outcome
from scaffold.plan import write_all

REPORTS = ".scaffold/reports"
LAYERS = ("Database", "API", "Services", "Tests")


def _box(passed: bool | None) -> str:
    return {True: "[x]", False: "[ ] FAILED:", None: "[ ] not run:"}[passed]


def render_report(outcome: Outcome, *, when: dt.datetime) -> str:
    from scaffold.verify import CHECK_NAMES

    lines = ["# Platform Coordination Report", ""]
    lines += [
        f"- When: {when.isoformat(timespec='seconds')}",
        f"- Command: `scaffold {outcome.command}`",
    ]
    result = {
        0: "applied",
        1: "not applied: a check failed or files conflict",
        3: "refused: needs --approve",
    }
    lines += [f"- Result: {result.get(outcome.exit_code, f'exit {outcome.exit_code}')}", ""]
    lines += ["## Mission", "", f"> {outcome.mission or ' / '.join(outcome.actions)}", ""]
    lines += ["## Plan", ""]
    for layer in LAYERS:
        lines.append(f"### {layer}")
        items = outcome.layers.get(layer) or ["no change"]
        lines += [f"- {item}" for item in items] + [""]
    lines += ["## Files", "", "| path | status |", "| --- | --- |"]
    lines += [f"| `{c.path}` | {c.status} |" for c in outcome.visible] or ["| (none) | |"]
    lines += ["", "## Escalations", ""]
    if outcome.escalations:
        lines += [f"- **{e['reason']}** (trigger: `{e['trigger']}`)" for e in outcome.escalations]
    else:
        lines.append("- None: no breaking, destructive or security-sensitive change.")
    lines += ["", "## Quality Checks", ""]
    for check in outcome.checks:
        label = CHECK_NAMES.get(check["name"], check["name"])
        suffix = f" — {check['detail']}" if check["passed"] else f" {check['detail']}"
        lines.append(f"- {_box(check['passed'])} {label}" + (suffix if check["detail"] else ""))
    lines += ["", "## Performance Impact", ""]
    lines += outcome.performance or ["- No query path changed by this change; nothing to measure."]
    lines += ["", "## Handoff", ""]
    lines += [f"- {item}" for item in outcome.handoff] or ["- Nothing needs a human."]
    return "\n".join(lines) + "\n"


def write_report(root: Path, outcome: Outcome) -> str:
    """Write the report next to the earlier ones and return its project-relative path."""
    when = dt.datetime.now(dt.UTC)
    slug = (
        re.sub(r"[^a-z0-9]+", "-", " ".join(outcome.actions).lower()).strip("-")[:48]
        or outcome.command
    )
    rel = f"{REPORTS}/{when:%Y%m%d-%H%M%S-%f}-{slug}.md"
    outcome.report_path = rel
    write_all(root, [(rel, render_report(outcome, when=when))])
    return rel


def last_report(root: Path) -> Path | None:
    folder = root / REPORTS
    reports = sorted(folder.glob("*.md")) if folder.is_dir() else []
    return reports[-1] if reports else None
