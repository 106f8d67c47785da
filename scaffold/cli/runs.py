"""The bodies the typer commands and the fast path share: a resource, a check, an error
shown as one paragraph with its exit code, and the output that closes a command."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.errors import ScaffoldError


def report_failure(
    message: str,
    code: int,
    json_mode: bool,
    command: str,
    escalations: list[dict[str, str]] | None = None,
) -> int:
    print(f"error: {message}", file=sys.stderr)
    if json_mode:
        data = {
            "command": command.removesuffix("_command").replace("_", " "),
            "actions": [],
            "files": [],
            "escalations": escalations or [],
            "checks": [],
            "report_path": None,
            "exit_code": code,
            "error": message,
        }
        print(json.dumps(data, indent=2))
    return code


def guard(command: str, json_mode: bool, body: Callable[[], int]) -> int:
    """Run ``body``; a ScaffoldError becomes one paragraph and its exit code, never a traceback."""
    try:
        return body()
    except ScaffoldError as exc:
        escalations = getattr(exc, "escalations", None)
        return report_failure(exc.render(), exc.exit_code, json_mode, command, escalations)
    except KeyboardInterrupt:
        return report_failure("Interrupted: nothing was changed.", 130, json_mode, command)
    except Exception as exc:
        if os.environ.get("SCAFFOLD_DEBUG") or type(exc).__name__ == "Exit":
            raise
        return report_failure(
            f"Internal error ({type(exc).__name__}: {str(exc)[:200]}). Nothing was changed. "
            "Re-run with SCAFFOLD_DEBUG=1 for the traceback and report it.",
            70,
            json_mode,
            command,
        )


def finish(outcome: Any, printer: Any, *, dry_run: bool) -> int:
    outcome.dry_run = dry_run
    printer.changes(outcome, diffs=dry_run)
    printer.finish(outcome)
    return outcome.exit_code


@dataclass(frozen=True)
class Target:
    """Where a writing command writes, how it speaks, and what it may change."""

    project: Path | None = None
    dry_run: bool = False
    force: bool = False
    json_output: bool = False
    quiet: bool = False
    # The change options of the commands that take them.
    approve: bool = False
    no_version: bool = False
    verify: bool = False  # prove before writing (True for every command that takes it)


def apply_command(
    planner: Callable[[Any], tuple[Any, list | None, Any]],
    target: Target,
    *,
    preamble: Callable[[Any, Any], None] | None = None,
) -> int:
    """What every writing command does: plan the change of the project under its lock
    (``planner`` -> (outcome, files, manifest); files None: nothing left to write), prove
    it in a scratch copy and only then write it (``--no-verify``: write it, with ruff's
    verdict alone), print the outcome (after ``preamble``, if any) and return its exit code."""
    from scaffold.commands.scratch import proved_in_scratch
    from scaffold.commands.write import apply_change
    from scaffold.project.core import Project
    from scaffold.project.files import project_lock
    from scaffold.report.printer import Printer

    def command(proj: Any) -> Any:
        outcome, files, manifest = planner(proj)
        if files is not None:
            apply_change(
                proj,
                outcome,
                files,
                manifest,
                force=target.force,
                dry_run=target.dry_run,
                verify=target.verify,
            )
        return outcome

    printer = Printer(json_mode=target.json_output, quiet=target.quiet)
    proj = Project.find(target.project, explicit=target.project is not None)
    with project_lock(proj.root):
        if target.verify and not target.dry_run:
            outcome = proved_in_scratch(proj, command)
        else:
            outcome = command(proj)
    if preamble is not None:
        preamble(outcome, printer)
    return finish(outcome, printer, dry_run=target.dry_run)


def resource_args(
    name: str,
    fields: Iterable[str],
    *,
    singular: str | None,
    parent: str | None,
    uniques: Iterable[str],
    checks: Iterable[str],
    id_type: str,
    api_version: int,
    owned: bool,
    public: bool,
    admin_writes: bool,
    rate_limit: str | None = None,
) -> Any:
    """The ResourceArgs of a ``scaffold resource`` command line (typer's or the fast path's)."""
    from scaffold.commands.resource import expand_fields
    from scaffold.spec.args import ResourceArgs
    from scaffold.spec.resource import access_of

    return ResourceArgs(
        name=name,
        fields=expand_fields(fields),
        singular=singular,
        parent=parent,
        uniques=tuple(uniques),
        checks=tuple(checks),
        id_type=id_type,
        api_version=api_version,
        owned=owned,
        access=access_of(public=public, admin_writes=admin_writes),
        rate_limit=rate_limit,
    )


def run_resource(args: Any, target: Target) -> int:
    """``scaffold resource``: plan the resource and apply it like every writing command."""
    from dataclasses import replace

    from scaffold.commands.resource import plan_resource

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        checked = args
        if args.rate_limit and proj.profile is not None:
            from scaffold.errors import ProjectError

            raise ProjectError(
                "--rate-limit is for the projects scaffold made (app.core.limits); an adopted "
                "project's routes keep its own rate limiting.",
                token="--rate-limit",
                example=" ".join(["scaffold", *replace(args, rate_limit=None).argv()]),
            )
        if args.rate_limit:
            from scaffold.spec.rates import parse_rate

            good = " ".join(["scaffold", *replace(args, rate_limit="100/minute").argv()])
            checked = replace(args, rate_limit=parse_rate(args.rate_limit, example=good))
        plan, outcome = plan_resource(
            proj, checked, approve=target.approve, no_version=target.no_version
        )
        return outcome, plan.files, plan.manifest

    return apply_command(planned, target)


def run_check_command(
    project: str | None,
    database_url: str | None,
    explain: str | None,
    no_alembic: bool,
    no_cache: bool,
    json_output: bool,
    quiet: bool,
) -> int:
    """The body of ``scaffold check`` (typer's command and the fast path call it)."""
    from scaffold.commands.check import explain as explain_rule
    from scaffold.commands.check import run_check

    if explain is not None:
        print(explain_rule(explain), end="")
        return 0
    outcome = run_check(
        Path(project) if project else None,
        database_url=database_url,
        alembic=not no_alembic,
        quiet=quiet or json_output,
        use_cache=not no_cache,
    )
    if json_output:
        print(json.dumps(outcome.to_json(), indent=2))
    return outcome.exit_code
