"""`scaffold check` on code nobody here wrote: the whole project, the project's grammar,
types instead of names, one finding per call, severities, one definition of "indexed",
SC700 that says why, and a cache that never hides an edit.

Each test names the case that was wrong before (issue: "a linter engineers keep on")
and checks that the true findings stay.
"""

from __future__ import annotations

import dataclasses
import shutil
import textwrap
from pathlib import Path

import pytest

from scaffold.checks import CheckConfig, check_project
from tests.support.helpers import REPO, make, scaffold

MIXED = REPO / "tests/fixtures/check_mixed"


def lint(root: Path, **options) -> list[tuple[str, int, str, str]]:
    config = dataclasses.replace(CheckConfig.from_pyproject(root), run_alembic=False)
    report = check_project(root, config, use_cache=False, **options)
    return [(f.path, f.line, f.code, f.severity) for f in report.findings]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MIXED, tmp_path / "mixed"))


# --- the fixture project that mixes everything ---------------------------------------------

MIXED_FINDINGS = [
    ("app/api/auth.py", 31, "SC402", "info"),  # POST /login issues an access token
    ("app/api/auth.py", 45, "SC402", "info"),  # POST /api-keys shows the key once
    ("app/api/auth.py", 50, "SC401", "error"),  # GET /api-keys/{id} shows it every time
    ("app/api/legacy.py", 11, "SC102", "warning"),  # sync def on a sync Session
    ("app/api/legacy.py", 12, "SC201", "warning"),  # db.query() in a router
    ("app/api/legacy.py", 17, "SC101", "error"),  # sync Session in async def: once, not SC201
    ("app/api/users.py", 18, "SC401", "error"),  # responds with hashed_password
    ("app/api/webhooks.py", 23, "SC301", "error"),  # raw request.json(), no signature
    ("app/bad_sync.py", 5, "SC101", "error"),  # outside every layer glob
    ("app/generic.py", 12, "SC101", "error"),  # in a Python 3.12 generic class
    ("app/legacy/reports.py", 10, "SC101", "error"),  # sync Session typed by annotation
    ("app/models.py", 30, "SC501", "warning"),  # indexed nowhere
    ("app/schemas.py", 12, "SC401", "error"),  # read schema inherits nothing, adds a hash
    ("migrations/versions/0001_initial.py", 36, "SC501", "warning"),  # only in migrations
]


def test_the_mixed_project_gets_exactly_the_expected_findings_each_once(mixed: Path) -> None:
    # Not reported: the HMAC-verified webhook, the login-session manager and the
    # _sso_sessions dict, the sync def service helper, Membership.user_id (indexed by a
    # migration), audit_log.user_id (a composite migration index leads with it),
    # events.team_id (CREATE INDEX in op.execute), tests/ and migrations/env.py.
    assert lint(mixed) == MIXED_FINDINGS


def test_messages_say_what_to_do(mixed: Path) -> None:
    config = dataclasses.replace(CheckConfig.from_pyproject(mixed), run_alembic=False)
    messages = {
        (f.path, f.line): f.message for f in check_project(mixed, config, use_cache=False).findings
    }
    assert (
        "switch the session to AsyncSession in the same change"
        in messages[("app/api/legacy.py", 11)]
    )
    assert "sync Session call db.query()" in messages[("app/api/legacy.py", 17)]
    assert "issues a credential (Token: 'access_token')" in messages[("app/api/auth.py", 31)]
    assert "events(user_id)" in messages[("migrations/versions/0001_initial.py", 36)]


def test_cli_exits_1_on_errors_and_says_how_many_files_it_read(
    mixed: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mixed / "app/api")  # from a subfolder: the project root is found
    result = scaffold("check", "--no-alembic")
    assert result.exit_code == 1
    assert "app/bad_sync.py:5:5: SC101 error: blocking time.sleep()" in result.output
    assert (
        "Read 17 modules and 2 migrations (Python 3.12 grammar, from requires-python; "
        "1 file with Python 3.12+ syntax)." in result.output
    )
    assert "14 finding(s): 8 errors, 4 warnings, 2 infos." in result.output


def test_warnings_and_info_pass_and_severity_overrides_fail(tmp_path: Path, cache: Path) -> None:
    router = """
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/ping")
        def ping():
            return {"ok": True}
        """
    make(tmp_path, {"app/api/ping.py": router})
    result = scaffold("check", "--no-alembic", project=tmp_path)
    assert result.exit_code == 0, result.output
    assert "app/api/ping.py:7:1: SC102 warning:" in result.output
    assert "1 finding(s): 1 warning (no error: exit 0)." in result.output
    (tmp_path / "pyproject.toml").write_text('[tool.scaffold]\nseverity = {SC102 = "error"}\n')
    strict = scaffold("check", "--no-alembic", project=tmp_path)
    assert strict.exit_code == 1
    assert "SC102 error:" in strict.output


def test_json_findings_carry_their_severity(mixed: Path, cache: Path) -> None:
    import json

    result = scaffold("check", "--no-alembic", "--json", project=mixed)
    data = json.loads(result.stdout)
    assert data["exit_code"] == 1
    assert data["summary"]["modules"] == 17
    first = data["findings"][0]
    assert (first["path"], first["code"], first["severity"]) == ("app/api/auth.py", "SC402", "info")
    assert {c["name"]: c["severity"] for c in data["checks"]}["SC501"] == "warning"


def test_explain_prints_a_rule_and_an_unknown_code_is_exit_2() -> None:
    result = scaffold("check", "--explain", "sc101")
    assert result.exit_code == 0
    assert result.output.startswith("SC101 (error): blocking call inside async def")
    assert "AsyncSession" in result.output and "# noqa: SC101" in result.output
    unknown = scaffold("check", "--explain", "SC109")
    assert unknown.exit_code == 2
    assert "'SC109' is not a scaffold check rule" in unknown.output
    assert "Example: scaffold check --explain SC101" in unknown.output


# --- scope ---------------------------------------------------------------------------------


def test_modules_outside_the_layer_globs_are_read_tests_are_not(tmp_path: Path) -> None:
    blocking = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
    make(
        tmp_path,
        {
            "pyproject.toml": '[tool.scaffold]\nrouters = "nothing/*.py"\nmodels = []\n',
            "app/bad_sync.py": blocking,
            "app/workers/jobs.py": blocking,
            "scripts/seed.py": blocking,
            "tests/test_x.py": blocking,
            "app/test_helpers.py": blocking,
            "app/conftest.py": blocking,
            ".venv/lib/site.py": blocking,
            "env/pyvenv.cfg": "home = /usr\n",
            "env/lib/x.py": blocking,
        },
    )
    assert lint(tmp_path) == [
        ("app/bad_sync.py", 5, "SC101", "error"),
        ("app/workers/jobs.py", 5, "SC101", "error"),
        ("scripts/seed.py", 5, "SC101", "error"),
    ]
    (tmp_path / "pyproject.toml").write_text('[tool.scaffold]\nexclude = ["scripts/**"]\n')
    assert [f[0] for f in lint(tmp_path)] == ["app/bad_sync.py", "app/workers/jobs.py"]


def test_a_folder_with_no_module_is_exit_2_naming_the_folder(tmp_path: Path, cache: Path) -> None:
    make(tmp_path, {"README.md": "not code\n", "tests/test_a.py": "x = 1\n"})
    result = scaffold("check", project=tmp_path)
    assert result.exit_code == 2
    assert "No Python module to check in" in result.output
    assert str(tmp_path) in result.output
    assert "Traceback" not in result.output


# --- grammar -------------------------------------------------------------------------------


def test_python_3_12_to_3_14_syntax_is_read_with_lines_kept(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.14"\n',
            "app/new.py": '''
                import time

                type Pair[T] = tuple[T, T]


                class Box[T = int]:
                    pass


                async def f(d):
                    label = f"{d["key"]}"
                    note = f"""{d["a"]}
                {d["b"]}"""
                    try:
                        pass
                    except ValueError, TypeError:
                        pass
                    time.sleep(1)
                ''',
        },
    )
    assert lint(tmp_path) == [("app/new.py", 18, "SC101", "error")]


def test_syntax_newer_than_requires_python_is_sc001_naming_the_version(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n',
            "app/new.py": "x = 1\ntype UserId = int\n",
        },
    )
    config = dataclasses.replace(CheckConfig.from_pyproject(tmp_path), run_alembic=False)
    [finding] = check_project(tmp_path, config, use_cache=False).findings
    assert (finding.path, finding.line, finding.code) == ("app/new.py", 2, "SC001")
    assert finding.message == (
        "a type alias statement needs Python 3.12, but requires-python allows 3.11"
    )


def test_a_real_syntax_error_is_still_sc001(tmp_path: Path) -> None:
    make(tmp_path, {"app/broken.py": "def broken(:\n    pass\n"})
    assert lint(tmp_path) == [("app/broken.py", 1, "SC001", "error")]


# --- types, not names ----------------------------------------------------------------------

SYNC_DB = {
    "app/db/session.py": """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        engine = create_engine("sqlite://")
        SessionLocal = sessionmaker(bind=engine)
        """,
    "app/db/__init__.py": "from .session import SessionLocal\n",
    "app/deps.py": """
        from app.db import SessionLocal


        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()
        """,
}


def test_every_blocking_method_of_a_sync_session_found_through_depends(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            **SYNC_DB,
            "app/services/items.py": """
                from app.deps import get_db
                from fastapi import Depends


                async def create(db=Depends(get_db)):
                    item = db.get(Item, 1)
                    db.add(item)
                    db.commit()
                    db.refresh(item)
                    db.execute(select(Item)).scalars().all()
                    return item
                """,
        },
    )
    path = "app/services/items.py"
    assert lint(tmp_path) == [(path, line, "SC101", "error") for line in (6, 7, 8, 9, 10)]


def test_blocking_clients_are_known_by_their_type(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app/clients.py": """
                import httpx
                import redis
                import redis.asyncio as aioredis
                import requests

                cache = redis.Redis()
                fast_cache = aioredis.Redis()


                class Gateway:
                    def __init__(self) -> None:
                        self.http = requests.Session()

                    async def call(self):
                        self.http.get("https://example.com")
                        cache.get("k")
                        pipe = cache.pipeline()
                        await fast_cache.get("k")
                        with httpx.Client() as client:
                            client.post("https://example.com")
                        return pipe
                """,
        },
    )
    assert lint(tmp_path) == [
        ("app/clients.py", 15, "SC101", "error"),
        ("app/clients.py", 16, "SC101", "error"),
        ("app/clients.py", 20, "SC101", "error"),
    ]


def test_an_async_session_from_the_same_dependency_name_is_fine(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app/deps.py": """
                from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

                SessionLocal = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"))


                async def get_db():
                    async with SessionLocal() as session:
                        yield session
                """,
            "app/services/items.py": """
                from fastapi import Depends

                from app.deps import get_db


                async def create(db=Depends(get_db)):
                    db.add(Item())
                    await db.commit()
                """,
        },
    )
    assert lint(tmp_path) == []


def test_a_sync_session_call_in_an_async_router_is_one_finding(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            **SYNC_DB,
            "app/api/items.py": """
                from fastapi import APIRouter, Depends
                from sqlalchemy import select

                from app.deps import get_db

                router = APIRouter()


                @router.get("/items")
                async def list_items(db=Depends(get_db)):
                    return db.execute(select(Item)).scalars().all()
                """,
        },
    )
    assert lint(tmp_path) == [("app/api/items.py", 11, "SC101", "error")]


# --- SC501 and index --missing: one definition --------------------------------------------


def test_sc501_replays_migrations_batch_operations_and_drops(tmp_path: Path) -> None:
    migration = """
        import sqlalchemy as sa
        from alembic import op

        revision = "{rev}"
        down_revision = {down}


        def upgrade():
        {body}
        """

    def revision(rev: str, down: str, body: str) -> str:
        body = textwrap.indent(textwrap.dedent(body).strip(), " " * 4)
        return textwrap.dedent(migration).format(rev=rev, down=down, body=body)

    (tmp_path / "migrations/versions").mkdir(parents=True)
    files = {
        "0001_a.py": revision(
            "a",
            "None",
            """
            op.create_table(
                "posts",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id")),
                sa.Column("topic_id", sa.Integer(), sa.ForeignKey("topics.id")),
                sa.Column("editor_id", sa.Integer(), sa.ForeignKey("users.id"), index=True),
            )
            with op.batch_alter_table("posts") as batch:
                batch.create_index("ix_posts_author", ["author_id", "id"])
            op.create_index("ix_posts_topic", "posts", ["topic_id"])
            """,
        ),
        "0002_b.py": revision("b", "'a'", 'op.drop_index("ix_posts_topic", table_name="posts")'),
    }
    for name, text in files.items():
        (tmp_path / "migrations/versions" / name).write_text(text)
    # author_id: a batch index leads with it; editor_id: index=True in create_table;
    # topic_id: indexed by 0001, unindexed again by 0002.
    assert lint(tmp_path) == [("migrations/versions/0001_a.py", 14, "SC501", "warning")]


def test_sc501_and_index_missing_agree_on_the_same_project(mixed: Path) -> None:
    from scaffold.commands.index import find_missing
    from scaffold.project.core import Project

    config = dataclasses.replace(CheckConfig.from_pyproject(mixed), run_alembic=False)
    report = check_project(mixed, config, use_cache=False)
    reported = {f.message.split(" has no index")[0] for f in report.findings if f.code == "SC501"}
    assert reported == {
        "foreign key column Membership.team_id",
        "foreign key events(user_id) created here",
    }
    missing, notes = find_missing(Project.find(mixed))
    assert {(m.model.table, m.column) for m in missing} == {
        ("memberships", "team_id"),
        ("events", "user_id"),
    }
    assert notes == []


def test_index_missing_never_proposes_booleans_or_enums(mini_project: Path) -> None:
    from scaffold.commands.index import find_missing
    from scaffold.project.core import Project

    make(
        mini_project,
        {
            "app/models/items.py": """
                import enum

                from sqlalchemy import Enum, String
                from sqlalchemy.orm import Mapped, mapped_column


                class Status(enum.Enum):
                    open = "open"


                class Item(Base):
                    __tablename__ = "items"

                    id: Mapped[int] = mapped_column(primary_key=True)
                    active: Mapped[bool] = mapped_column(default=True)
                    status: Mapped[Status] = mapped_column(Enum(Status))
                    sku: Mapped[str] = mapped_column(String(20))
                """,
            "app/services/items.py": """
                async def find(session, sku):
                    return await session.scalars(
                        select(Item).where(Item.active == True, Item.status == "open", Item.sku == sku)
                    )
                """,
        },
    )
    missing, _ = find_missing(Project.find(mini_project))
    assert [(m.model.table, m.column, m.why) for m in missing] == [
        ("items", "sku", "equality filter in a service")
    ]


# --- SC700 says why and what to do ---------------------------------------------------------


def test_sc700_says_which_database_url_it_set_and_how_to_point_it_elsewhere(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    make(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/versions/.keep": "",
            "migrations/env.py": """
                from pydantic import PostgresDsn
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    database_url: PostgresDsn


                Settings()
                """,
            "app/main.py": "x = 1\n",
        },
    )
    result = scaffold("check", project=tmp_path)
    assert result.exit_code == 0, "SC700 is a warning: the project itself may be fine"
    line = next(x for x in result.output.splitlines() if " SC700 " in x)
    assert "ValidationError" in line
    assert "DATABASE_URL=sqlite+aiosqlite:///" in line
    assert "a scratch SQLite database scaffold made, upgraded to head first" in line
    assert "the project's settings refused that environment (database_url:" in line
    assert "--database-url URL" in line and "TEST_DATABASE_URL=URL" in line


# --- the cache never hides an edit ---------------------------------------------------------


def test_a_warm_run_repeats_the_findings_and_sees_edits_of_other_files(
    mixed: Path, cache: Path
) -> None:
    first = scaffold("check", "--no-alembic", project=mixed)
    second = scaffold("check", "--no-alembic", project=mixed)
    assert first.stdout == second.stdout
    assert "; 17 unchanged since the last run)." in second.output
    # The legacy router did not change, but what get_db yields did: its findings follow.
    sync = mixed / "app/db/sync.py"
    sync.write_text(
        sync.read_text()
        .replace(
            "from sqlalchemy.orm import sessionmaker",
            "from sqlalchemy.ext.asyncio import async_sessionmaker",
        )
        .replace("SessionLocal = sessionmaker(", "SessionLocal = async_sessionmaker(")
    )
    third = scaffold("check", "--no-alembic", project=mixed)
    assert "app/api/legacy.py:17:12: SC101" not in third.stdout
    assert "app/api/legacy.py:17:12: SC201 warning" in third.stdout
    assert "app/legacy/reports.py:10:12: SC101" in third.stdout  # annotated Session: still sync
    cold = scaffold("check", "--no-alembic", "--no-cache", project=mixed)
    assert cold.stdout == third.stdout


def test_sc501_counts_indexes_of_the_live_database_with_database_url(
    tmp_path: Path, cache: Path
) -> None:
    import sqlite3

    make(
        tmp_path,
        {
            "app/models.py": """
                from sqlalchemy import ForeignKey
                from sqlalchemy.orm import Mapped, mapped_column


                class Post(Base):
                    __tablename__ = "posts"

                    id: Mapped[int] = mapped_column(primary_key=True)
                    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
                """
        },
    )
    database = tmp_path / "live.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER)")
        connection.execute("CREATE INDEX ix_by_hand ON posts (author_id)")
    without = scaffold("check", project=tmp_path)
    assert "app/models.py:9:30: SC501 warning" in without.output
    live = scaffold("check", "--database-url", f"sqlite:///{database}", project=tmp_path)
    assert live.exit_code == 0, live.output
    assert "SC501" not in live.output
    unreachable = scaffold(
        "check", "--database-url", "sqlite:///no/such/dir/x.db", project=tmp_path
    )
    assert "SC501 read the models and migrations only: could not read the database catalog" in (
        unreachable.output
    )
    assert "app/models.py:9:30: SC501 warning" in unreachable.output


def test_a_narrowed_run_still_resolves_what_the_files_import(tmp_path: Path) -> None:
    # The generator proves the files it writes with only=[...]: they are linted alone,
    # but the project modules they import are read for their types.
    make(
        tmp_path,
        {
            **SYNC_DB,
            "app/api/items.py": """
                from fastapi import APIRouter, Depends

                from app.deps import get_db

                router = APIRouter()


                @router.get("/items")
                async def list_items(db=Depends(get_db)):
                    return db.query(Item).all()
                """,
            "app/other.py": "import time\n\n\nasync def f():\n    time.sleep(1)\n",
        },
    )
    assert lint(tmp_path, only=["app/api/items.py"]) == [("app/api/items.py", 10, "SC101", "error")]


def test_index_missing_reads_python_3_12_modules(mini_project: Path) -> None:
    from scaffold.commands.index import find_missing
    from scaffold.project.core import Project

    pyproject = mini_project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('name = "mini"', 'name = "mini"\nrequires-python = ">=3.12"')
    )
    make(
        mini_project,
        {
            "app/models/posts.py": """
                from sqlalchemy import ForeignKey
                from sqlalchemy.orm import Mapped, mapped_column

                type AuthorId = int


                class Post[T](Base):
                    __tablename__ = "posts"

                    id: Mapped[int] = mapped_column(primary_key=True)
                    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
                """,
        },
    )
    missing, _ = find_missing(Project.find(mini_project))
    assert [(m.model.table, m.column, m.why) for m in missing] == [
        ("posts", "author_id", "foreign key")
    ]
