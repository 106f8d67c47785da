"""The one module scaffold owns in an adopted project, built from the template's own modules.

Generated code imports problem+json errors, the UTC datetime and JSON column types,
the input/page base schemas, the secret hasher and the shared service helpers. A
project made from the template has them in ``app/``; an adopted one gets them here,
in one module the profile names (``support_module``), so nothing the project already
has is duplicated or overwritten. The text is the template's (one source: a template
improvement reaches adopted projects with the next generation), with the project's
``Base`` and async session dependency wired in, and problem+json installed on the
generated routers only (``ProblemRoute``), never on the app: the project's own routes
keep their error bodies. The module's own code (its header, ``ProblemRoute``, sign-in's
settings, a SQLModel ``Base``, async sessions on a sync engine) is in
``templates/adopted/support/``.

The test side (``test_support``, ``templates/adopted/test_support.py.jinja``) is the
generated tests' client wrapper: it sends the project's auth headers and deletes what
each test created, so generated tests leave the project's test database as they found it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from scaffold.generate.templates import read, render, split_imports
from scaffold.project.profile import Profile
from scaffold.resources import template_root

TEMPLATE_APP = template_root() / "templates" / "project" / "app"

# The template's token functions: in the support module only with scaffold's sign-in.
TOKENS = frozenset({"ALGORITHM", "InvalidTokenError", "create_access_token", "read_access_token"})

# The template modules the support module is made of, in dependency order, and the
# definitions left out of each (the support module's own versions replace them).
SOURCES: tuple[tuple[str, frozenset[str]], ...] = (
    ("db/types.py", frozenset()),
    (
        "core/errors.py",
        frozenset({"problem_responses", "_with_problem_components", "install_error_handlers"}),
    ),
    ("schemas/base.py", frozenset()),
    # Password hashing once a generated resource stores a password (so pwdlib is needed
    # only then); the access tokens too once the project has scaffold's sign-in.
    ("core/security.py", TOKENS),
    ("services/base.py", frozenset()),
)

# The support module's own parts (templates/adopted/support/): the header, the code
# after the template's (extras.py, async_sessions.py.jinja) and the optional whole
# modules (auth.py, sqlmodel_base.py). tests/unit/test_adopted_templates.py runs ruff and
# mypy on them.
PIECES = "adopted/support"

# The import lines of the code after the template's: extras.py, `SessionDep`, and the
# async sessions of a project with sync ones only. That code uses the template code's
# names; the piece files import what they use only to be checked alone.
OWN_IMPORTS = (
    "from collections.abc import AsyncIterator, Callable, Coroutine",
    "from datetime import UTC, datetime",
    "from typing import Annotated",
    "from fastapi import Depends",
    "from fastapi.routing import APIRoute",
    "from sqlalchemy.ext.asyncio import AsyncSession",
)
ASYNC_SESSION_IMPORTS = (
    "from functools import cache",
    "from sqlalchemy.engine import URL",
    "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine",
)


def auth_names(text: str) -> str:
    """Template code with sign-in's settings under the support module's names: the
    project has a `Settings` and `get_settings` of its own, so these are `AuthSettings`
    and `auth_settings`."""
    text = re.sub(r"\bSettings\b", "AuthSettings", text)
    return re.sub(r"\bget_settings\b", "auth_settings", text)


# The template's hasher choice (least cost under ENVIRONMENT=test, its test suite's own
# setting). An adopted project's ENVIRONMENT is its team's (a "test" may be a shared
# server that stores real passwords), so its support module always hashes at pwdlib's
# recommended cost.
_SUITE_COST = re.compile(r"\ndef password_hasher\(.*?\nHASHER = password_hasher\([^\n]*\)\n", re.S)


def recommended_hasher(text: str) -> str:
    """The template's security code with the recommended hasher whatever the environment."""
    replaced, count = _SUITE_COST.subn("\nHASHER = PasswordHash((Argon2Hasher(),))\n", text)
    if count != 1:
        raise RuntimeError("templates/project/app/core/security.py: no password_hasher() found")
    return replaced


def _split(ref: str) -> tuple[str, str]:
    module, _, name = ref.partition(":")
    return module, name


def support_module(profile: Profile, *, hashing: bool = False, auth: bool = False) -> str:
    """The support module's source for ``profile`` (unformatted; the caller formats it);
    with the password hasher when ``hashing`` (a generated resource stores a password),
    and with sign-in's settings, tokens, log lines and login limits when ``auth``."""
    imports: list[str] = []
    bodies: list[str] = []
    names: dict[str, str] = {}
    for rel, dropped in SOURCES:
        if rel == "core/security.py":
            if not (hashing or auth):
                continue
            if auth:
                dropped = frozenset()
        kept, body = _template_code(rel, dropped, names)
        imports += kept
        bodies.append(body)
    imports += OWN_IMPORTS
    first = ""
    for piece in (["auth.py"] if auth else []) + (["sqlmodel_base.py"] if profile.sqlmodel else []):
        piece_imports, code = split_imports(read(f"{PIECES}/{piece}"))
        imports += piece_imports
        first += "\n\n" + code
    if not profile.sqlmodel:
        module, name = _split(profile.base)
        imports.append(f"from {module} import {name}" + ("" if name == "Base" else " as Base"))
    session_imports, session = _session(profile)
    imports += session_imports
    _, extras = split_imports(read(f"{PIECES}/extras.py"))
    return (
        read(f"{PIECES}/header.py")
        + "\n"
        + "\n".join(dict.fromkeys(imports))
        + "\n"
        + first
        + "\n\n"
        + "\n\n\n".join(bodies)
        + "\n\n\n"
        + extras
        + session
    )


def _template_code(
    rel: str, dropped: frozenset[str], names: dict[str, str]
) -> tuple[list[str], str]:
    """The template module ``rel``'s import lines its kept code uses (none of ``app.``)
    and its code without docstring, imports and the ``dropped`` definitions; each name it
    defines is recorded in ``names`` (defined twice is a scaffold bug)."""
    text = (TEMPLATE_APP / rel).read_text(encoding="utf-8")
    if rel == "core/security.py":
        text = recommended_hasher(auth_names(text))
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    imports: list[str] = []
    remove: list[tuple[int, int]] = []
    # Names the kept definitions use: an import only a dropped one needed is left out.
    used = {
        sub.id
        for node in tree.body
        if not isinstance(node, ast.Import | ast.ImportFrom) and not _defined(node) & dropped
        for sub in ast.walk(node)
        if isinstance(sub, ast.Name)
    }
    for index, node in enumerate(tree.body):
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        span = (start - 1, node.end_lineno or node.lineno)
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            remove.append(span)  # the module docstring
        elif isinstance(node, ast.Import | ast.ImportFrom):
            remove.append(span)
            bound = {(a.asname or a.name).split(".")[0] for a in node.names}
            if bound & used and not (
                isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.")
            ):
                imports.append(ast.get_source_segment(text, node) or "")
        elif _defined(node) & dropped:
            remove.append(span)
        else:
            for name in _defined(node):
                if name in names and not name.startswith("__"):
                    raise AssertionError(f"{name} is defined in {names[name]} and {rel}")
                names[name] = rel
    for first, last in sorted(remove, reverse=True):
        del lines[first:last]
    return imports, "".join(lines).strip("\n")


def _session(profile: Profile) -> tuple[list[str], str]:
    """The import lines and code of the session generated routes take (``SessionDep``):
    the project's async session dependency, or async sessions on its sync engine."""
    if profile.session_dependency:
        module, name = _split(profile.session_dependency)
        imports, code = [f"from {module} import {name}"], ""
    else:
        module, engine = _split(profile.sync_engine or "")
        sessions = render(
            f"{PIECES}/async_sessions.py.jinja", engine_module=module, engine_name=engine
        )
        imports, code, name = list(ASYNC_SESSION_IMPORTS), sessions, "get_async_session"
    return imports, code + f"\n\nSessionDep = Annotated[AsyncSession, Depends({name})]\n"


def _defined(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        names = set()
        for target in node.targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    names.add(sub.id)
        return names
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def test_support(profile: Profile) -> str:
    """The generated tests' client wrapper, in the project's test style."""
    asynchronous = profile.test_style == "async"
    # A project with no client fixture gets `app_client()`, a client of its app.
    app_module, _, app_name = (
        (profile.app or "").partition(":") if not profile.client_fixture else ("", "", "")
    )
    return render(
        "adopted/test_support.py.jinja",
        asynchronous=asynchronous,
        # Sync tests, async session only: the foreign-key probe runs on the app's loop.
        portal=not asynchronous and profile.sync_session is None,
        app_module=app_module,
        app_name=app_name,
        client_class="AsyncApi" if asynchronous else "Api",
        def_="async def " if asynchronous else "def ",
        await_="await " if asynchronous else "",
        next_="anext" if asynchronous else "next",
        close="aclose" if asynchronous else "close",
    )


def support_files(
    root: Path, profile: Profile, *, hashing: bool = False, auth: bool = False
) -> list:
    """The support module and the tests' client wrapper, as files to plan.

    The support module is the template's code, in scaffold's style; where the project's
    ruff configuration selects rules that code does not follow (a shorter line length,
    PEP 695 generics), a file-level ``ruff: noqa`` names exactly those rules, so the
    project's own ``ruff check`` stays clean without reshaping scaffold's shared code.
    """
    from scaffold.generate.format import format_python
    from scaffold.project.files import Rendered

    text = support_module(profile, hashing=hashing, auth=auth)
    first_party = (profile.package,)
    _formatted, lint = format_python({profile.support_module: text}, root, first_party)
    codes = sorted(set(re.findall(r":\d+:\d+: ([A-Z]+[0-9]+)", lint)))
    if codes:
        # Scaffold's shared code keeps scaffold's style; the project's rules it does not
        # follow are named, so the project's own ruff check stays clean.
        text = f"# ruff: noqa: {', '.join(codes)}\n" + text
    return [
        Rendered(profile.support_module, text),
        Rendered(profile.test_support_path, test_support(profile)),
    ]


_NAMES: set[str] = set()


def support_names() -> frozenset[str]:
    """Every name the support module defines (what generated code may import from it)."""
    if not _NAMES:
        for rel, dropped in SOURCES:
            tree = ast.parse((TEMPLATE_APP / rel).read_text(encoding="utf-8"))
            for node in tree.body:
                _NAMES.update(_defined(node) - (dropped - TOKENS))
        for piece in ("extras.py", "auth.py"):
            for node in ast.parse(read(f"{PIECES}/{piece}")).body:
                _NAMES.update(_defined(node))
        _NAMES.update({"Base", "SessionDep"})
    return frozenset(_NAMES)
