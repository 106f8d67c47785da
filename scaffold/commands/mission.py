"""``scaffold mission "SENTENCE"``: a sentence, mapped to the same actions as the commands.

Deterministic (no network, no model). The whole mission is one change: every
action is applied inside one transaction, so a failure, a conflict or an
escalation without ``--approve`` leaves the project as it was. Escalations
come from the planned changes themselves (a dropped column, a rename, a
required column on a live table, a sensitive field) and, as a second line of
defence, from security keywords in the sentence.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.errors import ConflictError, EscalationRequired, InputError
from scaffold.project.core import Project
from scaffold.project.manifest import Manifest, stored_args
from scaffold.project.outcome import Outcome
from scaffold.spec.args import args_from_argv

if TYPE_CHECKING:
    from scaffold.commands._resource_plan import ResourcePlan
    from scaffold.commands.field import FieldChange
    from scaffold.project.files import Rendered

MAX_SENTENCE = 2000


@dataclass
class Step:
    """One applied action: its argv and what it did."""

    argv: tuple[str, ...]
    outcome: Outcome


def existing_tables(project: Project) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {t: [] for t in project.known_resources()}
    for table, entry in project.manifest.resources.items():
        tables[table] = [token.partition(":")[0] for token in stored_args(entry).fields]
    return tables


def table_facts(project: Project) -> dict:
    """What a mission knows of each generated resource beyond its field names."""
    from scaffold.mission.plan import TableFacts

    facts = {}
    for table, entry in project.manifest.resources.items():
        args = stored_args(entry)
        version = max(
            [int(entry.get("api_version", args.api_version))]
            + [int(v.get("version", 1)) for v in entry.get("versions", [])]
        )
        facts[table] = TableFacts(
            fields=args.fields,
            uniques=args.uniques,
            checks=args.checks,
            rate_limit=args.rate_limit,
            api_version=version,
        )
    return facts


def parse(project: Project, sentence: str, *, approve: bool = False):
    """The sentence's plan. A sentence that touches security is escalated (exit 3) even
    when it does not map to commands: a human decides it, not a grammar hint. Approved,
    an unmapped one is bad input (exit 2) as usual."""
    from scaffold.mission import MissionParseError, parse_mission

    if len(sentence) > MAX_SENTENCE:
        raise InputError(
            f"The mission is {len(sentence)} characters; missions stop at {MAX_SENTENCE}.",
            token=sentence[:40],
            example='scaffold mission "add weekly_requirements table for Block scheduling"',
        )
    try:
        return parse_mission(sentence, existing_tables(project), table_facts(project))
    except MissionParseError as exc:
        message = str(exc).split(" Try: ")[0].rstrip()
        if exc.escalations and not approve:
            raise EscalationRequired.listing(
                [{"reason": e.reason, "trigger": e.trigger} for e in exc.escalations],
                what="mission",
                tail=(
                    "Nothing was written. A human must decide it; scaffold could not map it "
                    f"to commands either ({message}), so once approved, rephrase it as "
                    "something scaffold builds, e.g. a resource or field change."
                ),
                example=f'scaffold mission "{exc.example}"',
            ) from None
        raise InputError(
            message, token=exc.token, example=f'scaffold mission "{exc.example}"'
        ) from None


def _apply_step(root, argv: tuple[str, ...], *, approve: bool | None, force: bool) -> Outcome:
    """Plan and write one action; returns its outcome (escalations collected, not raised)."""
    from scaffold.apply.pipeline import execute
    from scaffold.commands import index

    project = Project.find(root, explicit=True)
    kind = argv[0]
    if kind == "setting":
        return _setting_step(argv[1], argv[2])
    if kind == "auth":
        from scaffold.commands.auth import add_auth

        return add_auth(project, approve=approve, force=force)
    planned = _plan_listed(project, argv, approve=approve)
    if planned is not None:
        outcome, files, manifest = planned
        if files:
            execute(project, outcome, files, manifest, force=force, dry_run=False)
        return outcome
    if kind == "index":
        files, outcome, missing = index.plan_index(project)
        if files:
            execute(
                project,
                outcome,
                files,
                index.manifest_with_indexes(project, missing),
                force=force,
                dry_run=False,
            )
            outcome.extra["index_missing"] = [(m.model.table, m.column) for m in missing]
        return outcome
    planned = _plan_step(project, argv, approve=approve)
    if isinstance(planned, Outcome):
        return planned  # nothing to write
    files, manifest, outcome = planned
    execute(project, outcome, files, manifest, force=force, dry_run=False)
    return outcome


def _plan_listed(project: Project, argv: tuple[str, ...], *, approve: bool | None):
    """(outcome, files, manifest) of ``index add``, ``constraint add``, ``field alter`` and
    ``limit`` actions (files None: already so, the outcome's note says how); None for the
    other actions."""
    kind = argv[0]
    if kind == "index" and argv[1] == "add":
        from scaffold.commands._index_add import plan_index_add
        from scaffold.commands._index_catalog import IndexRequest

        request = IndexRequest(argv[2], tuple(argv[3].split(",")), unique="--unique" in argv)
        return plan_index_add(project, request)
    if kind == "constraint":
        from scaffold.commands.constraint import plan_constraint_add

        rule = {argv[3]: argv[4]}
        return plan_constraint_add(
            project, argv[2], unique=rule.get("--unique"), check=rule.get("--check")
        )
    if kind == "field" and argv[1] == "alter":
        from scaffold.commands._field_alter import plan_alter

        return plan_alter(project, argv[2], argv[3], approve=bool(approve))
    if kind == "limit":
        from scaffold.commands.limit import plan_limit

        return plan_limit(project, argv[1], argv[2])
    return None


def _plan_step(
    project: Project, argv: tuple[str, ...], *, approve: bool | None
) -> tuple[list[Rendered], Manifest, Outcome] | Outcome:
    """The files, manifest and outcome of a resource's action; or its outcome alone when
    it has nothing to write (its notes say why)."""
    from scaffold.commands import destroy, field, resource

    kind = argv[0]
    if kind == "version":
        _generated(project, argv[1])
        version = int(argv[2]) if len(argv) > 2 else None
        plan, outcome = resource.plan_new_version(project, argv[1], version)
    elif kind == "access":
        access = _access_plan(project, argv, approve=approve)
        if isinstance(access, Outcome):
            return access
        plan, outcome = access
    elif kind == "resource":
        args = args_from_argv(list(argv))
        plan, outcome = resource.plan_resource(project, args, approve=approve)
    elif kind == "rename":
        from scaffold.commands.rename import plan_table_rename

        plan, outcome = plan_table_rename(project, argv[1], argv[2], approve=approve)
    elif kind == "destroy":
        files, outcome, manifest = destroy.plan_destroy(project, argv[1], approve=approve)
        return files, manifest, outcome
    else:
        change = _field_change(project, argv)
        if isinstance(change, Outcome):
            return change
        plan, outcome = field.plan_field_change(project, change, approve=approve, no_version=False)
    return plan.files, plan.manifest, outcome


def _access_plan(
    project: Project, argv: tuple[str, ...], *, approve: bool | None
) -> tuple[ResourcePlan, Outcome] | Outcome:
    """Who may call a resource's routes, changed; in a project without sign-in, only a
    note (the escalation is the sentence's)."""
    from scaffold.commands import resource

    entry = _generated(project, argv[1])
    if project.auth is None and not approve:
        # Escalated first (the human decides); approved, this is the error it is.
        outcome = Outcome(command="resource", actions=[" ".join(argv)])
        outcome.notes.append(
            "The project has no sign-in yet: routes are open to anyone until "
            '`scaffold mission "add sign-in with email and password"` (or `scaffold auth`).'
        )
        return outcome
    args = replace(stored_args(entry), access=argv[2])
    return resource.plan_resource(project, args, approve=approve)


def _field_change(project: Project, argv: tuple[str, ...]) -> FieldChange | Outcome:
    """The change of an ``endpoint`` or ``field`` action; an endpoint that needs no
    change is an outcome with a note."""
    from scaffold.commands import endpoint, field

    kind = argv[0]
    if kind == "endpoint":
        change = endpoint.request_endpoint(project, argv[1])
        if isinstance(change, str):
            outcome = Outcome(command="endpoint", actions=[argv[1]])
            outcome.notes.append(change)
            return outcome
        return change
    if kind != "field":
        raise InputError(f"Unknown mission action {kind!r}.", token=kind)
    verb = argv[1]
    if verb == "add":
        return field.request_add(project, argv[2], list(argv[3:]))
    if verb == "remove":
        return field.request_remove(project, argv[2], argv[3])
    return field.request_rename(project, argv[2], argv[3], argv[4])


def _generated(project: Project, table: str) -> dict:
    """The manifest entry of a resource scaffold generated; its routes are the only ones
    a mission changes."""
    entry = project.manifest.resources.get(table)
    if entry is None:
        raise InputError(
            f"{table} was not generated by scaffold, so its routes are the project's own: "
            "scaffold does not change who may call them or version them.",
            token=table,
        )
    return entry


def run_mission(
    project: Project, sentence: str, *, approve: bool, dry_run: bool, force: bool, verify: bool
) -> Outcome:
    """Parse, apply every action in one transaction, escalate or verify and report."""
    from scaffold.apply.pipeline import ProofFailed
    from scaffold.commands.write import finalize, report_unwritten
    from scaffold.project.files import transaction, write_all

    plan = parse(project, sentence, approve=approve)
    outcome = Outcome(command="mission", mission=sentence)
    if not plan.actions and not plan.escalations:
        # Already so: answered with what does it; nothing to rehearse, write or report.
        outcome.notes += list(plan.notes)
        outcome.extra["answer"] = list(plan.notes)  # --json: what already does it
        return outcome
    outcome.actions = [
        action.summary
        if action.kind in ("setting", "access", "version")
        else "scaffold " + " ".join(_quote(a) for a in action.argv)
        for action in plan.actions
    ]
    outcome.notes += list(plan.notes)
    outcome.handoff += [
        note for note in plan.notes if "add fields later" in note or "scaffold field" in note
    ]
    # "… for X" / "… to support X": a link or the purpose; the report says which it was.
    outcome.handoff += [
        f"how the sentence was read: {note}"
        for note in plan.notes
        if "read as the purpose" in note or (": " in note and " links to " in note)
    ]
    seen: set[str] = set()
    for esc in plan.escalations:
        _add_escalation(outcome, esc.reason, esc.trigger, seen)
    try:
        if approve and not dry_run:
            with transaction():
                _run_steps(project.root, plan.actions, outcome, seen, approve=True, force=force)
                # Proved before it is kept: a failed check rolls every step back.
                finalize(project, outcome, verify=verify, dry_run=False)
        else:
            # Rehearsed in a scratch copy: an escalation or a dry run decides before any
            # file of the project is touched (bytes and mtimes stay as they were).
            changed = _rehearse(project, plan.actions, outcome, seen, approve=approve, force=force)
            if not dry_run:
                with transaction():
                    write_all(project.root, changed)
                    finalize(project, outcome, verify=verify, dry_run=False)
    except ProofFailed:
        report_unwritten(project, outcome)
        return outcome
    except EscalationRequired as exc:
        outcome.exit_code = exc.exit_code
        outcome.notes = [exc.message]
        return outcome
    except ConflictError as exc:
        outcome.exit_code = exc.exit_code
        outcome.notes = [exc.message]
        return outcome
    if dry_run:
        outcome.notes.insert(0, "Dry run: the plan above was computed; nothing was written.")
    return outcome


def _run_steps(
    root, actions, outcome: Outcome, seen: set[str], *, approve: bool, force: bool
) -> None:
    """Apply each action in ``root`` in turn (a later one reads what an earlier one wrote)."""
    for action in actions:
        step = _apply_step(root, action.argv, approve=True if approve else None, force=force)
        _merge(outcome, step, seen)
        if step.exit_code:
            raise ConflictError(
                "Nothing was written: " + "; ".join(step.notes or ["a step failed"]),
                token=" ".join(action.argv),
            )
    if outcome.escalations and not approve:
        raise EscalationRequired.listing(
            outcome.escalations,
            what="mission",
            tail="Nothing was written. Re-run with --approve to apply it.",
        )


def _rehearse(
    project: Project, actions, outcome: Outcome, seen: set[str], *, approve: bool, force: bool
) -> list[tuple[str, str | None]]:
    """Apply the actions to a scratch copy of the project and return what they wrote
    there, as (path, text or None for a deleted file) for ``write_all``; the project
    itself is only read. Escalations and conflicts raise as in a real run."""
    from scaffold.commands.scratch import carried, copy_project
    from scaffold.project.files import FORCE, transaction

    with tempfile.TemporaryDirectory(prefix="scaffold-mission-") as tmp:
        scratch = copy_project(project.root, Path(tmp))
        with transaction() as undo:
            _run_steps(scratch, actions, outcome, seen, approve=approve, force=force)
        # The scratch copy has no version control: your uncommitted edits are refused here.
        project.refuse_uncommitted_edits(
            [
                c.path
                for c in outcome.changes
                if c.old is not None and (c.status == FORCE or c.reason == "merged with your edits")
            ]
        )
        return carried(scratch, project.root, {target for target, _previous in undo.files})


def _setting_step(name: str, value: str) -> Outcome:
    """A runtime setting: deployment configuration, so no file changes; the Handoff says
    exactly what to set, and where the app reads it."""
    outcome = Outcome(command="mission")
    field = name.lower()
    outcome.layers["Operations"] = [f"{name}={value} (app.core.config.Settings.{field})"]
    outcome.handoff.append(
        f"set {name}={value} where the app runs (its environment or .env; .env.example "
        f"documents it): it is deployment configuration, so scaffold writes no file for it"
    )
    return outcome


def _quote(arg: str) -> str:
    return f'"{arg}"' if any(c in arg for c in " {<>|&;") else arg


def _add_escalation(outcome: Outcome, reason: str, trigger: str, seen: set[str]) -> None:
    if reason not in seen:
        seen.add(reason)
        outcome.escalations.append({"reason": reason, "trigger": trigger})


def _merge(outcome: Outcome, step: Outcome, seen: set[str]) -> None:
    known = {c.path: i for i, c in enumerate(outcome.changes)}
    for change in step.changes:
        if change.path in known:
            previous = outcome.changes[known[change.path]]
            if previous.status == "create" and change.status in ("update", "identical"):
                continue  # created earlier in this mission
            outcome.changes[known[change.path]] = change
        else:
            known[change.path] = len(outcome.changes)
            outcome.changes.append(change)
    for layer, items in step.layers.items():
        outcome.layers.setdefault(layer, []).extend(items)
    for esc in step.escalations:
        _add_escalation(outcome, esc["reason"], esc["trigger"], seen)
    outcome.handoff += [h for h in step.handoff if h not in outcome.handoff]
    outcome.lint = "\n".join(filter(None, [outcome.lint, step.lint]))
    outcome.notes += [
        n for n in step.notes if n not in outcome.notes and not n.startswith(("Next steps", "  "))
    ]
    if "index_missing" in step.extra:
        outcome.extra.setdefault("index_missing", []).extend(step.extra["index_missing"])
    if "index_migration" in step.extra:  # `index add`'s migration, whose lookups are measured
        outcome.extra["index_migration"] = step.extra["index_migration"]
