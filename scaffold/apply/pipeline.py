"""The path every writing command takes: format → plan → refuse or write → record."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import replace

from scaffold.apply.plan import plan
from scaffold.generate.format import format_python
from scaffold.project.core import Project
from scaffold.project.files import CONFLICT, FORCE, IDENTICAL, Change, Rendered, write_all
from scaffold.project.manifest import MANIFEST, Manifest, base_path
from scaffold.project.outcome import Outcome

_KEEP_FAILED: ContextVar[bool] = ContextVar("keep_failed", default=False)


@contextlib.contextmanager
def keeping_failed(keep: bool) -> Iterator[None]:
    """``--keep-failed``: write a change even when its proof fails."""
    token = _KEEP_FAILED.set(keep)
    try:
        yield
    finally:
        _KEEP_FAILED.reset(token)


class ProofFailed(Exception):
    """A check that ran failed: the change is rolled back (its report is still written)."""


def execute(
    project: Project,
    outcome: Outcome,
    rendered: list[Rendered],
    manifest: Manifest,
    *,
    force: bool,
    dry_run: bool,
) -> Outcome:
    """Format ``rendered``, compare with the disk, and write it all unless a conflict or dry run.

    ``manifest`` is the manifest as it should be after the change (resource
    specs updated); file hashes are recorded here.
    """
    from scaffold.generate.compose import with_one_to_one_includes
    from scaffold.generate.relations import apply_relationships

    related = apply_relationships(project, rendered, manifest)
    rendered = _formatted(project, outcome, with_one_to_one_includes(project, related, manifest))
    changes = plan(project.root, rendered, project.manifest, force=force)
    _refuse_unsafe_overwrites(project, changes)
    outcome.changes = changes
    _hand_off_edits(project, outcome, changes, manifest)
    if any(c.status == CONFLICT for c in changes):
        outcome.exit_code = 1
        outcome.notes.append(
            "Nothing was written: the files marked conflict were changed by you. "
            "Re-run with --force to overwrite them, or --dry-run to see the diffs."
        )
        return outcome
    writes = _writes(project, changes, manifest)
    if dry_run:
        outcome.notes.insert(0, "Dry run: nothing was written.")
        return outcome
    if writes:
        write_all(project.root, writes)
    hidden = [Change(p, "create", t, None) for p, t in writes if p.startswith(".scaffold/")]
    outcome.changes = changes + hidden
    if all(c.status == IDENTICAL for c in changes):
        outcome.notes = []
    return outcome


def _formatted(project: Project, outcome: Outcome, rendered: list[Rendered]) -> list[Rendered]:
    """``rendered`` as the project's ruff formats it (its lint findings go to ``outcome``)."""
    layout = project.layout
    first_party = (layout.package, layout.tests, layout.migrations.split("/")[0])
    if project.adopted:
        # As the project's ruff sees its own packages (an `alembic/` folder is not the
        # alembic package: only folders of Python modules count).
        from scaffold.generate.format import project_first_party

        first_party = tuple(
            sorted({layout.package, layout.tests, *project_first_party(project.root)})
        )
    # An in-place edit of the user's file keeps the file's own formatting: only what
    # scaffold renders is formatted (edits are still parsed before anything is written).
    from scaffold.generate.format import check_syntax

    check_syntax({r.path: r.text for r in rendered if r.edit})
    # ...unless the file was formatted by the project's ruff before: then the edit is too.
    formatted_before = {
        r.path
        for r in rendered
        if r.edit and r.path.endswith(".py") and _ruff_formatted(project, r.path)
    }
    texts, lint = format_python(
        {
            r.path: r.text
            for r in rendered
            if not r.delete and (not r.edit or r.path in formatted_before)
        },
        project.root,
        first_party,
    )
    outcome.lint = lint
    return [replace(r, text=texts.get(r.path, r.text)) for r in rendered]


def _refuse_unsafe_overwrites(project: Project, changes: list[Change]) -> None:
    """Refuse to write over conflict markers, or over uncommitted edits of the user's."""
    project.refuse_conflict_markers(
        [c.path for c in changes if c.old is not None and c.status != IDENTICAL]
    )
    project.refuse_uncommitted_edits(
        [
            c.path
            for c in changes
            if c.old is not None and (c.status == FORCE or c.reason == "merged with your edits")
        ]
    )


def _hand_off_edits(
    project: Project, outcome: Outcome, changes: list[Change], manifest: Manifest
) -> None:
    """In an adopted project, files of the team's that scaffold edited are named for review."""
    edited = [
        c.path for c in changes if c.reason == "edited in place" and c.path not in manifest.files
    ]
    if edited and project.adopted:
        outcome.handoff.append(
            f"scaffold edited {', '.join(edited)}, which your team wrote "
            "(a syntax-tree edit: an import and an include or index line); review the diff."
        )


def _writes(
    project: Project, changes: list[Change], manifest: Manifest
) -> list[tuple[str, str | None]]:
    """Every (path, text) to write, None to delete: the changed files, their bases under
    ``.scaffold/base`` and the manifest (whose file hashes are recorded here)."""
    for change in changes:
        if change.delete:
            manifest.files.pop(change.path, None)
    tracked = [
        c for c in changes if not c.delete and (c.generated is not None or c.path in manifest.files)
    ]
    for change in tracked:
        # The manifest and .scaffold/base keep what scaffold generated, not the
        # merged file, so the user's edits are recognised as theirs next time.
        manifest.record(change.path, change.generated or change.text, change.resource)
    writes: list[tuple[str, str | None]] = [
        (c.path, None if c.delete else c.text) for c in changes if c.writes
    ]
    writes += [
        (base_path(c.path), None)
        for c in changes
        if c.delete and (project.root / base_path(c.path)).is_file()
    ]
    base_writes = [
        (base_path(c.path), c.generated or c.text) for c in tracked if _base_differs(project, c)
    ]
    manifest_text = manifest.dump()
    if writes or base_writes or manifest_text != _current_manifest(project):
        writes += base_writes
        writes.append((MANIFEST, manifest_text))
    return writes


def _down_revision(migration: str) -> str | None:
    match = re.search(r'^down_revision = "([^"]+)"', migration, re.M)
    return match.group(1) if match else None


def _current_manifest(project: Project) -> str | None:
    path = project.root / MANIFEST
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _base_differs(project: Project, change: Change) -> bool:
    path = project.root / base_path(change.path)
    wanted = change.generated or change.text
    return not path.is_file() or path.read_text(encoding="utf-8") != wanted


def prove(project: Project, outcome: Outcome, *, verify: bool, dry_run: bool) -> bool:
    """Run the quality checks on a change that was applied: False when there is nothing
    to prove (a dry run, a refused or empty change); raises :class:`ProofFailed` when a
    check failed and ``--keep-failed`` is off."""
    from scaffold.apply.verify import run_all

    written = [c for c in outcome.changes if c.writes and not c.path.startswith(".scaffold/")]
    if dry_run or outcome.exit_code or not written:
        return False
    touched = [c.path for c in outcome.changes if not c.path.startswith(".scaffold/")]
    tests = [p for p in touched if project.layout.is_test_module(p)]
    wanted = None
    if verify:
        # The manifest as written by this change (the project's cached one predates it).
        written_manifest = Manifest.load(project.root)
        tests += [t for t in referencing_tests(outcome.changes, written_manifest) if t not in tests]
    if verify and not project.adopted:
        from scaffold.apply.load import targets

        wanted = targets(project.root, project.layout.tests, outcome.changes, written_manifest)
    measured: dict[str, object] = {}
    results = run_all(
        project.root,
        touched,
        tests,
        dynamic=verify,
        lint=outcome.lint,
        profile=project.profile,
        load_targets=wanted,
        measured=measured,
        app_module=None if project.adopted else f"{project.layout.package}.main",
        before=_team_files_before(project, outcome),
    )
    outcome.checks = [r.to_json() for r in results]
    if verify:
        from scaffold.project.outcome import CHECK_NAMES

        outcome.extra["not_run"] = [
            f"{CHECK_NAMES.get(r.name, r.name)} did not run: {r.detail.removeprefix('not run: ')}"
            for r in results
            if r.passed is None and r.name in ("migrations", "alembic_check", "tests")
        ]
    else:
        outcome.notes.append(
            "Written with --no-verify: not proved (no tests, migration round trip, "
            "alembic check or import of the app ran)."
        )
    lookups = outcome.extra.pop("index_missing", None)
    if lookups:
        from scaffold.apply.perf import index_impact
        from scaffold.project.interpreter import project_python

        path = outcome.extra.pop("index_migration", None)
        migration = next(
            c
            for c in outcome.changes
            if c.path == path or (path is None and c.path.endswith("_add_missing_indexes.py"))
        )
        before = _down_revision(migration.text)
        outcome.performance = index_impact(
            project.root, project_python(project.root), before, lookups
        )
    if verify and project.adopted:
        outcome.extra["load"] = {
            "reason": "the probe drives the template's app; in an adopted project the project's own tests are the measure"
        }
    elif verify and any(r.name == "tests" and r.passed for r in results):
        # Measured by the round trip's interpreter, once the tests passed.
        outcome.extra["load"] = measured.get("load") or {
            "reason": "no new or changed route to call"
        }
    if any(r.passed is False for r in results):
        from scaffold.project.outcome import CHECK_NAMES

        outcome.exit_code = 1
        if _KEEP_FAILED.get():
            outcome.extra["kept_failed"] = True
            outcome.notes.append(
                "Written anyway (--keep-failed), but a quality check failed: see the report."
            )
        else:
            failed = "; ".join(
                # ruff's detail lists each finding with what to change (at most ten).
                f"{CHECK_NAMES.get(r.name, r.name)} — FAILED: "
                f"{r.detail if r.name == 'ruff' else r.detail[:300]}"
                for r in results
                if r.passed is False
            )
            outcome.extra["proof_failed"] = True
            outcome.notes.append(
                f"Nothing was written: the proof failed. {failed}. The report has the "
                "details; fix it and run again, or re-run with --keep-failed to write the "
                "change anyway."
            )
            raise ProofFailed
    return True


def _team_files_before(project: Project, outcome: Outcome) -> dict[str, str]:
    """The team's files scaffold edited in place (a registry), as they were: the findings
    they had then are the project's own, not the change's."""
    generated = Manifest.load(project.root).files
    return {
        c.path: c.old
        for c in outcome.changes
        if c.reason == "edited in place" and c.old is not None and c.path not in generated
    }


def referencing_tests(changes: list[Change], manifest: Manifest) -> list[str]:
    """The test files of the resources that reference a resource whose rows this change
    makes differently (its factory changed): their tests build its rows through it."""
    changed = {
        manifest.files.get(c.path, {}).get("resource")
        for c in changes
        if c.writes and "/factories/" in f"/{c.path}"
    } - {None}
    if not changed:
        return []
    pattern = re.compile(rf"(?:^|:)(?:ref|many)=({'|'.join(map(re.escape, changed))})(?::|$)")
    referencing = {
        table
        for table, entry in manifest.resources.items()
        if table not in changed
        and (
            entry.get("args", {}).get("parent") in changed
            or any(pattern.search(str(f)) for f in entry.get("args", {}).get("fields", ()))
        )
    }
    return sorted(
        path
        for path, entry in manifest.files.items()
        if entry.get("resource") in referencing and path.rpartition("/")[2].startswith("test_")
    )


def _ruff_formatted(project: Project, rel: str) -> bool:
    """Whether ``rel`` is as the project's ruff format would leave it."""
    from scaffold.generate.format import ruff_stdin

    path = project.root / rel
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    return ruff_stdin(project.root, rel, text, "format", "--check").returncode == 0
