"""Collect the project's files, run every enabled rule, apply ``# noqa``, sort."""

from __future__ import annotations

import ast
import re
import sys
import tokenize
from pathlib import Path

from scaffold.checks import migrations
from scaffold.checks._config import PATTERN_KEYS, CheckConfig
from scaffold.checks._finding import Finding
from scaffold.checks.rules import FILE_RULES, Module, Project

_NOQA = re.compile(r"#\s*noqa\s*:\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages"}


def run_checks(
    root: Path,
    config: CheckConfig,
    python: str = sys.executable,
    database_url: str | None = None,
    upgrade: bool = True,
) -> list[Finding]:
    """Lint the project at ``root`` against the standing orders.

    ``python`` is the interpreter that runs ``alembic check`` (the project's own,
    so its models import); ``database_url`` a scratch database it may upgrade
    first. Findings come sorted by path, line, column and code.

    >>> run_checks(Path("/nonexistent"), CheckConfig(run_alembic=False))
    []
    """
    root = Path(root)
    started = None
    wants_alembic = config.run_alembic and not {"SC700", "SC701"} <= config.disable
    if wants_alembic and (root / config.alembic_ini).is_file():
        started = migrations.start_alembic_check(root, config, python, database_url, upgrade)
    try:
        sources: dict[str, list[str]] = {}
        findings: list[Finding] = []
        modules: list[Module] = []
        for path, kinds in _collect(root, config).items():
            parsed = _parse(root, path, sources)
            if isinstance(parsed, Finding):
                findings.append(parsed)
            else:
                modules.append(Module(path, parsed, sources[path], kinds))

        project = Project(modules)
        for code, kinds, rule in FILE_RULES:
            if code in config.disable:
                continue
            for module in modules:
                if kinds is None or kinds & module.kinds:
                    findings.extend(rule(module, project))

        if not {"SC601", "SC602"} <= config.disable:
            findings.extend(_revision_findings(root, config, sources))
    except BaseException:
        if started is not None and not isinstance(started, list):
            started.kill()
        raise
    if started is not None:
        findings.extend(migrations.finish_alembic_check(config, started))

    kept = {
        f for f in findings if f.code not in config.disable and not _suppressed(root, f, sources)
    }
    return sorted(kept, key=Finding.sort_key)


def _collect(root: Path, config: CheckConfig) -> dict[str, frozenset[str]]:
    """Relative posix path → the layers whose globs match it."""
    kinds: dict[str, set[str]] = {}
    for key in PATTERN_KEYS:
        for pattern in getattr(config, key):
            for path in root.glob(pattern):
                relative = path.relative_to(root)
                hidden = any(p.startswith(".") or p in _SKIP_DIRS for p in relative.parts[:-1])
                if path.is_file() and path.suffix == ".py" and not hidden:
                    kinds.setdefault(relative.as_posix(), set()).add(key)
    return {path: frozenset(found) for path, found in sorted(kinds.items())}


def _parse(root: Path, path: str, sources: dict[str, list[str]]) -> ast.Module | Finding:
    """Parse one file, remembering its lines for ``# noqa``; SC001 when it cannot be."""
    try:
        with tokenize.open(root / path) as handle:
            text = handle.read()
    except (SyntaxError, UnicodeDecodeError) as exc:
        sources[path] = []
        return Finding(path, 1, 1, "SC001", f"cannot decode file: {exc}")
    sources[path] = text.split("\n")
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as exc:
        line, col = exc.lineno or 1, exc.offset or 1
        return Finding(path, line, max(col, 1), "SC001", f"syntax error: {exc.msg}")


def _revision_findings(
    root: Path, config: CheckConfig, sources: dict[str, list[str]]
) -> list[Finding]:
    versions = migrations.versions_dir(root, config)
    if not versions.is_dir():
        return []
    findings: list[Finding] = []
    revisions = []
    for file in sorted(versions.glob("*.py")):
        path = file.relative_to(root).as_posix() if file.is_relative_to(root) else file.as_posix()
        parsed = _parse(root, path, sources)
        if isinstance(parsed, Finding):
            findings.append(parsed)
        elif revision := migrations.read_revision(parsed, path):
            revisions.append(revision)
    findings.extend(migrations.revision_graph(revisions))
    return findings


def _suppressed(root: Path, finding: Finding, sources: dict[str, list[str]]) -> bool:
    """``# noqa: SC101`` (codes listed, comma or space separated) on the finding's line.

    A bare ``# noqa`` does not count: it is usually written for a style linter, and a
    standing order should only be waived by naming it.
    """
    if finding.path not in sources:
        try:
            sources[finding.path] = (root / finding.path).read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError):
            sources[finding.path] = []
    lines = sources[finding.path]
    if not 0 < finding.line <= len(lines):
        return False
    for match in _NOQA.finditer(lines[finding.line - 1]):
        if finding.code in re.split(r"[\s,]+", match.group(1).upper()):
            return True
    return False
