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
    """The first of :func:`versions_dirs` (``alembic check`` runs on that history)."""
    return versions_dirs(root, config)[0]


def versions_dirs(root: Path, config: CheckConfig) -> list[Path]:
    """Every folder of revisions: ``<alembic_dir>/versions`` when it exists, else those
    of the Alembic config: ``alembic.ini`` at the root or, when there is none, the
    nearest one inside the project (``src/alembic.ini``, ``src/pkg/alembic.ini``) or in
    the folder above; every section with a ``script_location`` (``[alembic]``, or
    ``[core]`` and ``[tenant]`` for ``alembic --name``) and its ``version_locations``.
    Never empty: the configured folder comes back when nothing else exists."""
    configured = root / config.alembic_dir / "versions"
    ini = root / config.alembic_ini
    if configured.is_dir():
        return [configured]
    if not ini.is_file():
        ini = _nearest_ini(root) or ini
    found = [folder for folder in _ini_versions(root, ini) if folder.is_dir()]
    return list(dict.fromkeys(found)) or [configured]


def _nearest_ini(root: Path) -> Path | None:
    for depth in ("*/alembic.ini", "*/*/alembic.ini", "*/*/*/alembic.ini"):
        candidates = [
            p
            for p in sorted(root.glob(depth))
            if not any(
                part.startswith(".") or part in _SKIP_DIRS
                for part in p.relative_to(root).parts[:-1]
            )
        ]
        if candidates:
            return candidates[0]
    above = root.parent / "alembic.ini"
    return above if above.is_file() else None


def _ini_versions(root: Path, ini: Path) -> list[Path]:
    """The revision folders an ini's sections name."""
    if not ini.is_file():
        return []
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    folders: list[Path] = []
    for section in parser.sections():
        location = parser.get(section, "script_location", fallback=None)
        if not location:
            continue
        here = str(ini.parent)
        script = _location(root, ini.parent, location.replace("%(here)s", here))
        extra = parser.get(section, "version_locations", fallback="") or ""
        extra = extra.replace("%(here)s", here)
        named = [_location(root, ini.parent, p) for p in re.split(r"[\s,;]+", extra) if p]
        folders += named if named else [script / "versions"]
    return folders


def _location(root: Path, here: Path, location: str) -> Path:
    """A ``script_location``: a path (from the ini's folder, else the root; absolute
    ones as they are) or ``package:path`` (from the package's folder)."""
    package, colon, rest = location.partition(":")
    if colon and package and "/" not in package and "\\" not in package:
        for base in (root, root / "src", here.parent, here):
            if (base / package / "__init__.py").is_file():
                return base / package / rest
            if base.name == package and (base / "__init__.py").is_file():
                return base / rest
    for base in (here, root):
        if (base / location).is_dir():
            return base / location
    return root / location


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


def collect(root: Path, config: CheckConfig, alembic_dir: Path | list[Path] | None) -> Collected:
    """Walk the project once; ``alembic_dir`` (the script folder, or several) is left
    to the migration rules."""
    found = Collected()
    scripts = [alembic_dir] if isinstance(alembic_dir, Path) else alembic_dir or []
    skip_alembic = {folder.resolve() for folder in scripts}
    layer_globs = {key: getattr(config, key) for key in PATTERN_KEYS}
    for current, dirs, files in os.walk(root):
        here = Path(current)
        kept = []
        for name in sorted(dirs):
            folder = here / name
            if name.startswith(".") or name in _SKIP_DIRS or name.endswith(".egg-info"):
                continue
            if (folder / "pyvenv.cfg").is_file() or folder.resolve() in skip_alembic:
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
