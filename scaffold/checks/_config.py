"""Where ``scaffold check`` looks, read from ``[tool.scaffold]`` in pyproject.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from scaffold.checks._catalogue import RULES, SEVERITIES

PATTERN_KEYS = ("models", "schemas", "services", "routers")


@dataclass(frozen=True)
class CheckConfig:
    """Globs (relative to the project root) saying which files play which layer.

    Patterns may be given as a string or any sequence of strings; they are kept
    as tuples so the config is really frozen (and hashable). Unknown rule codes
    in ``disable`` are refused, so a typo never silently disables nothing.

    >>> CheckConfig(routers=["src/svc/http/*.py"], disable=["SC501"]).routers
    ('src/svc/http/*.py',)
    """

    models: tuple[str, ...] = ("app/models/**/*.py",)
    schemas: tuple[str, ...] = ("app/schemas/**/*.py",)
    services: tuple[str, ...] = ("app/services/**/*.py",)
    routers: tuple[str, ...] = ("app/api/**/*.py", "app/routers/**/*.py")
    alembic_dir: str = "migrations"
    alembic_ini: str = "alembic.ini"
    disable: frozenset[str] = frozenset()
    run_alembic: bool = True
    # Globs of files no rule reads (on top of tests, migrations, virtualenvs, hidden dirs).
    exclude: tuple[str, ...] = ()
    # Per-rule severity overrides, as (code, severity) pairs.
    severity: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for key in PATTERN_KEYS:
            object.__setattr__(self, key, _patterns(key, getattr(self, key)))
        for key in ("alembic_dir", "alembic_ini"):
            _relative_path(key, getattr(self, key))
        object.__setattr__(self, "disable", _codes(self.disable))
        object.__setattr__(self, "exclude", _patterns("exclude", self.exclude))
        object.__setattr__(self, "severity", _severities(self.severity))
        if not isinstance(self.run_alembic, bool):
            raise ValueError(f"run_alembic: expected true or false, got {_show(self.run_alembic)}")

    @classmethod
    def from_pyproject(cls, root: Path) -> CheckConfig:
        """Read ``[tool.scaffold]`` from ``root/pyproject.toml``; defaults where absent.

        Keys: ``models``, ``schemas``, ``services``, ``routers`` (glob or list of
        globs: they say which files play which layer, for the layer rules; every
        module is read), ``alembic_dir``, ``alembic_ini`` (paths), ``disable`` (rule
        codes), ``exclude`` (globs no rule reads) and ``severity`` (a table of rule
        code to ``error``/``warning``/``info``).
        Other keys belong to other scaffold commands and are ignored here.

        >>> CheckConfig.from_pyproject(Path("/nonexistent")).alembic_dir
        'migrations'
        """
        path = Path(root) / "pyproject.toml"
        if not path.is_file():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
        table = data.get("tool", {}).get("scaffold", {})
        if not isinstance(table, dict):
            raise ValueError(f"{path}: [tool.scaffold] must be a table")
        known = (*PATTERN_KEYS, "alembic_dir", "alembic_ini", "disable", "exclude", "severity")
        try:
            return cls(**{key: table[key] for key in known if key in table})
        except ValueError as exc:
            raise ValueError(f"{path}: [tool.scaffold] {exc}") from exc


def _show(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _patterns(key: str, value: Any) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, Iterable) or isinstance(items, dict | bytes):
        raise ValueError(f"{key}: expected a glob or a list of globs, got {_show(value)}")
    # An adopted project's profile names where each resource's module goes
    # (``app/models/{name}.py``): as a glob, every module there.
    items = tuple(i.replace("{name}", "*") if isinstance(i, str) else i for i in items)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{key}: expected non-empty glob strings, got {_show(item)}")
        _relative_path(key, item)
        if any("**" in part and part != "**" for part in PurePosixPath(item).parts):
            raise ValueError(f"{key}: '**' must be a whole path segment in {item!r}")
    return items


def _relative_path(key: str, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key}: expected a non-empty path string, got {_show(value)}")
    pure = PurePosixPath(value.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"{key}: {value!r} must be relative to the project root")


def _codes(value: Any) -> frozenset[str]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, Iterable) or isinstance(items, dict | bytes):
        raise ValueError(f"disable: expected a list of rule codes, got {_show(value)}")
    codes = set()
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"disable: expected rule codes like 'SC501', got {_show(item)}")
        code = item.strip().upper()
        if code not in RULES:
            raise ValueError(f"disable: unknown rule code {item!r}; known: {', '.join(RULES)}")
        codes.add(code)
    return frozenset(codes)


def _severities(value: Any) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, dict) else value
    if not isinstance(items, Iterable) or isinstance(items, str | bytes):
        raise ValueError(f'severity: expected a table like {{SC201 = "error"}}, got {_show(value)}')
    pairs: dict[str, str] = {}
    for item in items:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise ValueError(
                f'severity: expected a table like {{SC201 = "error"}}, got {_show(value)}'
            )
        code, level = item
        if not isinstance(code, str) or code.strip().upper() not in RULES:
            raise ValueError(f"severity: unknown rule code {code!r}; known: {', '.join(RULES)}")
        if level not in SEVERITIES:
            raise ValueError(f"severity: {code} = {level!r} is not one of {', '.join(SEVERITIES)}")
        pairs[code.strip().upper()] = level
    return tuple(sorted(pairs.items()))
