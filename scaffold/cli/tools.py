"""The commands around the code: the report, editor tasks, upgrade, adopt, check and MCP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from scaffold.cli.options import (
    DryRunOpt,
    JsonOpt,
    ProjectOpt,
    QuietOpt,
    exit_with,
    find_project,
    handles_errors,
    writing,
)
from scaffold.cli.root import app
from scaffold.cli.runs import Target, apply_command, finish


@app.command()
@handles_errors
def report(
    last: Annotated[
        bool, typer.Option("--last", help="The report of the last change (the default).")
    ] = True,
    project: ProjectOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Print the Platform Coordination Report of the last change.

    Example:

        scaffold report --last
    """
    from scaffold.errors import InputError
    from scaffold.report.document import last_report

    proj = find_project(project)
    path = last_report(proj.root)
    if path is None:
        raise InputError(
            "No report yet: reports are written by each applied change.",
            token="report",
            example="scaffold resource residents name:str",
        )
    text = path.read_text(encoding="utf-8")
    if json_output:
        import json

        print(
            json.dumps(
                {
                    "command": "report",
                    "actions": [],
                    "files": [],
                    "escalations": [],
                    "checks": [],
                    "report_path": path.relative_to(proj.root).as_posix(),
                    "exit_code": 0,
                    "markdown": text,
                },
                indent=2,
            )
        )
    else:
        print(text, end="")


ide_app = typer.Typer(help="Editor integration.", no_args_is_help=True)
app.add_typer(ide_app, name="ide")


@ide_app.command("vscode")
@handles_errors
def ide_vscode(
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write (or merge into) .vscode/tasks.json: tasks for every scaffold command.

    Your own tasks are kept; running it again changes nothing.

    Example:

        scaffold ide vscode
    """
    from scaffold.errors import InputError
    from scaffold.ide import TASKS_PATH, vscode_tasks
    from scaffold.project.files import CREATE, IDENTICAL, UPDATE, Change, safe_path, write_all
    from scaffold.project.outcome import Outcome
    from scaffold.report.printer import Printer

    printer = Printer(json_mode=json_output, quiet=quiet)
    proj = find_project(project)
    target = safe_path(proj.root, TASKS_PATH)
    old = target.read_text(encoding="utf-8") if target.is_file() else None
    try:
        new_text = vscode_tasks(old)
    except ValueError as exc:
        raise InputError(
            str(exc), token=TASKS_PATH, example="fix the JSON, then: scaffold ide vscode"
        ) from None
    status = CREATE if old is None else IDENTICAL if old == new_text else UPDATE
    outcome = Outcome(command="ide vscode", actions=["ide vscode"])
    outcome.changes = [Change(TASKS_PATH, status, new_text, old)]
    if status != IDENTICAL and not dry_run:
        write_all(proj.root, [(TASKS_PATH, new_text)])
    exit_with(finish(outcome, printer, dry_run=dry_run))


@app.command()
@handles_errors
@writing("verify", "keep_failed")
def upgrade(
    *,
    target: Target,
) -> None:
    """Re-render every generated resource with this version of scaffold's templates.

    Files you edited are merged three ways (your edits and the template's changes
    both survive); overlapping edits are conflicts and nothing is written.

    Example:

        scaffold upgrade --dry-run
    """
    from scaffold.commands.resource import plan_resource
    from scaffold.project.manifest import stored_args
    from scaffold.project.outcome import Outcome

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        outcome = Outcome(command="upgrade", actions=["upgrade"])
        files: list = []
        for table, entry in sorted(proj.manifest.resources.items()):
            plan, _ = plan_resource(proj, stored_args(entry), approve=True)
            files += plan.files
            outcome.layers.setdefault("Tests", []).append(f"{table}: re-rendered")
        return outcome, files, proj.manifest.copy()

    exit_with(apply_command(planned, target))


@app.command()
@handles_errors
@writing()
def adopt(
    *,
    target: Target,
) -> None:
    """Learn an existing FastAPI + SQLAlchemy + Alembic project's conventions.

    Reads the code (never runs it) and writes them as a [tool.scaffold] profile in
    pyproject.toml, plus the one support module scaffold owns; says what it found,
    what it assumed and what it cannot support. Running it again changes nothing.

    Example:

        scaffold adopt --dry-run
    """
    from scaffold.checks._files import find_root
    from scaffold.commands.adopt import adopt as run_adopt
    from scaffold.project.files import project_lock
    from scaffold.report.printer import Printer

    printer = Printer(json_mode=target.json_output, quiet=target.quiet)
    start = (target.project or Path.cwd()).resolve()
    if not start.is_dir():
        from scaffold.errors import ProjectError

        raise ProjectError(
            f"--project {str(start)!r} is not a folder.",
            token=str(start),
            example="scaffold adopt --project .",
        )
    root = start if target.project is not None else find_root(start)
    with project_lock(root):
        outcome = run_adopt(root, dry_run=target.dry_run, force=target.force)
    exit_with(finish(outcome, printer, dry_run=target.dry_run))


@app.command("check")
@handles_errors
def check_command(
    project: ProjectOpt = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="The project's database: `alembic check` runs against it as it is (it must "
            "be at head) and SC501 counts its live indexes. Default: a scratch SQLite file, "
            "or TEST_DATABASE_URL (upgraded to head first) when it is set.",
        ),
    ] = None,
    no_alembic: Annotated[
        bool, typer.Option("--no-alembic", help="Skip `alembic check` (SC700/SC701).")
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", help="Print what a rule checks and how to fix it, e.g. SC101."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Read every file again; ignore the result cache.")
    ] = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Lint a FastAPI project against the standing orders; exit 1 when an error is found.

    Reads every Python module of the project (not tests, migrations' code or
    virtualenvs) from the project folder found above the current one. Prints one
    `path:line:col: CODE severity: message` line per finding; warnings and info
    findings do not fail the run. [tool.scaffold] in pyproject.toml can exclude
    files, disable rules or change their severity.

    Example:

        scaffold check --project .
    """
    from scaffold.cli.runs import run_check_command

    code = run_check_command(
        project=str(project) if project else None,
        database_url=database_url,
        explain=explain,
        no_alembic=no_alembic,
        no_cache=no_cache,
        json_output=json_output,
        quiet=quiet,
    )
    if code:
        raise typer.Exit(code)


@app.command("mcp")
@handles_errors
def mcp_command(project: ProjectOpt = None) -> None:
    """Serve scaffold to coding agents over the Model Context Protocol (stdio).

    Tools: plan, apply, check, report, resources, explain; documents at
    scaffold://docs/fields, scaffold://docs/missions, scaffold://docs/standing-orders.
    Escalated changes are never applied: a human re-runs them with --approve.

    Example (an editor's MCP configuration runs this):

        scaffold mcp --project .
    """
    from scaffold.mcp_server import serve

    serve(project)
