"""Wall-clock benchmark of the scaffold CLI against its peers (alembic, copier).

Run from the repository root:

    .venv/bin/python bench/run.py            # 15 measured runs per scenario
    .venv/bin/python bench/run.py --quick    # 3 measured runs
    .venv/bin/python bench/run.py --json     # table on stderr, JSON on stdout

Every measured command is a fresh process. Each scenario runs once as a warm-up
(discarded) and then ``--repeat`` times; the scenarios are run round-robin, one run
of each per round, so a slow spell on the machine hits all of them alike and the
ratios stay fair. Copies, clean-ups and project set-up happen outside the timed
region. The run is a report: it exits 0 when a target is missed and 1 only when a
measured command itself fails.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Resource used by the single-resource row.
RESOURCE_ARGS = ["parcels", "title:str=120", "qty:int:min=0", "owner_id:ref=residents"]
BIG_COUNT = 50
HELP_TARGET_MS = 60.0
RESOURCE_VS_ALEMBIC_TARGET = 0.5
GROWTH_TARGET = 1.2
CHECK_TARGET_MS = 2000.0
MISSION_VERIFY_TARGET_MS = 3000.0  # a mission with its proof, two-resource project
TEN_PROOF_TARGET_MS = 3000.0  # a resource with its proof, ten-resource project
# A realistic ten-resource domain: owned rows and a chain below them, nesting, UUID keys,
# a many-to-many and a one-to-one, public and admin-only resources.
TEN_RESOURCES: tuple[tuple[str, ...], ...] = (
    ("resource", "clinics", "name:str=120:unique", "city:str=80"),
    ("resource", "practitioners", "clinic_id:ref=clinics", "name:str=120", "--admin-writes"),
    ("resource", "profiles", "practitioner_id:ref=practitioners:unique", "bio:text"),
    ("resource", "treatments", "name:str=80:unique", "price:decimal=10,2", "--public", "--approve"),
    ("resource", "conditions", "name:str=80:unique", "--public", "--approve"),
    ("resource", "patients", "name:str=120", "conditions:many=conditions", "--owned"),
    ("resource", "appointments", "patient_id:ref=patients", "practitioner_id:ref=practitioners")
    + ("starts_at:datetime", "--parent", "patients", "--id", "uuid"),
    ("resource", "invoices", "appointment_id:ref=appointments", "amount:decimal=10,2:min=0"),
    ("resource", "slots", "practitioner_id:ref=practitioners", "starts_at:datetime"),
    ("resource", "notes", "appointment_id:ref=appointments", "body:text"),
)
# The eleventh: a child of the owned chain, the proof's realistic case.
TEN_PROOF_ARGS = ("rooms", "clinic_id:ref=clinics", "name:str=40", "floor:int:min=0")
MODULE_COUNT = 1000  # the big codebase of the proof's growth row
PROOF_GROWTH_TARGET = 1.2  # a resource with its proof there / in a fresh project
# Rows whose warm-up run takes longer than SLOW_S get at most SLOW_CAP measured runs,
# so the default run stays near 3 minutes on 2 cores. The table shows the run count.
SLOW_S = 1.5
SLOW_CAP = 7


def _bin_dir() -> Path:
    """The venv's bin folder: the one running this script, else the repo's .venv."""
    here = Path(sys.executable).parent  # not resolved: a venv's python is a symlink
    if (here / "scaffold").exists():
        return here
    return ROOT / ".venv" / "bin"


BIN = _bin_dir()
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
ENV.pop("SCAFFOLD_DEBUG", None)
# Measure what users see: bytecode cached after the warm-up. The cache goes to the
# scratch folder (PYTHONPYCACHEPREFIX, set in main), never into the repository.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


class CommandFailed(Exception):
    def __init__(self, argv: list[str], cwd: Path, proc: subprocess.CompletedProcess[str]):
        super().__init__(f"{' '.join(argv)} exited {proc.returncode}")
        self.argv, self.cwd, self.proc = argv, cwd, proc


def run(argv: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Run ``argv`` in ``cwd``; return (wall seconds, exit code). Raise if the code is not ok."""
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise CommandFailed(argv, cwd, proc)
    return elapsed, proc.returncode


def scaffold(*args: str) -> list[str]:
    return [str(BIN / "scaffold"), *args]


@dataclass
class Scenario:
    """One timed command. ``prepare`` (untimed) returns the argv and folder of the next run."""

    key: str
    label: str
    prepare: Callable[[], tuple[list[str], Path]]
    cleanup: Callable[[], None] = lambda: None
    ref: str | None = None  # key of the scenario the ratio is taken against
    ok: tuple[int, ...] = (0,)
    samples: list[float] = field(default_factory=list)
    codes: set[int] = field(default_factory=set)
    limit: int | None = None  # measured runs, when capped because the row is slow
    status: str | None = None  # "not available" / "not installed": a row with no numbers

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.samples) * 1000 if self.samples else None

    @property
    def p90_ms(self) -> float | None:
        if not self.samples:
            return None
        if len(self.samples) == 1:
            return self.samples[0] * 1000
        return statistics.quantiles(self.samples, n=10, method="inclusive")[-1] * 1000


class Scratch:
    """Temp folder with the template copy and the prepared projects."""

    def __init__(self, root: Path):
        self.root = root
        self.runs = root / "runs"
        self.runs.mkdir()
        self._n = 0

    def fresh_dir(self, stem: str = "app") -> Path:
        """A new, not yet existing folder name under runs/."""
        self._n += 1
        return self.runs / f"{stem}{self._n:04d}"

    def copy_of(self, project: Path) -> Path:
        dst = self.fresh_dir(project.name)
        shutil.copytree(project, dst, symlinks=True)
        return dst

    def same_copy_of(self, project: Path) -> Path:
        """A pristine copy of ``project`` at the same path every run: as a user proves
        changes in one project, the proof's kept scratch copy and bytecode are warm."""
        dst = self.runs / f"{project.name}-proved"
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(project, dst, symlinks=True)
        return dst

    def clear_runs(self) -> None:
        for child in self.runs.iterdir():
            shutil.rmtree(child, ignore_errors=True)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- set-up


def build_projects(s: Scratch) -> dict[str, Path]:
    """Template copy, a pristine project, one with ``residents``, one with 50 resources."""
    tpl = s.root / "template"
    tpl.mkdir()
    shutil.copy2(ROOT / "copier.yml", tpl / "copier.yml")
    shutil.copytree(ROOT / "templates", tpl / "templates")

    log("setup: scaffold new (pristine project)")
    fresh = s.root / "fresh"
    run(scaffold("new", str(fresh), "--defaults", "--quiet"), s.root)

    base = s.root / "base"
    shutil.copytree(fresh, base, symlinks=True)
    run(scaffold("resource", "residents", "name:str=80", "--no-verify", "--quiet"), base)
    alembic_proj = s.root / "alembic_proj"
    shutil.copytree(base, alembic_proj, symlinks=True)
    # The peer figure is plain `alembic revision`: the template's ruff post-write
    # hooks (two extra interpreters) are left out so alembic is not handicapped.
    ini = (alembic_proj / "alembic.ini").read_text()
    plain = re.sub(r"\[post_write_hooks\].*?(?=\n\[)", "", ini, flags=re.S)
    (alembic_proj / "alembic-plain.ini").write_text(plain)

    two = s.root / "two"
    shutil.copytree(base, two, symlinks=True)
    run(
        scaffold("resource", "rooms", "name:str=40", "capacity:int:min=0", "--no-verify", "-q"),
        two,
    )

    # A big codebase: the base project plus 1,000 modules of the team's own (the proof
    # must cost what the change costs, not what the project weighs).
    thousand = s.root / "thousand"
    shutil.copytree(base, thousand, symlinks=True)
    legacy = thousand / "app" / "legacy"
    legacy.mkdir()
    (legacy / "__init__.py").write_text('"""Code of the team\'s own."""\n')
    for i in range(MODULE_COUNT):
        (legacy / f"m{i:04d}.py").write_text(
            f'"""Module {i}."""\n\n\ndef value_{i}(x: int) -> int:\n    return x + {i}\n'
        )

    big = s.root / "big"
    shutil.copytree(fresh, big, symlinks=True)
    log(f"setup: {BIG_COUNT} resources (once) ...")
    start = time.perf_counter()
    for i in range(1, BIG_COUNT + 1):
        name = f"r{i:02d}"
        fields = ["name:str=80", "n:int"]
        if i % 5 == 0:  # every 5th links to the one before, every 10th also to r01
            fields.append(f"prev_id:ref=r{i - 1:02d}")
        if i % 10 == 0:
            fields.append("root_id:ref=r01:optional")
        argv = ["resource", name, *fields, "--singular", f"{name}_item", "--no-verify", "-q"]
        run(scaffold(*argv), big)
    log(f"setup: {BIG_COUNT} resources built in {time.perf_counter() - start:.1f} s")

    ten = s.root / "ten"
    shutil.copytree(fresh, ten, symlinks=True)
    for argv in TEN_RESOURCES:
        run(scaffold(*argv, "--no-verify", "--quiet"), ten)
    return {
        "ten": ten,
        "template": tpl,
        "fresh": fresh,
        "base": base,
        "two": two,
        "alembic": alembic_proj,
        "big": big,
        "thousand": thousand,
    }


def command_exists(argv: list[str], cwd: Path) -> bool:
    proc = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    return proc.returncode == 0


def scenarios(s: Scratch, p: dict[str, Path]) -> list[Scenario]:
    py = sys.executable
    out: list[Scenario] = []

    def fixed(argv: list[str], cwd: Path) -> Callable[[], tuple[list[str], Path]]:
        return lambda: (argv, cwd)

    out.append(Scenario("baseline", "python -c pass", fixed([py, "-c", "pass"], s.root)))
    out.append(
        Scenario("help", "scaffold --help", fixed(scaffold("--help"), s.root), ref="baseline")
    )
    out.append(
        Scenario(
            "resource_help",
            "scaffold resource --help",
            fixed(scaffold("resource", "--help"), s.root),
            ref="baseline",
        )
    )

    # alembic revision: one new file per run, deleted afterwards (with its bytecode).
    versions = p["alembic"] / "migrations" / "versions"
    before = {f.name for f in versions.glob("*.py")}

    def alembic_cleanup() -> None:
        for f in versions.glob("*.py"):
            if f.name not in before:
                f.unlink()
                for pyc in (versions / "__pycache__").glob(f"{f.stem}.*"):
                    pyc.unlink()

    out.append(
        Scenario(
            "alembic",
            "alembic revision -m x",
            fixed(
                [str(BIN / "alembic"), "-c", "alembic-plain.ini", "revision", "-m", "x"],
                p["alembic"],
            ),
            alembic_cleanup,
        )
    )

    # Per-run copies live under runs/ and are removed after each run.
    def in_copy_of(project: Path, args: list[str]) -> Callable[[], tuple[list[str], Path]]:
        return lambda: (scaffold(*args), s.copy_of(project))

    def proved_in(project: Path, args: list[str]) -> Callable[[], tuple[list[str], Path]]:
        return lambda: (scaffold(*args), s.same_copy_of(project))

    out.append(
        Scenario(
            "resource",
            f"scaffold resource {RESOURCE_ARGS[0]} (3 fields, 1 ref)",
            in_copy_of(p["base"], ["resource", *RESOURCE_ARGS, "--no-verify", "--quiet"]),
            s.clear_runs,
            ref="alembic",
        )
    )

    copier_argv = [str(BIN / "copier"), "copy", "--defaults", "--quiet", str(p["template"])]
    out.append(
        Scenario(
            "copier",
            "copier copy --defaults (template)",
            lambda: ([*copier_argv, str(s.fresh_dir("myapp"))], s.root),
            s.clear_runs,
        )
    )
    out.append(
        Scenario(
            "new",
            "scaffold new DIR --defaults",
            lambda: (scaffold("new", str(s.fresh_dir("myapp")), "--defaults", "--quiet"), s.root),
            s.clear_runs,
            ref="copier",
        )
    )

    grow = ["resource", "r51", "name:str=80", "n:int", "--singular", "r51_item", "--no-verify"]
    grow.append("--quiet")
    out.append(
        Scenario(
            "add_first",
            "add 1st resource (fresh project)",
            in_copy_of(p["fresh"], grow),
            s.clear_runs,
        )
    )
    out.append(
        Scenario(
            "add_51st",
            f"add {BIG_COUNT + 1}st resource ({BIG_COUNT}-resource project)",
            in_copy_of(p["big"], grow),
            s.clear_runs,
            ref="add_first",
        )
    )

    # Missions always prove: migration round trip, alembic check, the touched resource's
    # tests, the standing-order rules, ruff and the load probe.
    out.append(
        Scenario(
            "mission_verify",
            "mission with its proof (2-resource project)",
            proved_in(p["two"], ["mission", "add notes text optional to residents", "--quiet"]),
            s.clear_runs,
        )
    )

    proof = ["resource", "crates", "label:str=40", "--quiet"]
    out.append(
        Scenario(
            "proof_fresh",
            "resource with its proof (fresh project)",
            proved_in(p["base"], proof),
            s.clear_runs,
        )
    )
    out.append(
        Scenario(
            "proof_thousand",
            f"resource with its proof ({MODULE_COUNT:,}-module project)",
            proved_in(p["thousand"], proof),
            s.clear_runs,
            ref="proof_fresh",
        )
    )

    out.append(
        Scenario(
            "proof_ten",
            "resource with its proof (ten-resource project)",
            proved_in(p["ten"], ["resource", *TEN_PROOF_ARGS, "--quiet"]),
            s.clear_runs,
        )
    )

    check = Scenario(
        "check",
        f"scaffold check ({BIG_COUNT}-resource project)",
        fixed(scaffold("check"), p["big"]),
        ok=(0, 1),  # 1 means "violations found": a result, not a crash
    )
    if not command_exists(scaffold("check", "--help"), s.root):
        check.status = "not available"
    out.append(check)

    for tool in ("rails", "nest"):
        exe = shutil.which(tool)
        row = Scenario(
            tool,
            f"{tool} --help (peer startup)",
            fixed([exe or tool, "--help"], s.root),
            ref="baseline",
        )
        if exe is None:
            row.status = "not installed"
        out.append(row)
    return out


# --------------------------------------------------------------------------- measure


def measure(rows: list[Scenario], repeat: int) -> None:
    """Warm-up round, then ``repeat`` rounds of one run per scenario (round-robin)."""
    active = [r for r in rows if r.status is None]
    for rnd in range(repeat + 1):
        log("warm-up round" if rnd == 0 else f"round {rnd}/{repeat}")
        for row in active:
            if row.limit is not None and len(row.samples) >= row.limit:
                continue
            argv, cwd = row.prepare()
            try:
                elapsed, code = run(argv, cwd, row.ok)
            finally:
                row.cleanup()
            if rnd == 0:
                if elapsed > SLOW_S and repeat > SLOW_CAP:
                    row.limit = SLOW_CAP
                continue
            row.samples.append(elapsed)
            row.codes.add(code)


def ratio(rows: dict[str, Scenario], row: Scenario) -> float | None:
    ref = rows.get(row.ref or "")
    if ref is None or row.median_ms is None or not ref.median_ms:
        return None
    return row.median_ms / ref.median_ms


def targets(rows: dict[str, Scenario]) -> list[dict[str, object]]:
    """Each target: what, measured value (text), PASS / FAIL / N/A."""
    res: list[dict[str, object]] = []

    def add(what: str, value: float | None, text: str, passed: bool | None) -> None:
        verdict = "N/A" if passed is None else ("PASS" if passed else "FAIL")
        res.append({"target": what, "value": value, "measured": text, "result": verdict})

    for key in ("help", "resource_help"):
        m = rows[key].median_ms
        add(f"{rows[key].label} <= {HELP_TARGET_MS:.0f} ms", m, f"{m:.0f} ms", m <= HELP_TARGET_MS)

    r = ratio(rows, rows["resource"])
    add(
        f"scaffold resource <= {RESOURCE_VS_ALEMBIC_TARGET} x alembic revision",
        r,
        f"{r:.2f} x ({rows['resource'].median_ms:.0f} / {rows['alembic'].median_ms:.0f} ms)",
        r <= RESOURCE_VS_ALEMBIC_TARGET,
    )

    g = ratio(rows, rows["add_51st"])
    add(
        f"add {BIG_COUNT + 1}st / add 1st <= {GROWTH_TARGET}",
        g,
        f"{g:.2f} x ({rows['add_51st'].median_ms:.0f} / {rows['add_first'].median_ms:.0f} ms)",
        g <= GROWTH_TARGET,
    )

    def within(key: str, what: str, target_ms: float) -> None:
        """A row's median against a time target (seconds)."""
        m = rows[key].median_ms
        text = f"{m:.0f} ms" if m is not None else "not measured"
        add(f"{what} <= {target_ms / 1000:.0f} s", m, text, None if m is None else m <= target_ms)

    within("mission_verify", "mission with its proof", MISSION_VERIFY_TARGET_MS)

    pg = ratio(rows, rows["proof_thousand"])
    add(
        f"proof in a {MODULE_COUNT:,}-module project / fresh <= {PROOF_GROWTH_TARGET}",
        pg,
        "not measured"
        if pg is None
        else f"{pg:.2f} x ({rows['proof_thousand'].median_ms:.0f} / "
        f"{rows['proof_fresh'].median_ms:.0f} ms)",
        None if pg is None else pg <= PROOF_GROWTH_TARGET,
    )

    within("proof_ten", "resource with its proof, ten-resource project", TEN_PROOF_TARGET_MS)

    chk = rows["check"]
    if chk.status:
        add(f"scaffold check ({BIG_COUNT} resources) < 2 s", None, chk.status, None)
    else:
        m = chk.median_ms
        add(f"scaffold check ({BIG_COUNT} resources) < 2 s", m, f"{m:.0f} ms", m < CHECK_TARGET_MS)
    return res


def render_table(rows: list[Scenario], by_key: dict[str, Scenario]) -> str:
    header = ("scenario", "runs", "median ms", "p90 ms", "ratio", "reference")
    lines: list[tuple[str, ...]] = [header]
    referenced = {row.ref for row in rows}
    for row in rows:
        if row.status:
            lines.append((row.label, "", row.status, "", "", ""))
            continue
        r = ratio(by_key, row)
        lines.append(
            (
                row.label,
                str(len(row.samples)),
                f"{row.median_ms:.1f}",
                f"{row.p90_ms:.1f}",
                f"{r:.2f}x" if r is not None else "-",
                by_key[row.ref].label
                if row.ref
                else ("(reference)" if row.key in referenced else "-"),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        cells = [
            line[i].ljust(widths[i]) if i in (0, 5) else line[i].rjust(widths[i])
            for i in range(len(header))
        ]
        out.append(" | ".join(cells).rstrip())
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=15, help="measured runs per scenario (15)")
    ap.add_argument("--quick", action="store_true", help="3 measured runs per scenario")
    ap.add_argument(
        "--json", action="store_true", help="JSON results on stdout; the table goes to stderr"
    )
    opts = ap.parse_args(argv)
    repeat = 3 if opts.quick else opts.repeat
    if repeat < 1:
        ap.error("--repeat must be at least 1")
    human = sys.stderr if opts.json else sys.stdout

    started = time.perf_counter()
    load_before = f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as tmp:
        scratch = Scratch(Path(tmp))
        ENV["PYTHONPYCACHEPREFIX"] = str(scratch.root / "pycache")
        try:
            projects = build_projects(scratch)
            rows = scenarios(scratch, projects)
            measure(rows, repeat)
        except CommandFailed as exc:
            log(f"\nbench: command failed (exit {exc.proc.returncode}) in {exc.cwd}:")
            log(f"  {' '.join(exc.argv)}")
            log(exc.proc.stderr.rstrip() or exc.proc.stdout.rstrip())
            return 1
    by_key = {r.key: r for r in rows}
    results = targets(by_key)
    total = time.perf_counter() - started

    print(
        f"\nscaffold bench: {repeat} measured runs per scenario after 1 warm-up "
        f"(rows slower than {SLOW_S} s: at most {SLOW_CAP}); {os.cpu_count()} CPUs, "
        f"load {load_before}; Python {platform.python_version()}; total {total:.0f} s\n",
        file=human,
    )
    print(render_table(rows, by_key), file=human)
    chk = by_key["check"]
    if not chk.status and 1 in chk.codes:
        print("\nnote: scaffold check exited 1 (violations) on the generated project.", file=human)
    print("\nTargets", file=human)
    width = max(len(str(t["target"])) for t in results)
    for t in results:
        print(
            f"  {str(t['target']).ljust(width)}  {str(t['measured']):<30} {t['result']}", file=human
        )

    if opts.json:
        doc = {
            "repeat": repeat,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "total_s": round(total, 1),
            "load_before": load_before,
            "scenarios": [
                {
                    "key": r.key,
                    "label": r.label,
                    "status": r.status or "measured",
                    "median_ms": r.median_ms,
                    "p90_ms": r.p90_ms,
                    "samples_ms": [round(x * 1000, 2) for x in r.samples],
                    "reference": r.ref,
                    "ratio": ratio(by_key, r),
                    "exit_codes": sorted(r.codes),
                }
                for r in rows
            ],
            "targets": results,
        }
        print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
