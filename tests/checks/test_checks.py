"""`scaffold check`: one bad and one good tiny project per rule, built inline."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from scaffold.checks import RULES, CheckConfig, Finding, run_checks
from scaffold.checks._catalogue import SEVERITIES
from scaffold.checks.rules import FILE_RULES
from tests.support.helpers import make

ROUTER = "app/api/items.py"
SCHEMA = "app/schemas/users.py"
MODEL = "app/models/requirements.py"


def check(root: Path, config: CheckConfig | None = None) -> list[tuple[str, int, int, str]]:
    findings = run_checks(root, config or CheckConfig(run_alembic=False), use_cache=False)
    return [(f.path, f.line, f.col, f.code) for f in findings]


# --- the catalogue and the record ---------------------------------------------------------


def test_finding_formats_like_a_compiler_diagnostic():
    finding = Finding("app/api/items.py", 3, 5, "SC101", "blocking call time.sleep()")
    assert finding.format() == "app/api/items.py:3:5: SC101 error: blocking call time.sleep()"
    warning = replace(finding, code="SC201", severity="warning", message="router queries")
    assert warning.format() == "app/api/items.py:3:5: SC201 warning: router queries"


def test_every_rule_has_a_code_an_explanation_and_a_docstring():
    assert list(RULES) == sorted(RULES)
    for code, rule in RULES.items():
        assert rule.code == code and rule.severity in SEVERITIES
        assert rule.summary and "\n" not in rule.summary
        assert rule.explanation.strip() and code in rule.explain()
    for code, _, rule in FILE_RULES:
        assert code in RULES
        assert rule.__doc__ and rule.__doc__.startswith(code)


def test_checks_import_only_the_standard_library():
    code = (
        "import sys, scaffold.checks; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'alembic', 'pydantic', 'fastapi'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- SC001 ---------------------------------------------------------------------------------


def test_sc001_unparsable_file_reports_the_syntax_error_position(tmp_path):
    make(tmp_path, {ROUTER: "x = 1\ndef broken(:\n    pass\n"})
    assert check(tmp_path) == [(ROUTER, 2, 12, "SC001")]


def test_sc001_parsable_file_is_quiet(tmp_path):
    make(tmp_path, {ROUTER: "x = 1\n"})
    assert check(tmp_path) == []


# --- SC101 ---------------------------------------------------------------------------------


def test_sc101_blocking_calls_in_async_def_with_aliases(tmp_path):
    make(
        tmp_path,
        {
            "app/services/items.py": """
            import time as t
            import urllib.request
            from time import sleep
            from subprocess import run as sh
            import requests
            from sqlalchemy.orm import Session
            from sqlalchemy import create_engine as make_engine


            async def work(db: Session):
                t.sleep(1)
                sleep(1)
                sh(["ls"])
                requests.get("https://example.com")
                urllib.request.urlopen("https://example.com")
                with Session() as session:
                    session.execute("select 1")
                engine = make_engine("sqlite://")
                engine.connect()
                db.query(Item).all()
                label = "é"; t.sleep(2)
                with open("settings.json") as handle:
                    return handle.read()
            """
        },
    )
    path = "app/services/items.py"
    assert check(tmp_path) == [
        (path, 11, 5, "SC101"),
        (path, 12, 5, "SC101"),
        (path, 13, 5, "SC101"),
        (path, 14, 5, "SC101"),
        (path, 15, 5, "SC101"),
        (path, 17, 9, "SC101"),  # a sync Session's execute(), not its creation
        (path, 19, 5, "SC101"),  # a sync Engine's connect()
        (path, 20, 5, "SC101"),  # db.query() once, not again for .all()
        (path, 21, 18, "SC101"),  # columns count characters, not UTF-8 bytes
        (path, 22, 10, "SC101"),  # open() blocks too
    ]


def test_sc101_async_equivalents_threads_and_sync_code_are_fine(tmp_path):
    make(
        tmp_path,
        {
            "app/services/items.py": """
            import asyncio
            import time
            from pathlib import Path

            import httpx


            async def work():
                await asyncio.sleep(1)
                await asyncio.to_thread(time.sleep, 1)

                def in_thread():
                    time.sleep(1)

                await asyncio.to_thread(in_thread)
                async with httpx.AsyncClient() as client:
                    await client.get("https://example.com")
                return await asyncio.to_thread(Path("settings.json").read_text)


            def sync_helper():
                time.sleep(1)
            """
        },
    )
    assert check(tmp_path) == []


# --- SC102 ---------------------------------------------------------------------------------


def test_sc102_sync_route_handler(tmp_path):
    make(
        tmp_path,
        {
            ROUTER: """
            from fastapi import APIRouter

            router = APIRouter()


            @router.get("/items")
            def list_items():
                return []
            """
        },
    )
    assert check(tmp_path) == [(ROUTER, 7, 1, "SC102")]


def test_sc102_async_handler_and_undecorated_sync_helper_are_fine(tmp_path):
    make(
        tmp_path,
        {
            ROUTER: """
            from fastapi import APIRouter

            router = APIRouter()


            def helper():
                return []


            @mock.patch("app.settings")
            def test_helper(settings):
                assert helper() == []


            @router.api_route("/items", methods=["GET"])
            async def list_items():
                return helper()
            """
        },
    )
    assert check(tmp_path) == []


# --- SC201 ---------------------------------------------------------------------------------


DEPS = """
    from typing import Annotated

    from fastapi import Depends
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

    SessionLocal = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"))


    async def get_db():
        async with SessionLocal() as session:
            yield session


    SessionDep = Annotated[AsyncSession, Depends(get_db)]
    """


def test_sc201_router_queries_the_database(tmp_path):
    make(
        tmp_path,
        {
            "app/deps.py": DEPS,
            ROUTER: """
            from fastapi import APIRouter, Depends
            from sqlalchemy import select

            from app.deps import SessionDep, get_db

            router = APIRouter()


            @router.get("/items")
            async def list_items(session=Depends(get_db)):
                result = await session.execute(select(Item))
                return result.scalars().all()


            @router.post("/items")
            async def create_item(db: SessionDep):
                db.add(Item())
                await db.commit()


            @router.get("/count")
            async def count():
                return select(Item)
            """,
        },
    )
    assert check(tmp_path) == [
        (ROUTER, 11, 20, "SC201"),  # once: the select() inside is part of the same call
        (ROUTER, 17, 5, "SC201"),
        (ROUTER, 18, 11, "SC201"),
        (ROUTER, 23, 12, "SC201"),
    ]


def test_sc201_names_that_merely_contain_session_are_not_database_sessions(tmp_path):
    make(
        tmp_path,
        {
            "app/deps.py": DEPS,
            "app/auth/sessions.py": """
            class LoginSessionManager:
                def get(self, key): ...
                def delete(self, key): ...


            def get_session_manager():
                return LoginSessionManager()
            """,
            ROUTER: """
            from fastapi import APIRouter, Depends

            from app.auth.sessions import LoginSessionManager, get_session_manager

            router = APIRouter()
            _sso_sessions: dict[str, str] = {}


            @router.post("/logout")
            async def logout(
                session_manager: LoginSessionManager = Depends(get_session_manager),
                user_session=Depends(get_session_manager),
            ):
                session_manager.delete("k")
                user_session.get("k")
                _sso_sessions.get("k")
                return {}
            """,
        },
    )
    assert check(tmp_path) == []


def test_sc201_router_passing_the_session_to_a_service_is_fine(tmp_path):
    make(
        tmp_path,
        {
            ROUTER: """
            from fastapi import APIRouter, Request

            from app.deps import SessionDep, SessionLocal
            from app.services import items as item_service

            router = APIRouter()


            @router.get("/items")
            async def list_items(session: SessionDep, request: Request):
                request.session.get("user")  # Starlette's session dict, not a database
                return await item_service.list_items(session, limit=10)


            async def get_session():
                async with SessionLocal() as session:
                    yield session
                    await session.commit()
            """
        },
    )
    assert check(tmp_path) == []


# --- SC301 ---------------------------------------------------------------------------------


def test_sc301_untyped_request_bodies(tmp_path):
    make(
        tmp_path,
        {
            ROUTER: """
            from typing import Any

            from fastapi import APIRouter, Body, Request

            router = APIRouter()


            @router.post("/a")
            async def a(payload: dict):
                return payload


            @router.post("/b")
            async def b(payload: dict[str, Any] | None = None, extra: Any = None):
                return payload


            @router.post("/c")
            async def c(items: list[dict], data=Body(...)):
                return items


            @router.post("/d")
            async def d(request: Request):
                return await request.json()
            """
        },
    )
    assert check(tmp_path) == [
        (ROUTER, 9, 13, "SC301"),
        (ROUTER, 14, 13, "SC301"),
        (ROUTER, 14, 52, "SC301"),
        (ROUTER, 19, 13, "SC301"),
        (ROUTER, 19, 32, "SC301"),
        (ROUTER, 25, 18, "SC301"),
    ]


def test_sc301_models_dependencies_and_non_handlers_are_fine(tmp_path):
    make(
        tmp_path,
        {
            ROUTER: """
            from typing import Annotated, Any

            from fastapi import APIRouter, Depends, Query, Request

            from app.schemas.items import ItemCreate

            router = APIRouter()


            @router.post("/items")
            async def create_item(
                payload: ItemCreate,
                request: Request,
                user: dict = Depends(current_user),
                tags: Annotated[list[str], Query()] = (),
            ):
                return payload


            async def helper(data: dict[str, Any]):
                return data
            """
        },
    )
    assert check(tmp_path) == []


# --- SC401 ---------------------------------------------------------------------------------


def test_sc401_sensitive_fields_in_read_schemas_and_response_models(tmp_path):
    make(
        tmp_path,
        {
            SCHEMA: """
            from pydantic import BaseModel, ConfigDict, Field


            class UserBase(BaseModel):
                email: str
                password_hash: str


            class UserCreate(UserBase):
                pass


            class UserRead(UserBase):
                id: int


            class SessionOut(BaseModel):
                access_token: str


            class Card(BaseModel):
                model_config = ConfigDict(from_attributes=True)
                number: str = Field(json_schema_extra={"sensitive": True})
            """,
            ROUTER: """
            from fastapi import APIRouter

            from app.schemas.users import UserCreate

            router = APIRouter()


            @router.post("/users", response_model=UserCreate)
            async def create_user(payload: UserCreate):
                return payload


            @router.get("/users/me")
            async def me() -> list[UserCreate]:
                return []
            """,
        },
    )
    assert check(tmp_path) == [
        (ROUTER, 8, 39, "SC401"),
        (ROUTER, 14, 19, "SC401"),  # no response_model: the return annotation is the model
        # UserRead (inherits password_hash) and Card (a number marked sensitive) are read
        # schemas no route returns: judged where a route returns them (issue 34).
        # SessionOut.access_token is a credential: judged by the route returning it.
    ]


def test_sc401_write_schemas_descriptive_names_and_excluded_fields_are_fine(tmp_path):
    make(
        tmp_path,
        {
            SCHEMA: """
            from datetime import datetime

            from pydantic import BaseModel, Field


            class UserCreate(BaseModel):
                email: str
                password: str


            class UserRead(BaseModel):
                id: int
                token_type: str
                password_changed_at: datetime
                has_password: bool
                api_key_id: int
                refresh_token: str = Field(exclude=True)
            """,
            ROUTER: """
            from fastapi import APIRouter

            from app.schemas.users import UserCreate, UserRead

            router = APIRouter()


            @router.post("/users", response_model=UserRead)
            async def create_user(payload: UserCreate):
                return payload


            @router.get("/users/me")
            async def me() -> UserRead:
                return UserRead()
            """,
        },
    )
    assert check(tmp_path) == []


# --- SC501 ---------------------------------------------------------------------------------


def test_sc501_unindexed_foreign_keys(tmp_path):
    make(
        tmp_path,
        {
            MODEL: """
            from sqlalchemy import Column, ForeignKey, Index, Table
            from sqlalchemy.orm import Mapped, mapped_column

            from app.db import Base


            class Requirement(Base):
                __tablename__ = "requirements"
                __table_args__ = (Index("ix_week_resident", "week", "resident_id"),)

                id: Mapped[int] = mapped_column(primary_key=True)
                week: Mapped[int]
                resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
                block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id"), index=False)


            links = Table("links", Base.metadata, Column("block_id", ForeignKey("blocks.id")))
            """
        },
    )
    assert check(tmp_path) == [
        (MODEL, 13, 32, "SC501"),  # only the second column of an index: not covered
        (MODEL, 14, 29, "SC501"),
        (MODEL, 17, 39, "SC501"),
    ]


def test_sc501_foreign_keys_covered_by_indexes_are_fine(tmp_path):
    make(
        tmp_path,
        {
            MODEL: """
            from sqlalchemy import Column, ForeignKey, Index, Table, UniqueConstraint
            from sqlalchemy.orm import Mapped, mapped_column

            from app.db import Base


            class Requirement(Base):
                __tablename__ = "requirements"
                __table_args__ = (
                    Index("ix_resident_week", "resident_id", "week"),
                    UniqueConstraint("block_id", "week"),
                )

                id: Mapped[int] = mapped_column(primary_key=True)
                week: Mapped[int]
                resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
                block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id"))
                owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
                parent_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"))


            Index("ix_requirements_parent", Requirement.parent_id)
            links = Table(
                "links",
                Base.metadata,
                Column("block_id", ForeignKey("blocks.id")),
                Index("ix_links_block", "block_id"),
            )
            """
        },
    )
    assert check(tmp_path) == []


def test_sc501_sqlmodel_fields(tmp_path):
    make(
        tmp_path,
        {
            MODEL: """
            import uuid

            from sqlmodel import Field, SQLModel


            class Item(SQLModel, table=True):
                id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
                owner_id: uuid.UUID = Field(foreign_key="user.id", nullable=False)
                team_id: uuid.UUID = Field(foreign_key="team.id", index=True)
            """
        },
    )
    assert check(tmp_path) == [(MODEL, 8, 27, "SC501")]


# --- SC601 / SC602 -------------------------------------------------------------------------


def revision(rev: str, down: str) -> str:
    header = f'"""Revision ID: {rev}"""\nfrom alembic import op\n\n'
    return f"{header}revision = {rev!r}\ndown_revision = {down}\n"


def test_sc601_extra_heads_are_reported_on_the_shorter_branch(tmp_path):
    versions = "migrations/versions"
    make(
        tmp_path,
        {
            f"{versions}/0001_a.py": revision("a", "None"),
            f"{versions}/0002_b.py": revision("b", "'a'"),
            f"{versions}/0003_c.py": (
                "from typing import Union\n\nrevision: str = 'c'\n"
                "down_revision: Union[str, None] = 'b'\n"
            ),
            f"{versions}/0004_d.py": revision("d", "'a'"),
        },
    )
    assert check(tmp_path) == [(f"{versions}/0004_d.py", 4, 1, "SC601")]


def test_sc602_dangling_down_revision(tmp_path):
    versions = "migrations/versions"
    make(
        tmp_path,
        {
            f"{versions}/0001_a.py": revision("a", "None"),
            f"{versions}/0002_b.py": revision("b", "('a', 'gone')"),
        },
    )
    assert check(tmp_path) == [(f"{versions}/0002_b.py", 5, 1, "SC602")]


def test_sc601_sc602_a_merged_history_is_fine(tmp_path):
    versions = "migrations/versions"
    make(
        tmp_path,
        {
            f"{versions}/__init__.py": "",
            f"{versions}/0001_a.py": revision("a", "None"),
            f"{versions}/0002_b.py": revision("b", "'a'"),
            f"{versions}/0003_c.py": revision("c", "'a'"),
            f"{versions}/0004_merge.py": revision("m", "('b', 'c')"),
        },
    )
    assert check(tmp_path) == []


def test_revisions_are_found_through_alembic_ini_script_location(tmp_path):
    make(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/alembic\n",
            "alembic/versions/0001_a.py": revision("a", "'missing'"),
        },
    )
    assert check(tmp_path) == [("alembic/versions/0001_a.py", 5, 1, "SC602")]


# --- SC700 / SC701: a real, tiny Alembic project on sync SQLite ----------------------------

ALEMBIC_PROJECT = {
    "alembic.ini": "[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///app.db\n",
    "migrations/env.py": """
        from alembic import context
        from sqlalchemy import create_engine

        from models import metadata

        engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=metadata)
            with context.begin_transaction():
                context.run_migrations()
        """,
    "migrations/versions/.keep": "",
    "models.py": """
        from sqlalchemy import Column, Integer, MetaData, String, Table

        metadata = MetaData()
        Table("items", metadata, Column("id", Integer, primary_key=True), Column("name", String))
        """,
}

ITEMS_MIGRATION = """
    import sqlalchemy as sa
    from alembic import op

    revision = "0001"
    down_revision = None


    def upgrade():
        op.create_table(
            "items",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String()),
        )


    def downgrade():
        op.drop_table("items")
    """


def test_sc701_models_ahead_of_migrations(tmp_path):
    make(tmp_path, ALEMBIC_PROJECT)
    findings = run_checks(tmp_path, CheckConfig())
    assert [(f.path, f.line, f.col, f.code) for f in findings] == [("alembic.ini", 1, 1, "SC701")]
    assert "add_table items" in findings[0].message


def test_sc701_migrations_matching_models_are_clean(tmp_path):
    make(tmp_path, {**ALEMBIC_PROJECT, "migrations/versions/0001_items.py": ITEMS_MIGRATION})
    [behind] = run_checks(tmp_path, CheckConfig())
    assert behind.code == "SC700"
    assert "Target database is not up to date." in behind.message
    assert "run `alembic upgrade head` on that database first" in behind.message
    upgrade = [sys.executable, "-m", "alembic", "upgrade", "head"]
    subprocess.run(upgrade, cwd=tmp_path, check=True, capture_output=True)
    assert run_checks(tmp_path, CheckConfig()) == []


def test_sc700_alembic_that_cannot_run_gives_one_line_reason(tmp_path):
    env = "import no_such_module_here\n"
    make(tmp_path, {**ALEMBIC_PROJECT, "migrations/env.py": env})
    [finding] = run_checks(tmp_path, CheckConfig())
    assert (finding.path, finding.line, finding.col, finding.code) == ("alembic.ini", 1, 1, "SC700")
    assert "No module named 'no_such_module_here'" in finding.message
    assert "\n" not in finding.message and "Traceback" not in finding.message


def test_alembic_is_not_run_when_disabled_or_without_ini(tmp_path):
    make(tmp_path, {**ALEMBIC_PROJECT, "migrations/env.py": "import no_such_module_here\n"})
    assert run_checks(tmp_path, CheckConfig(disable=frozenset({"SC700", "SC701"}))) == []
    assert run_checks(tmp_path, CheckConfig(alembic_ini="missing.ini")) == []


# --- noqa, disable, configuration ---------------------------------------------------------


def test_noqa_must_name_the_code(tmp_path):
    make(
        tmp_path,
        {
            "app/services/items.py": """
            import time


            async def work():
                time.sleep(1)  # noqa: SC101
                time.sleep(2)  # noqa: E501,SC101
                time.sleep(3)  # noqa: SC201
                time.sleep(4)  # noqa
            """
        },
    )
    path = "app/services/items.py"
    assert check(tmp_path) == [(path, 7, 5, "SC101"), (path, 8, 5, "SC101")]


def test_pyproject_layout_and_disable(tmp_path):
    make(
        tmp_path,
        {
            "pyproject.toml": """
            [tool.scaffold]
            models = "src/svc/db/*.py"
            routers = ["src/svc/http/*.py"]
            schemas = []
            services = []
            alembic_dir = "db/migrations"
            disable = ["SC102"]
            """,
            "src/svc/db/tables.py": """
            from sqlalchemy.orm import mapped_column
            from sqlalchemy import ForeignKey


            class Item(Base):
                owner_id = mapped_column(ForeignKey("owners.id"))
            """,
            "src/svc/http/items.py": """
            from fastapi import APIRouter
            from sqlalchemy.orm import Session

            router = APIRouter()


            @router.get("/items")
            def list_items(session: Session):
                return session.execute("select 1")
            """,
            # Every module is read, whatever the layer globs say.
            ROUTER: "import time\n\n\nasync def f():\n    time.sleep(1)\n",
            "db/migrations/versions/0001_a.py": revision("a", "'gone'"),
        },
    )
    config = CheckConfig.from_pyproject(tmp_path)
    assert config.models == ("src/svc/db/*.py",)
    assert config.disable == frozenset({"SC102"})
    assert check(tmp_path, replace(config, run_alembic=False)) == [
        (ROUTER, 5, 5, "SC101"),
        ("db/migrations/versions/0001_a.py", 5, 1, "SC602"),
        ("src/svc/db/tables.py", 6, 16, "SC501"),
        ("src/svc/http/items.py", 9, 12, "SC201"),
    ]


def test_pyproject_without_scaffold_table_gives_defaults(tmp_path):
    make(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    assert CheckConfig.from_pyproject(tmp_path) == CheckConfig()
    assert CheckConfig.from_pyproject(tmp_path / "nowhere") == CheckConfig()


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("models = 3", "models"),
        ("routers = ['app/api/*.py', 7]", "routers"),
        ("schemas = ['/abs/*.py']", "schemas"),
        ("services = ['app/**.py']", "services"),
        ("alembic_dir = ['migrations']", "alembic_dir"),
        ("disable = ['SC999']", "SC999"),
        ("disable = 101", "disable"),
    ],
)
def test_invalid_config_names_the_key(tmp_path, toml, key):
    make(tmp_path, {"pyproject.toml": f"[tool.scaffold]\n{toml}\n"})
    with pytest.raises(ValueError, match=key):
        CheckConfig.from_pyproject(tmp_path)


def test_invalid_toml_is_a_value_error(tmp_path):
    make(tmp_path, {"pyproject.toml": "[tool.scaffold\n"})
    with pytest.raises(ValueError, match="pyproject.toml"):
        CheckConfig.from_pyproject(tmp_path)


@pytest.mark.parametrize(
    "module",
    [
        "scaffold.checks._config",
        "scaffold.checks._files",
        "scaffold.checks._finding",
        "scaffold.checks._keys",
        "scaffold.checks._parse",
        "scaffold.checks._schemas",
        "scaffold.checks._syntax",
        "scaffold.checks.indexes",
        "scaffold.checks.migrations",
        "scaffold.checks.rules",
        "scaffold.checks.runner",
    ],
)
def test_the_examples_in_the_docstrings_hold(module, tmp_path, monkeypatch):
    import doctest
    import importlib

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
    assert result.attempted > 0
