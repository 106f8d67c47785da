"""The console entry point and its fast path (the command bodies: ``command_runs``).

typer builds its parameters with pydantic, which costs ~150 ms per run. The
two things run most often from an editor loop take a shortcut: ``--help``
(served from a cache of typer's own output, keyed by scaffold's version and
the CLI source) and ``scaffold resource`` (parsed here; anything unusual falls
back to typer, so errors read the same).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.cli.runs import Target, guard, resource_args, run_check_command, run_resource

# --- the fast path ----------------------------------------------------------------

_VALUE_OPTIONS = {
    "--singular": "singular",
    "--parent": "parent",
    "--id": "id_type",
    "--api-version": "api_version",
    "--rate-limit": "rate_limit",
    "--project": "project",
}
_MULTI_OPTIONS = {"--unique": "uniques", "--check": "checks"}
_FLAGS = {
    "--verify": "verify",
    "--approve": "approve",
    "--no-version": "no_version",
    "--dry-run": "dry_run",
    "--force": "force",
    "--keep-failed": "keep_failed",
    "--owned": "owned",
    "--public": "public",
    "--admin-writes": "admin_writes",
    "--json": "json_output",
    "--quiet": "quiet",
    "-q": "quiet",
}


def parse_resource_argv(argv: list[str]) -> dict[str, Any] | None:
    """typer's reading of ``scaffold resource ...``, or None to let typer handle it.

    >>> parse_resource_argv(["rooms", "name:str", "--parent", "blocks"])["parent"]
    'blocks'
    """
    values: dict[str, Any] = {"fields": [], "uniques": [], "checks": [], "verify": True}
    positional: list[str] = []
    i, only_args = 0, False
    while i < len(argv):
        token = argv[i]
        if only_args or not token.startswith("-") or token == "-":
            positional.append(token)
        elif token == "--":
            only_args = True
        else:
            key, eq, inline = token.partition("=")
            if key in _FLAGS and not eq:
                values[_FLAGS[key]] = True
            elif key == "--no-verify" and not eq:
                values["verify"] = False
            elif key in _VALUE_OPTIONS or key in _MULTI_OPTIONS:
                if eq:
                    value = inline
                elif i + 1 < len(argv):
                    i += 1
                    value = argv[i]
                else:
                    return None
                if key in _MULTI_OPTIONS:
                    values[_MULTI_OPTIONS[key]].append(value)
                else:
                    values[_VALUE_OPTIONS[key]] = value
            else:
                return None  # --help, unknown options, typos: typer says it best
        i += 1
    if not positional:
        return None
    if "api_version" in values:
        if not values["api_version"].isdigit():
            return None
        values["api_version"] = int(values["api_version"])
    values["name"], values["fields"] = positional[0], positional[1:]
    return values


def _help_cache_path(key: tuple[str, ...]) -> Path:
    # The help text is the typer app's: every module of this package may change it.
    source = b"".join(f.read_bytes() for f in sorted(Path(__file__).parent.glob("*.py")))
    width = os.environ.get("COLUMNS", "")
    digest = hashlib.sha256(
        source + __version__.encode() + width.encode() + "\0".join(key).encode()
    ).hexdigest()[:24]
    from scaffold.resources import cache_dir

    return cache_dir("help") / f"{digest}.txt"


def _help_key(argv: list[str]) -> tuple[str, ...] | None:
    if not argv or argv[-1] not in ("--help", "-h"):
        return None
    if any(a.startswith("-") for a in argv[:-1]) or len(argv) > 3:
        return None
    return tuple(argv)


def _typer_help(argv: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    from scaffold.cli.app import app

    buffer = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buffer):
        try:
            app(args=argv, prog_name="scaffold")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, buffer.getvalue()


_CHECK_VALUES = {"--project": "project", "--database-url": "database_url", "--explain": "explain"}
_CHECK_FLAGS = {
    "--no-alembic": "no_alembic",
    "--no-cache": "no_cache",
    "--json": "json_output",
    "--quiet": "quiet",
    "-q": "quiet",
}


def parse_check_argv(argv: list[str]) -> dict[str, Any] | None:
    """``scaffold check`` options, or None for anything typer should handle (help, typos)."""
    options: dict[str, Any] = {name: None for name in _CHECK_VALUES.values()}
    options.update({name: False for name in _CHECK_FLAGS.values()})
    items = iter(argv)
    for item in items:
        name, equals, value = item.partition("=")
        if name in _CHECK_VALUES:
            if not equals:
                value = next(items, "")
            if not value or value.startswith("-"):
                return None
            options[_CHECK_VALUES[name]] = value
        elif item in _CHECK_FLAGS:
            options[_CHECK_FLAGS[item]] = True
        else:
            return None
    return options


# The resource command's flags that ride in its Target.
_TARGET_FLAGS = ("dry_run", "force", "json_output", "quiet", "approve", "no_version", "verify")


def fast_main(argv: list[str]) -> bool:
    """Handle ``argv`` without typer when possible; False means "run typer"."""
    key = _help_key(argv)
    if key is not None:
        path = _help_cache_path(key)
        try:
            sys.stdout.write(path.read_text(encoding="utf-8"))
            return True
        except OSError:
            pass
        code, text = _typer_help(argv)
        sys.stdout.write(text)
        if code == 0:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            except OSError:
                pass
        sys.exit(code)
    if argv[:1] == ["check"]:
        options = parse_check_argv(argv[1:])
        if options is None:
            return False
        sys.exit(guard("check", bool(options["json_output"]), lambda: run_check_command(**options)))
    if argv[:1] == ["resource"]:
        parsed = parse_resource_argv(argv[1:])
        if parsed is None:
            return False
        args = resource_args(
            parsed["name"],
            parsed["fields"],
            singular=parsed.get("singular"),
            parent=parsed.get("parent"),
            uniques=parsed["uniques"],
            checks=parsed["checks"],
            id_type=parsed.get("id_type", "int"),
            api_version=parsed.get("api_version", 1),
            owned=bool(parsed.get("owned")),
            public=bool(parsed.get("public")),
            admin_writes=bool(parsed.get("admin_writes")),
            rate_limit=parsed.get("rate_limit"),
        )
        target = Target(
            project=Path(parsed["project"]) if parsed.get("project") else None,
            **{k: bool(parsed.get(k)) for k in _TARGET_FLAGS},
        )
        from scaffold.apply.pipeline import keeping_failed

        with keeping_failed(bool(parsed.get("keep_failed"))):
            code = guard("resource", target.json_output, lambda: run_resource(args, target))
        sys.exit(code)
    return False


def main() -> None:
    """Console entry point (``scaffold``): the fast path first, typer for everything else."""
    if not fast_main(sys.argv[1:]):
        from scaffold.cli.app import app

        app(prog_name="scaffold")
