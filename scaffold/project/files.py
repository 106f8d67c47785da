"""The project's files: what a generator wants written (:class:`Rendered`), what a plan
found for each file (:class:`Change`), and writing them all or nothing.

Apply writes each file to a temporary sibling and ``os.replace``s it, and restores
every byte if anything fails, Ctrl-C included; paths never leave the project.
"""

from __future__ import annotations

import os
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import ProjectError

CREATE, UPDATE, IDENTICAL, CONFLICT, SKIP, FORCE = (
    "create",
    "update",
    "identical",
    "conflict",
    "skip",
    "force",
)
REMOVE = "remove"
WRITES = (CREATE, UPDATE, FORCE, REMOVE)


@dataclass(frozen=True)
class Rendered:
    """One file a generator wants in the project."""

    path: str
    text: str
    resource: str | None = None
    frozen: bool = False  # migrations: once written, never silently updated
    edit: bool = False  # an in-place syntax-tree edit of the file as it is now (not a render)
    # An edit scaffold makes as the user would (an Index no spec can say): the previous
    # render stays the file's base, so the next render merges with it instead of undoing it.
    as_user_edit: bool = False
    delete: bool = False  # the generated file goes away (``destroy``)


@dataclass(frozen=True)
class Change:
    path: str
    status: str
    text: str
    old: str | None
    resource: str | None = None
    reason: str = ""
    generated: str | None = None  # what scaffold rendered (``text`` may be merged with edits)
    delete: bool = False

    @property
    def writes(self) -> bool:
        return self.status in WRITES


def safe_path(root: Path, rel: str) -> Path:
    """``root/rel`` if it stays inside the project (symlinks resolved), else ProjectError."""
    example = "replace the symlink with a real folder or file inside the project, then run again"
    if not rel or Path(rel).is_absolute() or "\x00" in rel or ".." in Path(rel).parts:
        raise ProjectError(
            f"Refusing to write {rel!r}: outside the project.", token=rel, example=example
        )
    target = root / rel
    resolved_root = root.resolve()
    resolved = target.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise ProjectError(
            f"Refusing to write {rel!r}: it resolves outside the project (a symlink?).",
            token=rel,
            example=example,
        )
    if target.is_symlink():
        raise ProjectError(
            f"Refusing to write {rel!r}: it is a symlink.", token=rel, example=example
        )
    return target


def unified_diff(change: Change) -> str:
    import difflib

    old = (change.old or "").splitlines(keepends=True)
    new = change.text.splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(old, new, fromfile=f"a/{change.path}", tofile=f"b/{change.path}")
    )


# Tests replace this to inject a failure before the n-th write.
def before_write(_path: Path) -> None:
    return None


class _Undo:
    """What to restore: previous bytes per file (None: it did not exist) and new folders."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, bytes | None]] = []
        self.dirs: list[Path] = []

    def restore(self) -> None:
        for target, previous in reversed(self.files):
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(previous)
        for folder in reversed(self.dirs):
            with suppress(OSError):
                folder.rmdir()


_transaction: _Undo | None = None
_recorders: list[set[Path]] = []


@contextmanager
def recording():
    """Collect every path ``write_all`` writes or deletes while this is open."""
    written: set[Path] = set()
    _recorders.append(written)
    try:
        yield written
    finally:
        _recorders.remove(written)


@contextmanager
def transaction(*, rollback: bool = False):
    """Several ``write_all`` calls as one change: any failure inside restores them all.

    With ``rollback=True`` the writes are undone even on success (a dry run of a
    multi-step mission, whose later steps read what the earlier ones wrote).
    """
    global _transaction
    if _transaction is not None:
        yield _transaction
        return
    _transaction = undo = _Undo()
    try:
        yield undo
    except BaseException:
        undo.restore()
        raise
    else:
        if rollback:
            undo.restore()
    finally:
        _transaction = None


def write_all(root: Path, files: list[tuple[str, str | None]]) -> None:
    """Write every (path, text) or none (text None deletes the file): on any failure,
    restore the previous bytes."""
    undo = _Undo()
    try:
        for rel, text in files:
            target = safe_path(root, rel)
            missing = [
                p
                for p in target.relative_to(root).parents
                if p != Path(".") and not (root / p).exists()
            ]
            for parent in reversed(missing):
                (root / parent).mkdir()
                undo.dirs.append(root / parent)
            before_write(target)
            for written in _recorders:
                written.add(target)
            previous = target.read_bytes() if target.exists() else None
            undo.files.append((target, previous))
            if text is None:
                target.unlink(missing_ok=True)
                continue
            tmp = target.with_name(f".{target.name}.scaffold-tmp")
            try:
                tmp.write_text(text, encoding="utf-8", newline="")
                os.replace(tmp, target)
            finally:
                if tmp.exists():
                    tmp.unlink()
    except BaseException:
        undo.restore()
        raise
    if _transaction is not None:
        _transaction.files += undo.files
        _transaction.dirs += undo.dirs


@contextmanager
def project_lock(root: Path):
    """Serialise runs on one project (an OS lock, released even if we crash).

    The lock file lives in the temp folder, so a refused run leaves no trace.
    """
    import hashlib
    import tempfile

    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    handle = open(Path(tempfile.gettempdir()) / f"scaffold-{key}.lock", "a+")  # noqa: SIM115
    try:
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        yield
    finally:
        handle.close()
