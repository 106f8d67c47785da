"""Which folder is the project, and which of its files ``scaffold check`` reads.

Every Python module of the project is read, wherever it lives; the layer globs of
``[tool.scaffold]`` only say which files play which layer for the layer rules
(SC201 for routers, SC401's schema side). Not read: tests (``tests/``, ``test/``,
``test_*.py``, ``*_test.py``, ``conftest.py``), the Alembic script folder (its
revisions are read by the migration rules), virtualenvs (any folder with a
``pyvenv.cfg``), hidden folders, build output and ``[tool.scaffold] exclude`` globs.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from scaffold.checks._config import PATTERN_KEYS, CheckConfig

_MARKERS = ("pyproject.toml", "alembic.ini", "setup.cfg", "setup.py")
_SKIP_DIRS = frozenset(
    {"__pycache__", "node_modules", "site-packages", "build", "dist", "tests", "test"}
    | {"htmlcov", "venv", "env", "__pypackages__"}
)


def versions_dir(root: Path, config: CheckConfig) -> Path:
    """``<alembic_dir>/versions``, or the ``script_location`` of alembic.ini when the
    configured directory does not exist (many projects call it ``alembic/``)."""
    configured = root / config.alembic_dir / "versions"
    ini = root / config.alembic_ini
    if configured.is_dir() or not ini.is_file():
        return configured
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
        location = parser.get("alembic", "script_location", fallback=None)
    except (configparser.Error, UnicodeDecodeError):
        location = None
    if not location:
        return configured
    location = location.replace("%(here)s", str(ini.parent))
    return root / location / "versions"  # an absolute location replaces root


def find_root(start: Path) -> Path:
    """The project folder for a run started in ``start``: the nearest folder (``start``
    or a parent) with a pyproject.toml, alembic.ini, setup.cfg or setup.py, stopping at
    a repository root (``.git``); ``start`` itself when there is none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).is_file() for marker in _MARKERS):
            return folder
        if (folder / ".git").exists():
            return folder
    return start


@dataclass
class Collected:
    """The modules to lint (path → layers) and what was left out, for the summary."""

    modules: dict[str, frozenset[str]] = field(default_factory=dict)
    excluded: int = 0  # files left out by [tool.scaffold] exclude


def _is_test(name: str) -> bool:
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")


def matches(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether the posix ``path`` matches any of the globs, as ``Path.glob`` would
    (``**`` is zero or more folders: ``app/models/**/*.py`` matches ``app/models/a.py``).

    >>> matches("app/models/a.py", ("app/models/**/*.py",)), matches("app/api/v1/x.py", ("app/api/*.py",))
    (True, False)
    """
    return _compiled(patterns).fullmatch(path) is not None


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = []
    for pattern in patterns:
        parts = []
        segments = pattern.strip("/").split("/")
        for position, segment in enumerate(segments):
            if segment == "**":
                parts.append(".*/" if position == len(segments) - 1 else "(?:[^/]+/)*")
                continue
            regex = ""
            i = 0
            while i < len(segment):
                char = segment[i]
                if char == "*":
                    regex += "[^/]*"
                elif char == "?":
                    regex += "[^/]"
                elif char == "[" and "]" in segment[i + 1 :]:
                    end = segment.index("]", i + 1)
                    inner = segment[i + 1 : end].replace("\\", "\\\\")
                    regex += "[^" + inner[1:] + "]" if inner.startswith("!") else f"[{inner}]"
                    i = end
                else:
                    regex += re.escape(char)
                i += 1
            parts.append(regex + "/")
        alternatives.append("".join(parts).removesuffix("/"))
    return re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)")


def collect(root: Path, config: CheckConfig, alembic_dir: Path | None) -> Collected:
    """Walk the project once; ``alembic_dir`` (the script folder) is left to the
    migration rules."""
    found = Collected()
    skip_alembic = alembic_dir.resolve() if alembic_dir is not None else None
    layer_globs = {key: getattr(config, key) for key in PATTERN_KEYS}
    for current, dirs, files in os.walk(root):
        here = Path(current)
        kept = []
        for name in sorted(dirs):
            folder = here / name
            if name.startswith(".") or name in _SKIP_DIRS or name.endswith(".egg-info"):
                continue
            if (folder / "pyvenv.cfg").is_file() or folder.resolve() == skip_alembic:
                continue
            kept.append(name)
        dirs[:] = kept
        relative_dir = here.relative_to(root).as_posix()
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = name if relative_dir == "." else f"{relative_dir}/{name}"
            if _is_test(name):
                continue
            if config.exclude and matches(path, config.exclude):
                found.excluded += 1
                continue
            kinds = frozenset(key for key, globs in layer_globs.items() if matches(path, globs))
            found.modules[path] = kinds
    return found
