"""Collect the project's modules, run every rule, apply ``# noqa`` and severities, sort.

Each file is read and parsed once; its facts (typed names, schema classes, models) and
its findings are cached by the hash of its bytes (``_cache``, ``_per_file``). A warm
run whose files and cross-file facts are unchanged parses nothing. A cold run with many
files parses them in parallel worker processes (``_workers``: forked, so nothing is
imported twice); the workers keep their trees between the facts pass and the rules
pass. The rules that read every model and migration at once run here, after them.
"""

from __future__ import annotations

import gc
import hashlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.checks._cache import RunCache, global_key, stat
from scaffold.checks._catalogue import severity_of
from scaffold.checks._config import CheckConfig
from scaffold.checks._files import collect, versions_dirs
from scaffold.checks._finding import Finding, char_column
from scaffold.checks._parse import requires_python
from scaffold.checks._per_file import FileFacts
from scaffold.checks._reading import lines_of, read, suppressed
from scaffold.checks._reading import parse_file as _parse_file  # commands/index.py reads it here
from scaffold.checks._workers import Shard, pool

if TYPE_CHECKING:  # the rules are imported only when a file has to be read again
    from scaffold.checks import indexes, migrations
    from scaffold.checks._symbols import SymbolTable


@dataclass
class RevisionFacts:
    digest: str
    error: Finding | None = None
    revision: migrations.Revision | None = None
    events: list[indexes.Event] = field(default_factory=list)


@dataclass
class CheckReport:
    """The findings of a run and what it read."""

    findings: list[Finding]
    modules: int = 0
    migrations: int = 0
    cached: int = 0
    rewritten: int = 0
    excluded: int = 0
    grammar: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the end of the output, e.g. "Read 17 modules and 2 migrations
        (Python 3.12 grammar, from requires-python; 17 unchanged since the last run)."""
        details = [
            f"Python {self.grammar[0]}.{self.grammar[1]} grammar, from requires-python"
            if self.grammar
            else "newest grammar: no requires-python"
        ]
        if self.rewritten:
            details.append(f"{_count(self.rewritten, 'file')} with Python 3.12+ syntax")
        if self.cached:
            details.append(f"{self.cached} unchanged since the last run")
        if self.excluded:
            details.append(f"{self.excluded} excluded by [tool.scaffold] exclude")
        return (
            f"Read {_count(self.modules, 'module')} and {_count(self.migrations, 'migration')}"
            f" ({'; '.join(details)})."
        )


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def check_project(
    root: Path,
    config: CheckConfig,
    python: str = sys.executable,
    database_url: str | None = None,
    upgrade: bool = True,
    *,
    only: Iterable[str] | None = None,
    use_cache: bool = True,
    environment: dict[str, str] | None = None,
    catalog_url: str | None = None,
) -> CheckReport:
    """Lint the project at ``root`` against the standing orders.

    ``python`` is the interpreter that runs ``alembic check`` (the project's own, so
    its models import); ``database_url`` the database it runs against, upgraded to
    head first when ``upgrade`` (a scratch database). ``only`` narrows the run to
    those files (the generator's proof of the files it writes). ``catalog_url`` is a
    database whose live indexes count for SC501.
    """
    root = Path(root)
    started = None
    report = CheckReport([])
    wants_alembic = config.run_alembic and not {"SC700", "SC701"} <= config.disable
    if wants_alembic and only is None and (root / config.alembic_ini).is_file():
        from scaffold.checks import migrations

        started = migrations.start_alembic_check(
            root, config, python, database_url, upgrade, environment
        )
    # The trees are kept between the two passes: with the cycle collector on, every
    # collection walks all of their nodes again (it doubled a cold run's time). Nothing
    # here makes reference cycles worth collecting, so it is off for the run.
    collecting = gc.isenabled()
    gc.disable()
    try:
        findings = _lint_project(root, config, python, report, only, use_cache, catalog_url)
    except BaseException:
        if started is not None and not isinstance(started, list):
            started.process.kill()
        raise
    finally:
        if collecting:
            gc.enable()
    if started is not None:
        from scaffold.checks import migrations

        findings.extend(migrations.finish_alembic_check(config, started))

    overrides = dict(config.severity)
    kept = {
        replace(f, severity=severity_of(f.code, overrides))
        for f in findings
        if f.code not in config.disable
    }
    report.findings = sorted(kept, key=Finding.sort_key)
    return report


def _lint_project(
    root: Path,
    config: CheckConfig,
    python: str,
    report: CheckReport,
    only: Iterable[str] | None,
    use_cache: bool,
    catalog_url: str | None,
) -> list[Finding]:
    """Every finding but Alembic's (before severities and ``disable``), cached."""
    folders = [folder for folder in versions_dirs(root, config) if folder.is_dir()]
    collected = collect(root, config, [folder.parent for folder in folders])
    modules = collected.modules
    report.excluded = collected.excluded
    report.grammar = requires_python(root)
    target = report.grammar
    if only is not None:
        return _lint_only(root, modules, list(only), target, report)
    revision_paths = [
        f.relative_to(root).as_posix() if f.is_relative_to(root) else f.as_posix()
        for folder in folders
        for f in sorted(folder.glob("*.py"))
    ]
    report.modules, report.migrations = len(modules), len(revision_paths)
    cache = RunCache(
        root,
        use_cache and not catalog_url,
        (tuple(sorted(modules.items())), tuple(revision_paths), target),
        {p: stat(root / p) for p in [*modules, *revision_paths]},
    )
    if cache.unchanged():
        # Nothing changed since the last run: its findings stand, nothing is parsed.
        report.cached = len(modules)
        report.rewritten = cache.index.get("rewritten", 0)
        return list(cache.index["findings"])
    stored = cache.stored_facts()
    files, to_parse, contents = _reuse_facts(root, modules, cache, stored.get("files", {}), report)
    table = _run_file_rules(root, target, modules, files, to_parse, contents, report)
    findings = [finding for facts in files.values() for finding in facts.findings]
    if "SC101" not in config.disable:
        from scaffold.checks._calls import blocking_findings

        calls = [facts.calls for facts in files.values() if facts.calls is not None]
        read_lines: dict[str, list[str]] = {}
        findings += [
            f
            for f in blocking_findings(calls, table)
            if not suppressed(f, lines_of(root, f.path, read_lines))
        ]
    revisions, revision_files = _revisions(
        root, revision_paths, stored.get("revisions", {}), target
    )
    for facts in revision_files.values():
        if facts.error is not None:
            findings.append(facts.error)
    models = [f.models for f in files.values() if f.models is not None]
    findings += _project_findings(
        root, config, python, catalog_url, report, models, revisions, revision_files
    )
    cache.store(files, revision_files, findings, report.rewritten)
    return findings


def _reuse_facts(
    root: Path,
    modules: dict[str, frozenset[str]],
    cache: RunCache,
    old_files: dict[str, FileFacts],
    report: CheckReport,
) -> tuple[dict[str, FileFacts], list[tuple[str, str, frozenset[str]]], dict[str, bytes]]:
    """The last run's facts of each file unchanged since (same stat, or same bytes), and
    the files to parse again with their bytes."""
    old_stats: dict[str, tuple[int, int] | None] = cache.index.get("stats", {})
    files: dict[str, FileFacts] = {}
    to_parse: list[tuple[str, str, frozenset[str]]] = []
    contents: dict[str, bytes] = {}
    kinds_tag = {path: ",".join(sorted(kinds)) for path, kinds in modules.items()}
    for path, kinds in modules.items():
        previous = old_files.get(path)
        if (
            previous is not None
            and cache.stats[path] is not None
            and old_stats.get(path) == cache.stats[path]
            and previous.digest.endswith("|" + kinds_tag[path])
        ):
            files[path] = previous
            report.cached += 1
            continue
        data, problem = read(root, path)
        if data is None:
            error = Finding(path, 1, 1, "SC001", f"cannot read: {problem}")
            files[path] = FileFacts("", error, findings=[error], findings_key="error")
            continue
        digest = hashlib.sha1(data).hexdigest() + "|" + kinds_tag[path]
        if previous is not None and previous.digest == digest:
            files[path] = previous
            report.cached += 1
        else:
            to_parse.append((path, digest, kinds))
            contents[path] = data
    return files, to_parse, contents


def _run_file_rules(
    root: Path,
    target: tuple[int, int] | None,
    modules: dict[str, frozenset[str]],
    files: dict[str, FileFacts],
    to_parse: list[tuple[str, str, frozenset[str]]],
    contents: dict[str, bytes],
    report: CheckReport,
) -> SymbolTable:
    """Parse ``to_parse`` into ``files``, then run the per-file rules again on each file
    whose findings were made with other cross-file facts (or none yet). Returns the
    project's symbol table (for the call graph)."""
    from scaffold.checks._schemas import SchemaIndex
    from scaffold.checks._symbols import SymbolTable
    from scaffold.checks.rules import Project

    workers = pool(root, target, len(to_parse), contents)
    shard = workers or Shard(root, target)
    try:
        files.update(shard.facts(to_parse, contents))
        report.rewritten = sum(1 for f in files.values() if f.rewritten)
        table = SymbolTable([f.types for f in files.values() if f.types is not None])
        classes = [c for f in files.values() for c in f.schemas]
        schema_paths = frozenset(p for p, k in modules.items() if "schemas" in k)
        returned = frozenset(name for f in files.values() for name in f.returned)
        project = Project(table, SchemaIndex(classes, schema_paths), returned)
        key = global_key(table, classes, schema_paths, returned)
        lint_jobs = [
            (path, modules[path])
            for path, facts in files.items()
            if facts.findings_key not in {key, "error"}
        ]
        results = shard.lint(project, lint_jobs) if lint_jobs else {}
    finally:
        if workers is not None:
            workers.close()
    for path, facts in files.items():
        if path in results:
            facts.findings, facts.calls = results[path]
            facts.findings_key = key
    return table


def _project_findings(
    root: Path,
    config: CheckConfig,
    python: str,
    catalog_url: str | None,
    report: CheckReport,
    models: list[indexes.ModelFacts],
    revisions: list[migrations.Revision],
    revision_files: dict[str, RevisionFacts],
) -> list[Finding]:
    """The findings of the rules that read every model and migration at once: the
    revision graph's and SC501 (with the live catalog's indexes when asked)."""
    from scaffold.checks import indexes, migrations

    project_findings = [
        finding
        for history in histories(revisions)
        for finding in migrations.revision_graph(history)
    ]
    catalog: list[indexes.Index] | str = []
    if catalog_url and "SC501" not in config.disable:
        catalog = indexes.catalog_indexes(python, catalog_url, str(root))
        if isinstance(catalog, str):
            report.notes.append(f"SC501 read the models and migrations only: {catalog}")
    # The files project-wide findings point at, each read once (for columns and noqa comments).
    read_lines: dict[str, list[str]] = {}
    project_findings += _unindexed(
        models,
        revisions,
        revision_files,
        catalog if isinstance(catalog, list) else [],
        lambda path: lines_of(root, path, read_lines),
    )
    return [f for f in project_findings if not suppressed(f, lines_of(root, f.path, read_lines))]


def _lint_only(
    root: Path,
    modules: dict[str, frozenset[str]],
    only: list[str],
    target: tuple[int, int] | None,
    report: CheckReport,
) -> list[Finding]:
    """Lint just ``only`` (the files a change writes), reading besides them only the
    project modules they import (four imports deep: a router, its dependencies module,
    a package ``__init__`` re-exporting the session factory, the factory's module), so
    their types still resolve and the cost does not grow with the project."""
    from scaffold.checks._schemas import SchemaIndex
    from scaffold.checks._symbols import SymbolTable, module_name
    from scaffold.checks.rules import Project

    shard = Shard(root, target)
    by_name = {module_name(path): path for path in modules}
    wanted = [path for path in only if path in modules]
    files: dict[str, FileFacts] = {}
    frontier = wanted
    for _ in range(5):  # the files, then what they import, four imports deep
        files.update(shard.facts([(p, "", modules[p]) for p in frontier if p not in files]))
        imported: set[str] = set()
        for path in frontier:
            types = files[path].types
            for name in types.imports.values() if types is not None else ():
                for candidate in (name, name.rpartition(".")[0]):
                    if candidate in by_name:
                        imported.add(by_name[candidate])
                        break
        frontier = sorted(imported - set(files))
        if not frontier:
            break
    table = SymbolTable([f.types for f in files.values() if f.types is not None])
    classes = [c for f in files.values() for c in f.schemas]
    schema_paths = frozenset(p for p in files if "schemas" in modules[p])
    returned = frozenset(name for f in files.values() for name in f.returned)
    results = shard.lint(
        Project(table, SchemaIndex(classes, schema_paths), returned),
        [(path, modules[path]) for path in wanted],
    )
    report.modules = len(wanted)
    return [finding for path in wanted for finding in results.get(path, ([], None))[0]]


def run_checks(
    root: Path,
    config: CheckConfig,
    python: str = sys.executable,
    database_url: str | None = None,
    upgrade: bool = True,
    **options,  # type: ignore[no-untyped-def]
) -> list[Finding]:
    """The findings of :func:`check_project`, sorted by path, line, column and code.

    >>> run_checks(Path("/nonexistent"), CheckConfig(run_alembic=False), use_cache=False)
    []
    """
    return check_project(root, config, python, database_url, upgrade, **options).findings


def _revisions(
    root: Path,
    paths: list[str],
    old: dict[str, RevisionFacts],
    target: tuple[int, int] | None,
) -> tuple[list[migrations.Revision], dict[str, RevisionFacts]]:
    from scaffold.checks import indexes, migrations

    found: dict[str, RevisionFacts] = {}
    for path in paths:
        data, _ = read(root, path)
        if data is None:
            continue
        digest = hashlib.sha1(data).hexdigest()
        previous = old.get(path)
        if previous is not None and previous.digest == digest:
            found[path] = previous
            continue
        tree, _lines, error, _ = _parse_file(path, data, target)
        facts = RevisionFacts(digest, error)
        if tree is not None:
            facts.revision = migrations.read_revision(tree, path)
            facts.events = indexes.migration_events(tree)
        found[path] = facts
    revisions = [f.revision for f in found.values() if f.revision is not None]
    return revisions, found


def histories(revisions: list[migrations.Revision]) -> list[list[migrations.Revision]]:
    """The revisions by folder: each folder of an Alembic config (``[core]``,
    ``[tenant]``) is its own history, with its own head."""
    by_folder: dict[str, list[migrations.Revision]] = {}
    for rev in revisions:
        by_folder.setdefault(rev.path.rpartition("/")[0], []).append(rev)
    return list(by_folder.values())


def upgrade_order(revisions: list[migrations.Revision]) -> list[migrations.Revision]:
    """Revisions parents first (ties by path), the order ``alembic upgrade`` applies them."""
    by_id = {rev.revision: rev for rev in sorted(revisions, key=lambda r: r.path)}
    done: set[str] = set()
    ordered: list[migrations.Revision] = []
    pending = sorted(by_id.values(), key=lambda r: r.path)
    while pending:
        progressed = False
        rest = []
        for rev in pending:
            if all(d in done or d not in by_id for d in rev.down):
                ordered.append(rev)
                done.add(rev.revision)
                progressed = True
            else:
                rest.append(rev)
        if not progressed:  # a cycle: keep file order for the rest
            ordered.extend(rest)
            break
        pending = rest
    return ordered


def _unindexed(
    models: list[indexes.ModelFacts],
    revisions: list[migrations.Revision],
    revision_files: dict[str, RevisionFacts],
    catalog: list[indexes.Index],
    lines_in: Callable[[str], list[str]],
) -> list[Finding]:
    from scaffold.checks import indexes

    ordered = [
        (rev.path, revision_files[rev.path].events)
        for history in histories(revisions)
        for rev in upgrade_order(history)
    ]
    state = indexes.replay(ordered)
    findings = []
    for item in indexes.unindexed(models, state, catalog):
        fk = item.foreign_key
        col = char_column(lines_in(fk.path), fk.line, fk.col)
        columns = ", ".join(fk.columns)
        if fk.source == "model":
            message = (
                f"foreign key column {fk.owner}.{fk.attribute or columns} has no index; add "
                "index=True or an Index leading with it (scaffold index --missing)"
            )
        else:
            message = (
                f"foreign key {fk.table}({columns}) created here has no index in any migration "
                "or model; add one in a new migration (scaffold index --missing)"
            )
        findings.append(Finding(fk.path, fk.line, col, "SC501", message))
    return findings
