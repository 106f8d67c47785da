"""Alembic's settings and revision graph, read as Alembic reads them, without importing it.

``script_location``, ``file_template`` and ``truncate_slug_length`` come from
``alembic.ini`` (ConfigParser with ``%(here)s``, as Alembic interpolates it) or from
``[tool.alembic]`` in ``pyproject.toml``. Revisions are read with ``ast``: a
``down_revision`` may be a string, ``None``, or a tuple or list spread over several
lines (a merge revision as black writes it), with or without an annotation.
"""

from __future__ import annotations

import ast
import configparser
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"
DEFAULT_TRUNCATE = 40


@dataclass(frozen=True)
class AlembicSettings:
    """Where a project's migrations live and how Alembic names a new one."""

    ini: str | None  # relative to the project root; None when pyproject.toml holds the settings
    script_location: str  # relative to the project root, POSIX separators
    file_template: str = DEFAULT_FILE_TEMPLATE
    truncate_slug_length: int = DEFAULT_TRUNCATE
    recursive: bool = False

    def versions_dir(self, root: Path) -> Path:
        return root / self.script_location / "versions"

    def file_name(self, revision: str, message: str, when: dt.datetime | None = None) -> str:
        """The file name ``alembic revision -m MESSAGE`` would give, as Alembic formats it.

        >>> s = AlembicSettings("alembic.ini", "migrations", "%(year)d_%(month).2d-%(rev)s_%(slug)s")
        >>> s.file_name("ab12", "create weekly_requirements", dt.datetime(2025, 3, 4, tzinfo=dt.UTC))
        '2025_03-ab12_create_weekly_requirements.py'
        """
        when = when or dt.datetime.now(dt.UTC)
        slug = "_".join(re.findall(r"\w+", message.lower()))
        if self.truncate_slug_length and len(slug) > self.truncate_slug_length:
            slug = slug[: self.truncate_slug_length].rsplit("_", 1)[0]
        values = {
            "rev": revision,
            "slug": slug,
            "epoch": int(when.timestamp()),
            "year": when.year,
            "month": when.month,
            "day": when.day,
            "hour": when.hour,
            "minute": when.minute,
            "second": when.second,
        }
        try:
            return (self.file_template % values) + ".py"
        except (KeyError, ValueError, TypeError):
            return f"{revision}_{slug}.py"


class AlembicConfigError(ValueError):
    """The settings exist but cannot be read (the message says which and why)."""


def read_settings(root: Path, ini: str | None = None) -> AlembicSettings | None:
    """The project's Alembic settings; None when it has no Alembic at all.

    ``ini`` names the ini file relative to ``root`` (default ``alembic.ini``); a
    ``[tool.alembic]`` table in pyproject.toml is read when there is no ini file.
    """
    path = root / (ini or "alembic.ini")
    if path.is_file():
        return _from_ini(root, path)
    if ini is None:
        return _from_pyproject(root)
    return None


def _from_ini(root: Path, path: Path) -> AlembicSettings:
    parser = configparser.ConfigParser(defaults={"here": str(path.parent)})
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"), source=str(path))
        section = parser["alembic"] if parser.has_section("alembic") else None
        if section is None:
            raise AlembicConfigError(f"{path.name} has no [alembic] section")
        location = section.get("script_location")
        template = section.get("file_template", DEFAULT_FILE_TEMPLATE)
        truncate = section.get("truncate_slug_length", str(DEFAULT_TRUNCATE))
        recursive = section.get("recursive_version_locations", "false")
    except (configparser.Error, KeyError) as exc:
        raise AlembicConfigError(f"{path.name} cannot be read: {exc}") from None
    if not location:
        raise AlembicConfigError(f"{path.name} has no script_location")
    return AlembicSettings(
        ini=path.relative_to(root).as_posix(),
        script_location=_relative(root, path.parent, location),
        file_template=template,
        truncate_slug_length=int(truncate) if truncate.strip().isdigit() else DEFAULT_TRUNCATE,
        recursive=recursive.strip().lower() in ("true", "1", "yes"),
    )


def _from_pyproject(root: Path) -> AlembicSettings | None:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        return None
    table = data.get("tool", {}).get("alembic")
    if not isinstance(table, dict) or not isinstance(table.get("script_location"), str):
        return None
    location = table["script_location"].replace("%(here)s", str(root))
    template = table.get("file_template", DEFAULT_FILE_TEMPLATE)
    return AlembicSettings(
        ini=None,
        script_location=_relative(root, root, location),
        file_template=template.replace("%%", "%")
        if isinstance(template, str)
        else DEFAULT_FILE_TEMPLATE,
    )


def _relative(root: Path, base: Path, location: str) -> str:
    if ":" in location and not Path(location).is_absolute() and location[1:3] != ":\\":
        # "package:folder" (a package resource): taken as the folder of that package.
        package, _, folder = location.partition(":")
        location = str(Path(*package.split(".")) / folder)
    target = Path(location)
    target = target if target.is_absolute() else base / target
    try:
        return target.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise AlembicConfigError(f"script_location {location!r} is outside the project") from None


@dataclass(frozen=True)
class Revision:
    revision: str
    down: tuple[str, ...]
    path: str  # relative to the versions folder


def read_revisions(versions: Path, recursive: bool = False) -> dict[str, Revision]:
    """Every revision file under ``versions``: revision id -> Revision."""
    graph: dict[str, Revision] = {}
    if not versions.is_dir():
        return graph
    files = sorted(versions.rglob("*.py") if recursive else versions.glob("*.py"))
    for path in files:
        if not path.is_file() or path.name.startswith("__"):
            continue
        found = _revision_of(path.read_text(encoding="utf-8", errors="replace"))
        if found is not None:
            graph[found[0]] = Revision(found[0], found[1], path.relative_to(versions).as_posix())
    return graph


def _revision_of(text: str) -> tuple[str, tuple[str, ...]] | None:
    from scaffold.checks.migrations import read_revision

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return _revision_by_text(text)
    found = read_revision(tree, "")
    return None if found is None else (found.revision, found.down)


_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\b[^=]*=\s*(\([^)]*\)|\[[^\]]*\]|[^\n]*)", re.M)


def _revision_by_text(text: str) -> tuple[str, tuple[str, ...]] | None:
    """A file ``ast`` cannot parse (newer syntax): the two assignments read as text."""
    rev = _REVISION.search(text)
    if not rev:
        return None
    down = _DOWN.search(text)
    downs = tuple(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1))) if down else ()
    return rev.group(1), downs


def heads(graph: dict[str, Revision]) -> list[str]:
    """Revisions no other revision comes after, as ``alembic heads`` lists them."""
    referenced = {d for r in graph.values() for d in r.down}
    return sorted(rev for rev in graph if rev not in referenced)
