"""All-or-nothing: a failure at any write of an apply leaves the project byte-identical.

Faults are injected through ``scaffold.project.files.before_write`` (the hook ``write_all`` calls
before each file) and ``os.replace``: for every n, the n-th write raises ``OSError``
(disk full, permission denied) or ``KeyboardInterrupt`` (Ctrl-C), and the project must
be exactly as before: same files, same bytes, same folders, no temporary files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold.project import files as plan_module
from scaffold.project.core import Project
from tests.support.helpers import MINIMAL_PYPROJECT, REPO, scaffold, tree

RESIDENTS = ("resource", "residents", "name:str=120", "email:str:unique")
# name of scenario -> (has residents already, argv)
SCENARIOS = {
    # New files in new folders: a rollback must remove both.
    "create": (False, RESIDENTS),
    # Existing generated files rewritten (and a migration forced): their bytes come back.
    "update": (True, ("resource", "residents", "name:str=200", "email:str:unique", "--force")),
    # A second command that edits several layers and adds a migration.
    "field-add": (True, ("field", "add", "residents", "age:int:optional")),
}


def snapshot(root: Path) -> tuple[dict[str, str], list[str]]:
    """File hashes plus the folder list (an empty folder left behind is a change too)."""
    folders = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())
    return tree(root), [f for f in folders if "__pycache__" not in f]


def new_project(path: Path, *, with_residents: bool) -> Path:
    (path / "migrations/versions").mkdir(parents=True)
    (path / "migrations/env.py").write_text("# Alembic env\n")
    (path / "pyproject.toml").write_text(MINIMAL_PYPROJECT)
    if with_residents:
        result = scaffold(*RESIDENTS, project=path)
        assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    root = tmp_path_factory.mktemp("atomic")
    return {flag: new_project(root / f"base-{flag}", with_residents=flag) for flag in (False, True)}


class Counter:
    """Counts calls; raises ``exc`` on call number ``fail_on`` (1-based)."""

    def __init__(
        self,
        fail_on: int | None = None,
        exc: BaseException | None = None,
        wrapped: Callable | None = None,
    ) -> None:
        self.fail_on, self.exc, self.wrapped = fail_on, exc, wrapped
        self.paths: list[Path] = []

    def __call__(self, *args):
        self.paths.append(Path(args[0]))
        if len(self.paths) == self.fail_on:
            raise self.exc  # type: ignore[misc]
        return self.wrapped(*args) if self.wrapped else None


def copy(base: Path, dst: Path) -> Path:
    shutil.copytree(base, dst, symlinks=True)
    return dst


def recorded_writes(base: Path, tmp_path: Path, argv: tuple[str, ...]) -> list[str]:
    """The paths a successful run writes, in order (one ``before_write`` call each)."""
    root = copy(base, tmp_path / "count")
    counter = Counter()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plan_module, "before_write", counter)
        result = scaffold(*argv, project=root)
    assert result.exit_code == 0, result.output
    return [p.relative_to(root).as_posix() for p in counter.paths]


def is_report(rel: str) -> bool:
    return rel.startswith(".scaffold/reports/")


FAULTS = {
    "oserror": lambda: OSError(28, "No space left on device"),
    "ctrl-c": KeyboardInterrupt,
}


def run_with_fault(
    root: Path, argv: tuple[str, ...], n: int, fault: str, *, at: str = "before_write"
) -> object:
    exc = FAULTS[fault]()
    with pytest.MonkeyPatch.context() as mp:
        if at == "before_write":
            mp.setattr(plan_module, "before_write", Counter(n, exc))
        else:  # the rename that makes a written temporary file the real one
            mp.setattr(os, "replace", Counter(n, exc, wrapped=os.replace))
        return scaffold(*argv, project=root)


def assert_refused_cleanly(result, fault: str) -> None:
    output = result.output
    assert result.exit_code == (130 if fault == "ctrl-c" else 70), output
    assert "Traceback" not in output, output
    assert "Nothing was changed" in output or "nothing was changed" in output, output


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_failure_at_any_write_leaves_the_project_unchanged(
    scenario: str, fault: str, bases: dict[bool, Path], tmp_path: Path
) -> None:
    with_residents, argv = SCENARIOS[scenario]
    base = bases[with_residents]
    writes = recorded_writes(base, tmp_path, argv)
    main = [n for n, rel in enumerate(writes, start=1) if not is_report(rel)]
    assert len(main) >= 8, writes
    expected = snapshot(base)
    changed = []
    for n in main:
        root = copy(base, tmp_path / f"{fault}-{n}")
        result = run_with_fault(root, argv, n, fault)
        assert_refused_cleanly(result, fault)
        if snapshot(root) != expected:
            changed.append(f"write {n} ({writes[n - 1]})")
    assert not changed, f"project changed after a failure at: {changed}"


@pytest.mark.parametrize("scenario", ["create", "update"])
def test_a_failing_rename_leaves_no_temporary_file_and_no_change(
    scenario: str, bases: dict[bool, Path], tmp_path: Path
) -> None:
    with_residents, argv = SCENARIOS[scenario]
    base = bases[with_residents]
    writes = recorded_writes(base, tmp_path, argv)
    expected = snapshot(base)
    main = [n for n, rel in enumerate(writes, start=1) if not is_report(rel)]
    for n in main:
        root = copy(base, tmp_path / f"replace-{n}")
        result = run_with_fault(root, argv, n, "oserror", at="replace")
        assert_refused_cleanly(result, "oserror")
        assert snapshot(root) == expected, f"changed after os.replace {n} ({writes[n - 1]})"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_failure_writing_the_report_leaves_the_project_unchanged(
    fault: str, bases: dict[bool, Path], tmp_path: Path
) -> None:
    argv = SCENARIOS["create"][1]
    base = bases[False]
    writes = recorded_writes(base, tmp_path, argv)
    [n] = [n for n, rel in enumerate(writes, start=1) if is_report(rel)]
    root = copy(base, tmp_path / "report")
    result = run_with_fault(root, argv, n, fault)
    assert "Traceback" not in result.output
    assert snapshot(root) == snapshot(base)


def test_a_formatter_failure_writes_nothing(
    mini_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scaffold.generate import format as render_format

    monkeypatch.setattr(render_format, "ruff_binary", lambda: shutil.which("false"))
    before = snapshot(mini_project)
    result = scaffold(*RESIDENTS, project=mini_project)
    assert result.exit_code != 0, result.output
    assert "ruff" in result.output
    assert "Traceback" not in result.output
    assert snapshot(mini_project) == before


def test_a_failing_quality_check_writes_nothing_but_its_report(mini_project: Path) -> None:
    """Prove, then write: a check that fails rolls the change back (exit 1) and leaves only
    the run's report, which names the check; --keep-failed writes it anyway."""
    overrides = mini_project / ".scaffold/templates"
    overrides.mkdir(parents=True)
    service = (REPO / "templates/resource/service.py.jinja").read_text()
    (overrides / "service.py.jinja").write_text(service + "\n\nl = 1  # E741, not auto-fixable\n")
    before = snapshot(mini_project)
    result = scaffold(*RESIDENTS, project=mini_project)
    assert result.exit_code == 1, result.output
    assert "Nothing was written: the proof failed. ruff check" in result.output
    assert "ruff format --check clean — FAILED: " in result.output
    [report] = (mini_project / ".scaffold/reports").glob("*.md")
    files, folders = snapshot(mini_project)
    reports = ".scaffold/reports"
    assert {k: v for k, v in files.items() if not k.startswith(reports)} == before[0]
    assert [f for f in folders if f != reports] == before[1]
    text = report.read_text()
    assert "  - [ ] FAILED: ruff check and ruff format --check clean" in text
    assert "E741" in text
    assert "not applied: the proof failed" in text
    assert "| `app/services/residents.py` | skip |" in text

    kept = scaffold(*RESIDENTS, "--keep-failed", project=mini_project)
    assert kept.exit_code == 1, kept.output
    assert "Written anyway (--keep-failed)" in kept.output
    assert (mini_project / "app/services/residents.py").is_file()


def test_a_refused_run_does_not_touch_existing_files(
    bases: dict[bool, Path], tmp_path: Path
) -> None:
    """A conflict refuses the whole change: the files that would have been updated keep
    their bytes too, not only the conflicting one."""
    root = copy(bases[True], tmp_path / "conflict")
    # The user's edit overlaps the line the new spec changes (max_length=120 -> 200).
    schema = root / "app/schemas/residents.py"
    schema.write_text(schema.read_text().replace("max_length=120", "max_length=100"))
    before = snapshot(root)
    result = scaffold("resource", "residents", "name:str=200", "email:str:unique", project=root)
    assert result.exit_code == 1, result.output
    assert "conflict" in result.output
    assert snapshot(root) == before


# -- the project lock -------------------------------------------------------------------------


def _cli(root: Path, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "scaffold", *argv, "--project", str(root), "--no-verify", "-q"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_second_run_waits_for_the_lock(mini_project: Path) -> None:
    with plan_module.project_lock(mini_project):
        proc = _cli(mini_project, *RESIDENTS)
        time.sleep(1.5)
        assert proc.poll() is None, "the second run did not wait for the lock"
        assert not (mini_project / "app").exists()
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert (mini_project / "app/models/residents.py").is_file()


def test_concurrent_runs_chain_their_migrations_to_one_head(mini_project: Path) -> None:
    tables = ["alphas", "betas", "gammas", "deltas"]
    procs = [_cli(mini_project, "resource", table, "name:str=40") for table in tables]
    for proc in procs:
        output, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, output
    project = Project.find(mini_project, explicit=True)
    graph = project.migration_graph()
    assert len(graph) == len(tables)
    head = project.single_head()  # raises on two heads
    chain = []
    while head:
        chain.append(head)
        downs = graph[head][1]
        head = downs[0] if downs else None
    assert len(chain) == len(tables), graph
    assert set(project.manifest.resources) == set(tables)
