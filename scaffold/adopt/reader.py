"""Read an existing FastAPI + SQLAlchemy + Alembic project's conventions from its code.

Nothing is imported or run: every module is parsed (with the project's grammar, so
3.12+ syntax reads too) and names are followed through the project's own imports.
The result is a ``Findings``: the profile values, and what was found, assumed and
cannot be supported, in the user's terms. Each step lives with what it reads:
the layout (``_layout``), models and their base (``_models``), routers and the app
(``_routes``), sessions, engine and auth (``_dependencies``), Alembic
(``_migrations``) and the tests (``_tests``).
"""

from __future__ import annotations

from pathlib import Path

from scaffold.adopt._dependencies import learn_auth, learn_sessions
from scaffold.adopt._findings import Findings, Model, Route
from scaffold.adopt._layout import learn_layout, learn_paths
from scaffold.adopt._migrations import env_metadata_base, learn_alembic
from scaffold.adopt._models import (
    base_of,
    declarative_bases,
    find_models,
    learn_base,
    learn_key_type,
)
from scaffold.adopt._routes import learn_routing, route_handlers
from scaffold.adopt._source import Project
from scaffold.adopt._tests import find_test_setup, learn_tests
from scaffold.adopt._verify import check_facts
from scaffold.project.alembic_config import AlembicConfigError, AlembicSettings, read_settings

__all__ = ["Findings", "Model", "Route", "read"]


def read(root: Path, skip_files: frozenset[str] = frozenset()) -> Findings:
    """``skip_files``: files scaffold generated itself (its support module), never read as the project's."""
    f = Findings()
    try:
        alembic = read_settings(root)
    except AlembicConfigError as exc:
        return f.refuse(
            f"its Alembic settings cannot be read ({exc})",
            "fix alembic.ini so that `alembic heads` runs",
        )
    elsewhere = _alembic_elsewhere(root) if alembic is None else None
    if elsewhere is not None and not elsewhere.startswith(".."):
        alembic = _settings_inside(f, root, elsewhere)
        if f.refusal:
            return f
    skip = {(root / alembic.script_location).resolve()} if alembic else set()
    project = Project(root, skip | {(root / rel).resolve() for rel in skip_files})
    too_new = [u for u in project.unreadable if "but requires-python allows" in u[2]]
    if too_new:
        rel, line, why = too_new[0]
        needed = why.partition("needs Python ")[2].partition(",")[0]
        more = f" (and {len(too_new) - 1} more file(s))" if len(too_new) > 1 else ""
        return f.refuse(
            f"{rel}:{line}: {why}{more}",
            f'set requires-python to ">={needed}" in pyproject.toml (the Python the code '
            "already needs), then run scaffold adopt again",
        )
    if project.unreadable:
        rel, line, why = project.unreadable[0]
        more = f" and {len(project.unreadable) - 1} more" if len(project.unreadable) > 1 else ""
        f.unsupported.append(f"not read (cannot be parsed): {rel}:{line}: {why}{more}")
    bases = declarative_bases(project)
    models, sqlmodel = find_models(project, set(bases))
    if not models:
        return f.refuse(
            "it has no SQLAlchemy or SQLModel models (no class with __tablename__ on a declarative base)",
            "declare the tables as SQLAlchemy 2 models (a DeclarativeBase subclass and one class per table) "
            "and manage the schema with Alembic, then run scaffold adopt again",
        )
    if alembic is None:
        if elsewhere is not None:  # above the project root
            return f.refuse(
                f"its Alembic config is {elsewhere}, above the project root (scaffold reads "
                "the alembic.ini of the folder it adopts or of a folder inside it)",
                "run scaffold adopt in the folder that holds alembic.ini, the models and "
                "pyproject.toml",
            )
        return f.refuse(
            "it has no Alembic set-up (no alembic.ini and no [tool.alembic] in pyproject.toml)",
            "run `alembic init -t async migrations` and point env.py's target_metadata at the models' metadata",
        )
    target = env_metadata_base(project, root, alembic.script_location)
    models = _of_alembic_base(f, project, models, bases, target)
    f.models = models
    layout = learn_layout(f, models)
    routing = learn_routing(f, project)
    tests = find_test_setup(project)
    learn_paths(f, root, layout, routing.router_files, tests.folder, skip_files)
    learn_base(f, project, models, bases, sqlmodel, target)
    dependencies = learn_sessions(f, project)
    if f.refusal:
        return f
    f.routes = route_handlers(project, routing.routers, dependencies.aliases, routing.includes)
    learn_auth(f, f.routes, dependencies.sessions)
    learn_alembic(f, project, root, alembic)
    if alembic.ini and "/" in alembic.ini:
        folder = alembic.ini.rpartition("/")[0]
        f.found.append(
            f"Alembic's config is {alembic.ini}: its commands run from {folder}/ "
            f"(cd {folder} && alembic upgrade head)"
        )
    learn_tests(f, tests, root)
    if project.target:
        f.profile["python"] = f"{project.target[0]}.{project.target[1]}"
    check_facts(f, project)
    learn_key_type(f, f.models)
    return f


def _of_alembic_base(
    f: Findings, project: Project, models: list[Model], bases: dict, target: str | None
) -> list[Model]:
    """Of several declarative bases, the tables of the one Alembic's env.py targets: the
    others (another database) are not this migration history's, nor referable."""
    if len(bases) < 2 or target not in bases:
        return models
    own = [m for m in models if base_of(project, f"{m.module}:{m.class_name}", bases) == target]
    others = [m.table for m in models if m not in own]
    if own and others:
        f.found.append(
            f"{len(others)} tables on other declarative bases than {target} "
            f"({', '.join(others)}): not in this Alembic history, left out"
        )
        return own
    return models


def _settings_inside(f: Findings, root: Path, elsewhere: str) -> AlembicSettings | None:
    """The settings of an alembic.ini in a folder of the project (``src/alembic.ini``):
    its migration commands run from that folder, as the team runs them. A refusal (on
    ``f``) when they cannot be read, keep one history per named section, or lead nowhere."""
    try:
        alembic = read_settings(root, elsewhere)
    except AlembicConfigError as exc:
        named = _named_sections(root / elsewhere)
        if named:
            f.refuse(
                f"{elsewhere} keeps one migration history per named section "
                f"({', '.join(named)}; `alembic --name`), and scaffold follows one history",
                "give the tables scaffold generates a history of their own in the "
                "[alembic] section (script_location), or adopt a project with one",
            )
            return None
        f.refuse(
            f"its Alembic settings in {elsewhere} cannot be read ({exc})",
            f"fix {elsewhere} so that `alembic heads` runs in its folder",
        )
        return None
    if alembic is not None and not (root / alembic.script_location).is_dir():
        folder = elsewhere.rpartition("/")[0]
        f.refuse(
            f"its Alembic config is {elsewhere}, whose script_location leads from "
            f"{folder}/ (where Alembic runs) to {alembic.script_location}/, which does not exist",
            f"set script_location in {elsewhere} to the migrations folder as seen from "
            f"{folder}/, or move {elsewhere} beside that folder",
        )
        return None
    return alembic


def _named_sections(ini: Path) -> list[str]:
    """The sections of ``ini`` other than [alembic] that name a script_location."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(ini.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error:
        return []
    return [
        name
        for name in parser.sections()
        if name != "alembic" and parser.has_option(name, "script_location")
    ]


def _alembic_elsewhere(root: Path) -> str | None:
    """An alembic.ini above the project root (up to its repository's top) or in a folder
    of it (two levels down), as a path relative to the root."""
    parents = [] if (root / ".git").exists() else root.resolve().parents
    for depth, parent in enumerate(parents, start=1):
        if (parent / "alembic.ini").is_file():
            return "../" * depth + "alembic.ini"
        if (parent / ".git").exists() or depth >= 3:
            break
    for pattern in ("*/alembic.ini", "*/*/alembic.ini"):
        found = sorted(
            p
            for p in root.glob(pattern)
            if not any(
                part.startswith(".") or part in ("node_modules", "venv")
                for part in p.relative_to(root).parts
            )
        )
        if found:
            return found[0].relative_to(root).as_posix()
    return None
