"""``scaffold auth`` in an adopted project: the same sign-in, in the project's own layout.

The model, schemas, service and routers are the template's files, with their imports
pointed at the project (its ``Base`` and session) and at the support module, which
grows what sign-in needs and the project lacks: ``AuthSettings`` (the same environment
variables as a template project: ``SECRET_KEY``, ``ACCESS_TOKEN_EXPIRE_MINUTES``,
``REGISTRATION_OPEN``, ``LOGIN_RATE_LIMIT``, ``PASSWORD_MIN_LENGTH``), the access tokens,
the login limiter and key-value log lines on the standard library. The project's own
settings, logging, middleware and routes are left as they are. The command line, the
tests' users factory and the tests are written for the project: they open sessions
through its own session dependency and drive its own ``client`` fixture.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from scaffold.errors import ProjectError
from scaffold.generate.adopted.support import auth_names
from scaffold.generate.compose import adapt, package_inits
from scaffold.project.core import Project
from scaffold.project.files import Rendered
from scaffold.resources import template_root

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


def _sources() -> Path:
    return template_root() / "templates"


def _read(rel: str) -> str:
    return (_sources() / rel).read_text(encoding="utf-8")


def _edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced once; the template must still contain it."""
    if old not in text:
        raise AssertionError(f"the auth template no longer contains {old[:60]!r}")
    return text.replace(old, new, 1)


def adopted_auth_files(
    project: Project, migration: str, revision: str, down: str | None
) -> tuple[list[Rendered], dict[str, str]]:
    """The sign-in files of an adopted project, and where the main ones are
    (``deps``, ``cli``, ``tests`` modules and paths, the API ``prefix``)."""
    from scaffold.generate.adopted import resource as adopted

    profile = project.profile
    assert profile is not None
    layout = project.layout
    root = project.root
    sync = profile.test_style == "sync"
    if sync and not profile.sync_session:
        raise ProjectError(
            "The project's tests are sync, and scaffold's sign-in tests need a sync session "
            "dependency to create users with: name it in [tool.scaffold] sync_session.",
            token="sync_session",
            example='[tool.scaffold]\nsync_session = "app.db.session:get_db"',
        )
    package_dir = PurePosixPath(profile.support_module).parent
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
    router_dir = PurePosixPath(paths["auth_router"]).parent
    paths["deps"] = _free(project, router_dir / "deps.py", router_dir / "auth_deps.py")
    planned_dirs = {str(PurePosixPath(rel).parent) for rel in paths.values()}
    cli = package_dir / "users.py"
    if str(package_dir / "users") in planned_dirs or (root / package_dir / "users").exists():
        cli = package_dir / "manage_users.py"
    paths["cli"] = _free(project, cli, package_dir / "manage_users.py")
    paths["tests"] = _free(
        project,
        PurePosixPath(layout.path("tests", "auth")),
        PurePosixPath(layout.path("tests", "sign_in")),
    )
    modules = {
        "app.models.users": layout.module("models", USERS),
        "app.schemas.users": layout.module("schemas", USERS),
        "app.services.users": layout.module("services", USERS),
        "app.api.deps": layout.module_at(paths["deps"]),
        "tests.factories.users": layout.module("factories", USERS),
    }
    cli_module = layout.module_at(paths["cli"])
    prefix = profile.api_prefix

    def point(text: str) -> str:
        for template_module, module in modules.items():
            text = re.sub(
                rf"^from {re.escape(template_module)} import",
                f"from {module} import",
                text,
                flags=re.M,
            )
        text = text.replace('"app.api.v1.auth"', f'"{layout.module_at(paths["auth_router"])}"')
        text = text.replace("app.users", cli_module).replace("/api/v1", prefix)
        return adapt(auth_names(text), layout)

    def with_session(text: str, *, sync_session: bool) -> str:
        # The command line is async; the tests' factory follows the project's tests.
        dependency = (
            profile.sync_session
            if sync_session
            else (profile.session_dependency or f"{profile.support_import}:get_async_session")
        )
        module, _, name = (dependency or "").partition(":")
        return adopted._insert_after_imports(
            text, f"from {module} import {name} as project_session"
        )

    files = []
    files.append(Rendered(paths["model"], point(_read("auth/app/models/users.py"))))
    schemas = _read("auth/app/schemas/users.py")
    schemas = _edit(
        schemas,
        "from app.schemas import base\n",
        "from app.schemas.base import Email as BaseEmail\n",
    )
    schemas = _edit(schemas, "Annotated[base.Email,", "Annotated[BaseEmail,")
    files.append(Rendered(paths["schemas"], point(schemas)))
    files.append(Rendered(paths["service"], point(_read("auth/app/services/users.py"))))
    deps = _read("auth/app/api/deps.py")
    deps = _edit(deps, "from fastapi import Depends, Request\n", "from fastapi import Depends\n")
    deps = _edit(
        deps,
        '''async def app_settings(request: Request) -> Settings:
    """The settings of the app serving the request (`create_app(settings)`'s)."""
    settings: Settings | None = getattr(request.app.state, "settings", None)
    return settings or get_settings()''',
        '''async def app_settings() -> Settings:
    """Sign-in's settings (`AuthSettings`: SECRET_KEY, ACCESS_TOKEN_EXPIRE_MINUTES, ...)."""
    return get_settings()


# Read when the app imports its routers: a bad setting stops the start, naming the
# variable, instead of failing every sign-in (and the OpenAPI document) later.
get_settings()''',
    )
    files.append(Rendered(paths["deps"], point(deps)))
    for key, rel in (
        ("auth_router", "auth/app/api/v1/auth.py"),
        ("users_router", "auth/app/api/v1/users.py"),
    ):
        text = _read(rel)
        # problem+json on these routes only, like every generated router here.
        text = _edit(
            text,
            "from app.core.errors import ",
            "from app.core.errors import ProblemRoute\nfrom app.core.errors import ",
        )
        text = re.sub(
            r"^router = APIRouter\((.*)\)$",
            r"router = APIRouter(\1, route_class=ProblemRoute)",
            text,
            count=1,
            flags=re.M,
        )
        files.append(Rendered(paths[key], point(text)))
    files.append(Rendered(paths["cli"], with_session(point(_cli()), sync_session=False)))
    factory = with_session(point(_read("auth_adopted/factory.py")), sync_session=sync)
    tests = point(_read("auth_adopted/test_auth.py"))
    tests = re.sub(r"\bclient\b", profile.client_fixture, tests)
    if sync:
        factory, tests = adopted.to_sync(factory), adopted.to_sync(tests)
    elif profile.asyncio_mode != "auto":
        tests = re.sub(
            r"@pytest\.fixture(\([^)]*\))?\n(async def)", r"@pytest_asyncio.fixture\1\n\2", tests
        )
        tests = tests.replace("import pytest\n", "import pytest\nimport pytest_asyncio\n", 1)
        tests = _edit(
            tests,
            'PROBLEM = "application/problem+json"\n',
            'PROBLEM = "application/problem+json"\n\npytestmark = pytest.mark.asyncio\n',
        )
    files.append(Rendered(paths["factory"], factory))
    files.append(Rendered(paths["tests"], tests))
    migration_text = chained_migration(
        _read("auth/migrations/versions/0a1b2c3d4e5f_create_users.py"), revision, down
    )
    files.append(Rendered(migration, migration_text, frozen=True))
    files += package_inits(root, files)
    planned: dict[str, str] = {}
    routers = (
        ("auth", layout.module_at(paths["auth_router"])),
        (USERS, layout.module("api", USERS)),
    )
    unregistered: list[str] = []
    for table, module in routers:
        edit = adopted.register_router(root, profile, module, table, planned=planned)
        if edit is not None:
            planned[edit[0]] = edit[1]
        elif not any(f"from {module} import router" in text for text in planned.values()):
            unregistered += adopted.registry_lines(profile, module, table)
    files += [Rendered(rel, text, edit=True) for rel, text in planned.items()]
    edit = adopted.register_model(root, profile, layout.module("models", USERS), "User")
    if edit is not None:
        files.append(Rendered(edit[0], edit[1], edit=True))
    from scaffold.generate.adopted.support import support_files

    files += support_files(root, profile, auth=True)
    dependencies, added = _with_dependencies(root)
    if dependencies is not None:
        files.append(Rendered("pyproject.toml", dependencies, edit=True))
    where = {
        "deps": modules["app.api.deps"],
        "cli": cli_module,
        "tests": paths["tests"],
        "factory": paths["factory"],
        "prefix": prefix,
        "unregistered": "\n".join(unregistered),
        "fastapi": _old_fastapi(root),
        "packages": ", ".join(added),
        "packages_where": "pyproject.toml" if dependencies is not None else "",
    }
    return files, where


def _cli() -> str:
    """The template's `create-admin` command, on the project's session and stdlib logging
    (the project's own logging set-up is left alone)."""
    text = _read("auth/app/users.py")
    text = _edit(text, "import getpass\n", "import getpass\nimport logging\n")
    for line in (
        "from app.core.config import get_settings\n",
        "from app.core.logging import configure_logging\n",
        "from app.db.session import database\n",
    ):
        text = _edit(text, line, "")
    text = _replace_function(text, "create_admin", NEW_CREATE_ADMIN)
    return _edit(
        text,
        "    configure_logging(get_settings())\n",
        '    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")\n',
    )


NEW_CREATE_ADMIN = '''async def create_admin(email: str, password: str) -> str:
    """Create or promote the admin; the line to print."""
    sessions = project_session()
    session = await anext(sessions)
    try:
        service = UserService(session)
        existing = await service.by_email(email)
        user = await service.create_admin(email, password)
        line = f"promoted {user.email} to admin" if existing else f"created admin {user.email}"
    finally:
        await sessions.aclose()
    return line
'''


def _replace_function(text: str, name: str, source: str) -> str:
    """``text`` with the top-level function ``name`` replaced by ``source``."""
    import ast

    node = next(
        (
            n
            for n in ast.parse(text).body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
        ),
        None,
    )
    if node is None or node.end_lineno is None:
        raise AssertionError(f"the auth template no longer defines {name}()")
    lines = text.splitlines(keepends=True)
    lines[node.lineno - 1 : node.end_lineno] = [source.rstrip("\n") + "\n"]
    return "".join(lines)


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
