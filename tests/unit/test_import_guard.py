"""The hot path stays light: no heavy library is imported by ``scaffold --help`` or by the
spec, checks and mission packages (STYLE rule 7).

Not a timing test: each case starts a fresh interpreter with ``-X importtime`` and
reads the names of the modules it imported from stderr, so the result does not depend
on how fast the machine is, or on what this pytest process has already imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.helpers import REPO

HEAVY = ("copier", "black", "sqlalchemy", "alembic", "libcst", "jinja2", "pydantic")


@dataclass(frozen=True)
class Imported:
    level: int  # nesting depth in the importtime tree (0 = imported by the script itself)
    name: str


def imported_modules(
    *args: str, cwd: Path | None = None, extra_env: dict[str, str] | None = None
) -> tuple[list[Imported], subprocess.CompletedProcess[str]]:
    """Run ``python -X importtime ARGS`` and return every module it imported, in order."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME")
    }
    env.update(extra_env or {})
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        check=False,
        timeout=120,
    )
    modules = []
    for line in proc.stderr.splitlines():
        # "import time:   self [us] | cumulative | <2*level spaces>name"
        if not line.startswith("import time:"):
            continue
        parts = line.split("|")
        if len(parts) != 3 or "imported package" in parts[2]:
            continue
        raw = parts[2][1:]  # one separator space, then two spaces per level
        name = raw.lstrip(" ")
        modules.append(Imported((len(raw) - len(name)) // 2, name.strip()))
    return modules, proc


def heavy_offenders(modules: list[Imported]) -> list[str]:
    """One line per heavy top-level package: the first module of it and who imported it."""
    seen: set[str] = set()
    lines = []
    for i, mod in enumerate(modules):
        top = mod.name.split(".")[0]
        if top not in HEAVY or top in seen:
            continue
        seen.add(top)
        # importtime prints a module before the module that imported it: walk forward
        # and collect each shallower entry to get the chain up to the top.
        chain, level = [mod.name], mod.level
        for later in modules[i + 1 :]:
            if later.level < level:
                chain.append(later.name)
                level = later.level
        lines.append(f"{top}: " + " <- ".join(chain))
    return lines


def typer_pulls_pydantic(offenders: list[str]) -> bool:
    """True when the only offender is pydantic, imported by typer itself.

    Recent typer (0.29.2 here) depends on pydantic and builds a pydantic
    ``TypeAdapter`` the first time it coerces a non-bool parameter value, which
    happens on every subcommand invocation (even ``scaffold resource --help``: the
    group's unset ``--help`` value is coerced). scaffold code cannot avoid that import;
    only pinning an older typer or leaving typer can. Any other offender, or pydantic
    imported by anything but typer, is a real regression and fails.
    """
    return bool(offenders) and all(
        line.startswith("pydantic: ") and " <- typer." in line for line in offenders
    )


def assert_light(args: tuple[str, ...]) -> None:
    modules, proc = imported_modules(*args)
    assert proc.returncode == 0, (
        f"python {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-2000:]}"
    )
    assert modules, "no -X importtime output was parsed; has its format changed?"
    offenders = heavy_offenders(modules)
    if typer_pulls_pydantic(offenders):
        pytest.xfail("third-party: typer imports pydantic for parameter coercion: " + offenders[0])
    assert not offenders, f"`python {' '.join(args)}` imports heavy modules:\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    "args",
    [
        ("-c", "import scaffold.cli.app"),
        ("-m", "scaffold", "--help"),
        ("-m", "scaffold", "resource", "--help"),
        ("-m", "scaffold", "new", "--help"),
    ],
    ids=["import-cli", "help", "resource-help", "new-help"],
)
def test_cli_startup_imports_no_heavy_module(args: tuple[str, ...]) -> None:
    assert_light(args)


def test_python_m_scaffold_help_works() -> None:
    """The import guard above relies on ``python -m scaffold`` behaving like ``scaffold``."""
    proc = subprocess.run(
        [sys.executable, "-m", "scaffold", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "resource" in proc.stdout


@pytest.mark.parametrize("package", ["scaffold.spec", "scaffold.checks", "scaffold.mission"])
def test_light_packages_import_no_heavy_module(package: str) -> None:
    assert_light(("-c", f"import {package}"))


def test_offender_report_names_the_import_chain() -> None:
    modules = [
        Imported(2, "pydantic.version"),
        Imported(1, "pydantic"),
        Imported(1, "typer.models"),
        Imported(0, "typer"),
        Imported(0, "scaffold.cli.app"),
    ]
    assert heavy_offenders(modules) == ["pydantic: pydantic.version <- pydantic <- typer"]


def test_only_typer_pulling_pydantic_is_tolerated() -> None:
    via_typer = "pydantic: pydantic.version <- pydantic <- typer._adapters"
    assert typer_pulls_pydantic([via_typer])
    assert not typer_pulls_pydantic(["pydantic: pydantic <- scaffold.spec.fields"])
    assert not typer_pulls_pydantic([via_typer, "jinja2: jinja2 <- scaffold.generate.engine"])
    assert not typer_pulls_pydantic([])


# The entry point (``scaffold`` = ``python -m scaffold``) serves help from a cache of
# typer's own output and parses ``resource`` itself: neither may load typer or pydantic.
FAST_HEAVY = (*HEAVY, "typer")


def assert_fast(args: tuple[str, ...], *, cwd: Path | None = None, cache: Path) -> None:
    env = {"XDG_CACHE_HOME": str(cache)}
    modules, proc = imported_modules(*args, cwd=cwd, extra_env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = {m.name.split(".")[0] for m in modules}
    allowed = {"jinja2", "markupsafe"} if "resource" in args and "--help" not in args else set()
    heavy = sorted((loaded & set(FAST_HEAVY)) - allowed)
    assert not heavy, f"`python {' '.join(args)}` imports {heavy}"


@pytest.mark.parametrize(
    "args",
    [("--help",), ("resource", "--help"), ("new", "--help"), ("mission", "--help")],
    ids=["help", "resource-help", "new-help", "mission-help"],
)
def test_help_is_served_without_typer_once_cached(args: tuple[str, ...], tmp_path: Path) -> None:
    first = subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)},
        check=False,
    )
    assert first.returncode == 0, first.stderr
    assert_fast(("-m", "scaffold", *args), cache=tmp_path)


def test_cached_help_is_exactly_what_typer_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scaffold.cli import runner

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for argv in (["--help"], ["resource", "--help"], ["field", "add", "--help"]):
        code, text = runner._typer_help(argv)
        assert code == 0 and "Usage:" in text
        runner._help_cache_path(tuple(argv)).parent.mkdir(parents=True, exist_ok=True)
        runner._help_cache_path(tuple(argv)).write_text(text)
        proc = subprocess.run(
            [sys.executable, "-m", "scaffold", *argv],
            capture_output=True,
            text=True,
            cwd=REPO,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)},
            check=False,
        )
        assert proc.stdout == text


def test_resource_command_runs_without_typer_or_database_libraries(
    mini_project: Path, tmp_path: Path
) -> None:
    assert_fast(
        ("-m", "scaffold", "resource", "rooms", "name:str=40", "-q", "--no-verify"),
        cwd=mini_project,
        cache=tmp_path,
    )
    assert (mini_project / "app/models/rooms.py").is_file()


def test_fast_resource_parser_reads_argv_like_typer() -> None:
    from scaffold.cli.runner import parse_resource_argv

    parsed = parse_resource_argv(
        [
            "rooms",
            "name:str",
            "--unique",
            "a,b",
            "--check=a<=b",
            "--api-version",
            "2",
            "-q",
            "--",
            "-odd",
        ]
    )
    assert parsed is not None
    assert parsed["name"] == "rooms" and parsed["fields"] == ["name:str", "-odd"]
    assert parsed["uniques"] == ["a,b"] and parsed["checks"] == ["a<=b"]
    assert parsed["api_version"] == 2 and parsed["quiet"] is True
    for handled_by_typer in (
        ["rooms", "--help"],
        ["rooms", "--api-version", "x"],
        ["rooms", "--bogus"],
        [],
    ):
        assert parse_resource_argv(handled_by_typer) is None
