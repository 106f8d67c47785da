"""What the proof says when the project's ruff config still finds something in the files
scaffold wrote, after ruff's safe fixes and ``ruff format`` ran under that config: each
finding, and what to change about it.

Every generated file is held clean under ``TESTED`` (tests/e2e/test_lint_families.py),
``S`` outside tests only. A finding of those rules is scaffold's to fix; a finding of a
rule beyond them is the project's choice, which ``[tool.ruff.lint.per-file-ignores]``
can scope away from generated files.
"""

from __future__ import annotations

import re
import subprocess
from typing import TYPE_CHECKING

from scaffold.apply.own import FINDING

if TYPE_CHECKING:
    from pathlib import Path

# The families of ruff rules generated code is tested clean under, by code prefix.
TESTED = (
    *("E", "W", "F", "I", "B", "C4", "UP", "ARG", "PT", "SIM", "RUF", "N", "ASYNC", "S"),
    *("T20", "EM", "TRY", "PLC", "PLE", "PLR", "PLW", "DTZ", "FBT", "TC", "PERF"),
)
SHOWN = 10  # findings listed in the message; the command that lists them all follows


# What may have written a file, by where it lives: the templates to name in a report.
_ROLES = (
    ("/versions/", "templates/resource/migration.py.jinja"),
    (
        "/factories/",
        "templates/resource/factory.py.jinja, templates/adopted/parent_factory.py.jinja",
    ),
    ("/models/", "templates/resource/model.py.jinja"),
    ("/schemas/", "templates/resource/schemas.py.jinja"),
    ("/services/", "templates/resource/service.py.jinja"),
    ("/api/", "templates/resource/router.py.jinja"),
    ("/test_", "templates/resource/test.py.jinja, templates/resource/test/"),
)
# The names of sign-in's files (templates/auth/), wherever a project keeps them.
_AUTH = ("users.py", "test_users.py", "test_auth.py", "auth.py", "deps.py")


def family(code: str) -> str | None:
    """The tested family ``code`` belongs to, or None for a rule beyond them."""
    letters = code.rstrip("0123456789")
    digits = code[len(letters) :]
    for prefix in TESTED:
        head = prefix.rstrip("0123456789")
        if head == letters and digits.startswith(prefix[len(head) :]):
            return prefix
    return None


def template_of(path: str) -> str:
    """The templates that may have written ``path``."""
    found = [t for part, t in _ROLES if part in f"/{path}"][:1]
    if path.rpartition("/")[2] in _AUTH:
        found.append("templates/auth/")
    return ", ".join(found) or "templates/"


def scaffolds(path: str, code: str) -> bool:
    """Whether a finding of ``code`` in ``path`` is scaffold's to fix (a rule its output is
    held to) rather than the project's choice."""
    in_tests = path.startswith("tests/") or "/tests/" in path or "/test_" in f"/{path}"
    tested = family(code)
    return tested is not None and not (tested == "S" and in_tests)


def advice(code: str, paths: list[str]) -> str:
    """What to change about the findings of ``code`` in the generated files ``paths``."""
    ignores = ", ".join(f'"{path}" = ["{code}"]' for path in paths)
    if scaffolds(paths[0], code):
        templates = ", ".join(sorted({template_of(path) for path in paths}))
        return (
            f"{code} — scaffold's templates ({templates}) produce this and should not: "
            f"report it; meanwhile add {ignores} under [tool.ruff.lint.per-file-ignores]"
        )
    return (
        f"{code} — your [tool.ruff] selects it, a rule scaffold's output is not held to and "
        f"ruff cannot fix safely: add {ignores} under [tool.ruff.lint.per-file-ignores] "
        "(or a glob matching such files), or stop selecting it"
    )


def explain(lint: str) -> str:
    """``lint`` (ruff's concise output) as the proof's detail: the findings (at most
    ``SHOWN``, then how many more), then what to change for each rule they break."""
    findings = []
    for line in lint.splitlines():
        match = FINDING.match(line.strip().removeprefix("./"))
        if match:
            findings.append(match)
    if not findings:
        return lint.strip()
    shown = "; ".join(f"{m['where']}: {m['code']} {m['message']}" for m in findings[:SHOWN])
    if len(findings) > SHOWN:
        listed = " ".join(sorted({m["where"].split(":")[0] for m in findings}))
        shown += f"; and {len(findings) - SHOWN} more (`ruff check {listed}` lists them)"
    groups: dict[tuple[str, bool], list[str]] = {}
    for m in findings:
        path = m["where"].split(":")[0]
        paths = groups.setdefault((m["code"], scaffolds(path, m["code"])), [])
        if path not in paths:
            paths.append(path)
    todo = "; ".join(advice(code, paths) for (code, _), paths in groups.items())
    count = f"{len(findings)} finding{'s' if len(findings) != 1 else ''} of ruff check"
    return f"{count}: {shown}. What to change: {todo}"


def ruff_on_disk(
    root: Path, py: list[str], before: dict[str, str] | None = None
) -> tuple[bool, str]:
    """``ruff check`` and ``ruff format --check`` on the written files ``py``, under the
    project's config: whether both are clean, and each finding with what to change.

    ``before`` holds the team files scaffold edited, as they were: a finding one of them
    already had is the project's own, reported as such and not held against the change;
    so is the layout of one its ruff format did not keep before.
    """
    from scaffold.apply.own import ruff, split_ruff
    from scaffold.generate.format import ruff_binary

    before = {rel: text for rel, text in (before or {}).items() if rel in py}

    def run(*args: str, paths: list[str] = py) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            # What the project's config excludes (its migrations, say) its ruff never sees.
            [ruff_binary(), *args, "--no-cache", "--force-exclude", *paths],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    check = run("check", "--output-format", "concise")
    own: list[str] = []
    if check.returncode != 0:
        new, own = split_ruff(root, check.stdout, before)
        if new or not own:
            return False, explain("\n".join(new)) or (check.stdout + check.stderr).strip()[-600:]
    unformatted_before = {
        rel for rel, text in before.items() if ruff(root, rel, text, "format", "--check").returncode
    }
    formatted = [rel for rel in py if rel not in unformatted_before]
    fmt = run("format", "--check", paths=formatted) if formatted else None
    if fmt is not None and fmt.returncode != 0:
        # "Would reformat: PATH" (older ruff) or "unformatted: ..." then "--> PATH:LINE:COL".
        said = fmt.stdout + fmt.stderr
        found = re.findall(r"^Would reformat: (.+)$|^\s*--> (.+?):\d+:\d+$", said, re.M)
        unformatted = sorted({a or b for a, b in found})
        return False, (
            f"ruff format --check would reformat {', '.join(unformatted) or fmt.stderr[-300:]}: "
            "scaffold formats what it writes under the project's config, so this is "
            "scaffold's to fix: report it"
        )
    if own:
        listed = "; ".join(own[:SHOWN]) + (
            f"; and {len(own) - SHOWN} more" if len(own) > SHOWN else ""
        )
        return True, (
            f"clean: the change adds no finding; {len(own)} of the project's own, in files "
            f"of the team's it edited, were there before and are left as they were: {listed}"
        )
    return True, "clean"
