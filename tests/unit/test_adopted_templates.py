"""The template files only adopted projects use are code that ruff and mypy check.

``templates/adopted/support/`` holds the support module's own parts and
``templates/adopted/test_support.py.jinja`` the generated tests' client wrapper
(``scaffold/generate/adopted/support.py`` puts them together). Each ``.py`` part is a
whole module and is checked as it is; a Jinja one is rendered first. The async sessions
piece is code that follows the template's in the support module, so it is checked with
the import lines the module gives it and a stub of the project's engine module.

``templates/auth_adopted/app/`` holds an adopted project's version of a sign-in file of
``templates/auth/app/`` where it must differ: each differs only where it says, so a
change to the template fails here until its adopted version has it too.
"""

from __future__ import annotations

import difflib
import itertools
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from scaffold.generate.adopted import support
from scaffold.generate.adopted.templates import render
from scaffold.project.profile import Profile
from tests.support.helpers import BIN, MYPY_CACHE, REPO

TEMPLATES = REPO / "templates"
PIECES = TEMPLATES / "adopted" / "support"
PROFILE = Profile(
    "layers", "shop", *["shop/x/{name}.py"] * 6, "shop.db:Base", "shop/scaffold_support.py"
)
ENGINE_STUB = '''"""The project's engine module, as the async sessions piece imports it."""

from sqlalchemy import create_engine

engine = create_engine("sqlite://")
'''


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every piece as a module to check, and the engine stub."""
    folder = tmp_path_factory.mktemp("adopted-pieces")
    for name in ("header.py", "extras.py", "auth.py", "sqlmodel_base.py"):
        (folder / name).write_text((PIECES / name).read_text())
    imports = "\n".join((*support.OWN_IMPORTS, *support.ASYNC_SESSION_IMPORTS))
    sessions = render(
        "adopted/support/async_sessions.py.jinja", engine_module="project_db", engine_name="engine"
    )
    (folder / "async_sessions.py").write_text(f'"""Async sessions."""\n\n{imports}\n{sessions}')
    (folder / "project_db.py").write_text(ENGINE_STUB)
    for style in ("async", "sync"):
        text = support.test_support(replace(PROFILE, test_style=style))
        (folder / f"test_support_{style}.py").write_text(text)
    return folder


def run(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, check=False, env=env or dict(os.environ)
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_checks_and_formats_the_pieces(checked: Path) -> None:
    config = [
        "--no-cache",
        "--config",
        str(REPO / "pyproject.toml"),
        "--config",
        "lint.isort.known-first-party = ['app', 'project_db']",
        # The support module's import lines, as it takes them: some are for other parts.
        "--config",
        "lint.per-file-ignores = { 'async_sessions.py' = ['F401', 'I001'] }",
    ]
    run(str(BIN / "ruff"), "check", *config, ".", cwd=checked)
    run(str(BIN / "ruff"), "format", "--check", *config, ".", cwd=checked)


def test_mypy_strict_passes_on_the_pieces(checked: Path) -> None:
    # extras.py uses the template's own core/errors.py, as the support module does.
    env = {**os.environ, "MYPYPATH": str(TEMPLATES / "project")}
    files = sorted(p.name for p in checked.glob("*.py"))
    run(
        str(BIN / "mypy"),
        "--strict",
        "--cache-dir",
        str(MYPY_CACHE),
        *files,
        cwd=checked,
        env=env,
    )


@pytest.mark.parametrize(
    ("hashing", "auth", "sqlmodel", "sessions"),
    list(itertools.product((False, True), repeat=4)),
)
def test_the_support_module_uses_no_name_it_lacks(
    hashing: bool, auth: bool, sqlmodel: bool, sessions: bool, tmp_path: Path
) -> None:
    """Every part's names are imported or defined in the module the parts make up."""
    profile = replace(
        PROFILE,
        sqlmodel=sqlmodel,
        session_dependency="shop.db:get_session" if sessions else None,
        sync_engine=None if sessions else "shop.db:engine",
    )
    module = tmp_path / "scaffold_support.py"
    module.write_text(support.support_module(profile, hashing=hashing, auth=auth))
    run(
        str(BIN / "ruff"),
        "check",
        "--no-cache",
        "--isolated",
        "--select",
        "F821",
        ".",
        cwd=tmp_path,
    )


# What each adopted version changes in its template: (lines left out, lines added).
CHANGES = {
    "app/schemas/users.py": (
        [
            "from app.schemas import base",
            "Email = Annotated[base.Email, Field(max_length=EMAIL_MAX)]",
        ],
        [
            "from app.schemas.base import Email as BaseEmail",
            "Email = Annotated[BaseEmail, Field(max_length=EMAIL_MAX)]",
        ],
    ),
    # Sign-in's own settings, read at import: the project's app has none to give.
    "app/api/deps.py": (
        [
            "from fastapi import Depends, Request",
            "async def app_settings(request: Request) -> Settings:",
            '    """The settings of the app serving the request (`create_app(settings)`\'s)."""',
            '    settings: Settings | None = getattr(request.app.state, "settings", None)',
            "    return settings or get_settings()",
        ],
        [
            "from fastapi import Depends",
            "async def app_settings() -> Settings:",
            '    """Sign-in\'s settings (`AuthSettings`: SECRET_KEY, ACCESS_TOKEN_EXPIRE_MINUTES, ...)."""',
            "    return get_settings()",
            "",
            "",
            "# Read when the app imports its routers: a bad setting stops the start, naming the",
            "# variable, instead of failing every sign-in (and the OpenAPI document) later.",
            "get_settings()",
        ],
    ),
    # problem+json on these routers only, like every generated router there.
    "app/api/v1/auth.py": (
        ['router = APIRouter(prefix="/auth", tags=["auth"])'],
        [
            "from app.core.errors import ProblemRoute",
            'router = APIRouter(prefix="/auth", tags=["auth"], route_class=ProblemRoute)',
        ],
    ),
    "app/api/v1/users.py": (
        ['router = APIRouter(prefix="/users", tags=["users"])'],
        [
            "from app.core.errors import ProblemRoute",
            'router = APIRouter(prefix="/users", tags=["users"], route_class=ProblemRoute)',
        ],
    ),
    # The project's session (`project_session`, imported when it is written) and the
    # standard library's logging; the project's own set-up is left alone.
    "app/users.py": (
        [
            "from app.core.config import get_settings",
            "from app.core.logging import configure_logging",
            "from app.db.session import database",
            "    settings = get_settings()",
            "    # A database someone else started (the test suite's) is theirs to stop.",
            "    owned = not database.started",
            "    database.start(settings)",
            "        async with database.session() as session:",
            "            service = UserService(session)",
            "            existing = await service.by_email(email)",
            "            user = await service.create_admin(email, password)",
            "        if owned:",
            "            await database.stop()",
            '    return f"promoted {user.email} to admin" if existing else f"created admin {user.email}"',
            "    configure_logging(get_settings())",
        ],
        [
            "import logging",
            "    sessions = project_session()",
            "    session = await anext(sessions)",
            "        service = UserService(session)",
            "        existing = await service.by_email(email)",
            "        user = await service.create_admin(email, password)",
            '        line = f"promoted {user.email} to admin" if existing else f"created admin {user.email}"',
            "        await sessions.aclose()",
            "    return line",
            '    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")',
        ],
    ),
}


def test_every_adopted_version_of_a_sign_in_file_is_listed() -> None:
    adopted = TEMPLATES / "auth_adopted" / "app"
    assert sorted(
        p.relative_to(adopted.parent).as_posix() for p in adopted.rglob("*.py")
    ) == sorted(CHANGES)


@pytest.mark.parametrize("rel", sorted(CHANGES))
def test_an_adopted_version_differs_from_its_template_only_where_it_says(rel: str) -> None:
    template = (TEMPLATES / "auth" / rel).read_text().splitlines()
    adopted = (TEMPLATES / "auth_adopted" / rel).read_text().splitlines()
    diff = list(difflib.unified_diff(template, adopted, n=0, lineterm=""))[2:]
    left_out = [line[1:] for line in diff if line.startswith("-")]
    added = [line[1:] for line in diff if line.startswith("+")]
    assert (left_out, added) == CHANGES[rel], (
        f"templates/auth/{rel} changed: make the same change in templates/auth_adopted/{rel}"
    )
