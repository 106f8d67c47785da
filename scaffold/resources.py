"""Where scaffold's own templates are: in the wheel, or in a source checkout."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def template_root() -> Path:
    """The folder holding ``copier.yml`` and ``templates/`` (installed or checkout)."""
    for candidate in (_PACKAGE / "_templates", _PACKAGE.parent):
        if (candidate / "copier.yml").is_file() and (candidate / "templates").is_dir():
            return candidate
    raise RuntimeError("scaffold's templates are missing from this installation")


def resource_templates() -> Path:
    return template_root() / "templates" / "resource"


def cache_dir(name: str) -> Path:
    """``$XDG_CACHE_HOME/scaffold/NAME`` (``~/.cache`` by default); the caller creates it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "scaffold" / name


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Keep the ``keep`` most recently written files matching ``pattern`` in ``folder``."""
    entries = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
