"""Options declared once: the typer aliases, ``@writing`` (the options every writing
command takes, handed to it as one ``Target``) and ``@handles_errors``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from scaffold.cli.runs import Target, guard

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
        "--verify/--no-verify",
        help="Prove the change before writing it (the touched tests, the migration round "
        "trip, alembic check, an import of the app, in a scratch copy); --no-verify writes "
        "it with ruff's verdict alone, and the report says so.",
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

# What every writing command takes, in this order at the end of its options.
WRITING_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("project", ProjectOpt, None),
    ("dry_run", DryRunOpt, False),
    ("force", ForceOpt, False),
    ("json_output", JsonOpt, False),
    ("quiet", QuietOpt, False),
)
# The options of a change that a writing command may take, before those, with defaults.
CHANGE_OPTIONS: dict[str, tuple[Any, bool]] = {
    "approve": (ApproveOpt, False),
    "no_version": (NoVersionOpt, False),
    "verify": (VerifyOpt, True),
    "keep_failed": (KeepFailedOpt, False),
}


def writing(*change: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the ``change`` options (``approve``, ``no_version``, ``verify``,
    ``keep_failed``, in the order given) and then ``--project --dry-run --force --json
    --quiet``; the function receives them as its keyword-only ``target`` (``keep_failed``
    is ``handles_errors``'s; an option the command does not take is False there)."""

    names = [name for name, _, _ in WRITING_OPTIONS]
    names += [name for name in change if name != "keep_failed"]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            target = Target(**{name: kwargs.pop(name) for name in names})
            return func(*args, target=target, **kwargs)

        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "target"]
        keyword = inspect.Parameter.KEYWORD_ONLY
        options = [(name, *CHANGE_OPTIONS[name]) for name in change] + list(WRITING_OPTIONS)
        shared = [
            inspect.Parameter(name, keyword, default=default, annotation=kind)
            for name, kind, default in options
        ]
        wrapper.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
        return wrapper

    return decorate


def handles_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ScaffoldError into one paragraph and its exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
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


def exit_with(code: int) -> None:
    """End the command with ``code`` (0: normally)."""
    if code:
        raise typer.Exit(code)


def find_project(path: Path | None) -> Any:
    from scaffold.project.core import Project

    return Project.find(path, explicit=path is not None)
