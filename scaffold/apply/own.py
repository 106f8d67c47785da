"""The findings a team's file already had before scaffold edited it (an import and an
include line in its registry, say): the project's own, reported as such and never held
against the change that edited the file.

A finding is matched by path, rule, message and the source line it points at (stripped),
counted: an edit that adds lines moves line numbers, not lines. Two alike before and a
third after: the third is the change's.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.checks import CheckConfig
    from scaffold.checks._finding import Finding

Key = tuple[str, str, str, str]  # path, rule, message, source line

# `PATH:LINE:COL: CODE [*] MESSAGE` (concise; `[*]`: fixable, by an unsafe fix here).
FINDING = re.compile(
    r"^(?P<where>.+?:\d+:\d+):? (?P<code>[A-Z]+[0-9]+) (?:\[\*\] )?(?P<message>.*)$"
)


def line_at(text: str, number: int) -> str:
    """Line ``number`` (1-based) of ``text``, stripped; empty past its end."""
    lines = text.splitlines()
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


def ruff(root: Path, rel: str, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``ruff ARGS`` on ``text`` as the project's file ``rel``, its config found as for the
    file on disk (so the same rules and per-file ignores apply)."""
    from scaffold.generate.format import ruff_binary

    return subprocess.run(
        [ruff_binary(), *args, "--no-cache", "--force-exclude", "--stdin-filename", rel, "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=root,
    )


def ruff_findings(root: Path, before: dict[str, str]) -> Counter[Key]:
    """The ruff findings each file of ``before`` (path: its text before the edit) had
    under the project's config."""
    own: Counter[Key] = Counter()
    for rel, text in before.items():
        args = ("check", "--output-format", "concise", "--exit-zero")
        for line in ruff(root, rel, text, *args).stdout.splitlines():
            match = FINDING.match(line.strip().removeprefix("./"))
            if match:
                number = int(match["where"].split(":")[-2])
                own[rel, match["code"], match["message"], line_at(text, number)] += 1
    return own


def split_ruff(root: Path, lint: str, before: dict[str, str]) -> tuple[list[str], list[str]]:
    """ruff's concise findings ``lint`` on the files as written: (the change's, as ruff
    printed them; the project's own that a file of ``before`` already had, as
    ``PATH:LINE:COL: CODE message``)."""
    own = ruff_findings(root, before) if before else Counter()
    texts: dict[str, str] = {}
    new: list[str] = []
    kept: list[str] = []
    for line in lint.splitlines():
        match = FINDING.match(line.strip().removeprefix("./"))
        if not match:
            continue
        rel = match["where"].split(":")[0]
        if rel in before and rel not in texts:
            texts[rel] = (root / rel).read_text(encoding="utf-8", errors="replace")
        number = int(match["where"].split(":")[-2])
        key = (rel, match["code"], match["message"], line_at(texts.get(rel, ""), number))
        if own[key] > 0:
            own[key] -= 1
            kept.append(f"{match['where']}: {match['code']} {match['message']}")
        else:
            new.append(line)
    return new, kept


def check_findings(root: Path, config: CheckConfig, before: dict[str, str]) -> Counter[Key]:
    """The standing-order findings each file of ``before`` had: the files as they were, in
    a folder of their own beside the project's ``pyproject.toml`` (its Python version)."""
    from scaffold.checks import run_checks

    own: Counter[Key] = Counter()
    with tempfile.TemporaryDirectory(prefix="scaffold-own-") as tmp:
        if (root / "pyproject.toml").is_file():
            shutil.copy(root / "pyproject.toml", Path(tmp, "pyproject.toml"))
        for rel, text in before.items():
            Path(tmp, rel).parent.mkdir(parents=True, exist_ok=True)
            Path(tmp, rel).write_text(text, encoding="utf-8")
        quiet = dataclasses.replace(config, run_alembic=False)
        for f in run_checks(Path(tmp), quiet, only=list(before), use_cache=False):
            if f.path in before:
                own[f.path, f.code, f.message, line_at(before[f.path], f.line)] += 1
    return own


def split_checks(
    root: Path, config: CheckConfig, findings: list[Finding], before: dict[str, str]
) -> tuple[list[Finding], list[Finding]]:
    """``findings`` on the files as written: (the change's; the project's own)."""
    mine = [f for f in findings if f.path in before]
    if not mine:
        return findings, []
    own = check_findings(root, config, {f.path: before[f.path] for f in mine})
    new: list[Finding] = []
    kept: list[Finding] = []
    for f in findings:
        text = (
            (root / f.path).read_text(encoding="utf-8", errors="replace")
            if f.path in before
            else ""
        )
        key = (f.path, f.code, f.message, line_at(text, f.line))
        if own[key] > 0:
            own[key] -= 1
            kept.append(f)
        else:
            new.append(f)
    return new, kept
