"""The real-world harness's judges (bench/realworld_judges.py) on a small fixture tree.

`tests/fixtures/realworld/layered` is a project after a correct `scaffold resource`:
each test proves a judge passes it, then breaks one shape in a copy and proves the judge
names the break.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import realworld_judges as judges  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "realworld" / "layered"
CREATED = [
    "app/weekly.py",
    "app/weekly_router.py",
    "migrations/versions/b2_weekly.py",
    "tests/test_weekly_requirements.py",
]
WRITTEN = sorted([*CREATED, "app/api.py", "app/models.py"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "layered"
    shutil.copytree(FIXTURE, dest)
    return dest


def change(root: Path) -> judges.Change:
    return judges.Change(root, WRITTEN, "weekly_requirements", CREATED, FIXTURE)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new))


def test_imports_resolve_in_the_tree_and_a_missing_name_is_named(project: Path) -> None:
    assert judges.judge_imports(change(project)).status == judges.OK
    edit(project, "app/weekly_router.py", "import CurrentUser", "import CurrentUser, Missing")
    verdict = judges.judge_imports(change(project))
    assert verdict.status == judges.FAIL
    assert "app.deps defines no Missing" in verdict.detail
    edit(project, "app/weekly.py", "from app.base import", "from app.nowhere import")
    assert "module app.nowhere does not exist" in judges.judge_imports(change(project)).detail


def test_migration_must_chain_to_the_old_single_head(project: Path) -> None:
    assert judges.judge_migration_head(change(project)).status == judges.OK
    edit(project, "migrations/versions/b2_weekly.py", '= "a1"', "= None")
    verdict = judges.judge_migration_head(change(project))
    assert verdict.status == judges.FAIL
    assert "heads after the change" in verdict.detail


def test_env_must_reach_the_new_model_through_the_registry(project: Path) -> None:
    assert judges.judge_env_reaches_model(change(project)).status == judges.OK
    edit(project, "app/models.py", "from app.weekly import WeeklyRequirement\n", "")
    verdict = judges.judge_env_reaches_model(change(project))
    assert verdict.status == judges.FAIL
    assert "never imports app.weekly" in verdict.detail


def test_router_must_be_mounted_where_the_project_mounts_its_routers(project: Path) -> None:
    verdict = judges.judge_router(change(project))
    assert (verdict.status, verdict.detail) == (judges.OK, "mounted under '/api/v1'")
    # registered inside another feature's router: /api/v1/users/weekly-requirements
    edit(project, "app/api.py", "api_router.include_router(weekly_router.router)\n", "")
    verdict = judges.judge_router(change(project))
    assert verdict.status == judges.FAIL
    assert "not included" in verdict.detail
    edit(
        project,
        "app/users.py",
        "\n\n@router",
        "\n\n\nrouter.include_router(weekly.router)\n@router",
    )
    edit(
        project,
        "app/users.py",
        "from app.deps",
        "from app import weekly_router as weekly\nfrom app.deps",
    )
    verdict = judges.judge_router(change(project))
    assert verdict.status == judges.FAIL
    assert "'/api/v1/users'" in verdict.detail


def test_foreign_key_type_must_equal_the_referenced_key_type(project: Path) -> None:
    assert judges.judge_fk_types(change(project)).status == judges.OK
    edit(project, "app/weekly.py", "user_id: Mapped[uuid.UUID]", "user_id: Mapped[int]")
    verdict = judges.judge_fk_types(change(project))
    assert verdict.status == judges.FAIL
    assert "user_id is int, users.id is uuid" in verdict.detail


def test_migration_must_create_inherited_columns_too(project: Path) -> None:
    assert judges.judge_migration_columns(change(project)).status == judges.OK
    edit(
        project,
        "migrations/versions/b2_weekly.py",
        '        sa.Column("created_at", sa.DateTime()),\n',
        "",
    )
    verdict = judges.judge_migration_columns(change(project))
    assert verdict.status == judges.FAIL
    assert "created_at (from TimestampMixin)" in verdict.detail


def test_ruff_runs_with_the_projects_config_and_names_findings(project: Path) -> None:
    ruff = str(Path(sys.executable).parent / "ruff")
    assert judges.judge_ruff(change(project), project, ruff).status == judges.OK
    edit(
        project, "app/weekly_router.py", "def list_weekly(user", "def list_weekly(unused: int, user"
    )
    verdict = judges.judge_ruff(change(project), project, ruff)
    assert verdict.status == judges.FAIL
    assert "ARG001" in verdict.detail
    # the project's own `exclude` holds for the files given by name too
    edit(project, "pyproject.toml", "line-length = 100", 'line-length = 100\nexclude = ["app"]')
    assert judges.judge_ruff(change(project), project, ruff).status == judges.OK
    edit(project, "pyproject.toml", "[tool.ruff", "[tool.other")
    assert judges.judge_ruff(change(project), project, ruff).status == judges.SKIP


def test_new_routes_must_carry_the_projects_auth_dependency(project: Path) -> None:
    verdict = judges.judge_auth(change(project))
    assert (verdict.status, verdict.detail) == (judges.OK, "get_current_user")
    edit(project, "app/weekly_router.py", "user: CurrentUser", "user: str")
    verdict = judges.judge_auth(change(project))
    assert verdict.status == judges.FAIL
    assert "unprotected: GET / (list_weekly)" in verdict.detail


def test_router_level_dependencies_protect_the_routes(project: Path) -> None:
    edit(project, "app/weekly_router.py", "user: CurrentUser", "user: str")
    edit(
        project,
        "app/api.py",
        "include_router(weekly_router.router)",
        "include_router(weekly_router.router, dependencies=[Depends(get_current_user)])",
    )
    assert judges.judge_auth(change(project)).status == judges.OK


def test_fixtures_asked_for_must_exist_in_scope(project: Path) -> None:
    # client (conftest), auth_headers (a pytest_plugins module, renamed), tmp_path
    # (builtin), event_loop (pytest-asyncio is declared); `week` is a parameter.
    assert judges.judge_fixtures(change(project), project).status == judges.OK
    edit(
        project,
        "tests/test_weekly_requirements.py",
        "client: str, event_loop",
        "db: str, event_loop",
    )
    verdict = judges.judge_fixtures(change(project), project)
    assert verdict.status == judges.FAIL
    assert verdict.detail == "missing fixtures: tests/test_weekly_requirements.py:12: db"
    edit(project, "pyproject.toml", '"pytest-asyncio"', '"pytest-xdist"')
    assert "event_loop" in judges.judge_fixtures(change(project), project).detail


def test_fixtures_are_found_through_a_star_imported_fixtures_package(project: Path) -> None:
    # conftest: `from tests.more import *`; tests/more/__init__.py: `from tests.more.base import *`
    edit(project, "tests/conftest.py", "@pytest.fixture\ndef client", "def not_a_fixture")
    edit(
        project,
        "tests/conftest.py",
        "import pytest\n",
        "import pytest\n\nfrom tests.more import *\n",
    )
    (project / "tests" / "more").mkdir()
    (project / "tests" / "more" / "__init__.py").write_text("from tests.more.base import *\n")
    (project / "tests" / "more" / "base.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef client() -> str:\n    return 'c'\n"
    )
    assert judges.judge_fixtures(change(project), project).status == judges.OK
    (project / "tests" / "more" / "__init__.py").write_text("")
    assert "client" in judges.judge_fixtures(change(project), project).detail


def test_a_base_naming_tables_with_declared_attr_names_the_referenced_table(project: Path) -> None:
    # users is named by its base (`@declared_attr def __tablename__`), not by the class
    edit(project, "app/people.py", '    __tablename__ = "users"\n\n', "")
    edit(project, "app/people.py", "class User(Base)", "class Users(Base)")
    edit(
        project,
        "app/base.py",
        "class Base(DeclarativeBase):\n    pass",
        "class Base(DeclarativeBase):\n    @declared_attr.directive\n"
        "    def __tablename__(cls) -> str:\n        return cls.__name__.lower()",
    )
    edit(project, "app/models.py", "import User", "import Users")
    assert judges.judge_fk_types(change(project)).status == judges.OK
    edit(project, "app/people.py", "mapped_column(Uuid,", "mapped_column(String,")
    assert "users.id is str" in judges.judge_fk_types(change(project)).detail


def test_env_walking_a_models_package_by_name_reaches_its_modules(project: Path) -> None:
    edit(project, "app/models.py", "from app.weekly import WeeklyRequirement\n", "")
    (project / "migrations" / "env.py").write_text(
        "import importlib\nimport pkgutil\n\nimport app\n\n"
        'for info in pkgutil.walk_packages(app.__path__, "app."):\n'
        "    importlib.import_module(info.name)\n"
        'importlib.import_module("app")\n'
    )
    assert judges.judge_env_reaches_model(change(project)).status == judges.OK


def test_env_reaching_no_model_of_the_project_is_a_skip(project: Path) -> None:
    (project / "migrations" / "env.py").write_text("target_metadata = None\n")
    verdict = judges.judge_env_reaches_model(change(project))
    assert (verdict.status, verdict.detail) == (
        judges.SKIP,
        "env.py reaches none of the project's own models either",
    )


def test_new_modules_stay_out_of_other_features_and_only_registries_are_edited(
    project: Path,
) -> None:
    assert judges.judge_placement(change(project)).status == judges.OK
    moved = judges.Change(
        project,
        [*WRITTEN, "app/config.py", "app/people.py"],
        "weekly_requirements",
        [*CREATED, "app/users/weekly_router.py"],
        FIXTURE,
    )
    verdict = judges.judge_placement(moved)
    assert verdict.status == judges.FAIL
    assert "app/users/weekly_router.py is inside the folder of feature 'users'" in verdict.detail
    assert (
        "edited app/config.py, which neither includes routers nor imports models" in verdict.detail
    )


def test_an_app_made_by_a_factory_given_the_router_includes_it(project: Path) -> None:
    (project / "app" / "setup.py").write_text(
        "from fastapi import APIRouter, FastAPI\n\n\n"
        "def create_application(router: APIRouter) -> FastAPI:\n"
        "    application = FastAPI()\n"
        "    application.include_router(router)\n"
        "    return application\n"
    )
    (project / "app" / "main.py").write_text(
        "from app.api import api_router\nfrom app.setup import create_application\n\n"
        "app = create_application(router=api_router)\n"
    )
    verdict = judges.judge_router(change(project))
    assert (verdict.status, verdict.detail) == (judges.OK, "mounted under '/'")
    edit(
        project, "app/main.py", "create_application(router=api_router)", "create_application(None)"
    )
    assert "not included" in judges.judge_router(change(project)).detail


def test_a_registry_star_importing_the_packages_of_models_is_a_registry(
    project: Path, tmp_path: Path
) -> None:
    """`from .people import *` in a module that lists the model packages imports models,
    though it names no model module: editing it is a registry edit."""
    original = tmp_path / "original"
    shutil.copytree(FIXTURE, original)
    for root in (project, original):
        (root / "app/catalog").mkdir()
        (root / "app/catalog/__init__.py").write_text("from .shelf import *\n")
        (root / "app/catalog/shelf.py").write_text(
            "from app.base import Base\n\n\nclass Shelf(Base):\n    __tablename__ = 'shelves'\n"
        )
        (root / "app/all_models.py").write_text("from .catalog import *\n")
    edited = judges.Change(
        project, [*WRITTEN, "app/all_models.py"], "weekly_requirements", CREATED, original
    )
    assert judges.judge_placement(edited).status == judges.OK
    (original / "app/all_models.py").write_text("from .config import *\n")
    verdict = judges.judge_placement(edited)
    assert verdict.status == judges.FAIL
    assert "edited app/all_models.py, which neither" in verdict.detail


def test_a_folder_without_init_does_not_shadow_an_installed_package(project: Path) -> None:
    """An `alembic/` migrations folder (no __init__.py) is not the `alembic` package
    `from alembic import context` imports; a package of the project's still is judged."""
    (project / "alembic").mkdir()
    (project / "alembic/helpers.py").write_text("X = 1\n")
    (project / "app/weekly_env.py").write_text("from alembic import context\n")
    written = judges.Change(
        project, [*WRITTEN, "app/weekly_env.py"], "weekly_requirements", CREATED, FIXTURE
    )
    assert judges.judge_imports(written).status == judges.OK
    (project / "alembic/__init__.py").write_text("")
    verdict = judges.judge_imports(judges.Change(project, written.written, "x", CREATED, FIXTURE))
    assert verdict.status == judges.FAIL
    assert "alembic defines no context" in verdict.detail
