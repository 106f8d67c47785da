"""``scaffold auth`` in an adopted project: the same sign-in, in the project's own layout.

The files are the template's (``templates/auth``, its ``.jinja`` ones rendered with
``adopted`` on where an adopted project's version differs; the tests and their users
factory from ``templates/auth_adopted``), with their imports pointed at the project (its
``Base`` and session) and at the support module, which grows what sign-in needs and the
project lacks: ``AuthSettings`` (the same environment variables as a template project:
``SECRET_KEY``, ``ACCESS_TOKEN_EXPIRE_MINUTES``, ``REGISTRATION_OPEN``,
``LOGIN_RATE_LIMIT``, ``PASSWORD_MIN_LENGTH``), the access tokens, the login limiter and
key-value log lines on the standard library. The project's own settings, logging,
middleware and routes are left as they are. The command line, the tests' users factory
and the tests are written for the project: they open sessions through its own session
dependency and drive its own ``client`` fixture.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from scaffold.errors import ProjectError
from scaffold.generate.adopted.support import auth_names
from scaffold.generate.compose import adapt, package_inits
from scaffold.generate.templates import read, render
from scaffold.project.core import Project
from scaffold.project.files import Rendered
from scaffold.project.profile import Profile

# The revision the template's users migration is written with, replaced by a new one.
_PLACEHOLDER_REVISION = "0a1b2c3d4e5f"
_REVISION = re.compile(r"[0-9A-Za-z_]+")


def chained_migration(text: str, revision: str, down: str | None) -> str:
    """The users migration's text with its own revision and the project's head below it
    (a template project's and an adopted one's alike)."""
    text = text.replace(_PLACEHOLDER_REVISION, revision)
    shown = down if down is not None and _REVISION.fullmatch(down) else "<base>"
    text = text.replace("Revises: <base>", f"Revises: {shown}")
    return text.replace("down_revision = None", f"down_revision = {down!r}", 1)


USERS = "users"
# What the sign-in code imports beyond the project's usual dependencies.
PACKAGES = (
    ("pwdlib", "pwdlib[argon2]>=0.2"),
    ("jwt", "pyjwt>=2.9"),
    ("limits", "limits>=3.13"),
    ("multipart", "python-multipart>=0.0.9"),
    ("pydantic_settings", "pydantic-settings>=2.7"),
    ("email_validator", "email-validator>=2.1"),
)


# Each sign-in file's template. templates/auth is the template project's sign-in; its
# Jinja ones, rendered with `adopted` on, differ where an adopted project's must (the
# support module's names, problem+json on these routers only, the project's own session
# and logging). templates/auth_adopted holds the tests, in the project's test style. All
# are written in a template project's terms (`app.`, `/api/v1`, `client`), which
# `_point` moves into the project's.
TEMPLATES = {
    "model": "auth/app/models/users.py",
    "schemas": "auth/app/schemas/users.py.jinja",
    "service": "auth/app/services/users.py",
    "deps": "auth/app/api/deps.py.jinja",
    "auth_router": "auth/app/api/v1/auth.py.jinja",
    "users_router": "auth/app/api/v1/users.py.jinja",
    "cli": "auth/app/users.py.jinja",
    "factory": "auth_adopted/tests/factories/users.py",
    "tests": "auth_adopted/tests/test_auth.py.jinja",
}
MIGRATION = "auth/migrations/versions/0a1b2c3d4e5f_create_users.py"


def adopted_auth_files(
    project: Project, migration: str, revision: str, down: str | None
) -> tuple[list[Rendered], dict[str, str]]:
    """The sign-in files of an adopted project, and where the main ones are
    (``deps``, ``cli``, ``tests`` modules and paths, the API ``prefix``)."""
    from scaffold.generate.adopted.support import support_files

    profile = project.profile
    assert profile is not None
    _refuse_sync_tests_without_a_sync_session(profile)
    paths = _sign_in_paths(project)
    files = _sign_in_files(project, paths)
    text = chained_migration(read(MIGRATION), revision, down)
    files.append(Rendered(migration, text, frozen=True))
    files += package_inits(project.root, files)
    registrations, unregistered = _registrations(project, paths)
    files += registrations
    files += support_files(project.root, profile, auth=True)
    dependencies, added = _with_dependencies(project.root)
    if dependencies is not None:
        files.append(Rendered("pyproject.toml", dependencies, edit=True))
    where = {
        "deps": project.layout.module_at(paths["deps"]),
        "cli": project.layout.module_at(paths["cli"]),
        "tests": paths["tests"],
        "factory": paths["factory"],
        "prefix": profile.api_prefix,
        "unregistered": "\n".join(unregistered),
        "fastapi": _old_fastapi(project.root),
        "packages": ", ".join(added),
        "packages_where": "pyproject.toml" if dependencies is not None else "",
    }
    return files, where


def _refuse_sync_tests_without_a_sync_session(profile: Profile) -> None:
    if profile.test_style == "sync" and not profile.sync_session:
        raise ProjectError(
            "The project's tests are sync, and scaffold's sign-in tests need a sync session "
            "dependency to create users with: name it in [tool.scaffold] sync_session.",
            token="sync_session",
            example='[tool.scaffold]\nsync_session = "app.db.session:get_db"',
        )


def _sign_in_paths(project: Project) -> dict[str, str]:
    """Where each sign-in file goes in the project's layout (the keys of ``TEMPLATES``);
    refused when a users file of the project's own is in the way."""
    profile = project.profile
    assert profile is not None
    layout = project.layout
    paths = {
        "model": layout.path("models", USERS),
        "schemas": layout.path("schemas", USERS),
        "service": layout.path("services", USERS),
        "users_router": layout.path("api", USERS),
        "auth_router": layout.path("api", "auth"),
        "factory": layout.path("factories", USERS),
    }
    taken = [rel for rel in paths.values() if _theirs(project, rel)]
    if taken:
        raise ProjectError(
            f"{taken[0]} already exists and scaffold did not write it: sign-in would put its "
            f"{USERS} code there. Rename or move it first, or keep your own sign-in.",
            token=taken[0],
            example="scaffold auth --approve --dry-run",
        )
    # The dependencies, command line and tests take another name when the first is taken.
    package_dir = PurePosixPath(profile.support_module).parent
    router_dir = PurePosixPath(paths["auth_router"]).parent
    paths["deps"] = _free(project, router_dir / "deps.py", router_dir / "auth_deps.py")
    # A users package (app/users/models.py, app/users/domain/entity/users.py) takes the name.
    in_users = any(
        PurePosixPath(rel).is_relative_to(package_dir / "users") for rel in paths.values()
    )
    cli = package_dir / "users.py"
    if in_users or (project.root / package_dir / "users").exists():
        cli = package_dir / "manage_users.py"
    paths["cli"] = _free(project, cli, package_dir / "manage_users.py")
    paths["tests"] = _free(
        project,
        PurePosixPath(layout.path("tests", "auth")),
        PurePosixPath(layout.path("tests", "sign_in")),
    )
    return paths


def _sign_in_files(project: Project, paths: dict[str, str]) -> list[Rendered]:
    """The model, schemas, service, dependencies, routers, command line, tests' factory
    and tests, from ``TEMPLATES``, in the project's layout and test style."""
    from scaffold.generate.adopted.resource import to_sync

    profile = project.profile
    assert profile is not None
    sync = profile.test_style == "sync"
    # Under pytest-asyncio's strict mode the tests mark their async tests and fixtures.
    strict = not sync and profile.asyncio_mode != "auto"
    fixture = "pytest_asyncio.fixture" if strict else "pytest.fixture"
    texts: dict[str, str] = {}
    for key, rel in TEMPLATES.items():
        if rel.endswith(".jinja"):
            text = render(
                rel, adopted=True, strict_asyncio=strict, async_fixture=fixture, sync=sync
            )
        else:
            text = read(rel)
        texts[key] = _point(text, project, paths)
    if profile.client_fixture:
        texts["tests"] = re.sub(r"\bclient\b", profile.client_fixture, texts["tests"])
    else:
        texts["tests"] = _with_app_client(texts["tests"], project, fixture)
    # The command line is async; the tests' factory follows the project's tests.
    texts["cli"] = _with_session(texts["cli"], project, sync_session=False)
    texts["factory"] = _with_session(texts["factory"], project, sync_session=sync)
    if sync:
        texts["factory"], texts["tests"] = to_sync(texts["factory"]), to_sync(texts["tests"])
    return [Rendered(paths[key], texts[key]) for key in TEMPLATES]


def _with_app_client(text: str, project: Project, fixture: str) -> str:
    """The sign-in tests of a project with no client fixture: their ``client``, a client
    of the app from scaffold's test support module."""
    from scaffold.generate.adopted.resource import (
        _insert_after_imports,
        app_client_fixture,
        client_module,
    )

    profile = project.profile
    assert profile is not None
    support = client_module(profile, project.layout.module("factories", USERS).rpartition(".")[0])
    own = app_client_fixture(profile.test_style == "sync").replace("@pytest.fixture", f"@{fixture}")
    text = text.replace("\n\n@", own.rstrip("\n") + "\n\n\n@", 1)
    return _insert_after_imports(text, f"from {support} import app_client")


def _point(text: str, project: Project, paths: dict[str, str]) -> str:
    """Template text in the project's terms: the sign-in modules where ``paths`` put
    them, the rest of ``app.`` where the project keeps it (its support module, its
    ``Base`` and session), its API prefix, sign-in's settings under their names there."""
    layout = project.layout
    profile = project.profile
    assert profile is not None
    modules = {
        "app.models.users": layout.module("models", USERS),
        "app.schemas.users": layout.module("schemas", USERS),
        "app.services.users": layout.module("services", USERS),
        "app.api.deps": layout.module_at(paths["deps"]),
        "tests.factories.users": layout.module("factories", USERS),
    }
    # The command line's module first: a users package may hold the model, whose module
    # (app.users.domain.entity.users) is not the command line's.
    text = re.sub(r"\bapp\.users\b", layout.module_at(paths["cli"]), text)
    for template_module, module in modules.items():
        text = re.sub(
            rf"^from {re.escape(template_module)} import",
            f"from {module} import",
            text,
            flags=re.M,
        )
    text = text.replace('"app.api.v1.auth"', f'"{layout.module_at(paths["auth_router"])}"')
    text = text.replace("/api/v1", profile.api_prefix)
    return adapt(auth_names(text), layout)


def _with_session(text: str, project: Project, *, sync_session: bool) -> str:
    """``text`` importing the project's session dependency as ``project_session``: its
    sync one when ``sync_session``, else its async one (or the support module's)."""
    from scaffold.generate.adopted.resource import _insert_after_imports

    profile = project.profile
    assert profile is not None
    dependency = (
        profile.sync_session
        if sync_session
        else (profile.session_dependency or f"{profile.support_import}:get_async_session")
    )
    module, _, name = (dependency or "").partition(":")
    return _insert_after_imports(text, f"from {module} import {name} as project_session")


def _registrations(project: Project, paths: dict[str, str]) -> tuple[list[Rendered], list[str]]:
    """The project's router and model registries with sign-in's routers and ``User``
    added, and the lines to add by hand for a router no registry takes."""
    from scaffold.generate.adopted import resource as adopted

    profile = project.profile
    assert profile is not None
    layout = project.layout
    planned: dict[str, str] = {}
    routers = (
        ("auth", layout.module_at(paths["auth_router"])),
        (USERS, layout.module("api", USERS)),
    )
    unregistered: list[str] = []
    for table, module in routers:
        edit = adopted.register_router(project.root, profile, module, table, planned=planned)
        if edit is not None:
            planned[edit[0]] = edit[1]
        elif not any(f"from {module} import router" in text for text in planned.values()):
            unregistered += adopted.registry_lines(profile, module, table)
    files = [Rendered(rel, text, edit=True) for rel, text in planned.items()]
    edit = adopted.register_model(project.root, profile, layout.module("models", USERS), "User")
    if edit is not None:
        files.append(Rendered(edit[0], edit[1], edit=True))
    return files, unregistered


def _theirs(project: Project, rel: str) -> bool:
    """Whether ``rel`` is a file of the project's that scaffold did not write."""
    return (project.root / rel).exists() and project.manifest.generated_hash(rel) is None


def _free(project: Project, first: PurePosixPath, second: PurePosixPath) -> str:
    return str(second if _theirs(project, str(first)) else first)


def _with_dependencies(root: Path) -> tuple[str | None, list[str]]:
    """pyproject.toml with sign-in's packages added to ``[project] dependencies`` (None
    when it has no such list), and the packages it did not name yet."""
    import tomlkit

    path = root / "pyproject.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else None
    project = doc.get("project") if doc is not None else None
    dependencies = project.get("dependencies") if project is not None else None
    named = {_name(str(item)) for item in dependencies or ()}
    added = [spec for _, spec in PACKAGES if _name(spec) not in named]
    if dependencies is None or not added or doc is None:
        return None, added
    for spec in added:
        dependencies.append(spec)
    text = tomlkit.dumps(doc)
    return (text if text.endswith("\n") else text + "\n"), added


def _name(requirement: str) -> str:
    """The normalised project name of a requirement (PEP 503): `Pydantic_Settings>=2` is
    `pydantic-settings`."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else requirement


def _old_fastapi(root: Path) -> str:
    """The project's FastAPI requirement when it allows a version older than sign-in's
    form and query models need (0.115); empty otherwise."""
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    for item in data.get("project", {}).get("dependencies", []):
        if _name(str(item)) != "fastapi":
            continue
        floor = re.search(r">=\s*([0-9]+)\.([0-9]+)", str(item))
        if floor is None or (int(floor.group(1)), int(floor.group(2))) < (0, 115):
            return str(item)
    return ""
