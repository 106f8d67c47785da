"""What changes when the project is adopted: tests in its style, its registries edited.

Generated tests use the project's own client fixture (sync ``TestClient`` or async
``httpx.AsyncClient``) through a signed-in wrapper that deletes what each test
created; parents scaffold did not generate are inserted through the project's own
session and model. The router and the model are registered in the project's own
registries by a syntax-tree edit that keeps the rest of each file as it is.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from scaffold.project.profile import Profile, module_of
from scaffold.spec.inflect import singularize

# Tests that need what only the template's suite provides (a `session` fixture on the
# app's engine, concurrent requests from one async client).
_SESSION_PARAM = "session"
_STATEMENTS_PARAM = "statements"  # the template's statement counter (N+1 tests)
_CONCURRENT = "test_concurrent_update_and_delete_are_never_a_server_error"


def client_module(profile: Profile, factories: str) -> str:
    """The import path of the generated tests' client wrapper (``Api``), given that of
    the factories package: the package itself, or scaffold's module in it when the
    project's factories package has an ``__init__.py`` of its own."""
    path = profile.test_support_path
    folder = profile.path("factories", "x").rpartition("/")[0]
    if path == f"{folder}/__init__.py":
        return factories
    if path.rpartition("/")[0] == folder:
        return f"{factories}.{path.rpartition('/')[2].removesuffix('.py')}"
    return module_of(path)


def client_class(profile: Profile) -> str:
    return "Api" if profile.test_style == "sync" else "AsyncApi"


def adapt_tests(
    text: str,
    profile: Profile,
    factories: str,
    *,
    test_module: bool,
    users: str | None = None,
    admin: bool = False,
) -> str:
    """A rendered test or factory module, in the project's test style; ``users`` is the
    module of scaffold's users factory when the project has scaffold's sign-in (the
    tests then sign in as a new user of it, an admin when ``admin``)."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    drop = []
    for node in tree.body:
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and (
            any(a.arg in (_SESSION_PARAM, _STATEMENTS_PARAM) for a in node.args.args)
            or (node.name == _CONCURRENT and profile.test_style == "sync")
        ):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            drop.append((start - 1, node.end_lineno or node.lineno))
    for first, last in sorted(drop, reverse=True):
        del lines[first:last]
    text = "".join(lines)
    cls = client_class(profile)
    text = text.replace(
        "from httpx import AsyncClient\n",
        f"from {client_module(profile, factories)} import {cls}\n",
    )
    text = re.sub(r"\bAsyncClient\b", cls, text)
    if profile.test_style == "sync":
        text = to_sync(text)
    if "asyncio." not in text.replace("import asyncio", ""):
        text = text.replace("import asyncio\n", "")
    if "AsyncSession" not in text.replace("import AsyncSession", ""):
        text = text.replace("from sqlalchemy.ext.asyncio import AsyncSession\n", "")
    if test_module:
        # The tests' own fixture: overriding the project's `client` would change it for
        # the project's fixtures that use it (a module-scoped login, say).
        text = re.sub(r"\bclient\b", api_fixture(profile), text)
        text = _with_client_fixture(text, profile, factories, users, admin)
    return text


def to_sync(text: str) -> str:
    """Async test code as the sync code of a project whose tests use ``TestClient``."""
    text = re.sub(r"\basync def ", "def ", text)
    text = re.sub(r"\bawait ", "", text)
    text = re.sub(r"\banext\(", "next(", text)
    text = re.sub(r"\.aclose\(\)", ".close()", text)
    return re.sub(r"\bAsyncIterator\b", "Iterator", text)


def api_fixture(profile: Profile) -> str:
    return "api" if profile.client_fixture != "api" else "signed_in"


def app_client_fixture(sync: bool) -> str:
    """The module's ``client`` in a project with no client fixture: a client of its app,
    from scaffold's test support module (``app_client``)."""
    return (
        "\n\n@pytest.fixture\n"
        f"{'def' if sync else 'async def'} client() -> {'Iterator' if sync else 'AsyncIterator'}[Any]:\n"
        '    """A client of the app: the project has no client fixture of its own."""\n'
        f"    {'with' if sync else 'async with'} app_client() as anonymous:\n"
        "        yield anonymous\n"
    )


def _with_client_fixture(
    text: str, profile: Profile, factories: str, users: str | None, admin: bool
) -> str:
    """The module's ``client``: the project's fixture, signed in and cleaned up after."""
    cls = client_class(profile)
    project_client = profile.client_fixture or "client"
    headers = profile.auth_headers_fixture if users is None else None
    params = [f"{project_client}: Any"] + ([f"{headers}: dict[str, str]"] if headers else [])
    value = headers or "{}"
    sync = profile.test_style == "sync"
    aw = "" if sync else "await "
    iterator = "Iterator" if sync else "AsyncIterator"
    doc = f"The project's `{project_client}` fixture, signed in; what a test creates is deleted after it."
    if users is not None:
        value = f"{aw}sign_in({'admin=True' if admin else ''})"
        who = "admin" if admin else "user"
        doc = (
            f"`{project_client}` signed in as a new {who}; what a test creates is deleted after it."
        )
    fixture = (
        "\n\n@pytest.fixture\n"
        f"{'def' if sync else 'async def'} {api_fixture(profile)}({', '.join(params)}) -> {iterator}[{cls}]:\n"
        f'    """{doc}"""\n'
        f"    api = {cls}({project_client}, {value})\n"
        "    yield api\n"
        f"    {aw}api.clean_up()\n"
    )
    if users is not None:
        fixture += f"    {aw}delete_created_users()\n"
    if not profile.client_fixture:
        fixture = app_client_fixture(sync) + fixture
    if profile.auth_dependency and users is None:
        fixture += (
            "\n\n"
            f"{'def' if sync else 'async def'} test_routes_need_a_signed_in_user({api_fixture(profile)}: {cls}) -> None:\n"
            f"    response = {aw}{api_fixture(profile)}.anonymous.get(ITEMS)\n"
            "    assert response.status_code in (401, 403), response.text\n"
        )
    fk_tests = re.findall(
        r"^(?:async )?def (test_deleting_its_\w+|test_unknown_reference_\w+)\(", text, re.M
    )
    head = "import pytest\nfrom typing import Any\n"
    if not profile.client_fixture:
        head += f"from {client_module(profile, factories)} import app_client\n"
    if users is not None:
        head += f"from {users} import delete_created_users, sign_in\n"
    if fk_tests:
        imports, probe = _foreign_keys_fixture(profile, factories)
        head += imports
        fixture += probe
        for name in fk_tests:
            # A fixture asked for by marker, not by an argument the test never reads.
            text = re.sub(
                rf"^((?:async )?def {name}\()",
                r'@pytest.mark.usefixtures("foreign_keys")\n\1',
                text,
                flags=re.M,
            )
    marker = 'PROBLEM = "application/problem+json"\n'
    head += f"from collections.abc import {iterator}\n"
    if profile.test_style == "async" and profile.asyncio_mode != "auto":
        fixture = fixture.replace("@pytest.fixture", "@pytest_asyncio.fixture")
        head += "import pytest_asyncio\n"
        fixture = "\npytestmark = pytest.mark.asyncio\n" + fixture
    text = text.replace(marker, marker + fixture, 1)
    first_import = re.search(r"^(import|from) ", text, re.M)
    assert first_import is not None
    return text[: first_import.start()] + head + text[first_import.start() :]


def _foreign_keys_fixture(profile: Profile, factories: str) -> tuple[str, str]:
    """(imports, fixture) of ``foreign_keys``: skips a test where the project's database
    does not enforce foreign keys, asked through its session (sync tests of a project
    whose session is async only: on the app's own loop)."""
    sync = profile.test_style == "sync"
    portal = sync and profile.sync_session is None
    sessions = (
        profile.sync_session
        if sync and not portal
        else (profile.session_dependency or f"{profile.support_import}:get_async_session")
    )
    module, _, name = sessions.partition(":")
    probe = "foreign_keys_enforced_on_the_apps_loop" if portal else "foreign_keys_enforced"
    api = api_fixture(profile)
    call = f"{probe}({api}, sessions)" if portal else f"{probe}(sessions)"
    imports = (
        f"from {module} import {name} as project_session\n"
        f"from {client_module(profile, factories)} import {probe}\n"
    )
    fixture = (
        "\n\n@pytest.fixture\n"
        f"{'def' if sync else 'async def'} foreign_keys({api}: {client_class(profile)}) -> None:\n"
        f"    sessions = {api}.dependency(project_session)\n"
        f"    if not {'' if sync else 'await '}{call}:\n"
        '        pytest.skip("this database does not enforce foreign keys (SQLite without '
        'PRAGMA foreign_keys=ON)")\n'
    )
    return imports, fixture


# --- parents scaffold did not generate ------------------------------------------------


def parent_factory(
    root: Path, profile: Profile, table: str, factories: str, parents: list[str] | None = None
) -> str | None:
    """``create_<singular>(client)`` for a table of the project's own: a row inserted through
    its model and its own session dependency (no route of its is assumed). A required
    reference to another of its tables is filled with a new row of that table, made by
    that table's factory: its name is appended to ``parents``."""
    from scaffold.generate.templates import render

    if parents is None:
        parents = []
    entry = profile.table(table)
    if entry is None:
        return None
    columns = required_columns(root, profile, entry.module, entry.class_name)
    sync = profile.test_style == "sync"
    context: dict[str, Any] = {
        "table": table,
        "singular": singularize(table),
        "class_name": entry.class_name,
        "model_module": entry.module,
        "factories": factories,
        "client_module": client_module(profile, factories),
        "client_class": client_class(profile),
        "sync": sync,
        "key": repr(entry.key),
        "skip_reason": None,
        "portal": False,
        "plain": [],
        "parents": [],
    }
    if columns is None:
        reason = (
            f"scaffold cannot make a {table} row (a required column it cannot fill): "
            f"write {profile.path('factories', table)}"
        )
        context["skip_reason"] = repr(reason)
        return render("adopted/parent_factory.py.jinja", **context)
    context["plain"] = [
        (repr(name), value) for name, value in columns if not value.startswith(PARENT)
    ]
    context["needs_n"] = any("{n}" in value for _, value in context["plain"])
    for name, value in columns:
        if value.startswith(PARENT):
            parent, _, kind = value.removeprefix(PARENT).partition(":")
            create = f"create_{singularize(parent)}"
            made = f"({'' if sync else 'await '}{create}(client))['id']"
            key = f"UUID({made})" if kind == "uuid" else made
            context["parents"].append(
                {"name": repr(name), "table": parent, "create": create, "key": key}
            )
            parents.append(parent)
    # Sync tests without a sync session insert through the async one (on the app's loop).
    context["portal"] = sync and profile.sync_session is None
    dependency = (
        profile.sync_session
        if sync and not context["portal"]
        else profile.session_dependency or f"{profile.support_import}:get_async_session"
    )
    context["session_module"], _, context["session_name"] = dependency.partition(":")
    return render("adopted/parent_factory.py.jinja", **context)


# A required column filled with the key of a new row of another of the project's tables:
# "<PARENT>table:kind" in required_columns' output.
PARENT = "parent:"

_SAMPLE = {
    "str": 'f"{name}-{{n}}"',
    "int": "1",
    "bigint": "1",
    "float": "1.0",
    "bool": "True",
    "date": "dt.date(2024, 1, 1)",
    "datetime": "dt.datetime(2024, 1, 1, tzinfo=dt.UTC)",
    "uuid": "uuid4()",
    "decimal": "1",
    "bytes": 'b"scaffold"',
}


def required_columns(
    root: Path, profile: Profile, module: str, class_name: str
) -> list[tuple[str, str]] | None:
    """(attribute, sample source) of each column a new row must be given; None when one
    cannot be filled (a required reference to another table, an enum)."""
    from scaffold.adopt.columns import model_columns

    columns = model_columns(root, module, class_name)
    if columns is None:
        return None
    out = []
    for col in columns:
        if not col.required:
            continue
        if col.foreign_key and col.references and profile.table(col.references) is not None:
            own = next(
                (
                    t.name
                    for t in profile.tables
                    if (t.module, t.class_name) == (module, class_name)
                ),
                None,
            )
            if col.references == own:
                return None  # a row that needs a row of its own table first
            # A row of that table is made first, by its own factory.
            out.append((col.name, f"{PARENT}{col.references}:{col.kind or 'int'}"))
            continue
        if col.foreign_key or col.kind is None:
            return None
        if col.kind == "str":
            value = '"{n}@example.com"' if "email" in col.name else f'"{col.name}-{{n}}"'
            if col.length is not None and len(col.name) + 13 > col.length:
                value = '"{n}"'
            value = "f" + value
        else:
            value = _SAMPLE[col.kind]
        out.append((col.name, value))
    return out


# --- the project's registries ---------------------------------------------------------


def _insert_after_imports(text: str, line: str, rel: str = "<registry>") -> str:
    """``line`` after the module's first block of top-level imports (a LibCST edit: the
    rest of the file, in any Python grammar, stays as it is)."""
    from scaffold.generate.adopted.registries import insert_after_imports

    return insert_after_imports(text, line, rel)


def _sorted_imports(root: Path, rel: str, text: str) -> str:
    """Re-sort the import block only where the project's ruff config sorts imports."""
    from scaffold.generate.format import ruff_stdin

    if "I001" not in ruff_stdin(root, rel, text, "check", "--output-format", "concise").stdout:
        return text
    fixed = ruff_stdin(root, rel, text, "check", "--fix", "--select", "I", "--exit-zero", "--quiet")
    return fixed.stdout if fixed.returncode == 0 and fixed.stdout else text


def _current_text(root: Path, rel: str, planned: dict[str, str] | None) -> str | None:
    """A registry's text as this run leaves it so far: its planned edit, else the file;
    None when there is neither."""
    if planned is not None and rel in planned:
        return planned[rel]
    path = root / rel
    return path.read_text(encoding="utf-8") if path.is_file() else None


def register_router(
    root: Path,
    profile: Profile,
    router_module: str,
    table: str,
    version: int = 1,
    planned: dict[str, str] | None = None,
) -> tuple[str, str] | None:
    """(path, new text) of the router registry with ``router_module`` included; None when it
    already is, or when the project has no registry (the lines are then printed).
    ``planned`` holds the texts this run already changed (two routers, one registry).

    A later API version of a project whose registry sits under ``/api/v1`` is included
    in the app itself, under ``/api/vN``.
    """
    target = _registry_of(profile, version)
    if target is None:
        return None
    rel, attribute, prefix = target
    text = _current_text(root, rel, planned)
    if text is None:
        return None
    if re.search(rf"^\s*from {re.escape(router_module)} import router\b", text, re.M):
        return None
    local = f"{table}_router" if version == 1 else f"{table}_v{version}_router"
    from scaffold.generate.adopted.registries import append_statement

    text = _insert_after_imports(text, f"from {router_module} import router as {local}", rel)
    text = append_statement(text, f"{attribute}.include_router({local}{prefix})", rel)
    return rel, _sorted_imports(root, rel, text)


def _registry_of(profile: Profile, version: int) -> tuple[str, str, str] | None:
    """(file, object, include prefix argument) a router of API ``version`` is included by."""
    if version > 1 and profile.versioned_prefix and profile.app:
        module, _, name = profile.app.partition(":")
        rel = module.replace(".", "/") + ".py"
        return rel, name, f', prefix="{profile.version_prefix(version)}"'
    if not profile.router_registry:
        return None
    rel, _, attribute = profile.router_registry.partition(":")
    return rel, attribute, f', prefix="{profile.api_prefix}"' if profile.include_prefix else ""


def registry_lines(profile: Profile, router_module: str, table: str) -> list[str]:
    """The two lines that include a generated router, for a project scaffold cannot edit."""
    local = f"{table}_router"
    owner = (profile.app or "app:app").rpartition(":")[2]
    prefix = f', prefix="{profile.api_prefix}"' if profile.api_prefix else ""
    return [
        f"from {router_module} import router as {local}",
        f"{owner}.include_router({local}{prefix})",
    ]


def register_model(
    root: Path,
    profile: Profile,
    model_module: str,
    class_name: str,
    planned: dict[str, str] | None = None,
) -> tuple[str, str] | None:
    """(path, new text) of the module Alembic's env imports the models through, importing the
    new model too (so autogenerate and ``alembic check`` see it); None when it already does."""
    if not profile.model_registry:
        return None
    rel = profile.model_registry
    if module_of(rel) == model_module:
        return None
    text = _current_text(root, rel, planned)
    if text is None:
        return None
    if re.search(rf"^\s*from {re.escape(model_module)} import ", text, re.M):
        return None
    line = f"from {model_module} import {class_name}  # noqa: F401"
    return rel, _sorted_imports(root, rel, _insert_after_imports(text, line, rel))


def unregister(
    root: Path, rel: str, modules: set[str], planned: dict[str, str] | None = None
) -> tuple[str, str] | None:
    """(path, new text) of a registry without the imports of ``modules`` and the
    ``include_router`` calls of what they imported; None when it has none of them."""
    text = _current_text(root, rel, planned)
    if text is None:
        return None
    from scaffold.generate.adopted.registries import drop_router_imports

    edited = drop_router_imports(text, modules, rel)
    return None if edited is None else (rel, edited)
