"""Routers are found by module name, so generated files need no registration."""

from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI

from app.api.discovery import include_package_routers
from app.main import version_routers

MODULE = """
from fastapi import APIRouter

router = APIRouter()


@router.get("/{path}")
async def read() -> None:
    pass
"""


def test_public_modules_with_a_router_are_included_in_name_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "probe_routes"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "b_things.py").write_text(MODULE.format(path="b-things"))
    (package / "a_things.py").write_text(MODULE.format(path="a-things"))
    (package / "_private.py").write_text(MODULE.format(path="private"))
    (package / "helpers.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    router = APIRouter(prefix="/api/v9")

    include_package_routers(router, "probe_routes")

    app = FastAPI()
    app.include_router(router)
    assert list(app.openapi()["paths"]) == ["/api/v9/a-things", "/api/v9/b-things"]


def test_version_packages_are_mounted_in_version_order() -> None:
    assert [router.prefix for router in version_routers()][:1] == ["/api/v1"]
