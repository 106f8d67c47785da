"""Wall-clock benchmark of ``scaffold check`` against ``ruff check`` on a large project.

Run from the repository root:

    .venv/bin/python bench/check.py            # 7 measured runs per row
    .venv/bin/python bench/check.py --quick    # 3 measured runs
    .venv/bin/python bench/check.py --json     # table on stderr, JSON on stdout
    .venv/bin/python bench/check.py --corpus /tmp/corpus --corpus-only --quick
                                               # each real-world corpus project too

The project (built once, outside the timed region): ``scaffold new --defaults``, then
130 resources (``b1_things`` ... ``b130_things``, so 130 Alembic migrations), then
feature packages ``app/features/bN_reports/`` (a service and a router copied from the
generated ones under new names) until the tree holds 1,300 Python modules (``scaffold
check`` reads every module but the tests; ruff reads the tests too). The built project is cached under ``$XDG_CACHE_HOME/scaffold-bench/``,
keyed by a hash of what generates it, so the next bench run skips the build.

Three rows, each a fresh process timed with ``time.perf_counter()`` around
``subprocess.run``:

- ``ruff check --no-cache PROJECT``: the reference;
- ``scaffold check --no-alembic`` cold: ``XDG_CACHE_HOME`` is a new empty folder and the
  project a fresh copy on every run, so no cache of any kind survives between runs;
- the same warm: one ``XDG_CACHE_HOME`` and one project copy for all runs, filled by the
  warm-up run, no file changed in between.

Targets (issue 34): cold at most 5x ruff or 300 ms, whichever is larger; warm at most
1.5x ruff. ``--corpus DIR`` times the same three rows on each project folder of
``bench/realworld.py``'s CORPUS found under DIR (a copy of it: nothing is written
there) and prints one line per project.

Each row runs once as a warm-up (discarded) and then ``--repeat`` times; the rows take
turns, one run of each per round, so a slow spell on the machine hits them all alike.
Python bytecode is cached after the warm-up (``PYTHONPYCACHEPREFIX`` in the temp
folder). The run is a report: it exits 0 when a target is missed and 1 only when a
command crashes (``scaffold check`` exit 0 = no findings, 1 = findings; anything else,
or a failing build step, is a crash).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RESOURCES = 130
MODULES = 1300
COLD_TARGET = 5.0  # x ruff
COLD_FLOOR_MS = 300.0  # or this, whichever is larger (start-up dominates a small project)
WARM_TARGET = 1.5  # x ruff
# Bump when the build recipe below changes: it is part of the build cache key.
RECIPE = 3
KEEP_BUILDS = 2  # cached projects kept under $XDG_CACHE_HOME/scaffold-bench/


# Shared with bench/run.py (this folder is on sys.path when a bench script runs).
from run import BIN, ENV, CommandFailed, log, scaffold  # noqa: E402

RUFF = BIN / "ruff" if (BIN / "ruff").exists() else ROOT / ".venv" / "bin" / "ruff"


def run(
    argv: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``argv`` in ``cwd``; return (wall seconds, process). Raise if the code is not ok."""
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise CommandFailed(argv, cwd, proc)
    return elapsed, proc


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def ruff_summary(text: str) -> str:
    """ruff's "Found N errors." or "All checks passed!" line, else its last line."""
    found = [line for line in text.splitlines() if re.match(r"Found \d+ error|All checks", line)]
    return found[-1].strip() if found else last_line(text)


# --------------------------------------------------------------------------- build


def python_modules(project: Path) -> list[Path]:
    """The ``*.py`` files ``find`` lists outside ``.venv/`` and ``.scaffold/`` folders."""
    return [
        p
        for p in project.rglob("*.py")
        if not {".venv", ".scaffold"} & set(p.relative_to(project).parts[:-1])
    ]


def migrations(project: Path) -> int:
    return len(list((project / "migrations" / "versions").glob("*.py")))


def add_resources(project: Path, env: dict[str, str]) -> None:
    """``b1_things`` ... ``bN_things``: two fields each, every 5th refers to the one before."""
    start = time.perf_counter()
    for i in range(1, RESOURCES + 1):
        fields = ["name:str=40", "count:int"]
        if i % 5 == 0:
            fields.append(f"parent_id:ref=b{i - 1}_things:optional")
        run(scaffold("resource", f"b{i}_things", *fields, "--quiet"), project, env)
        if i % 26 == 0:
            log(f"build: {i}/{RESOURCES} resources ({time.perf_counter() - start:.0f} s)")


def feature_modules(project: Path, i: int, name: str) -> list[tuple[str, str]]:
    """(file name, source) of one feature package made from resource ``b{i}_things``.

    The service and the router are the generated ones under new names: the service
    class becomes ``B{i}ReportService``, the router imports it from the package and
    serves ``/b{i}-reports``. If the templates change, the renames that no longer
    apply are simply skipped, the copies stay valid Python.
    """
    cls, feature_cls = f"B{i}ThingService", f"B{i}ReportService"
    service = (project / "app" / "services" / f"b{i}_things.py").read_text()
    router = (project / "app" / "api" / "v1" / f"b{i}_things.py").read_text()
    service = re.sub(rf"\b{cls}\b", feature_cls, service)
    router = router.replace(f"app.services.b{i}_things ", f"app.features.{name}.service ")
    router = re.sub(rf"\b{cls}\b", feature_cls, router)
    router = router.replace(f'"/b{i}-things', f'"/b{i}-reports')
    router = router.replace(f'"b{i}-things', f'"b{i}-reports')
    init = f'"""Reports on b{i} things: a service and its routes."""\n'
    return [("__init__.py", init), ("service.py", service), ("router.py", router)]


def pad(project: Path) -> None:
    """Write feature packages, one module at a time, until the tree has MODULES modules."""
    count = len(python_modules(project))
    features = project / "app" / "features"
    if count < MODULES:
        features.mkdir(exist_ok=True)
        (features / "__init__.py").write_text('"""Hand-written feature packages."""\n')
        count += 1
    n = 0
    while count < MODULES:
        i = n % RESOURCES + 1
        name = f"b{i}_reports" if n < RESOURCES else f"b{i}_reports_{n // RESOURCES + 1}"
        package = features / name
        package.mkdir()
        for filename, source in feature_modules(project, i, name):
            if count >= MODULES:
                break
            path = package / filename
            ast.parse(source, str(path), feature_version=(3, 11))  # a bench bug if not
            path.write_text(source)
            count += 1
        n += 1


def build_project(dest: Path, scratch: Path) -> None:
    # The build has its own scaffold caches: the user's $XDG_CACHE_HOME is not touched.
    env = {**ENV, "XDG_CACHE_HOME": str(scratch / "xdg-build")}
    log("build: scaffold new --defaults")
    run(scaffold("new", str(dest), "--defaults", "--quiet"), scratch, env)
    add_resources(dest, env)
    pad(dest)
    if (dest / "app" / "features").is_dir():
        # The renamed import in each router sorts elsewhere: ruff puts it back (I001), as
        # a user's editor would, so the padding is as lint-clean as the generated code.
        sort_imports = [str(RUFF), "check", "--fix", "--no-cache", "--select", "I"]
        run([*sort_imports, "app/features"], dest, env)


def build_key() -> str:
    """Hash of what decides the built project: templates, generator code, tool versions.

    scaffold's checks (``scaffold/checks/``, ``scaffold/commands/check.py``) do not
    generate anything, so editing them keeps the cached project.
    """
    digest = hashlib.sha256(f"recipe {RECIPE} {RESOURCES} {MODULES}\n".encode())
    skipped = {Path("scaffold/commands/check.py")}
    files = [ROOT / "copier.yml", *sorted((ROOT / "templates").rglob("*"))]
    files += sorted((ROOT / "scaffold").rglob("*.py"))
    for path in files:
        relative = path.relative_to(ROOT)
        if not path.is_file() or relative in skipped or "__pycache__" in relative.parts:
            continue
        if relative.parts[:2] == ("scaffold", "checks"):
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("copier", "jinja2", "ruff", "libcst"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{dist} {metadata.version(dist)}\n".encode())
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scaffold-bench"


@dataclass
class Built:
    path: Path
    seconds: float
    source: str  # "built", "built, cached" or "from cache"
    key: str


def project_for_bench(scratch: Path, *, use_cache: bool, rebuild: bool) -> Built:
    """The big project in ``scratch/project``: copied from the build cache or built."""
    dest = scratch / "project"
    key = build_key()
    cached = cache_root() / f"check-{key}"
    start = time.perf_counter()
    if use_cache and not rebuild and (cached / "project").is_dir():
        shutil.copytree(cached / "project", dest, symlinks=True)
        cached.touch()  # most recently used: kept by prune
        return Built(dest, time.perf_counter() - start, "from cache", key)
    build_project(dest, scratch)
    seconds = time.perf_counter() - start
    if not use_cache:
        return Built(dest, seconds, "built", key)
    staging = cache_root() / f".check-{key}-{os.getpid()}"
    try:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(dest, staging / "project", symlinks=True)
        shutil.rmtree(cached, ignore_errors=True)
        staging.rename(cached)
        old = sorted(cache_root().glob("check-*"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP_BUILDS]:
            shutil.rmtree(stale, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        log(f"build: could not cache the project ({exc}); the next run builds it again")
        return Built(dest, seconds, "built", key)
    return Built(dest, seconds, "built, cached", key)


# --------------------------------------------------------------------------- measure


@dataclass
class Row:
    """One timed command. ``prepare`` (untimed) returns the argv, folder and env of a run."""

    key: str
    label: str
    prepare: Callable[[], tuple[list[str], Path, dict[str, str]]]
    cleanup: Callable[[], None] = lambda: None
    target: float | None = None  # at most this many times the ruff median
    ok: tuple[int, ...] = (0, 1)  # ruff and scaffold check: 1 means "findings"
    samples: list[float] = field(default_factory=list)
    codes: set[int] = field(default_factory=set)
    stderr_last: str = ""
    stdout: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.samples) * 1000


def make_rows(scratch: Path, project: Path) -> list[Row]:
    xdg = scratch / "xdg"
    xdg.mkdir()
    runs = scratch / "runs"
    runs.mkdir()
    counter = iter(range(1, 1_000_000))

    ruff_project = scratch / "ruff" / project.name
    shutil.copytree(project, ruff_project, symlinks=True)
    ruff_env = {**ENV, "XDG_CACHE_HOME": str(xdg / "ruff")}

    def ruff() -> tuple[list[str], Path, dict[str, str]]:
        return [str(RUFF), "check", "--no-cache", str(ruff_project)], scratch, ruff_env

    def check_argv(target: Path) -> list[str]:
        return scaffold("check", "--no-alembic", "--project", str(target))

    cold_dirs: list[Path] = []

    def cold() -> tuple[list[str], Path, dict[str, str]]:
        n = next(counter)
        cache, copy = xdg / f"cold{n:04d}", runs / f"cold{n:04d}" / project.name
        cache.mkdir()
        shutil.copytree(project, copy, symlinks=True)
        cold_dirs.extend([cache, copy.parent])
        return check_argv(copy), scratch, {**ENV, "XDG_CACHE_HOME": str(cache)}

    def cold_cleanup() -> None:
        while cold_dirs:
            shutil.rmtree(cold_dirs.pop(), ignore_errors=True)

    warm_project = scratch / "warm" / project.name
    shutil.copytree(project, warm_project, symlinks=True)
    (xdg / "warm").mkdir()
    warm_env = {**ENV, "XDG_CACHE_HOME": str(xdg / "warm")}

    def warm() -> tuple[list[str], Path, dict[str, str]]:
        return check_argv(warm_project), scratch, warm_env

    return [
        Row("ruff", "ruff check --no-cache", ruff),
        Row("cold", "scaffold check --no-alembic (cold)", cold, cold_cleanup, COLD_TARGET),
        Row("warm", "scaffold check --no-alembic (warm)", warm, target=WARM_TARGET),
    ]


def measure(rows: list[Row], repeat: int) -> None:
    """Warm-up round, then ``repeat`` rounds of one run per row (round-robin)."""
    for rnd in range(repeat + 1):
        log("warm-up round" if rnd == 0 else f"round {rnd}/{repeat}")
        for row in rows:
            argv, cwd, env = row.prepare()
            try:
                elapsed, proc = run(argv, cwd, env, row.ok)
            finally:
                row.cleanup()
            row.codes.add(proc.returncode)
            row.stderr_last, row.stdout = last_line(proc.stderr), proc.stdout
            if rnd > 0:
                row.samples.append(elapsed)


def ratio(row: Row, ref: Row) -> float:
    return row.median_ms / ref.median_ms


def within(row: Row, ref: Row) -> bool:
    """The cold row may take COLD_FLOOR_MS when that is more than its ratio allows."""
    if row.target is None:
        return True
    allowed = ref.median_ms * row.target
    if row.key == "cold":
        allowed = max(allowed, COLD_FLOOR_MS)
    return row.median_ms <= allowed


def render_table(rows: list[Row]) -> str:
    ref = rows[0]
    header = ("row", "runs", "median ms", "min ms", "ratio vs ruff", "target", "result")
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        if row.target is None:
            cells = ("1.00x", "(reference)", "")
        else:
            r = ratio(row, ref)
            cells = (f"{r:.2f}x", _target_text(row), "ok" if within(row, ref) else "MISSED")
        lines.append(
            (row.label, str(len(row.samples)), f"{row.median_ms:.1f}", f"{row.min_ms:.1f}", *cells)
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        cells = [
            line[i].ljust(widths[i]) if i in (0, 5, 6) else line[i].rjust(widths[i])
            for i in range(len(header))
        ]
        out.append(" | ".join(cells).rstrip())
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def _target_text(row: Row) -> str:
    floor = f" or {COLD_FLOOR_MS:g} ms" if row.key == "cold" else ""
    return f"<= {row.target:g}x{floor}"


# --------------------------------------------------------------------------- corpus


def corpus_projects(folder: Path) -> list[tuple[str, Path]]:
    """The project folders of bench/realworld.py's CORPUS found under ``folder``."""
    from realworld import CORPUS

    found = []
    for name, _repo, subdir, *_ in CORPUS:
        project = folder / name / subdir if subdir else folder / name
        if project.is_dir():
            found.append((name, project))
    return found


def measure_corpus(scratch: Path, folder: Path, repeat: int, human) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """ruff, cold and warm on each corpus project (a copy: nothing is written in
    ``folder``); one table row per project."""
    results = []
    for name, project in corpus_projects(folder):
        place = scratch / name
        place.mkdir()
        copy = place / "source" / project.name
        shutil.copytree(project, copy, symlinks=True)
        log(f"{name}: {len(python_modules(copy))} Python files")
        rows = make_rows(place, copy)
        measure(rows, repeat)
        ruff, cold, warm = rows
        results.append(
            {
                "project": name,
                "files": len(python_modules(copy)),
                "said": file_count_line(cold.stderr_last) or cold.stderr_last,
                **{f"{row.key}_ms": round(row.median_ms, 1) for row in rows},
                "cold_x": round(ratio(cold, ruff), 2),
                "warm_x": round(ratio(warm, ruff), 2),
                "cold_ok": within(cold, ruff),
                "warm_ok": within(warm, ruff),
            }
        )
        shutil.rmtree(place, ignore_errors=True)
    header = "project | ruff ms | cold ms | cold x (<= 5x or 300 ms) | warm ms | warm x (<= 1.5x)"
    print(header, file=human)
    print("-" * len(header), file=human)
    for r in results:
        print(
            f"{r['project']} | {r['ruff_ms']:.0f} | {r['cold_ms']:.0f} | {r['cold_x']:.2f}x "
            f"{'ok' if r['cold_ok'] else 'MISSED'} | {r['warm_ms']:.0f} | {r['warm_x']:.2f}x "
            f"{'ok' if r['warm_ok'] else 'MISSED'}",
            file=human,
        )
    return results


def file_count_line(text: str) -> str | None:
    """The line itself when it states a number of files, else None."""
    return text if re.search(r"\d", text) and re.search(r"\bfiles?\b", text, re.I) else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="measured runs per row (7)")
    ap.add_argument("--quick", action="store_true", help="3 measured runs per row")
    ap.add_argument(
        "--json", action="store_true", help="JSON results on stdout; the table goes to stderr"
    )
    ap.add_argument("--rebuild", action="store_true", help="build the project even if it is cached")
    ap.add_argument(
        "--no-build-cache",
        action="store_true",
        help="neither read nor write $XDG_CACHE_HOME/scaffold-bench/",
    )
    ap.add_argument(
        "--corpus",
        type=Path,
        help="also time each project of bench/realworld.py's CORPUS under this folder",
    )
    ap.add_argument("--corpus-only", action="store_true", help="with --corpus: only the corpus")
    opts = ap.parse_args(argv)
    repeat = 3 if opts.quick else opts.repeat
    if repeat < 1:
        ap.error("--repeat must be at least 1")
    human = sys.stderr if opts.json else sys.stdout
    if opts.corpus is not None:
        with tempfile.TemporaryDirectory(prefix="scaffold-bench-corpus-") as tmp:
            ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
            results = measure_corpus(Path(tmp), opts.corpus, repeat, human)
        if opts.json and opts.corpus_only:
            print(json.dumps({"repeat": repeat, "corpus": results}, indent=2))
        if opts.corpus_only:
            return 0

    started = time.perf_counter()
    load_before = f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-check-") as tmp:
        scratch = Path(tmp)
        ENV["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
        try:
            built = project_for_bench(
                scratch, use_cache=not opts.no_build_cache, rebuild=opts.rebuild
            )
            modules, revisions = len(python_modules(built.path)), migrations(built.path)
            log(
                f"project: {modules} Python modules, {revisions} migrations "
                f"({built.source} in {built.seconds:.1f} s)"
            )
            rows = make_rows(scratch, built.path)
            measure(rows, repeat)
        except CommandFailed as exc:
            log(f"\nbench: command failed (exit {exc.proc.returncode}) in {exc.cwd}:")
            log(f"  {' '.join(exc.argv)}")
            log(exc.proc.stderr.rstrip() or exc.proc.stdout.rstrip())
            return 1
    total = time.perf_counter() - started
    by_key = {row.key: row for row in rows}

    print(
        f"\nscaffold check bench: {repeat} measured runs per row after 1 warm-up; "
        f"{os.cpu_count()} CPUs, load {load_before}; Python {platform.python_version()}; "
        f"total {total:.0f} s",
        file=human,
    )
    print(
        f"project: {modules} Python modules, {revisions} migrations "
        f"({built.source} in {built.seconds:.1f} s)\n",
        file=human,
    )
    print(render_table(rows), file=human)
    print(f"\nruff says: {ruff_summary(by_key['ruff'].stdout)}", file=human)
    cold_files = file_count_line(by_key["cold"].stderr_last)
    warm_files = file_count_line(by_key["warm"].stderr_last)
    if cold_files:
        print(f"scaffold check (cold) says: {cold_files}", file=human)
    if warm_files and warm_files != cold_files:
        print(f"scaffold check (warm) says: {warm_files}", file=human)
    if 1 in by_key["cold"].codes | by_key["warm"].codes:
        print("note: scaffold check exited 1 (findings) on the generated project.", file=human)

    if opts.json:
        doc = {
            "repeat": repeat,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "total_s": round(total, 1),
            "load_before": load_before,
            "project": {
                "modules": modules,
                "migrations": revisions,
                "build": built.source,
                "build_s": round(built.seconds, 1),
                "build_key": built.key,
            },
            "rows": [
                {
                    "key": row.key,
                    "label": row.label,
                    "median_ms": row.median_ms,
                    "min_ms": row.min_ms,
                    "samples_ms": [round(x * 1000, 2) for x in row.samples],
                    "ratio_vs_ruff": ratio(row, rows[0]),
                    "target": row.target,
                    "ok": None if row.target is None else within(row, rows[0]),
                    "exit_codes": sorted(row.codes),
                    "stderr_last_line": row.stderr_last,
                }
                for row in rows
            ],
        }
        print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
