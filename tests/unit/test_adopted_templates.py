"""The template files only adopted projects use are code that ruff and mypy check.

``templates/adopted/support/`` holds the support module's own parts and
``templates/adopted/test_support.py.jinja`` the generated tests' client wrapper
(``scaffold/generate/adopted/support.py`` puts them together). Each ``.py`` part is a
whole module and is checked as it is; a Jinja one is rendered first. The async sessions
piece is code that follows the template's in the support module, so it is checked with
the import lines the module gives it and a stub of the project's engine module.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from scaffold.generate.adopted import support
from scaffold.generate.templates import render
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


def test_an_adopted_projects_hasher_ignores_its_environment_setting() -> None:
    """The template's suite hashes cheaply under ENVIRONMENT=test; an adopted project's
    ENVIRONMENT is its team's (a "test" server may store real passwords), so its support
    module hashes at pwdlib's recommended cost whatever that setting says."""
    template = (support.TEMPLATE_APP / "core/security.py").read_text(encoding="utf-8")
    assert 'password_hasher(os.environ.get("ENVIRONMENT"))' in template
    module = support.support_module(PROFILE, hashing=True)
    assert "HASHER = PasswordHash((Argon2Hasher(),))" in module
    assert "ENVIRONMENT" not in module and "password_hasher" not in module
