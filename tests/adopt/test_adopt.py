"""``scaffold adopt`` and every command after it, on four projects scaffold did not create.

The fixture projects under ``tests/fixtures/adopt_*`` are written in the shapes real
FastAPI codebases have: (a) layered, a naming convention, sync and async sessions, UUID
keys, Alembic in ``alembic/`` with a black-wrapped merge revision, routers included by
hand under ``/api``, bearer auth, sync ``TestClient`` tests; (b) SQLModel in one
``models.py``, singular table names, Alembic in ``app/alembic``, sync sessions only,
``CurrentUser``, ``/api/v1`` from settings; (c) feature packages in Python 3.12 syntax, a
dated ``file_template``, async tests, run under python3.12; (d) raw SQL over asyncpg.

Each adoptable project is adopted once per session and gets a resource referencing one
of its own UUID tables and a nested endpoint under that table; the tests then run the
project's own suite (its tests and the generated ones), its ruff config, and its
migrations on PostgreSQL 15 on top of its own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import pg_fixture
from tests.support.adopted import (
    FIXTURES,
    alembic_steps,
    assert_ruff_clean,
    commit_all,
    copy_fixture,
    git,
    run_project_tests,
    scaffold,
    without_reports,
)
from tests.support.helpers import BIN, tree

REQUIRE_TOOLS = "SCAFFOLD_REQUIRE_TOOLS"
PY312_PACKAGES = (
    "fastapi>=0.115",
    "sqlalchemy[asyncio]>=2.0.30",
    "alembic>=1.13",
    "pydantic>=2.7",
    "pydantic-settings>=2.3",
    "email-validator>=2.1",
    "aiosqlite>=0.20",
    "asyncpg>=0.29",
    "httpx>=0.27",
    "pytest>=8",
    "pytest-asyncio>=1.0",
)


@dataclass(frozen=True)
class Shape:
    fixture: str
    parent: str  # the project's own UUID table the resource references
    field: str
    route: str  # the nested endpoint under the parent
    pg_driver: str  # the driver its Alembic env runs with
    python: str = "venv"


SHAPES = {
    "layered": Shape(
        "adopt_layered",
        "people",
        "person_id:ref=people",
        "GET /api/people/{id}/weekly-requirements",
        "postgresql+psycopg",
    ),
    "sqlmodel": Shape(
        "adopt_sqlmodel",
        "user",
        "owner_id:ref=user",
        "GET /api/v1/users/{id}/weekly-requirements",
        "postgresql+psycopg",
    ),
    "features": Shape(
        "adopt_features",
        "accounts",
        "account_id:ref=accounts",
        "GET /api/v1/accounts/{id}/weekly-requirements",
        "postgresql+asyncpg",
        python="3.12",
    ),
}


def python312() -> Path:
    """A cached python3.12 virtualenv with what fixture (c) needs (built on first use)."""
    # A pyenv shim may exist without the version being selected: the real binary first.
    found = next(
        (str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))), None
    ) or shutil.which("python3.12")
    if found is None:
        if os.environ.get(REQUIRE_TOOLS) == "1":
            pytest.fail(f"{REQUIRE_TOOLS}=1 but python3.12 is not installed", pytrace=False)
        pytest.skip("python3.12 is not installed")
    key = hashlib.sha256(("\n".join(PY312_PACKAGES) + found).encode()).hexdigest()[:12]
    venv = Path.home() / ".cache" / "scaffold" / f"py312-{key}"
    python = venv / "bin" / "python"
    if python.is_file():
        return python
    building = venv.with_name(venv.name + f".{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    subprocess.run([found, "-m", "venv", str(building)], check=True, capture_output=True)
    done = subprocess.run(
        [str(building / "bin" / "python"), "-m", "pip", "install", "-q", *PY312_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"could not build the python3.12 venv: {done.stderr[-2000:]}", pytrace=False)
    try:
        building.rename(venv)
    except OSError:
        shutil.rmtree(building, ignore_errors=True)  # another worker built it first
    # The venv's own paths name the folder it was built in.
    return python if python.is_file() else building / "bin" / "python"


@dataclass
class Adopted:
    shape: Shape
    root: Path
    adopt_first: subprocess.CompletedProcess[str]
    adopt_again: subprocess.CompletedProcess[str]
    tree_after_adopt: dict[str, str]
    resource: subprocess.CompletedProcess[str]
    endpoint: subprocess.CompletedProcess[str]
    resource_again: subprocess.CompletedProcess[str]
    tree_before_again: dict[str, str]
    tree_after_again: dict[str, str]
    python: Path

    @property
    def profile(self) -> dict:
        return tomllib.loads((self.root / "pyproject.toml").read_text())["tool"]["scaffold"]


RESOURCE = ("resource", "weekly_requirements", "week_start:date", "min_hours:int:min=0")


@pytest.fixture(scope="session", params=sorted(SHAPES))
def adopted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Adopted:
    shape = SHAPES[request.param]
    python = python312() if shape.python == "3.12" else Path(sys.executable)
    root = copy_fixture(shape.fixture, tmp_path_factory.mktemp(request.param))
    first = scaffold(root, "adopt")
    assert first.returncode == 0, first.stdout + first.stderr
    after_adopt = tree(root)
    again = scaffold(root, "adopt")
    commit_all(root, "adopt")
    args = (*RESOURCE[:2], shape.field, *RESOURCE[2:])
    resource = scaffold(root, *args)
    assert resource.returncode == 0, resource.stdout + resource.stderr
    commit_all(root, "resource")
    before = tree(root)
    resource_again = scaffold(root, *args)
    after = tree(root)
    endpoint = scaffold(root, "endpoint", shape.route)
    assert endpoint.returncode == 0, endpoint.stdout + endpoint.stderr
    commit_all(root, "endpoint")
    return Adopted(
        shape,
        root,
        first,
        again,
        after_adopt,
        resource,
        endpoint,
        resource_again,
        before,
        after,
        python,
    )


# --- adopt ---------------------------------------------------------------------------


def test_adopt_writes_a_profile_and_keeps_the_pyproject_comments(adopted: Adopted) -> None:
    original = (FIXTURES / adopted.shape.fixture / "pyproject.toml").read_text()
    now = (adopted.root / "pyproject.toml").read_text()
    for line in original.splitlines():
        if line.strip().startswith("#"):
            assert line in now  # tomlkit kept the team's comments
    profile = adopted.profile
    for key in (
        "layout",
        "package",
        "models",
        "schemas",
        "services",
        "routers",
        "tests",
        "base",
        "router_registry",
        "api_prefix",
        "alembic_ini",
        "support_module",
        "client_fixture",
        "python",
        "auth_dependency",
    ):
        assert key in profile, key
    assert profile["tables"][adopted.shape.parent]["key_type"] == "uuid"
    assert "Found:" in adopted.adopt_first.stderr + adopted.adopt_first.stdout


def test_a_second_adopt_changes_nothing(adopted: Adopted) -> None:
    assert adopted.adopt_again.returncode == 0, adopted.adopt_again.stderr
    output = adopted.adopt_again.stdout + adopted.adopt_again.stderr
    assert " create " not in output and " update " not in output, output


def test_what_adopt_learned_matches_the_shape(adopted: Adopted) -> None:
    p = adopted.profile
    name = adopted.shape.fixture
    if name == "adopt_layered":
        assert p["layout"] == "layers"
        assert p["base"] == "app.db.base:Base"
        assert p["naming_convention"]["fk"].startswith("fk_")
        assert p["session_dependency"] == "app.db.session:get_async_db"
        assert p["auth_dependency"] == "app.core.security:get_current_user"
        assert (p["router_registry"], p["api_prefix"]) == (
            "app/api/routes/__init__.py:api_router",
            "/api",
        )
        assert (p["alembic_dir"], p["test_style"]) == ("alembic", "sync")
    elif name == "adopt_sqlmodel":
        assert (p["layout"], p["sqlmodel"]) == ("single-file", True)
        assert "session_dependency" not in p and p["sync_engine"] == "app.core.db:engine"
        assert p["api_prefix"] == "/api/v1"  # read from Settings.API_V1_STR's default
        assert p["alembic_dir"] == "app/alembic"
        assert set(p["tables"]) == {"user", "item"}
        assert p["auth_headers_fixture"] == "superuser_token_headers"
    else:
        assert (p["layout"], p["python"], p["package"]) == ("features", "3.12", "saas")
        assert p["file_template"].startswith("%(year)d_%(month).2d")
        assert p["test_style"] == "async"
        assert p["tables"]["workspaces"]["key_type"] == "bigint"


def test_the_generated_migration_chains_to_the_real_head_and_follows_file_template(
    adopted: Adopted,
) -> None:
    p = adopted.profile
    versions = adopted.root / p["alembic_dir"] / "versions"
    ours = [f for f in versions.iterdir() if "create_weekly_requirements" in f.name]
    assert len(ours) == 1
    text = ours[0].read_text()
    head = {
        "adopt_layered": "5e0b7a4d2c66",
        "adopt_sqlmodel": "fdae0e4116b6",
        "adopt_features": "9b2c3d4e5f6a",
    }[adopted.shape.fixture]
    assert f'down_revision = "{head}"' in text
    if adopted.shape.fixture == "adopt_features":
        assert ours[0].name[:4].isdigit() and "-" in ours[0].name  # the dated template


def test_the_router_and_model_are_registered_in_the_projects_registries(adopted: Adopted) -> None:
    p = adopted.profile
    registry = (adopted.root / p["router_registry"].partition(":")[0]).read_text()
    assert registry.count("include_router(weekly_requirements_router)") == 1
    models = (adopted.root / p["model_registry"]).read_text()
    assert models.count("import WeeklyRequirement") == 1


def test_the_reference_takes_the_parent_tables_uuid_key(adopted: Adopted) -> None:
    p = adopted.profile
    model = (adopted.root / p["models"].replace("{name}", "weekly_requirements")).read_text()
    assert f'ForeignKey("{adopted.shape.parent}.id"' in model.replace("\n", "").replace("  ", "")
    assert "Mapped[UUID]" in model


def test_a_second_identical_run_is_a_byte_identical_no_op(adopted: Adopted) -> None:
    assert adopted.resource_again.returncode == 0, adopted.resource_again.stderr
    assert without_reports(adopted.tree_after_again) == without_reports(adopted.tree_before_again)


# --- the project, run ------------------------------------------------------------------


def test_the_projects_own_tests_and_the_generated_tests_pass(adopted: Adopted) -> None:
    done = run_project_tests(adopted.root, adopted.python, "-v")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    ran = done.stdout
    assert "test_weekly_requirements.py::test_create_returns_201_and_the_row PASSED" in ran
    assert "test_weekly_requirements.py::test_routes_need_a_signed_in_user PASSED" in ran
    # The nested endpoint under the project's own table, and the project's own tests.
    assert "test_nested_list_of_unknown_" in ran or "list_under" in ran or "_by_" in ran
    own = [
        line for line in ran.splitlines() if "PASSED" in line and "weekly_requirements" not in line
    ]
    assert len(own) >= 10, ran[-3000:]
    generated = (
        adopted.root / adopted.profile["tests"].replace("{name}", "weekly_requirements")
    ).read_text()
    assert "test_routes_need_a_signed_in_user" in generated  # behind the project's auth


def test_ruff_with_the_projects_config_is_clean(adopted: Adopted) -> None:
    assert_ruff_clean(adopted.root)


@pytest.mark.pg
def test_the_migration_applies_on_postgresql_on_top_of_the_projects_own(
    adopted: Adopted, pg_server: pg_fixture.PgServer
) -> None:
    url = pg_fixture.make_database(pg_server)
    try:
        db_url = url.replace("postgresql+asyncpg", adopted.shape.pg_driver)
        env = {**os.environ, "DATABASE_URL": db_url, "ASYNC_DATABASE_URL": url}
        alembic_steps(str(adopted.python), adopted.root, env, downgrade="-1")
        tables = pg_server.psql(
            "SELECT data_type FROM information_schema.columns WHERE table_name = "
            f"'weekly_requirements' AND column_name = '{adopted.shape.field.partition(':')[0]}'",
            dbname=url.rsplit("/", 1)[1],
        )
        assert "uuid" in tables
    finally:
        pg_fixture.drop_database(pg_server, url)


# --- refusals ---------------------------------------------------------------------------


def test_a_raw_sql_project_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    root = copy_fixture("adopt_rawsql", tmp_path)
    before = tree(root)
    done = scaffold(root, "adopt")
    assert done.returncode == 2
    assert "no SQLAlchemy or SQLModel models" in done.stderr
    assert "Traceback" not in done.stderr
    assert tree(root) == before


def test_a_project_without_alembic_is_refused(tmp_path: Path) -> None:
    root = copy_fixture("adopt_layered", tmp_path)
    (root / "alembic.ini").unlink()
    commit_all(root, "no alembic")
    before = tree(root)
    done = scaffold(root, "adopt")
    assert done.returncode == 2, done.stderr
    assert "no Alembic set-up" in done.stderr and "alembic init" in done.stderr
    assert tree(root) == before


def test_a_hand_edit_of_the_profile_is_respected(tmp_path: Path) -> None:
    root = copy_fixture("adopt_layered", tmp_path)
    assert scaffold(root, "adopt").returncode == 0
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('api_prefix = "/api"', 'api_prefix = "/api/x"')
    )
    again = scaffold(root, "adopt")
    assert again.returncode == 0, again.stderr
    assert 'api_prefix = "/api/x"' in pyproject.read_text()


def test_a_project_without_pyproject_gets_a_minimal_one(tmp_path: Path) -> None:
    root = copy_fixture("adopt_layered", tmp_path)
    (root / "pyproject.toml").unlink()
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stderr
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["project"]["name"] == "adopt_layered"
    assert data["tool"]["scaffold"]["layout"] == "layers"


# --- every command after adopt (on the layered project) ----------------------------------


@pytest.fixture(scope="session")
def layered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fixture (a), adopted, with one generated resource, committed."""
    root = copy_fixture("adopt_layered", tmp_path_factory.mktemp("commands"))
    assert scaffold(root, "adopt").returncode == 0
    done = scaffold(root, *RESOURCE[:2], "person_id:ref=people", *RESOURCE[2:])
    assert done.returncode == 0, done.stderr
    commit_all(root, "adopted, one resource")
    return root


def test_field_add_rename_remove_version_the_api_under_the_projects_prefix(layered: Path) -> None:
    for args in (
        ("field", "add", "weekly_requirements", "note:text:optional"),
        ("field", "rename", "weekly_requirements", "note", "memo", "--approve"),
        ("field", "remove", "weekly_requirements", "memo", "--approve"),
    ):
        done = scaffold(layered, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    registry = (layered / "app/api/routes/__init__.py").read_text()
    assert "include_router(weekly_requirements_v2_router)" in registry
    assert "include_router(weekly_requirements_v3_router)" in registry
    v2 = (layered / "app/api/routes/weekly_requirements_v2.py").read_text()
    assert 'prefix="/v2"' in v2  # /api/v2/weekly-requirements beside /api/weekly-requirements
    tests = run_project_tests(layered)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert (
        "test_weekly_requirements_v2.py" in tests.stdout
        or (layered / "tests/test_weekly_requirements_v2.py").is_file()
    )
    git(layered, "checkout", "-q", ".")
    git(layered, "clean", "-fdq")


def test_index_missing_shows_the_diff_of_hand_written_models_and_waits_for_approve(
    layered: Path,
) -> None:
    before = tree(layered)
    refused = scaffold(layered, "index", "--missing")
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "--- a/app/models/person.py" in refused.stderr and "index=True" in refused.stderr
    assert without_reports(tree(layered)) == without_reports(before)
    done = scaffold(layered, "index", "--missing", "--approve")
    assert done.returncode == 0, done.stderr
    lint = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "app/models"],
        cwd=layered,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout  # the edit is formatted as the project formats
    git(layered, "checkout", "-q", ".")
    git(layered, "clean", "-fdq")


def test_verify_proves_the_change_with_the_projects_own_test_setup(layered: Path) -> None:
    done = scaffold(
        layered,
        "resource",
        "shift_notes",
        "person_id:ref=people",
        "body:text",
        "--verify",
        "--json",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    import json

    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks["migrations"]["passed"] and checks["alembic_check"]["passed"]
    assert checks["tests"]["passed"], checks["tests"]
    git(layered, "checkout", "-q", ".")
    git(layered, "clean", "-fdq")


def test_destroy_removes_only_what_scaffold_generated_and_undoes_its_registry_edits(
    layered: Path,
) -> None:
    done = scaffold(layered, "destroy", "weekly_requirements", "--approve")
    assert done.returncode == 0, done.stderr
    assert "weekly_requirements" not in (layered / "app/api/routes/__init__.py").read_text()
    assert "weekly_requirements" not in (layered / "app/models/__init__.py").read_text()
    assert (layered / "app/scaffold_support.py").is_file()  # shared: kept
    assert (layered / "app/models/person.py").is_file()
    tests = run_project_tests(layered)
    assert tests.returncode == 0, tests.stdout[-3000:]
    git(layered, "checkout", "-q", ".")
    git(layered, "clean", "-fdq")


def test_a_table_with_a_similar_name_is_warned_about(layered: Path) -> None:
    done = scaffold(
        layered, "resource", "person_weekly_requirements", "person_id:ref=people", "--dry-run"
    )
    assert done.returncode == 0, done.stderr
    assert "already has a table 'weekly_requirements'" in done.stdout + done.stderr


def test_check_reads_the_adopted_project(layered: Path) -> None:
    done = scaffold(layered, "check")
    assert done.returncode in (0, 1), done.stderr
    assert "Read " in done.stdout + done.stderr
    assert "weekly_requirements" not in done.stdout  # scaffold's own files pass its rules


def test_a_black_wrapped_merge_revision_is_one_head_in_any_project(tmp_path: Path) -> None:
    from scaffold.project.alembic_config import heads, read_revisions

    versions = FIXTURES / "adopt_layered/alembic/versions"
    graph = read_revisions(versions)
    assert heads(graph) == ["5e0b7a4d2c66"]
    assert graph["4d9a6f3c1b55"].down == ("2b7e4d1a9c33", "3c8f5e2b0a44")


def test_without_a_router_registry_the_lines_to_add_are_printed_and_handed_off(
    tmp_path: Path,
) -> None:
    root = copy_fixture("adopt_layered", tmp_path)
    assert scaffold(root, "adopt").returncode == 0
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace('router_registry = "app/api/routes/__init__.py:api_router"\n', "")
    )
    commit_all(root, "no registry")
    done = scaffold(root, "resource", "shift_notes", "body:text", "--json")
    assert done.returncode == 0, done.stderr
    import json

    out = json.loads(done.stdout)
    lines = "from app.api.routes.shift_notes import router as shift_notes_router"
    assert lines in done.stderr
    assert any(lines in h for h in out["report"]["handoff"]["ARCHITECT"]), out["report"]["handoff"]
    assert "shift_notes" not in (root / "app/api/routes/__init__.py").read_text()


def test_verify_says_why_a_postgresql_only_schema_cannot_be_proved_on_sqlite(layered: Path) -> None:
    from scaffold.project.alembic_config import heads, read_revisions

    versions = layered / "alembic/versions"
    (head,) = heads(read_revisions(versions))
    (versions / "6f1c0d9e8b77_add_people_tags.py").write_text(
        '"""add people tags"""\n\nfrom sqlalchemy.dialects import postgresql\n\n'
        f'revision = "6f1c0d9e8b77"\ndown_revision = "{head}"\n\n\n'
        "def upgrade() -> None:\n    postgresql.ARRAY  # noqa: B018\n\n\n"
        "def downgrade() -> None:\n    pass\n"
    )
    commit_all(layered, "a PostgreSQL-only revision")
    try:
        done = scaffold(
            layered,
            "field",
            "add",
            "weekly_requirements",
            "note:text:optional",
            "--verify",
            "--json",
        )
        import json

        checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
        assert checks["migrations"]["passed"] is None
        assert "PostgreSQL-only" in checks["migrations"]["detail"]
        assert "TEST_DATABASE_URL" in checks["migrations"]["detail"]
        assert checks["tests"]["passed"], checks["tests"]
    finally:
        git(layered, "reset", "-q", "--hard", "HEAD~1")
        git(layered, "clean", "-fdq")


@pytest.mark.pg
def test_verify_runs_the_round_trip_on_the_users_test_database(
    layered: Path, pg_server: pg_fixture.PgServer
) -> None:
    url = pg_fixture.make_database(pg_server)
    try:
        env = {
            **os.environ,
            "TEST_DATABASE_URL": url.replace("postgresql+asyncpg", "postgresql+psycopg"),
            "TEST_ASYNC_DATABASE_URL": url,
        }
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "scaffold",
                "field",
                "add",
                "weekly_requirements",
                "note:text:optional",
                "--verify",
                "--json",
            ],
            cwd=layered,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        import json

        checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
        assert checks["migrations"]["passed"] and checks["alembic_check"]["passed"], checks
        assert checks["tests"]["passed"], checks["tests"]
        # The round trip ran there: the database is at the new head.
        head = pg_server.psql(
            "SELECT version_num FROM alembic_version", dbname=url.rsplit("/", 1)[1]
        )
        assert head.strip()
    finally:
        pg_fixture.drop_database(pg_server, url)
        git(layered, "checkout", "-q", ".")
        git(layered, "clean", "-fdq")
