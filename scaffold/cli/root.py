"""The typer app and its group: usage errors read like every other scaffold error."""

from __future__ import annotations

import sys
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
