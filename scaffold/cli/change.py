"""The commands that change what exists: fields, a table's name, a whole resource, and missions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from scaffold.cli.options import (
    exit_with,
    handles_errors,
    writing,
)
from scaffold.cli.root import app
from scaffold.cli.runs import Target, apply_command

field_app = typer.Typer(
    help="Add, remove, rename or alter fields of a generated resource (migration and every layer).",
    no_args_is_help=True,
)
app.add_typer(field_app, name="field")


def _apply_change(request: Callable[[Any], Any], target: Target) -> None:
    from scaffold.commands.field import plan_field_change

    _apply_plan(
        lambda proj: plan_field_change(
            proj, request(proj), approve=target.approve, no_version=target.no_version
        ),
        target,
    )


def _apply_plan(planner: Callable[[Any], tuple[Any, Any]], target: Target) -> None:
    """``apply_command`` for a planner that returns (plan, outcome)."""

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        plan, outcome = planner(proj)
        return outcome, plan.files, plan.manifest

    exit_with(apply_command(planned, target))


@field_app.command("add")
@handles_errors
@writing("approve", "verify", "keep_failed")
def field_add(
    resource: Annotated[str, typer.Argument(help="The resource (table) to change.")],
    fields: Annotated[
        list[str], typer.Argument(help="Fields in field syntax, e.g. capacity:int:min=0.")
    ],
    *,
    target: Target,
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
        target,
    )


@field_app.command("remove")
@handles_errors
@writing("approve", "no_version", "verify", "keep_failed")
def field_remove(
    resource: Annotated[str, typer.Argument(help="The resource (table) to change.")],
    name: Annotated[str, typer.Argument(help="The field to remove.")],
    *,
    target: Target,
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
        target,
    )


@field_app.command("rename")
@handles_errors
@writing("approve", "no_version", "verify", "keep_failed")
def field_rename(
    resource: Annotated[str, typer.Argument(help="The resource (table) to change.")],
    old: Annotated[str, typer.Argument(help="Current field name.")],
    new: Annotated[str, typer.Argument(help="New field name.")],
    *,
    target: Target,
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
        target,
    )


@field_app.command("contract")
@handles_errors
@writing("verify", "keep_failed")
def field_contract(
    resource: Annotated[str, typer.Argument(help="The resource (table) renamed earlier.")],
    old: Annotated[str, typer.Argument(help="The field's name before the rename.")],
    *,
    target: Target,
) -> None:
    """Drop the old column of a rename, once no running code uses it (the contract step).

    `field rename` keeps the old column on PostgreSQL, in sync with the new one, so the
    previous release keeps working during a deploy; this writes the migration that drops it.

    Example:

        scaffold field contract contacts phone
    """
    from scaffold.commands._field_contract import plan_contract

    exit_with(apply_command(lambda proj: plan_contract(proj, resource, old), target))


@field_app.command("alter")
@handles_errors
@writing("approve", "no_version", "verify", "keep_failed")
def field_alter(
    resource: Annotated[str, typer.Argument(help="The resource (table) to change.")],
    spec: Annotated[
        str, typer.Argument(help="The field's whole new definition, e.g. name:str=200:optional.")
    ],
    backfill: Annotated[
        str | None,
        typer.Option("--backfill", help="The value existing NULLs get when it becomes required."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="The database to check for rows the new definition cannot keep "
            "(default: DATABASE_URL).",
        ),
    ] = None,
    *,
    target: Target,
) -> None:
    """Change a live column: type, length, nullability, default, unique, index, range,
    pattern or enum values; one reversible migration plus every layer.

    A narrowing change (shorter, required, fewer enum values, a tighter rule, a type
    that can lose data) is breaking: it needs --approve and is served at the next API
    version unless --no-version. Rows that would not fit are named; nothing is written.

    Example:

        scaffold field alter rooms name:str=200:optional
    """
    from scaffold.commands._field_alter import plan_alter

    exit_with(
        apply_command(
            lambda proj: plan_alter(
                proj,
                resource,
                spec,
                backfill=backfill,
                approve=target.approve,
                no_version=target.no_version,
                database_url=database_url,
            ),
            target,
        )
    )


@app.command()
@handles_errors
@writing("approve", "verify", "keep_failed")
def destroy(
    resource: Annotated[str, typer.Argument(help="The resource (table) to drop.")],
    *,
    target: Target,
) -> None:
    """Drop a table and remove its generated files (destructive: needs --approve).

    Example:

        scaffold destroy contacts --approve
    """
    from scaffold.commands.destroy import plan_destroy

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        files, outcome, manifest = plan_destroy(proj, resource, approve=target.approve)
        return outcome, files, manifest

    exit_with(apply_command(planned, target))


@app.command()
@handles_errors
@writing("approve", "no_version", "verify", "keep_failed")
def rename(
    resource: Annotated[str, typer.Argument(help="The resource (table) to rename.")],
    new_name: Annotated[str, typer.Argument(help="Its new table name, plural snake_case.")],
    singular: Annotated[
        str | None, typer.Option("--singular", help="The new singular, where English is irregular.")
    ] = None,
    *,
    target: Target,
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
            proj,
            resource,
            new_name,
            approve=target.approve,
            no_version=target.no_version,
            singular=singular,
        ),
        target,
    )


@app.command()
@handles_errors
@writing("approve", "verify", "keep_failed")
def mission(
    sentence: Annotated[str, typer.Argument(help="What you want, in one English sentence.")],
    *,
    target: Target,
) -> None:
    """Turn a sentence into actions, show the plan, apply it, prove it in a report.

    Understands: add TABLE [with FIELDS] [for PARENT | to support PURPOSE]; add FIELDS
    to TABLE; add GET /api/v1/PARENTS/{id}/CHILDREN endpoint, or "list a PARENT's
    CHILDREN"; optimize ... queries / add missing indexes; "TABLE need an index on
    COLUMN" (index add); "make COLUMN unique on TABLE", "A must be after B on TABLE"
    (constraint add); "make COLUMN optional on TABLE", "allow longer COLUMNs on TABLE",
    "default COLUMN of TABLE to V" (field alter); "rate-limit TABLE to 100 requests per
    minute" (limit); pool, CORS and default-limit settings; drop/rename/remove ...
    (escalated: needs --approve). A request already satisfied ("paginate TABLE") is
    answered, exit 0, nothing written.

    Example:

        scaffold mission "add weekly_requirements table with resident_id, week_start date, min_hours int for Block scheduling"
    """
    from scaffold.commands.mission import run_mission

    def planned(proj: Any) -> tuple[Any, list | None, Any]:
        # A mission applies and proves its steps itself, one transaction for them all.
        outcome = run_mission(
            proj,
            sentence,
            approve=target.approve,
            dry_run=target.dry_run,
            force=target.force,
            verify=target.verify,
        )
        return outcome, None, None

    exit_with(apply_command(planned, target, preamble=_print_plan))


def _print_plan(outcome: Any, printer: Any) -> None:
    if not outcome.actions and not outcome.escalations:
        printer.say("Plan: nothing to change.")
        return
    printer.say("Plan:")
    for action in outcome.actions:
        printer.say(f"  {action}")
    for esc in outcome.escalations:
        printer.say(f"  escalation: {esc['reason']}")
    printer.say("")
