"""``scaffold mcp``: the commands as Model Context Protocol tools, for coding agents.

One server per project (the folder it starts in, or ``--project``), on stdio. Every
tool runs the same command a person would, ``scaffold ... --json`` in a child process
(an argument list, never a shell), so it goes through the same validation, the same
project lock and the same proof, and its result is the same document ``--json``
prints. What needs a human stays with one: ``apply`` refuses ``--approve`` and
``--force``, and an escalated change comes back unwritten, saying who must re-run it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from scaffold import __version__
from scaffold.agent_docs import NAMES, document

# Commands an agent may plan and apply; `check` and `report` have tools of their own.
CHANGES = frozenset(
    {
        "resource",
        "field",
        "endpoint",
        "mission",
        "index",
        "constraint",
        "destroy",
        "upgrade",
        "auth",
        "rename",
        "limit",
    }
)
# Flags that decide where and how much is written: the server sets them, or a human does.
REFUSED_FLAGS = {
    "--approve": "approving an escalated change is a human's decision",
    "--force": "overwriting files a person edited is a human's decision",
    "--keep-failed": "writing a change whose proof failed is a human's decision",
    "--project": "the server works on the project it was started in",
    "--json": "the server asks for JSON itself",
    "--dry-run": "use the plan tool to see a change without writing it",
}
EXIT_CODES = {
    0: "done",
    1: "a check failed (scaffold check found an error, a change's proof failed, or files "
    "conflict with your edits); nothing was written",
    2: "bad input (unknown type, bad name, unparsable sentence, not a project): the message "
    "names the bad token and shows a working example; nothing was written",
    3: "the change is escalated and needs a human: re-run it with --approve; nothing was written",
}
TIMEOUT = 900
_REPORT_NAME = re.compile(r"[A-Za-z0-9._-]+\.md")

INSTRUCTIONS = """\
scaffold writes every layer of a change into this FastAPI project (model, migration,
schemas, service, router, tests) and proves it before writing. Use `plan` to see a
change (files, diffs, escalations; nothing written), then `apply` to write it; read
scaffold://docs/fields and scaffold://docs/missions for the syntax. Never write
migrations or layers by hand. An escalated change (exit code 3) must be approved by a
human: tell them the command to run with --approve. `check` lints the project,
`report` shows the report of the last change, `resources` lists what scaffold made.
"""


Command = Annotated[
    str,
    Field(
        description="A scaffold command line without the leading 'scaffold', e.g. "
        "'resource rooms name:str=80 capacity:int:min=0' or "
        "'mission \"add missing indexes\"'. See scaffold://docs/fields."
    ),
]


class ToolFailure(Exception):
    """A tool input scaffold refuses; the message says why and how to fix it."""


def split_command(command: str) -> list[str]:
    """The argument list of ``command`` (``scaffold`` itself optional), refused when it
    is not a change scaffold makes or carries a flag only a human or the server sets.

    >>> split_command('scaffold resource rooms name:str=80')
    ['resource', 'rooms', 'name:str=80']
    >>> try:
    ...     split_command('mission "add missing indexes" --approve')
    ... except ToolFailure as exc:
    ...     print(exc)
    --approve is not accepted here: approving an escalated change is a human's decision. Example: mission 'add missing indexes'
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ToolFailure(
            f"The command cannot be read ({exc}). Example: resource rooms name:str=80"
        ) from None
    if argv[:1] == ["scaffold"]:
        argv = argv[1:]
    if not argv or argv[0] not in CHANGES:
        given = argv[0] if argv else "(nothing)"
        raise ToolFailure(
            f"{given!r} is not a change scaffold makes through this tool; one of "
            f"{', '.join(sorted(CHANGES))} is. Example: resource rooms name:str=80"
        )
    for item in argv[1:]:
        flag = item.partition("=")[0]
        if flag in REFUSED_FLAGS:
            kept = shlex.join(a for a in argv if a.partition("=")[0] != flag)
            raise ToolFailure(
                f"{flag} is not accepted here: {REFUSED_FLAGS[flag]}. Example: {kept}"
            )
    return argv


class Scaffold:
    """Runs scaffold commands on one project and returns their ``--json`` documents."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def run(self, argv: list[str]) -> dict[str, Any]:
        # A child process: its output cannot reach the protocol stream on our stdout.
        env = {**os.environ, "NO_COLOR": "1"}
        env.pop("SCAFFOLD_DEBUG", None)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "scaffold", *argv, "--json", "--project", str(self.root)],
                cwd=self.root,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ToolFailure(f"scaffold {argv[0]} did not finish in {TIMEOUT} s.") from None
        try:
            document_ = json.loads(done.stdout)
        except ValueError:
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ToolFailure(f"scaffold {argv[0]} failed: {reason}") from None
        if not isinstance(document_, dict):
            raise ToolFailure(f"scaffold {argv[0]} printed no JSON document.")
        document_.setdefault("exit_code", done.returncode)
        if done.returncode == 2:
            message = document_.get("error") or (done.stderr.strip() or "bad input")
            raise ToolFailure(str(message).removeprefix("error: "))
        return document_

    def change(self, command: str, *, write: bool) -> dict[str, Any]:
        argv = split_command(command)
        result = self.run(argv if write else [*argv, "--dry-run"])
        if result.get("exit_code") == 3:
            result["needs_human"] = (
                "This change is escalated: nothing was written. A person must review it and "
                f"run `scaffold {shlex.join(argv)} --approve` in {self.root}."
            )
        result["written"] = write and result.get("exit_code") == 0
        return result

    def check(self, alembic: bool) -> dict[str, Any]:
        return self.run(["check"] if alembic else ["check", "--no-alembic"])

    def report(self, which: str) -> dict[str, Any]:
        if which == "last":
            return self.run(["report", "--last"])
        if not _REPORT_NAME.fullmatch(which):
            raise ToolFailure(
                f"{which!r} is not a report name; give 'last' or a file name from "
                ".scaffold/reports/ such as 20261201-120000-rooms.md."
            )
        folder = (self.root / ".scaffold" / "reports").resolve()
        path = (folder / which).resolve()
        if path.parent != folder or not path.is_file():
            raise ToolFailure(f"No report {which!r} in .scaffold/reports/.")
        return {"report_path": path.relative_to(self.root).as_posix(), "markdown": path.read_text()}

    def resources(self) -> dict[str, Any]:
        from scaffold.errors import ProjectError
        from scaffold.project.manifest import Manifest, stored_args

        manifest = Manifest.load(self.root)
        found = []
        for table, entry in sorted(manifest.resources.items()):
            try:
                args = stored_args(entry)
            except ProjectError:
                args = None  # a broken entry: listed without its fields
            found.append(
                {
                    "table": table,
                    "class_name": entry.get("class_name"),
                    "singular": entry.get("singular"),
                    "fields": list(args.fields) if args else [],
                    "command": shlex.join(args.argv()) if args else None,
                    "api_versions": entry.get("api_versions", [entry.get("api_version", 1)]),
                    "files": sorted(
                        path
                        for path, info in manifest.files.items()
                        if info.get("resource") == table
                    ),
                }
            )
        return {"resources": found}


def explain(code: str) -> dict[str, Any]:
    from scaffold.checks import RULES

    text = code.strip().upper()
    if text in RULES:
        rule = RULES[text]
        return {"code": rule.code, "severity": rule.severity, "explanation": rule.explain()}
    if text.isdigit() and int(text) in EXIT_CODES:
        return {"code": int(text), "explanation": f"exit code {text}: {EXIT_CODES[int(text)]}"}
    raise ToolFailure(
        f"{code!r} is neither a check rule ({', '.join(RULES)}) nor an exit code (0-3). "
        "Example: SC101"
    )


def build_server(root: Path) -> Any:
    """The MCP server for the project at ``root`` (imports the SDK; not on the CLI's path)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    runner = Scaffold(root)
    server = MCPServer(name="scaffold", version=__version__, instructions=INSTRUCTIONS)

    def guarded(call: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = call()
        except ToolFailure as exc:
            raise ToolError(str(exc)) from None
        return result

    @server.tool(
        description="Show what a change would do: files with diffs, the plan per "
        "layer, escalations. Nothing is written."
    )
    def plan(command: Command) -> dict[str, Any]:
        return guarded(lambda: runner.change(command, write=False))

    @server.tool(
        description="Make a change: write every layer, proved first. Escalated "
        "changes (exit code 3) are not written; a human must approve them."
    )
    def apply(command: Command) -> dict[str, Any]:
        return guarded(lambda: runner.change(command, write=True))

    @server.tool(
        description="Lint the project against the standing orders: findings with "
        "path, line, col, code, severity and message."
    )
    def check(
        alembic: Annotated[
            bool,
            Field(description="Also run `alembic check` (slower: it migrates a scratch database)."),
        ] = False,
    ) -> dict[str, Any]:
        return guarded(lambda: runner.check(alembic))

    @server.tool(
        description="The Platform Coordination Report of the last change, or of a "
        "report file in .scaffold/reports/."
    )
    def report(
        which: Annotated[str, Field(description="'last' or a report file name")] = "last",
    ) -> dict[str, Any]:
        return guarded(lambda: runner.report(which))

    @server.tool(
        description="The resources scaffold generated here: table, fields, the "
        "command that made it, API versions and files."
    )
    def resources() -> dict[str, Any]:
        return guarded(runner.resources)

    @server.tool(
        name="explain", description="Explain a check rule (e.g. SC101) or an exit code (0-3)."
    )
    def explain_tool(code: Annotated[str, Field(description="SC101 ... or 0-3")]) -> dict[str, Any]:
        return guarded(lambda: explain(code))

    for name in NAMES:
        server.resource(
            f"scaffold://docs/{name}",
            name=name,
            mime_type="text/markdown",
            description=document(name).splitlines()[0].lstrip("# "),
        )(_reader(name))
    return server


def _reader(name: str) -> Any:
    def read() -> str:
        return document(name)

    return read


def serve(project: Path | None) -> None:
    """Run the server on stdio for ``project`` (or the current folder's project)."""
    from scaffold.project.core import Project

    root = Project.find(project, explicit=project is not None).root
    build_server(root).run("stdio")
