"""`scaffold check` that follows the code (issue 34): routes of FastAPI/Starlette only,
session writes in routers, blocking calls through the project's helpers, indexes from
every source, data flow for the security rules.

Each test is a tiny project of ours in the shape of a case that was wrong before; it
checks that the wrong finding is gone (or the missed one found) and the true ones stay.
"""

from __future__ import annotations

from pathlib import Path

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
