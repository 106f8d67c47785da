"""Collect the project's modules, run every rule, apply ``# noqa`` and severities, sort.

Each file is read and parsed once; its facts (typed names, schema classes, models) and
its findings are cached by the hash of its bytes. A warm run whose files and
cross-file facts are unchanged parses nothing. A cold run with many files parses them
in parallel worker processes (forked, so nothing is imported twice); the workers keep
their trees between the facts pass and the rules pass.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import io
import os
import pickle
import re
import sys
import tokenize
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.checks._catalogue import severity_of
from scaffold.checks._config import CheckConfig
from scaffold.checks._files import collect, versions_dir
from scaffold.checks._finding import Finding
from scaffold.checks._parse import requires_python

if TYPE_CHECKING:  # the rules are imported only when a file has to be read again
    from scaffold.checks import indexes, migrations
    from scaffold.checks._types import ModuleFacts, SymbolTable
    from scaffold.checks.rules import Module, Project, SchemaClass

_NOQA = re.compile(r"#\s*noqa\s*:\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
_MODEL_HINTS = ("Column", "mapped_column", "ForeignKey", "Field(", "Table(", "Index(")
PARALLEL_FROM = 200  # files to parse before worker processes pay for themselves


@dataclass
class FileFacts:
    """What one file contributes, cached by its hash."""

    digest: str
    error: Finding | None = None
    types: ModuleFacts | None = None
    schemas: list[SchemaClass] = field(default_factory=list)
    models: indexes.ModelFacts | None = None
    rewritten: bool = False
    findings_key: str = ""
    findings: list[Finding] = field(default_factory=list)


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


def _code_version() -> str:
    """Changes whenever the rules change, so a cache never outlives the code that made it."""
    digest = hashlib.sha1()
    folder = Path(__file__).parent
    for path in sorted(folder.glob("*.py")):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    sensitive = folder.parent / "spec" / "sensitive.py"
    if sensitive.is_file():
        digest.update(str(sensitive.stat().st_mtime_ns).encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig") if not data.startswith(b"#") else _detect(data)
    except UnicodeDecodeError:
        return _detect(data)


def _detect(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def _read(root: Path, path: str) -> tuple[bytes | None, str | None]:
    try:
        return (root / path).read_bytes(), None
    except OSError as exc:
        return None, exc.strerror or str(exc)


def _parse_file(
    path: str, data: bytes, target: tuple[int, int] | None
) -> tuple[ast.Module | None, list[str], Finding | None, bool]:
    from scaffold.checks._parse import parse

    try:
        text = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return None, [], Finding(path, 1, 1, "SC001", f"cannot decode file: {exc}"), False
    lines = text.split("\n")
    parsed = parse(text, path, target)
    if parsed.tree is None:
        message, line, col = parsed.error or ("cannot parse", 1, 1)
        return None, lines, Finding(path, line, col, "SC001", message), False
    return parsed.tree, lines, None, parsed.rewritten


def _facts_of(
    path: str, data: bytes, digest: str, kinds: frozenset[str], target: tuple[int, int] | None
) -> tuple[FileFacts, Module | None]:
    tree, lines, error, rewritten = _parse_file(path, data, target)
    from scaffold.checks import indexes
    from scaffold.checks._types import module_facts
    from scaffold.checks.rules import Module, schema_classes

    facts = FileFacts(digest, error, rewritten=rewritten)
    if tree is None:
        facts.findings = [error] if error else []
        facts.findings_key = "error"
        return facts, None
    module = Module(path, tree, lines, kinds)
    facts.types = module_facts(tree, module.imports, path)
    module.exports = facts.types.exports
    facts.schemas = schema_classes(module)
    text = "\n".join(lines)
    if any(hint in text for hint in _MODEL_HINTS):
        models = indexes.model_facts(tree, path)
        if models.foreign_keys or models.indexes or models.models:
            facts.models = models
    return facts, module


def _lint(module: Module, project: Project) -> list[Finding]:
    from scaffold.checks.rules import FILE_RULES

    findings: list[Finding] = []
    for _code, kinds, rule in FILE_RULES:
        if kinds is None or kinds & module.kinds:
            findings.extend(rule(module, project))
    return sorted({f for f in findings if not _suppressed(f, module.lines)}, key=Finding.sort_key)


# --- the two passes, serial or in forked workers ------------------------------------------


class _Shard:
    """A set of files one process parses and lints, keeping its trees between passes."""

    def __init__(self, root: Path, target: tuple[int, int] | None) -> None:
        self.root = root
        self.target = target
        self.modules: dict[str, Module] = {}

    def facts(
        self, jobs: list[tuple[str, str, frozenset[str]]], contents: dict[str, bytes] | None = None
    ) -> dict[str, FileFacts]:
        out: dict[str, FileFacts] = {}
        for path, digest, kinds in jobs:
            data = (contents or {}).get(path)
            if data is None:
                data, _ = _read(self.root, path)
            facts, module = _facts_of(path, data or b"", digest, kinds, self.target)
            out[path] = facts
            if module is not None:
                self.modules[path] = module
        return out

    def lint(
        self, project: Project, jobs: list[tuple[str, frozenset[str]]]
    ) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for path, kinds in jobs:
            module = self.modules.get(path)
            if module is None:
                data, _ = _read(self.root, path)
                tree, lines, error, _ = _parse_file(path, data or b"", self.target)
                if tree is None:
                    out[path] = [error] if error else []
                    continue
                from scaffold.checks.rules import Module

                module = Module(path, tree, lines, kinds)
            out[path] = _lint(module, project)
        return out


def _worker(connection, root: Path, target, contents) -> None:  # type: ignore[no-untyped-def]
    shard = _Shard(root, target)
    try:
        connection.send(shard.facts(connection.recv(), contents))
        project, jobs = connection.recv()
        connection.send(shard.lint(project, jobs))
    except (EOFError, BrokenPipeError):
        pass
    finally:
        connection.close()
    os._exit(0)


class _Pool:
    """The main process plus forked workers, each with a shard of the files."""

    def __init__(self, root: Path, target, size: int, contents: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
        """``contents`` (the bytes already read) reach the forked workers for free."""
        import multiprocessing

        self.local = _Shard(root, target)
        self.parsed_by: dict[str, int] = {}
        self.workers = []
        context = multiprocessing.get_context("fork")
        for _ in range(size - 1):
            parent, child = context.Pipe()
            process = context.Process(
                target=_worker, args=(child, root, target, contents), daemon=True
            )
            process.start()
            child.close()
            self.workers.append((process, parent))

    def _split(self, jobs: list) -> list[list]:  # type: ignore[type-arg]
        count = len(self.workers) + 1
        return [jobs[i::count] for i in range(count)]

    def facts(
        self, jobs: list[tuple[str, str, frozenset[str]]], contents: dict[str, bytes]
    ) -> dict[str, FileFacts]:
        shards = self._split(jobs)
        self.parsed_by = {job[0]: i for i, shard in enumerate(shards) for job in shard}
        for (_, connection), shard in zip(self.workers, shards[1:], strict=True):
            connection.send(shard)
        out = self.local.facts(shards[0], contents)
        for _, connection in self.workers:
            out.update(connection.recv())
        return out

    def lint(
        self, project: Project, jobs: list[tuple[str, frozenset[str]]]
    ) -> dict[str, list[Finding]]:
        # Each file is linted where it was parsed; the others are spread evenly.
        owners: list[list[tuple[str, frozenset[str]]]] = [[] for _ in range(len(self.workers) + 1)]
        spread = []
        for job in jobs:
            shard = self.parsed_by.get(job[0])
            if shard is None:
                spread.append(job)
            else:
                owners[shard].append(job)
        for i, extra in enumerate(self._split(spread)):
            owners[i].extend(extra)
        for (_, connection), shard in zip(self.workers, owners[1:], strict=True):
            connection.send((project, shard))
        out = self.local.lint(project, owners[0])
        for _, connection in self.workers:
            out.update(connection.recv())
        return out

    def close(self) -> None:
        for process, connection in self.workers:
            connection.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


def _pool(root: Path, target, jobs: int, contents: dict[str, bytes]):  # type: ignore[no-untyped-def]
    cores = os.cpu_count() or 1
    if jobs < PARALLEL_FROM or cores < 2 or sys.platform != "linux":
        return None
    try:
        return _Pool(root, target, min(cores, 4), contents)
    except (OSError, ValueError):
        return None


# --- the run ----------------------------------------------------------------------------


def _cache_paths(root: Path) -> tuple[Path, Path]:
    from scaffold.resources import cache_dir

    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:20]
    folder = cache_dir("check")
    return folder / f"{key}.index.pickle", folder / f"{key}.facts.pickle"


def _load(path: Path, version: str) -> dict:  # type: ignore[type-arg]
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == version else {}


def _save(path: Path, data: dict) -> None:  # type: ignore[type-arg]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _global_key(table: SymbolTable, classes: list[SchemaClass], schema_paths) -> str:  # type: ignore[no-untyped-def]
    """What other files' rules may read of this project: typed names and schema classes
    (without line numbers, so moving code around does not invalidate every file)."""
    shape = [
        (
            c.name,
            c.path,
            tuple(c.bases),
            c.is_read,
            c.pydantic,
            tuple((f.name, f.owner, f.reason, f.credential) for f in c.fields.values()),
        )
        for c in classes
    ]
    payload = pickle.dumps((table.digest_items(), shape, sorted(schema_paths)), protocol=4)
    return hashlib.sha1(payload).hexdigest()


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
    versions = versions_dir(root, config)
    script_dir = versions.parent if versions.is_dir() else None
    collected = collect(root, config, script_dir)
    modules = collected.modules
    report.excluded = collected.excluded
    report.grammar = requires_python(root)
    target = report.grammar
    if only is not None:
        return _lint_only(root, modules, list(only), target, report)
    revision_paths = (
        [
            f.relative_to(root).as_posix() if f.is_relative_to(root) else f.as_posix()
            for f in sorted(versions.glob("*.py"))
        ]
        if versions.is_dir()
        else []
    )
    report.modules, report.migrations = len(modules), len(revision_paths)

    caching = use_cache and not catalog_url
    version = _code_version()
    index_file, facts_file = _cache_paths(root)
    stats = {p: _stat(root / p) for p in [*modules, *revision_paths]}
    signature = (tuple(sorted(modules.items())), tuple(revision_paths), target)
    index = _load(index_file, version) if caching else {}
    if index.get("signature") == signature and index.get("stats") == stats:
        # Nothing changed since the last run: its findings stand, nothing is parsed.
        report.cached = len(modules)
        report.rewritten = index.get("rewritten", 0)
        return list(index["findings"])

    from scaffold.checks import indexes, migrations
    from scaffold.checks._types import SymbolTable
    from scaffold.checks.rules import Project, SchemaIndex

    stored = _load(facts_file, version) if caching else {}
    old_files: dict[str, FileFacts] = stored.get("files", {})
    old_revisions: dict[str, RevisionFacts] = stored.get("revisions", {})
    old_stats: dict[str, tuple[int, int] | None] = index.get("stats", {})

    files: dict[str, FileFacts] = {}
    to_parse: list[tuple[str, str, frozenset[str]]] = []
    contents: dict[str, bytes] = {}
    kinds_tag = {path: ",".join(sorted(kinds)) for path, kinds in modules.items()}
    for path, kinds in modules.items():
        previous = old_files.get(path)
        if (
            previous is not None
            and stats[path] is not None
            and old_stats.get(path) == stats[path]
            and previous.digest.endswith("|" + kinds_tag[path])
        ):
            files[path] = previous
            report.cached += 1
            continue
        data, problem = _read(root, path)
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

    pool = _pool(root, target, len(to_parse), contents)
    shard = pool or _Shard(root, target)
    try:
        files.update(shard.facts(to_parse, contents))
        report.rewritten = sum(1 for f in files.values() if f.rewritten)
        table = SymbolTable([f.types for f in files.values() if f.types is not None])
        classes = [c for f in files.values() for c in f.schemas]
        schema_paths = frozenset(p for p, k in modules.items() if "schemas" in k)
        project = Project(table, SchemaIndex(classes, schema_paths))
        key = _global_key(table, classes, schema_paths)
        lint_jobs = [
            (path, modules[path])
            for path, facts in files.items()
            if facts.findings_key not in {key, "error"}
        ]
        results = shard.lint(project, lint_jobs) if lint_jobs else {}
    finally:
        if pool is not None:
            pool.close()
    findings: list[Finding] = []
    for path, facts in files.items():
        if path in results:
            facts.findings = results[path]
            facts.findings_key = key
        findings.extend(facts.findings)

    revisions, revision_files = _revisions(root, revision_paths, old_revisions, target)
    for facts in revision_files.values():
        if facts.error is not None:
            findings.append(facts.error)
    project_findings = list(migrations.revision_graph(revisions))
    catalog: list[indexes.Index] | str = []
    if catalog_url and "SC501" not in config.disable:
        catalog = indexes.catalog_indexes(python, catalog_url, str(root))
        if isinstance(catalog, str):
            report.notes.append(f"SC501 read the models and migrations only: {catalog}")
    # The files project-wide findings point at, each read once (for columns and # noqa).
    read_lines: dict[str, list[str]] = {}
    project_findings += _unindexed(
        [f.models for f in files.values() if f.models is not None],
        revisions,
        revision_files,
        catalog if isinstance(catalog, list) else [],
        lambda path: _lines(root, path, read_lines),
    )
    findings += [
        f for f in project_findings if not _suppressed(f, _lines(root, f.path, read_lines))
    ]
    if caching:
        _save(facts_file, {"version": version, "files": files, "revisions": revision_files})
        _save(
            index_file,
            {
                "version": version,
                "signature": signature,
                "stats": stats,
                "findings": findings,
                "rewritten": report.rewritten,
            },
        )
        from scaffold.resources import prune

        prune(index_file.parent, "*.pickle", keep=64)
    return findings


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
    from scaffold.checks._types import SymbolTable, module_name
    from scaffold.checks.rules import Project, SchemaIndex

    shard = _Shard(root, target)
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
    results = shard.lint(
        Project(table, SchemaIndex(classes, schema_paths)),
        [(path, modules[path]) for path in wanted],
    )
    report.modules = len(wanted)
    return [finding for path in wanted for finding in results.get(path, [])]


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
        data, _ = _read(root, path)
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
    lines_of: Callable[[str], list[str]],
) -> list[Finding]:
    from scaffold.checks import indexes

    ordered = [(rev.path, revision_files[rev.path].events) for rev in upgrade_order(revisions)]
    state = indexes.replay(ordered)
    findings = []
    for item in indexes.unindexed(models, state, catalog):
        fk = item.foreign_key
        lines = lines_of(fk.path)
        text = lines[fk.line - 1] if 0 < fk.line <= len(lines) else ""
        col = len(text.encode()[: fk.col].decode(errors="ignore")) + 1
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


def _suppressed(finding: Finding, lines: list[str]) -> bool:
    """``# noqa: SC101`` (codes listed, comma or space separated) on the finding's line.

    A bare ``# noqa`` does not count: it is usually written for a style linter, and a
    standing order should only be waived by naming it.
    """
    if not 0 < finding.line <= len(lines):
        return False
    for match in _NOQA.finditer(lines[finding.line - 1]):
        if finding.code in re.split(r"[\s,]+", match.group(1).upper()):
            return True
    return False


def _lines(root: Path, path: str, read: dict[str, list[str]]) -> list[str]:
    """The lines of ``path``, read once per run (``read`` keeps them)."""
    if path not in read:
        data, _ = _read(root, path)
        try:
            read[path] = _decode(data).split("\n") if data is not None else []
        except (SyntaxError, UnicodeDecodeError, LookupError):
            read[path] = []
    return read[path]
