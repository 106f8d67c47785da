"""Every fact adopt records is the one the code holds, on our fixtures of real shapes:
a feature-per-folder codebase with a mounted back office (``adopt_features_subapp``),
two declarative bases and a composite key (``adopt_two_bases``), an engine made by a
helper function (``adopt_engine_helper``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support.adopted import commit_all, copy_fixture, scaffold


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = copy_fixture("adopt_features_subapp", tmp_path_factory.mktemp("features"))
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    return root, done.stdout + done.stderr


def profile(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())["tool"]["scaffold"]


def test_a_new_feature_goes_where_the_projects_features_live(adopted: tuple[Path, str]) -> None:
    p = profile(adopted[0])
    assert p["models"] == "shop/models/{name}.py"
    assert p["routers"] == "shop/{name}/endpoints.py"
    assert p["services"] == "shop/{name}/service.py"
    assert p["schemas"] == "shop/{name}/schemas.py"
    assert p["tests"] == "tests/{name}/test_endpoints.py"


def test_the_app_is_the_one_the_factory_makes_not_the_mounted_back_office(
    adopted: tuple[Path, str],
) -> None:
    p = profile(adopted[0])
    assert p["app"] == "shop.app:app"
    assert (p["router_registry"], p["api_prefix"]) == ("shop/api.py:router", "/v1")


def test_the_model_registry_is_the_module_importing_the_models_not_the_settings(
    adopted: tuple[Path, str],
) -> None:
    assert profile(adopted[0])["model_registry"] == "shop/models/__init__.py"


def test_keys_inherited_after_a_mixin_and_typed_through_an_alias_are_uuid(
    adopted: tuple[Path, str],
) -> None:
    tables = profile(adopted[0])["tables"]
    assert tables["customers"]["key_type"] == "uuid"
    assert tables["orders"]["key_type"] == "uuid"


def test_auth_declared_per_feature_is_named_in_one_line_not_guessed(
    adopted: tuple[Path, str],
) -> None:
    root, output = adopted
    assert "auth_dependency" not in profile(root)
    lines = [line for line in output.splitlines() if "protected per feature" in line]
    assert len(lines) == 1
    assert "set auth_dependency" in lines[0]


def test_a_resource_edits_only_the_registries(adopted: tuple[Path, str]) -> None:
    root = adopted[0]
    commit_all(root, "adopted")
    done = scaffold(root, "resource", "refunds", "order_id:ref=orders", "amount:int")
    assert done.returncode == 0, done.stdout + done.stderr
    import subprocess

    changed = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    modified = sorted(line[3:] for line in changed if line.startswith(" M"))
    assert modified == [".scaffold/manifest.toml", "shop/api.py", "shop/models/__init__.py"]
    assert (root / "shop/refunds/endpoints.py").is_file()
    assert not any((root / "shop/backoffice").rglob("refunds*"))
    assert "refunds_router" in (root / "shop/api.py").read_text()


def test_fixtures_a_conftest_star_imports_are_the_projects_fixtures(
    adopted: tuple[Path, str],
) -> None:
    root, output = adopted
    p = profile(root)
    assert (p["client_fixture"], p["test_style"]) == ("client", "async")
    assert "no client fixture found" not in output


def test_of_several_bases_new_models_take_the_one_alembic_targets(tmp_path: Path) -> None:
    root = copy_fixture("adopt_two_bases", tmp_path)
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    p = profile(root)
    assert p["base"] == "app.db:Base"
    assert "the one Alembic's env.py targets" in done.stdout + done.stderr
    # The other base's tables are another database's: not referable, not counted.
    assert sorted(p["tables"]) == ["memberships", "people", "teams"]
    assert p["id_type"] == "uuid"


def test_a_composite_key_is_recorded_as_such_and_a_reference_to_it_is_refused(
    tmp_path: Path,
) -> None:
    root = copy_fixture("adopt_two_bases", tmp_path)
    assert scaffold(root, "adopt").returncode == 0
    entry = profile(root)["tables"]["memberships"]
    assert (entry["key"], entry["key_type"]) == ("person_id,team_id", "composite")
    commit_all(root, "adopted")
    done = scaffold(root, "resource", "notes", "membership_id:ref=memberships", "body:text")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "whose key has several columns (person_id,team_id)" in done.stderr


def test_a_reference_to_a_text_natural_key_is_refused_naming_a_table_it_can_reference(
    tmp_path: Path,
) -> None:
    # The real-world corpus: a str primary key got an int foreign key column.
    root = copy_fixture("adopt_two_bases", tmp_path)
    models = root / "app/models.py"
    models.write_text(
        models.read_text().replace(
            "from sqlalchemy import ForeignKey", "from sqlalchemy import ForeignKey, String"
        )
        + '\n\nclass Label(Base):\n    __tablename__ = "labels"\n\n'
        + "    name: Mapped[str] = mapped_column(String(40), primary_key=True)\n"
    )
    assert scaffold(root, "adopt").returncode == 0
    entry = profile(root)["tables"]["labels"]
    assert (entry["key"], entry["key_type"]) == ("name", "str")
    commit_all(root, "adopted")
    done = scaffold(root, "resource", "notes", "label_id:ref=labels", "body:text")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "whose key is a str column (name)" in done.stderr
    assert "label_id:ref=people" in done.stderr  # the example: a table it can reference


def test_routes_declared_in_the_apps_module_put_new_routers_in_a_folder_of_their_own(
    tmp_path: Path,
) -> None:
    # Not app/{name}.py: the package root holds main.py and the support module, which
    # a routers glob there would count as a router.
    root = copy_fixture("adopt_two_bases", tmp_path)
    assert scaffold(root, "adopt").returncode == 0
    p = profile(root)
    assert p["routers"] == "app/routers/{name}.py"
    assert (p["router_registry"], p["api_prefix"]) == ("app/main.py:app", "/api")


def test_the_proof_finds_generated_tests_in_a_per_feature_tests_folder(
    adopted: tuple[Path, str],
) -> None:
    # tests = "tests/{name}/test_endpoints.py": the proof's list of generated tests to
    # run is made by this match (it was the folder "tests/{name}" taken literally).
    from scaffold.project.core import Project

    layout = Project(adopted[0], profile(adopted[0])).layout
    assert layout.is_test_module("tests/refunds/test_endpoints.py")
    assert layout.is_test_module("tests/refunds/test_endpoints_v1.py")
    assert not layout.is_test_module("tests/factories/refunds.py")
    assert not layout.is_test_module("shop/refunds/endpoints.py")


def test_an_engine_made_by_a_helper_function_is_found_and_a_session_factory_is_no_session(
    tmp_path: Path,
) -> None:
    root = copy_fixture("adopt_engine_helper", tmp_path)
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    p = profile(root)
    assert p["sync_engine"] == "app.db:engine"
    assert p["sync_session"] == "app.db:get_db"
    assert "session_dependency" not in p


def test_an_engine_bound_with_its_sessions_by_one_helper_call_is_found(tmp_path: Path) -> None:
    # The real-world corpus (mealie): ``SessionLocal, engine = init(url)`` was refused as
    # "no session dependency and no engine", then rendered an empty import.
    root = copy_fixture("adopt_engine_helper", tmp_path)
    db = root / "app/db.py"
    text = db.read_text().replace(
        'engine = make_engine(os.environ.get("DATABASE_URL", "sqlite:///service.db"))\n'
        "SessionLocal = make_sessionmaker(engine)\n",
        "def init_db(url: str) -> tuple[sessionmaker[Session], Engine]:\n"
        "    made = create_engine(url, pool_pre_ping=True)\n"
        "    return make_sessionmaker(made), made\n\n\n"
        'SessionLocal, engine = init_db(os.environ.get("DATABASE_URL", "sqlite:///service.db"))\n',
    )
    assert "init_db(" in text
    db.write_text(text)
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert profile(root)["sync_engine"] == "app.db:engine"
    support = root / profile(root)["support_module"]
    assert "from app.db import engine as sync_engine" in support.read_text()


def test_auth_given_where_a_router_is_included_counts_for_its_routes(tmp_path: Path) -> None:
    root = copy_fixture("adopt_engine_helper", tmp_path)
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert profile(root)["auth_dependency"] == "app.auth:get_current_user"
    assert "on 4 of 5 routes" in done.stdout + done.stderr


def test_an_app_made_only_inside_a_factory_is_no_registry_and_says_what_to_set(
    tmp_path: Path,
) -> None:
    # uvicorn --factory app.main:create_app: no module-level app an include line could use.
    root = copy_fixture("adopt_engine_helper", tmp_path)
    main = root / "app/main.py"
    text = main.read_text().replace(
        "app = FastAPI()\napp.include_router(router)\n"
        "app.include_router(reports, dependencies=[Depends(get_current_user)])\n",
        "def create_app() -> FastAPI:\n    app = FastAPI()\n    app.include_router(router)\n"
        "    app.include_router(reports, dependencies=[Depends(get_current_user)])\n"
        "    return app\n",
    )
    main.write_text(
        text.replace('\n\n@app.get("/health")\ndef health() -> str:\n    return "ok"\n', "")
    )
    commit_all(root, "an app factory only")
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "router_registry" not in profile(root)
    assert "routers are included only inside functions" in done.stdout


def test_a_recorded_object_the_code_does_not_define_is_dropped_and_said(tmp_path: Path) -> None:
    from scaffold.adopt._findings import Findings
    from scaffold.adopt._source import Project
    from scaffold.adopt._verify import check_facts

    root = copy_fixture("adopt_engine_helper", tmp_path)
    f = Findings()
    f.profile.update(
        {
            "sync_session": "app.db:get_db",  # defined: kept
            "auth_dependency": "app.auth:get_signed_in_user",  # not there: dropped
            "session_dependency": "fastapi_users:current_user",  # a library's: kept
        }
    )
    check_facts(f, Project(root, set()))
    assert f.profile["sync_session"] == "app.db:get_db"
    assert f.profile["session_dependency"] == "fastapi_users:current_user"
    assert "auth_dependency" not in f.profile
    assert f.unsupported == [
        "auth_dependency app.auth:get_signed_in_user was found but is not defined there: set "
        "auth_dependency in [tool.scaffold] to the module:object generated code should import"
    ]


def test_routes_signed_in_through_a_dependency_instance_are_named_not_called_public(
    tmp_path: Path,
) -> None:
    # The real-world corpus: Depends(PermissionDependency([IsAdmin])) and
    # Depends(AuthBearer()) were read as no sign-in at all ("routes are public").
    root = copy_fixture("adopt_layered", tmp_path)
    security = root / "app/core/security.py"
    security.write_text(
        security.read_text()
        + "\n\nclass BearerCheck:\n"
        + "    async def __call__(self) -> None:\n"
        + "        return None\n"
    )
    for name in ("rotations.py", "assignments.py", "auth.py"):
        routes = root / "app/api/routes" / name
        text = routes.read_text().replace("get_current_user", "BearerCheck")
        routes.write_text(text.replace("Depends(BearerCheck)", "Depends(BearerCheck())"))
    done = scaffold(root, "adopt")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "sign in through Depends(BearerCheck(...))" in said
    assert "public like the project's" not in said
    assert "auth_dependency" not in profile(root)


def test_a_new_table_goes_beside_the_subject_folders_not_inside_the_biggest_one() -> None:
    # The real-world corpus (mealie): models in models/users/, models/group/,
    # models/household/...: a new table went into models/household/, another subject's.
    from scaffold.adopt._layout import _home

    spread = [
        "pkg/db/models/users/users.py",
        "pkg/db/models/users/tokens.py",
        "pkg/db/models/group/group.py",
        "pkg/db/models/household/household.py",
        "pkg/db/models/recipe/recipe.py",
    ]
    assert _home(spread) == "pkg/db/models"
    gathered = ["app/models/a.py", "app/models/b.py", "app/models/c.py", "app/extra/d.py"]
    assert _home(gathered) == "app/models"
    assert _home(["app/user/domain/entity/user.py"]) == "app/user/domain/entity"


def test_a_key_column_unique_on_its_own_is_referable_though_the_key_has_two(
    tmp_path: Path,
) -> None:
    """`id` (unique) and `uuid` both primary_key=True: the key is composite in SQL, but a
    foreign key can reference `id` alone; the first such column is recorded."""
    from scaffold.adopt.reader import read

    root = copy_fixture("adopt_two_bases", tmp_path)
    models = root / "app/models.py"
    models.write_text(
        models.read_text() + '\n\nclass Account(Base):\n    __tablename__ = "accounts"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True, unique=True)\n"
        "    ref: Mapped[UUID] = mapped_column(primary_key=True, unique=True, default=uuid4)\n"
    )
    keys = {m.table: (m.key, m.key_type) for m in read(root).models}
    assert keys["accounts"] == ("id", "int")
    assert keys["memberships"] == ("person_id,team_id", "composite")
