"""The run's cache on disk: findings of an unchanged project (the index) and each file's
facts (the facts file), both keyed by the code that made them."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.checks._schemas import SchemaClass
    from scaffold.checks._symbols import SymbolTable


def code_version() -> str:
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


def cache_paths(root: Path) -> tuple[Path, Path]:
    """The index file and the facts file of the project at ``root``."""
    from scaffold.resources import cache_dir

    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:20]
    folder = cache_dir("check")
    return folder / f"{key}.index.pickle", folder / f"{key}.facts.pickle"


def load(path: Path, version: str) -> dict:  # type: ignore[type-arg]
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == version else {}


def save(path: Path, data: dict) -> None:  # type: ignore[type-arg]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass


def stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size)


def global_key(table: SymbolTable, classes: list[SchemaClass], schema_paths, returned=()) -> str:  # type: ignore[no-untyped-def]
    """What other files' rules may read of this project: typed names and schema classes
    (without line numbers, so moving code around does not invalidate every file)."""
    shape = [
        (
            c.name,
            c.path,
            tuple(c.bases),
            c.is_read,
            c.pydantic,
            tuple((f.name, f.owner, f.reason, f.credential, f.refs) for f in c.fields.values()),
        )
        for c in classes
    ]
    payload = pickle.dumps(
        (table.digest_items(), shape, sorted(schema_paths), sorted(returned)), protocol=4
    )
    return hashlib.sha1(payload).hexdigest()


class RunCache:
    """One run's view of the project's cache: the last run's index and each file's facts.
    Nothing is read or written when it is off (no cache asked, or a live catalog read)."""

    def __init__(
        self,
        root: Path,
        on: bool,
        signature: tuple,  # type: ignore[type-arg]
        stats: dict[str, tuple[int, int] | None],
    ) -> None:
        self.on = on
        self.version = code_version()
        self.index_file, self.facts_file = cache_paths(root)
        self.signature = signature
        self.stats = stats
        self.index = load(self.index_file, self.version) if on else {}

    def unchanged(self) -> bool:
        """No file was added, removed or touched since the last run."""
        return (
            self.index.get("signature") == self.signature and self.index.get("stats") == self.stats
        )

    def stored_facts(self) -> dict:  # type: ignore[type-arg]
        """The last run's facts: {"files": ..., "revisions": ...}."""
        return load(self.facts_file, self.version) if self.on else {}

    def store(self, files: dict, revisions: dict, findings: list, rewritten: int) -> None:  # type: ignore[type-arg]
        if not self.on:
            return
        save(self.facts_file, {"version": self.version, "files": files, "revisions": revisions})
        save(
            self.index_file,
            {
                "version": self.version,
                "signature": self.signature,
                "stats": self.stats,
                "findings": findings,
                "rewritten": rewritten,
            },
        )
        from scaffold.resources import prune

        prune(self.index_file.parent, "*.pickle", keep=64)
