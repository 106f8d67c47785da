"""A change is proved before it is written: a writing command runs on a scratch copy of
the project, its proof runs there, and only then is what it wrote carried into the
project (or, when the proof failed, only its report)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from scaffold.errors import ScaffoldError
from scaffold.project.core import Project
from scaffold.project.files import recording, write_all
from scaffold.project.outcome import Outcome

# Never read by a command: version control and caches (and earlier reports, REPORTS).
NOT_COPIED = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
    | {".tox", ".nox", ".hypothesis"}
)
REPORTS = Path(".scaffold/reports")
STALE_SECONDS = 7 * 24 * 3600
# Where the copies live: the temp folder's scaffold-proofs/ unless this names another.
PROOFS_ENV = "SCAFFOLD_PROOFS_DIR"
# Read by the proof, never written: the project's environments, linked rather than copied.
LINKED = frozenset({".venv", "venv", "node_modules"})


def copy_project(root: Path, into: Path) -> Path:
    """A working copy of the project at ``root`` inside the folder ``into``: everything a
    command reads or its proof runs, without version control and caches but bytecode."""

    def ignored(folder: str, names: list[str]) -> set[str]:
        # The project's bytecode comes along (still valid: mtimes are kept), a warm start.
        here = Path(folder)
        return {n for n in names if n != "__pycache__" and _skipped(root, here, n)}

    scratch = into / root.name
    shutil.copytree(root, scratch, symlinks=True, ignore=ignored)
    _link_environments(root, scratch)
    return scratch


def _skipped(root: Path, folder: Path, name: str) -> bool:
    """Whether ``folder/name`` of the project at ``root`` stays out of its copy."""
    return name in NOT_COPIED or name in LINKED or folder / name == root / REPORTS


def _link_environments(root: Path, scratch: Path) -> None:
    for name in LINKED:
        if (root / name).is_dir() and not (scratch / name).exists():
            os.symlink(root / name, scratch / name, target_is_directory=True)


def carried(scratch: Path, root: Path, written: set[Path]) -> list[tuple[str, str | None]]:
    """What the command left changed in ``scratch`` among the paths it ``written``, as
    (path, text or None for a deleted file) for ``write_all`` on ``root``. A file written
    back as it was is not carried, so it is not touched."""
    changed: dict[str, str | None] = {}
    for target in sorted(written):
        if not target.is_relative_to(scratch):
            continue  # a copy of the copy (a mission rehearses its steps in one)
        rel = target.relative_to(scratch).as_posix()
        text = target.read_text(encoding="utf-8") if target.exists() else None
        own = root / rel
        before = own.read_text(encoding="utf-8") if own.is_file() else None
        if text != before:
            changed[rel] = text
    return list(changed.items())


def proved_in_scratch(project: Project, command: Callable[[Project], Outcome]) -> Outcome:
    """Run ``command`` (plan, write, prove and report) on a scratch copy of ``project``;
    then write what it wrote into the project when its proof passed (or ``--keep-failed``
    kept it), and otherwise only the run's report. Paths of the copy in anything the user
    reads are the project's own."""
    scratch = synced_copy(project.root, _scratch_home(project.root))
    copy = Project(scratch, project.settings, origin=project.root)
    with _as_project(scratch, project.root), recording() as written, _bytecode_kept():
        outcome = command(copy)
    files = carried(scratch, project.root, written)
    if outcome.exit_code and not outcome.extra.get("kept_failed"):
        # A refused or failed change leaves nothing behind but the run's report.
        files = [(rel, text) for rel, text in files if rel == outcome.report_path]
    files = [(rel, _named(text, scratch, project.root)) for rel, text in files]
    if files:
        write_all(project.root, files)
    _rename_paths(outcome, str(scratch), str(project.root))
    return outcome


def _scratch_home(root: Path) -> Path:
    """Where the copy of ``root`` lives: the same folder for every run on the project
    (runs on one project hold its lock, one at a time), kept between runs, so the next
    proof copies only what changed and finds the bytecode its interpreters compiled."""
    import hashlib

    key = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    every = Path(os.environ.get(PROOFS_ENV) or Path(tempfile.gettempdir()) / "scaffold-proofs")
    home = every / key
    home.mkdir(parents=True, exist_ok=True)
    os.utime(home)
    # The copies of projects no run has proved in a week go.
    for other in every.iterdir():
        with suppress(OSError):
            if time.time() - other.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(other)
    return home


def synced_copy(root: Path, home: Path) -> Path:
    """The copy of ``root`` in ``home``, made anew or brought up to date: files new or
    changed since (by size and mtime) are copied, files gone are removed; the copy's
    ``__pycache__`` folders stay."""
    scratch = home / root.name
    if not scratch.is_dir():
        return copy_project(root, home)
    seen: set[Path] = set()
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not _skipped(root, here, d)]
        there = scratch / here.relative_to(root)
        there.mkdir(exist_ok=True)
        seen.add(there)
        for name in names:
            source, target = here / name, there / name
            seen.add(target)
            if source.is_symlink() or not _same_file(source, target):
                target.unlink(missing_ok=True)
                shutil.copy2(source, target, follow_symlinks=False)
    for folder, _dirs, names in os.walk(scratch, topdown=False):
        here = Path(folder)
        if here.name == "__pycache__" or here.parent.name == "__pycache__":
            continue
        for name in names:
            if here / name not in seen:
                (here / name).unlink()
        if here not in seen and here != scratch and not any(here.iterdir()):
            here.rmdir()
    _link_environments(root, scratch)
    return scratch


def _same_file(source: Path, target: Path) -> bool:
    try:
        a, b = source.stat(), target.lstat()
    except OSError:
        return False
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


@contextmanager
def _bytecode_kept() -> Iterator[None]:
    """The proof's interpreters write bytecode (into the copy, never the project), so the
    next proof does not compile the project again, whatever the shell says."""
    said = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        yield
    finally:
        if said is not None:
            os.environ["PYTHONDONTWRITEBYTECODE"] = said


@contextmanager
def _as_project(scratch: Path, root: Path) -> Iterator[None]:
    """An error raised in the copy names the project's paths, not the copy's."""
    try:
        yield
    except ScaffoldError as exc:
        exc.message = _named(exc.message, scratch, root) or ""
        exc.example = _named(exc.example, scratch, root)
        exc.args = (exc.render(),)
        raise


def _named(text: str | None, scratch: Path, root: Path) -> str | None:
    return None if text is None else text.replace(str(scratch), str(root))


def _rename_paths(outcome: Outcome, old: str, new: str) -> None:
    """Every text of ``outcome`` that names the copy names the project instead."""

    def renamed(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(old, new)
        if isinstance(value, list):
            return [renamed(item) for item in value]
        if isinstance(value, dict):
            return {key: renamed(item) for key, item in value.items()}
        return value

    for name in ("notes", "handoff", "checks", "performance", "extra", "layers"):
        setattr(outcome, name, renamed(getattr(outcome, name)))
