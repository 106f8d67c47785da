"""Write a change, prove it and report it, as one transaction: how every writing command
ends. The proof is ``scaffold.apply``'s, the report ``scaffold.report``'s."""

from __future__ import annotations

from dataclasses import replace

from scaffold.apply.pipeline import ProofFailed, execute, prove
from scaffold.project.core import Project
from scaffold.project.files import SKIP, Rendered, transaction
from scaffold.project.manifest import Manifest
from scaffold.project.outcome import Outcome
from scaffold.report.document import write_report


def apply_change(
    project: Project,
    outcome: Outcome,
    rendered: list[Rendered],
    manifest: Manifest,
    *,
    force: bool,
    dry_run: bool,
    verify: bool,
) -> Outcome:
    """Write the change and its report as one transaction: if the report cannot be
    written (or anything else fails), the change is undone too."""
    try:
        with transaction():
            execute(project, outcome, rendered, manifest, force=force, dry_run=dry_run)
            finalize(project, outcome, verify=verify, dry_run=dry_run)
    except ProofFailed:
        report_unwritten(project, outcome)
    return outcome


def report_unwritten(project: Project, outcome: Outcome) -> None:
    """After a failed proof rolled the change back: the files are marked not written and
    the run's report is kept (the one thing a non-zero exit leaves behind)."""
    outcome.changes = [
        replace(c, status=SKIP, reason="not written: the proof failed") if c.writes else c
        for c in outcome.changes
        if not c.path.startswith(".scaffold/")
    ]
    write_report(project.root, outcome)
    outcome.notes.append(f"Report: {outcome.report_path}")


def finalize(project: Project, outcome: Outcome, *, verify: bool, dry_run: bool) -> None:
    """Run the quality checks and write the report, for a change that was applied."""
    if prove(project, outcome, verify=verify, dry_run=dry_run):
        write_report(project.root, outcome)
        outcome.notes.append(f"Report: {outcome.report_path}")
