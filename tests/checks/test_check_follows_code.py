"""`scaffold check` that follows the code (issue 34): routes of FastAPI/Starlette only,
session writes in routers, blocking calls through the project's helpers, indexes from
every source, data flow for the security rules.

Each test is a tiny project of ours in the shape of a case that was wrong before; it
checks that the wrong finding is gone (or the missed one found) and the true ones stay.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.checks import CheckConfig, run_checks
from tests.support.helpers import make


def codes(root: Path) -> list[tuple[str, int, str]]:
    findings = run_checks(root, CheckConfig(run_alembic=False), use_cache=False)
    return [(f.path, f.line, f.code) for f in findings]


# --- routes: FastAPI/Starlette routing only --------------------------------------------------

ROUTING = """
    from fastapi import APIRouter


    class AppRouter(APIRouter):
        pass


    def router_class() -> type[APIRouter]:
        return AppRouter
    """


def test_only_fastapi_and_starlette_routing_makes_a_route(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app/routing.py": ROUTING,
            "app/bolt.py": """
            from slack_bolt import App

            app = App(token="x")
            """,
            "app/api/items.py": """
            from fastapi import FastAPI
            from flask import Blueprint

            from app.bolt import app as slack
            from app.routing import AppRouter, router_class

            Router = router_class()
            router = AppRouter()
            factory_router = Router()
            pages = Blueprint("pages", __name__)


            @router.get("/a")
            def subclass_route():
                return []


            @factory_router.post("/b")
            def factory_route(payload: dict):
                return payload


            @pages.get("/page")
            def flask_view():
                return "page"


            @slack.options("tags")
            def slack_options(payload: dict):
                return payload


            def legacy_endpoint():
                return []


            def build(app: FastAPI) -> None:
                @app.get("/c")
                def nested_route():
                    return []

                app.add_api_route("/legacy", legacy_endpoint)
            """,
            "app/health.py": """
            from starlette.applications import Starlette
            from starlette.routing import Mount, Route


            def ping(request):
                return "ok"


            app = Starlette(routes=[Mount("/health", routes=[Route("/", ping)])])
            """,
        },
    )
    assert codes(tmp_path) == [
        ("app/api/items.py", 14, "SC102"),  # a subclass of APIRouter, from another module
        ("app/api/items.py", 19, "SC102"),  # a factory's type[APIRouter]
        ("app/api/items.py", 19, "SC301"),
        ("app/api/items.py", 33, "SC102"),  # add_api_route
        ("app/api/items.py", 39, "SC102"),  # a parameter annotated FastAPI
        ("app/health.py", 5, "SC102"),  # a Starlette Route inside a Mount
    ]


# --- SC201: session writes in route handlers, whatever the project calls the session -------


def test_sc201_session_writes_through_a_session_type_the_project_renames(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app/db/types.py": """
            from typing import NewType

            from sqlalchemy.ext.asyncio import AsyncSession as _AsyncSession

            ReadSession = NewType("ReadSession", _AsyncSession)
            WriteSession = NewType("WriteSession", ReadSession)
            """,
            "app/db/__init__.py": """
            from sqlalchemy.ext.asyncio import AsyncSession as DBSession

            from app.db.types import WriteSession


            class AppSession(DBSession):
                pass


            async def get_session() -> "AsyncIterator[WriteSession]":
                yield make_session()
            """,
            "app/api/items.py": """
            from fastapi import APIRouter, Depends

            from app.db import AppSession, DBSession, WriteSession, get_session
            from app.services import items

            router = APIRouter()


            @router.post("/a")
            async def create(session: WriteSession = Depends(get_session)):
                session.add(object())
                await session.commit()


            @router.delete("/b")
            async def remove(session: DBSession):
                await session.delete(object())
                await session.flush()


            @router.get("/c")
            async def listing(session=Depends(get_session)):
                return await session.execute("SELECT 1")


            @router.put("/d")
            async def update(session: AppSession, seen: set):
                seen.add(1)
                session.add(seen)
                return await items.update(session)
            """,
        },
    )
    assert codes(tmp_path) == [
        ("app/api/items.py", 11, "SC201"),  # NewType of a NewType, re-exported
        ("app/api/items.py", 12, "SC201"),
        ("app/api/items.py", 17, "SC201"),  # a library class imported under another name
        ("app/api/items.py", 18, "SC201"),
        ("app/api/items.py", 23, "SC201"),  # a dependency annotated with the project's type
        ("app/api/items.py", 29, "SC201"),  # a subclass of the renamed class
    ]


def test_sc201_leaves_start_up_code_of_an_app_factory_with_a_docs_route(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app/setup.py": """
            from fastapi import APIRouter, FastAPI
            from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

            engine = create_async_engine("sqlite+aiosqlite://")
            docs = APIRouter()


            async def create_tables():
                async with engine.begin() as conn:
                    await conn.run_sync(lambda c: None)


            async def audit(session: AsyncSession):
                await session.commit()


            @docs.get("/docs")
            async def show_docs(session: AsyncSession):
                await audit(session)
                return await session.execute("SELECT 1")


            def create_app() -> FastAPI:
                app = FastAPI(on_startup=[create_tables])
                app.include_router(docs)
                return app
            """,
        },
    )
    assert codes(tmp_path) == [
        ("app/setup.py", 14, "SC201"),  # a helper the route calls: still the router's write
        ("app/setup.py", 20, "SC201"),  # the route itself
    ]  # create_tables() runs at start-up, not in a request


# --- SC101 through the project's own functions ----------------------------------------------


def test_sc101_follows_helpers_methods_factories_and_partials(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app/db.py": """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import Session, sessionmaker

            SessionLocal = sessionmaker(create_engine("sqlite://"))


            class BaseRepository:
                def __init__(self, session: Session):
                    self.session = session

                def get(self, key):
                    return self.session.execute(key)


            class OrderRepository(BaseRepository):
                def first(self):
                    return self.get(1)


            def make_repository() -> OrderRepository:
                return OrderRepository(SessionLocal())
            """,
            "app/services/orders.py": """
            import time
            from functools import partial

            from app.db import OrderRepository, make_repository


            class OrderService:
                def __init__(self):
                    self.repo = make_repository()

                def latest(self):
                    return self.repo.first()


            def pause():
                time.sleep(1)


            def pure(x):
                return x + 1


            later = partial(pause)
            """,
            "app/main.py": """
            import asyncio

            import anyio
            from starlette.concurrency import run_in_threadpool

            from app.db import make_repository
            from app.services.orders import OrderService, later, pause, pure


            async def handler():
                service = OrderService()
                repo = make_repository()
                repo.first()
                service.latest()
                pause()
                later()
                pure(1)
                await asyncio.to_thread(pause)
                await run_in_threadpool(service.latest)
                await anyio.to_thread.run_sync(repo.first)
            """,
        },
    )
    findings = run_checks(tmp_path, CheckConfig(run_alembic=False), use_cache=False)
    found = [(f.path, f.line, f.code, f.message.partition(" inside")[0]) for f in findings]
    assert found == [
        ("app/main.py", 13, "SC101", "blocking call repo.first() → OrderRepository.first → "
         "BaseRepository.get → sync Session call self.session.execute()"),
        ("app/main.py", 14, "SC101", "blocking call service.latest() → OrderService.latest → "
         "OrderRepository.first → BaseRepository.get → sync Session call "
         "self.session.execute()"),
        ("app/main.py", 15, "SC101", "blocking call pause() → pause → time.sleep()"),
        ("app/main.py", 16, "SC101", "blocking call later() → pause → time.sleep()"),
    ]  # fmt: skip


# --- SC501: indexes from every source ------------------------------------------------------

INDEXED_PROJECT = {
    "pyproject.toml": """
    [project]
    name = "shop"
    requires-python = ">=3.11"

    [tool.scaffold]
    """,
    "src/shop/__init__.py": "",
    "src/shop/alembic.ini": """
    [alembic]
    file_template = %%(rev)s

    [core]
    script_location = shop:revisions/core

    [tenant]
    script_location = shop:revisions/tenant
    """,
    "src/shop/models.py": """
    from sqlalchemy import Column, ForeignKey, Integer, Table
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Tag(Base):
        __tablename__ = "tags"
        id: Mapped[int] = mapped_column(primary_key=True)


    class ItemTag(Base):
        __tablename__ = "item_tags"
        item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
        tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)


    order_tags = Table(
        "order_tags",
        Base.metadata,
        Column("order_id", Integer, ForeignKey("orders.id"), primary_key=True),
        Column("tag_id", Integer, ForeignKey("tags.id"), primary_key=True),
    )
    """,
    "src/shop/revisions/core/versions/a1.py": """
    import sqlalchemy as sa
    from alembic import op

    revision = "a1"
    down_revision = None


    def upgrade():
        op.create_table(
            "carts",
            sa.Column("owner_id", sa.Integer(), nullable=False),
            sa.Column("shop_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
            sa.ForeignKeyConstraint(["shop_id"], ["shops.id"]),
            sa.PrimaryKeyConstraint("owner_id", "shop_id"),
        )
    """,
    "src/shop/revisions/tenant/versions/b1.py": """
    import sqlalchemy as sa
    from alembic import op

    revision = "b1"
    down_revision = None


    def upgrade():
        op.create_table(
            "visits",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("cart_owner_id", sa.Integer(), sa.ForeignKey("users.id")),
        )
    """,
}


def test_sc501_reads_every_source_and_a_composite_key_serves_its_leading_column(
    tmp_path: Path,
) -> None:
    make(tmp_path, INDEXED_PROJECT)
    findings = run_checks(tmp_path, CheckConfig(run_alembic=False), use_cache=False)
    reported = [(f.path, f.code, f.message.split(" has no index")[0]) for f in findings]
    assert reported == [
        ("src/shop/models.py", "SC501", "foreign key column ItemTag.tag_id"),
        ("src/shop/models.py", "SC501", "foreign key column order_tags.tag_id"),
        (
            "src/shop/revisions/core/versions/a1.py",
            "SC501",
            "foreign key carts(shop_id) created here",
        ),
        (
            "src/shop/revisions/tenant/versions/b1.py",
            "SC501",
            "foreign key visits(cart_owner_id) created here",
        ),
    ]  # fmt: skip (two histories, one head each: no SC601)

    from scaffold.commands.index import find_missing
    from scaffold.project.core import Project

    missing, notes = find_missing(Project.find(tmp_path))
    assert {(m.model.table, m.column) for m in missing} == {
        ("item_tags", "tag_id"),
        ("carts", "shop_id"),
        ("visits", "cart_owner_id"),
    }
    assert [note.partition(" (")[0] for note in notes] == ["order_tags(tag_id)"]  # Core: by hand


# --- SC301 / SC401: data flow, not names -----------------------------------------------------


def test_sc301_a_raw_body_is_verified_when_it_meets_a_secret_a_header_or_an_hmac(
    tmp_path: Path,
) -> None:
    make(
        tmp_path,
        {
            "app/api/hooks.py": """
            import hashlib
            import hmac

            from fastapi import APIRouter, Header, Request

            from app.settings import settings
            from app.vendor import Webhook, verify_signature

            router = APIRouter()
            SIGNING_SECRET = b"x"


            @router.post("/a")
            async def with_hmac(request: Request, signature: str = Header()):
                body = await request.body()
                digest = hmac.new(SIGNING_SECRET, body, hashlib.sha256).hexdigest()
                return hmac.compare_digest(digest, signature)


            @router.post("/b")
            async def with_vendor(request: Request):
                payload = await request.body()
                sig = request.headers.get("stripe-signature")
                return Webhook.construct_event(payload, sig, settings.endpoint_secret)


            @router.post("/c")
            async def with_client(request: Request):
                hook = Webhook(settings.webhook_secret)
                return hook.verify(await request.body(), request.headers)


            @router.post("/d")
            async def named_only(request: Request):
                raw = await request.body()
                return verify_signature(raw)


            @router.post("/e")
            async def logged(request: Request):
                print(await request.body())
            """,
        },
    )
    assert codes(tmp_path) == [
        ("app/api/hooks.py", 35, "SC301"),  # a verifier's name alone: nothing to verify with
        ("app/api/hooks.py", 41, "SC301"),
    ]


def test_sc401_judges_returned_schemas_and_who_gets_a_credential(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app/schemas.py": """
            from pydantic import BaseModel


            class OwnerRead(BaseModel):
                id: int
                password_hash: str


            class ShopRead(BaseModel):
                id: int
                owner: OwnerRead


            class AuditRead(BaseModel):
                id: int
                password_hash: str


            class Token(BaseModel):
                access_token: str


            class KeyRead(BaseModel):
                api_key: str
            """,
            "app/api/shops.py": """
            from fastapi import APIRouter, Depends

            from app.auth import create_token, current_user
            from app.schemas import KeyRead, ShopRead, Token
            from app.services import keys

            router = APIRouter()


            @router.get("/shops/{id}", response_model=ShopRead)
            async def shop(id: int):
                return await keys.shop(id)


            @router.get("/token", response_model=Token)
            async def token(user=Depends(current_user)):
                return Token(access_token=create_token(user))


            @router.get("/keys/{id}", response_model=KeyRead)
            async def stored_key(id: int):
                return await keys.get(id)


            @router.post("/keys/search", response_model=list[KeyRead])
            async def search_keys():
                return await keys.all()


            @router.get("/download-token", response_model=Token)
            async def download_token():
                return Token.respond(create_token(None))


            @router.get("/keys", response_model=Page[KeyRead])
            async def page_of_keys():
                rows = await keys.all()
                return Page.build([KeyRead.model_validate(r) for r in rows], len(rows))
            """,
        },
    )
    assert codes(tmp_path) == [
        ("app/api/shops.py", 15, "SC402"),  # minted here for the caller who asked: info
        ("app/api/shops.py", 20, "SC401"),  # a stored key handed back by a GET
        ("app/api/shops.py", 25, "SC401"),  # stored keys listed, even by a POST
        ("app/api/shops.py", 30, "SC402"),  # minted here, passed to a constructor
        ("app/api/shops.py", 35, "SC401"),  # a page of stored keys: listed
        ("app/schemas.py", 6, "SC401"),  # nested in ShopRead, which a route returns
    ]  # AuditRead has the same field but no route returns it


# --- speed: Python 3.12-3.14 syntax without LibCST --------------------------------------------


def test_pep_695_and_758_read_without_libcst_give_libcst_s_tree() -> None:
    import ast

    from scaffold.checks._parse import _through_libcst, parse

    source = (
        "type Id = int\n"
        "type Pair[T] = tuple[T, T]\n"
        "class Box[T](Base):\n"
        "    def get[U](self, x: U) -> T | U:\n"
        "        try:\n"
        "            return self.v\n"
        "        except KeyError, ValueError:\n"
        "            return x\n"
    )
    quick = parse(source, "m.py", (3, 14))
    slow = _through_libcst(source, "m.py", (3, 14), ("", 1, 1))
    assert quick.rewritten and quick.tree is not None and slow.tree is not None
    assert ast.dump(quick.tree) == ast.dump(slow.tree)
    value = quick.tree.body[1]
    assert isinstance(value, ast.Assign) and value.value.col_offset == 15  # where it was
    # except A, B needs 3.14: a 3.12 project still hears it from SC001
    assert parse(source, "m.py", (3, 12)).error is not None


def test_a_warm_run_follows_an_edit_of_the_helper_that_blocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make(
        tmp_path / "p",
        {
            "app/helpers.py": "import time\n\n\ndef pause():\n    time.sleep(1)\n",
            "app/main.py": "from app.helpers import pause\n\n\nasync def run():\n    pause()\n",
        },
    )

    def warm() -> list[tuple[str, int, str]]:
        findings = run_checks(root, CheckConfig(run_alembic=False))
        return [(f.path, f.line, f.code) for f in findings]

    assert warm() == warm() == [("app/main.py", 5, "SC101")]
    (root / "app/helpers.py").write_text("def pause():\n    return None\n")
    assert warm() == []
