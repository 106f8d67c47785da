"""The commands that make things: a resource, sign-in, a project, an endpoint, indexes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from scaffold.cli.options import (
    JsonOpt,
    QuietOpt,
    exit_with,
    handles_errors,
    writing,
)
from scaffold.cli.root import app
from scaffold.cli.runs import Target, apply_command, resource_args, run_resource

_RATE_HELP = (
    "Requests per client to all its routes, e.g. 100/minute (on top of RATE_LIMIT_DEFAULT; "
    "`scaffold limit` changes it later)."
)


@app.command()
@handles_errors
@writing("verify", "keep_failed", "approve", "no_version")
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
    rate_limit: Annotated[str | None, typer.Option("--rate-limit", help=_RATE_HELP)] = None,
    *,
    target: Target,
) -> None:
    """Create a table and all six layers for it.

    Example:

        scaffold resource weekly_requirements resident_id:ref=residents:ondelete=cascade week_start:date min_hours:int:min=0

    Creates app/models/NAME.py, migrations/versions/REV_create_NAME.py,
    app/schemas/NAME.py, app/services/NAME.py, app/api/v1/NAME.py,
    tests/factories/NAME.py and tests/test_NAME.py.
    """
    args = resource_args(
        name,
        fields or (),
        singular=singular,
        parent=parent,
        uniques=unique or (),
        checks=check or (),
        id_type=id_type,
        api_version=api_version,
        owned=owned,
        public=public,
        admin_writes=admin_writes,
        rate_limit=rate_limit,
    )
    exit_with(run_resource(args, target))


@app.command()
@handles_errors
@writing("approve", "verify", "keep_failed")
def auth(
    *,
    target: Target,
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
        files, manifest, outcome = plan_auth(proj, approve=target.approve)
        return outcome, files, manifest

    exit_with(apply_command(planned, target))


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


@app.command()
@handles_errors
@writing("verify", "keep_failed")
def endpoint(
    route: Annotated[
        str,
        typer.Argument(
            help='METHOD and path, e.g. "GET /api/v1/residents/{id}/weekly-requirements".'
        ),
    ],
    *,
    target: Target,
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

    exit_with(apply_command(planned, target))


@app.command()
@handles_errors
@writing("verify", "keep_failed", "approve")
def index(
    action: Annotated[
        str | None, typer.Argument(help="add: one index on TABLE's COLUMNS (a,b).")
    ] = None,
    table: Annotated[str | None, typer.Argument(help="The table (any, generated or not).")] = None,
    columns: Annotated[str | None, typer.Argument(help="Its columns, in order: a or a,b.")] = None,
    missing: Annotated[
        bool, typer.Option("--missing", help="Index foreign keys and filter columns that lack one.")
    ] = False,
    unique: Annotated[
        bool, typer.Option("--unique", help="add: a unique index (409 on a duplicate).")
    ] = False,
    where: Annotated[
        str | None, typer.Option("--where", help='add: a partial index, e.g. "active = true".')
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="add --unique: the database to check for duplicates "
            "(default: DATABASE_URL, then .env).",
        ),
    ] = None,
    *,
    target: Target,
) -> None:
    """Add an index to a table (`index add`) or every missing one (`index --missing`),
    and measure the lookups it speeds up.

    `index add` writes one migration (CREATE INDEX CONCURRENTLY on PostgreSQL) and
    updates the model; --unique first checks the database for rows that already share
    values. In an adopted project, models scaffold did not generate are edited only
    with --approve; without it the diffs are shown and nothing is written.

    Examples:

        scaffold index add shifts starts_at

        scaffold index add contacts email --unique

        scaffold index --missing
    """
    from scaffold.commands.index import manifest_with_indexes, plan_index, refuse_hand_written_edits

    if action is not None:
        from scaffold.commands._index_add import plan_index_add
        from scaffold.commands._index_catalog import request_of

        request = request_of(action, table, columns, unique=unique, where=where, missing=missing)

        def planned_add(proj: Any) -> tuple[Any, list | None, Any]:
            outcome, files, manifest = plan_index_add(proj, request, database_url=database_url)
            if files and proj.adopted and not target.approve and not target.dry_run:
                again = f"{request.command()} --approve"
                refuse_hand_written_edits(proj, files, edit="an Index", example=again)
            return outcome, files, manifest

        exit_with(apply_command(planned_add, target))
        return
    if not missing or unique or where is not None:
        from scaffold.errors import InputError

        raise InputError(
            "index needs `add TABLE COLUMNS` (--unique and --where go with it) or --missing.",
            token="index",
            example="scaffold index --missing",
        )

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        files, outcome, found = plan_index(proj)
        if not files:
            return outcome, None, None
        if proj.adopted and not target.approve and not target.dry_run:
            refuse_hand_written_edits(proj, files)
        outcome.extra["index_missing"] = [(m.model.table, m.column) for m in found]
        return outcome, files, manifest_with_indexes(proj, found)

    exit_with(apply_command(planned, target))


@app.command()
@handles_errors
@writing("verify", "keep_failed", "approve")
def constraint(
    action: Annotated[str, typer.Argument(help="add or drop: a rule on a live table.")],
    table: Annotated[str, typer.Argument(help="The table.")],
    unique: Annotated[
        str | None, typer.Option("--unique", help="Columns whose values are unique together: a,b.")
    ] = None,
    check: Annotated[
        str | None, typer.Option("--check", help='A CHECK rule, e.g. "starts_at<ends_at".')
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="The database to check for rows that break the rule (default: DATABASE_URL).",
        ),
    ] = None,
    *,
    target: Target,
) -> None:
    """Add (or drop) a unique or CHECK rule on a live table (409/422 in a generated API).

    Rows that already break it are named and nothing is written; the migration
    re-checks before it adds the rule (a CHECK: NOT VALID, then VALIDATE, on PostgreSQL).

    Examples:

        scaffold constraint add shifts --check "starts_at<ends_at"

        scaffold constraint add shifts --unique resident_id,starts_at

        scaffold constraint drop shifts --check "starts_at<ends_at"
    """
    from scaffold.commands.constraint import plan_constraint_add, plan_constraint_drop

    if action == "drop":
        exit_with(
            apply_command(
                lambda proj: plan_constraint_drop(proj, table, unique=unique, check=check), target
            )
        )
        return
    if action != "add":
        from scaffold.errors import InputError

        raise InputError(
            f"Unknown constraint action {action!r}: add or drop.",
            token=action,
            example=f"scaffold constraint add {table} --unique {unique or 'a,b'}",
        )

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        outcome, files, manifest = plan_constraint_add(
            proj, table, unique=unique, check=check, database_url=database_url
        )
        if files and proj.adopted and not target.approve and not target.dry_run:
            from scaffold.commands.index import refuse_hand_written_edits

            rule = f"--unique {unique}" if unique else f'--check "{check}"'
            again = f"scaffold constraint add {table} {rule} --approve"
            refuse_hand_written_edits(proj, files, edit="an Index", example=again)
        return outcome, files, manifest

    exit_with(apply_command(planned, target))


@app.command()
@handles_errors
@writing("verify", "keep_failed")
def limit(
    resource: Annotated[str, typer.Argument(help="The generated resource (table) to limit.")],
    rate: Annotated[
        str | None,
        typer.Argument(help="Requests per client over all its routes: 100/minute, 5/second."),
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Drop the resource's own limit.")
    ] = False,
    *,
    target: Target,
) -> None:
    """Rate-limit a generated resource: the N+1th request of a client in the period is a 429.

    Counted per client address over all the resource's routes, on top of
    RATE_LIMIT_DEFAULT; kept in the manifest (`upgrade` keeps it), proved by a test of the
    429. No migration. The same as `scaffold resource NAME ... --rate-limit RATE`.

    Examples:

        scaffold limit residents 100/minute

        scaffold limit residents --remove
    """
    from scaffold.commands.limit import plan_limit

    if (rate is not None) != remove:
        exit_with(apply_command(lambda proj: plan_limit(proj, resource, rate), target))
        return
    from scaffold.errors import InputError

    raise InputError(
        "Give the rate (e.g. 100/minute) or --remove, not both."
        if remove
        else f"How many requests? Give a rate after {resource}: REQUESTS/PERIOD.",
        token=rate or resource,
        example=f"scaffold limit {resource} 100/minute",
    )
