"""The ``scaffold`` command line: thin typer wrappers around ``scaffold.commands``.

Heavy modules (copier, jinja2, libcst, ruff's runner) are imported inside the
commands that need them, so ``scaffold --help`` stays fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from scaffold import __version__

EXAMPLES = {
    "resource": "scaffold resource rooms name:str=80 capacity:int:min=0",
    "field": "scaffold field add rooms floor:int:optional",
    "endpoint": 'scaffold endpoint "GET /api/v1/residents/{id}/weekly-requirements"',
    "mission": 'scaffold mission "add rooms table with name string and capacity int"',
    "index": "scaffold index --missing",
    "new": "scaffold new myapp --defaults",
}


def _value_of(opts: list[str], argv: list[str]) -> str:
    """`` (got 'abc')`` for the value the user gave an option, so the message names it."""
    for i, token in enumerate(argv):
        for opt in opts:
            if token == opt and i + 1 < len(argv):
                return f" (got {argv[i + 1]!r})"
            if token.startswith(f"{opt}="):
                return f" (got {token.partition('=')[2]!r})"
    return ""


class ScaffoldGroup(TyperGroup):
    """Usage errors read like every other scaffold error: one paragraph, the bad token, an example."""

    def main(
        self,
        args: Any = None,
        prog_name: Any = None,
        complete_var: Any = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        from scaffold.cli.runs import report_failure

        argv = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except typer.Abort:
            sys.exit(
                report_failure(
                    "Interrupted: nothing was changed.", 130, "--json" in argv, "scaffold"
                )
            )
        except Exception as exc:
            # click's usage errors (vendored by typer): they carry a message and an exit code.
            if not (
                hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int)
            ):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":
                ctx = getattr(exc, "ctx", None)
                print(ctx.get_help() if ctx else "")
                sys.exit(0)
            command = next((a for a in argv if not a.startswith("-")), "")
            example = EXAMPLES.get(command, "scaffold --help")
            known = command in self.commands
            got = _value_of(getattr(getattr(exc, "param", None), "opts", []), argv)
            hint = f"scaffold {command} --help" if known else "scaffold --help"
            message = f"{exc.format_message()}{got} (see `{hint}`)"
            sys.exit(
                report_failure(
                    f"{message}\nExample: {example}",
                    exc.exit_code,
                    "--json" in argv,
                    command or "scaffold",
                )
            )
        sys.exit(result if isinstance(result, int) else 0)


app = typer.Typer(
    cls=ScaffoldGroup,
    name="scaffold",
    help="Generate every layer of an async FastAPI service: model, migration, schemas, "
    "service, router and tests.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

ProjectOpt = Annotated[
    Path | None,
    typer.Option(
        "--project",
        help="Project folder (default: nearest folder with .scaffold/ or [tool.scaffold]).",
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan and diffs; write nothing.")
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Overwrite files you changed since they were generated.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine output on stdout; prose on stderr.")]
VerifyOpt = Annotated[
    bool,
    typer.Option(
        "--verify",
        help="Also run migrations, alembic check and the generated tests for the report.",
    ),
]
KeepFailedOpt = Annotated[
    bool,
    typer.Option(
        "--keep-failed",
        help="Write the change even when its proof fails (still exit 1; the report says so).",
    ),
]
ApproveOpt = Annotated[
    bool,
    typer.Option("--approve", help="Apply a breaking, destructive or security-sensitive change."),
]
NoVersionOpt = Annotated[
    bool,
    typer.Option(
        "--no-version", help="Change the current API version in place instead of adding /api/vN+1."
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def _version(value: bool) -> None:
    if value:
        print(f"scaffold {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Generate every layer of an async FastAPI service."""


def handles_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ScaffoldError into one paragraph and its exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from scaffold.cli.runs import guard

        def body() -> int:
            from scaffold.apply.pipeline import keeping_failed

            with keeping_failed(bool(kwargs.pop("keep_failed", False))):
                func(*args, **kwargs)
            return 0

        try:
            code = guard(func.__name__, bool(kwargs.get("json_output")), body)
        except typer.Exit:
            raise
        if code:
            raise typer.Exit(code)

    return wrapper


def _project(path: Path | None) -> Any:
    from scaffold.project.core import Project

    return Project.find(path, explicit=path is not None)


def _finish(outcome: Any, printer: Any, *, dry_run: bool) -> None:
    from scaffold.cli.runs import finish

    code = finish(outcome, printer, dry_run=dry_run)
    if code:
        raise typer.Exit(code)


@app.command()
@handles_errors
def resource(
    name: Annotated[
        str, typer.Argument(help="Table name, plural snake_case (weekly_requirements).")
    ],
    fields: Annotated[
        list[str] | None, typer.Argument(help="Fields: name[:type[=ARGS]][:modifier[=VALUE]]...")
    ] = None,
    singular: Annotated[
        str | None, typer.Option(help="Singular name where English is irregular.")
    ] = None,
    parent: Annotated[
        str | None, typer.Option(help="Nest list/create under /PARENT/{parent_id}/NAME.")
    ] = None,
    unique: Annotated[
        list[str] | None,
        typer.Option("--unique", help="Composite unique constraint a,b (repeatable)."),
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option("--check", help='CHECK rule, e.g. "min_hours<=max_hours" (repeatable).'),
    ] = None,
    id_type: Annotated[str, typer.Option("--id", help="Primary key type: int or uuid.")] = "int",
    api_version: Annotated[
        int, typer.Option("--api-version", help="Serve the routes under /api/vN.")
    ] = 1,
    owned: Annotated[
        bool,
        typer.Option(
            "--owned",
            help="Rows belong to the signed-in user (owner_id): others' rows are not found.",
        ),
    ] = False,
    public: Annotated[
        bool,
        typer.Option(
            "--public", help="No sign-in needed for these routes (security: needs --approve)."
        ),
    ] = False,
    admin_writes: Annotated[
        bool,
        typer.Option(
            "--admin-writes",
            help="Only admins write; signed-in users (with --public: anyone) read.",
        ),
    ] = False,
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    approve: ApproveOpt = False,
    no_version: NoVersionOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Create a table and all six layers for it.

    Example:

        scaffold resource weekly_requirements resident_id:ref=residents:ondelete=cascade week_start:date min_hours:int:min=0

    Creates app/models/NAME.py, migrations/versions/REV_create_NAME.py,
    app/schemas/NAME.py, app/services/NAME.py, app/api/v1/NAME.py,
    tests/factories/NAME.py and tests/test_NAME.py.
    """
    from scaffold.cli.runs import run_resource
    from scaffold.commands.resource import expand_fields
    from scaffold.spec.args import ResourceArgs
    from scaffold.spec.resource import access_of

    args = ResourceArgs(
        name=name,
        fields=expand_fields(fields or ()),
        singular=singular,
        parent=parent,
        uniques=tuple(unique or ()),
        checks=tuple(check or ()),
        id_type=id_type,
        api_version=api_version,
        owned=owned,
        access=access_of(public=public, admin_writes=admin_writes),
    )
    code = run_resource(
        args,
        project=project,
        verify=verify,
        approve=approve,
        no_version=no_version,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )
    if code:
        raise typer.Exit(code)


@app.command()
@handles_errors
def auth(
    approve: ApproveOpt = False,
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Add users and sign-in, and protect every generated route (security: needs --approve).

    Example:

        scaffold auth --approve

    Creates the users table (email, password hash, is_active, is_admin) and its
    migration, POST /api/v1/auth/token (OAuth2 password flow, JWT), POST
    /api/v1/auth/register, /api/v1/users/me (+ /password), admin user routes, the
    CurrentUser and AdminUser dependencies and `python -m app.users create-admin`.
    """
    from scaffold.commands.auth import plan_auth

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        files, manifest, outcome = plan_auth(proj, approve=approve)
        return outcome, files, manifest

    _apply_command(
        planned,
        project=project,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@app.command()
@handles_errors
def new(
    directory: Annotated[Path, typer.Argument(help="Folder to create the project in.")],
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Answer every question with its default.")
    ] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="sqlite or postgresql (the default DATABASE_URL).")
    ] = None,
    data: Annotated[
        list[str] | None, typer.Option("--data", help="Answer a template question: KEY=VALUE.")
    ] = None,
    auth: Annotated[
        bool | None,
        typer.Option(
            "--auth/--no-auth",
            help="Users, sign-in and protected routes (default: on); --no-auth: a public API.",
        ),
    ] = None,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Create a new project from the copier template (with sign-in unless --no-auth).

    Example:

        scaffold new myapp --defaults
    """
    from scaffold.commands.new import new_project
    from scaffold.report.printer import Printer

    printer = Printer(json_mode=json_output, quiet=quiet)
    outcome = new_project(directory, defaults=defaults, db=db, data=data or [], auth=auth)
    printer.changes(outcome)
    printer.finish(outcome)


field_app = typer.Typer(
    help="Add, remove or rename fields of a generated resource (migration and every layer).",
    no_args_is_help=True,
)
app.add_typer(field_app, name="field")


def _apply_change(
    request: Callable[[Any], Any],
    *,
    project: Path | None,
    approve: bool,
    no_version: bool,
    verify: bool,
    dry_run: bool,
    force: bool,
    json_output: bool,
    quiet: bool,
) -> None:
    from scaffold.commands.field import plan_field_change

    _apply_plan(
        lambda proj: plan_field_change(proj, request(proj), approve=approve, no_version=no_version),
        project=project,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


def _apply_plan(planner: Callable[[Any], tuple[Any, Any]], **options: Any) -> None:
    """``_apply_command`` for a planner that returns (plan, outcome)."""

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        plan, outcome = planner(proj)
        return outcome, plan.files, plan.manifest

    _apply_command(planned, **options)


def _apply_command(
    planner: Callable[[Any], tuple[Any, list | None, Any]],
    *,
    project: Path | None,
    verify: bool,
    dry_run: bool,
    force: bool,
    json_output: bool,
    quiet: bool,
) -> None:
    """What every writing command does: plan the change of the project under its lock
    (``planner`` -> (outcome, files, manifest); files None: nothing to write), prove and
    write it, and print the outcome (its exit code is the command's)."""
    from scaffold.commands.write import apply_change
    from scaffold.project.files import project_lock
    from scaffold.report.printer import Printer

    printer = Printer(json_mode=json_output, quiet=quiet)
    proj = _project(project)
    with project_lock(proj.root):
        outcome, files, manifest = planner(proj)
        if files is not None:
            apply_change(
                proj, outcome, files, manifest, force=force, dry_run=dry_run, verify=verify
            )
    _finish(outcome, printer, dry_run=dry_run)


@field_app.command("add")
@handles_errors
def field_add(
    resource: Annotated[str, typer.Argument(help="The resource (table) to change.")],
    fields: Annotated[
        list[str], typer.Argument(help="Fields in field syntax, e.g. capacity:int:min=0.")
    ],
    approve: ApproveOpt = False,
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Add fields to a live resource: a migration plus model, schemas, service and tests.

    A required field without a default is backfilled on existing rows and needs --approve.

    Example:

        scaffold field add rooms capacity:int:min=0:default=1
    """
    from scaffold.commands.field import request_add
    from scaffold.commands.resource import expand_fields

    _apply_change(
        lambda proj: request_add(proj, resource, list(expand_fields(fields))),
        project=project,
        approve=approve,
        no_version=False,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@field_app.command("remove")
@handles_errors
def field_remove(
    resource: Annotated[str, typer.Argument(help="The resource (table) to change.")],
    name: Annotated[str, typer.Argument(help="The field to remove.")],
    approve: ApproveOpt = False,
    no_version: NoVersionOpt = False,
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Drop a column (destructive, breaking: needs --approve).

    Approved, /api/v1 keeps accepting the field (ignored) and returns it as null,
    and /api/v2 serves the new contract, unless --no-version.

    Example:

        scaffold field remove contacts phone --approve
    """
    from scaffold.commands.field import request_remove

    _apply_change(
        lambda proj: request_remove(proj, resource, name),
        project=project,
        approve=approve,
        no_version=no_version,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@field_app.command("rename")
@handles_errors
def field_rename(
    resource: Annotated[str, typer.Argument(help="The resource (table) to change.")],
    old: Annotated[str, typer.Argument(help="Current field name.")],
    new: Annotated[str, typer.Argument(help="New field name.")],
    approve: ApproveOpt = False,
    no_version: NoVersionOpt = False,
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Rename a column (breaking: needs --approve).

    Approved, /api/v1 keeps the old name and /api/v2 serves the new one, unless --no-version.

    Example:

        scaffold field rename contacts phone phone_number --approve
    """
    from scaffold.commands.field import request_rename
    from scaffold.spec.names import check_identifier

    check_identifier(
        new,
        what="new field name",
        example=lambda good: f"scaffold field rename {resource} {old} {good}",
    )
    _apply_change(
        lambda proj: request_rename(proj, resource, old, new),
        project=project,
        approve=approve,
        no_version=no_version,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@app.command()
@handles_errors
def endpoint(
    route: Annotated[
        str,
        typer.Argument(
            help='METHOD and path, e.g. "GET /api/v1/residents/{id}/weekly-requirements".'
        ),
    ],
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Add one route to an existing resource: router, service method and tests.

    GET /api/v1/PARENTS/{id}/CHILDREN lists one parent's rows (paginated, 404
    when the parent does not exist); CHILDREN must reference PARENTS.

    Example:

        scaffold endpoint "GET /api/v1/residents/{id}/weekly-requirements"
    """
    from scaffold.commands.endpoint import request_endpoint
    from scaffold.commands.field import plan_field_change
    from scaffold.project.outcome import Outcome

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        change = request_endpoint(proj, route)
        if isinstance(change, str):  # already served: nothing to write
            return Outcome(command="endpoint", actions=[route], notes=[change]), None, None
        plan, outcome = plan_field_change(proj, change, approve=False, no_version=False)
        return outcome, plan.files, plan.manifest

    _apply_command(
        planned,
        project=project,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@app.command()
@handles_errors
def index(
    missing: Annotated[
        bool, typer.Option("--missing", help="Index foreign keys and filter columns that lack one.")
    ] = False,
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    approve: ApproveOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write one migration adding every missing index, and measure the lookups it speeds up.

    In an adopted project, models scaffold did not generate are edited only with
    --approve; without it the diffs are shown and nothing is written.

    Example:

        scaffold index --missing
    """
    from scaffold.commands.index import manifest_with_indexes, plan_index

    if not missing:
        from scaffold.errors import InputError

        raise InputError(
            "index needs --missing (the only mode so far).",
            token="index",
            example="scaffold index --missing",
        )

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        files, outcome, found = plan_index(proj)
        if not files:
            return outcome, None, None
        if proj.adopted and not approve and not dry_run:
            from scaffold.commands.index import refuse_hand_written_edits

            refuse_hand_written_edits(proj, files)
        outcome.extra["index_missing"] = [(m.model.table, m.column) for m in found]
        return outcome, files, manifest_with_indexes(proj, found)

    _apply_command(
        planned,
        project=project,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@app.command()
@handles_errors
def destroy(
    resource: Annotated[str, typer.Argument(help="The resource (table) to drop.")],
    approve: ApproveOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Drop a table and remove its generated files (destructive: needs --approve).

    Example:

        scaffold destroy contacts --approve
    """
    from scaffold.commands.destroy import plan_destroy

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        files, outcome, manifest = plan_destroy(proj, resource, approve=approve)
        return outcome, files, manifest

    _apply_command(
        planned,
        project=project,
        verify=False,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@app.command()
@handles_errors
def rename(
    resource: Annotated[str, typer.Argument(help="The resource (table) to rename.")],
    new_name: Annotated[str, typer.Argument(help="Its new table name, plural snake_case.")],
    singular: Annotated[
        str | None, typer.Option("--singular", help="The new singular, where English is irregular.")
    ] = None,
    approve: ApproveOpt = False,
    no_version: NoVersionOpt = False,
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Rename a generated resource's table (breaking, a production migration: --approve).

    One migration renames the table, its indexes and constraints and the foreign keys
    that point at it; every layer moves to the new name; the old paths keep their
    contract in the previous API version unless --no-version.

    Example:

        scaffold rename rooms venues --approve
    """
    from scaffold.commands.rename import plan_table_rename

    _apply_plan(
        lambda proj: plan_table_rename(
            proj, resource, new_name, approve=approve, no_version=no_version, singular=singular
        ),
        project=project,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@app.command()
@handles_errors
def mission(
    sentence: Annotated[str, typer.Argument(help="What you want, in one English sentence.")],
    approve: ApproveOpt = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Skip migrations, alembic check and tests.")
    ] = False,
    keep_failed: KeepFailedOpt = False,
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Turn a sentence into actions, show the plan, apply it, prove it in a report.

    Understands: add TABLE [with FIELDS] [for PARENT ...]; add FIELDS to TABLE;
    add GET /api/v1/PARENTS/{id}/CHILDREN endpoint; optimize ... queries / add
    missing indexes; drop/rename/remove ... (escalated: needs --approve).

    Example:

        scaffold mission "add weekly_requirements table with resident_id, week_start date, min_hours int for Block scheduling"
    """
    from scaffold.commands.mission import run_mission
    from scaffold.project.files import project_lock
    from scaffold.report.printer import Printer

    printer = Printer(json_mode=json_output, quiet=quiet)
    proj = _project(project)
    with project_lock(proj.root):
        outcome = run_mission(
            proj, sentence, approve=approve, dry_run=dry_run, force=force, verify=not no_verify
        )
    printer.say("Plan:")
    for action in outcome.actions:
        printer.say(f"  {action}")
    for esc in outcome.escalations:
        printer.say(f"  escalation: {esc['reason']}")
    printer.say("")
    _finish(outcome, printer, dry_run=dry_run)


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

    proj = _project(project)
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
    proj = _project(project)
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
    _finish(outcome, printer, dry_run=dry_run)


@app.command()
@handles_errors
def upgrade(
    project: ProjectOpt = None,
    verify: VerifyOpt = False,
    keep_failed: KeepFailedOpt = False,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Re-render every generated resource with this version of scaffold's templates.

    Files you edited are merged three ways (your edits and the template's changes
    both survive); overlapping edits are conflicts and nothing is written.

    Example:

        scaffold upgrade --dry-run
    """
    from scaffold.commands.resource import plan_resource
    from scaffold.project.outcome import Outcome
    from scaffold.spec.args import args_from_argv

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        outcome = Outcome(command="upgrade", actions=["upgrade"])
        files: list = []
        for table, entry in sorted(proj.manifest.resources.items()):
            plan, _ = plan_resource(proj, args_from_argv(entry["argv"]), approve=True)
            files += plan.files
            outcome.layers.setdefault("Tests", []).append(f"{table}: re-rendered")
        return outcome, files, proj.manifest.copy()

    _apply_command(
        planned,
        project=project,
        verify=verify,
        dry_run=dry_run,
        force=force,
        json_output=json_output,
        quiet=quiet,
    )


@app.command()
@handles_errors
def adopt(
    project: ProjectOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
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

    printer = Printer(json_mode=json_output, quiet=quiet)
    start = (project or Path.cwd()).resolve()
    if not start.is_dir():
        from scaffold.errors import ProjectError

        raise ProjectError(
            f"--project {str(start)!r} is not a folder.",
            token=str(start),
            example="scaffold adopt --project .",
        )
    root = start if project is not None else find_root(start)
    with project_lock(root):
        outcome = run_adopt(root, dry_run=dry_run, force=force)
    _finish(outcome, printer, dry_run=dry_run)


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
