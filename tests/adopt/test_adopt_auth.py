"""``scaffold auth`` in a project scaffold did not create and that has no sign-in.

The fixture ``tests/fixtures/adopt_noauth`` is an internal service behind a VPN: package
``inventory``, plural module names, async sessions through ``get_db``, an Alembic history
of its own, routers collected by ``api_router`` under ``/api/v1``, async httpx tests that
migrate a throw-away database and empty every table after each test. It is adopted, given
sign-in, then an owned resource and one only admins write; its own suite (its tests, the
sign-in tests and the resources' tests) runs for real on SQLite and PostgreSQL, and the
served app is driven over HTTP with two users, an admin and nobody. A second fixture,
``tests/fixtures/adopt_sync_features``, is the other common shape: feature packages, sync
sessions only, routers included in the app under ``/api``, ``TestClient`` tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
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
    run_project_tests,
    scaffold,
    without_reports,
)
from tests.support.helpers import BIN, tree
from tests.support.served import (
    Api,
    alice_bob_admin_and_a_note,
    assert_scoped_to_its_owner,
    served_with_an_admin,
)

SHELVES = ("resource", "shelves", "code:str=20", "warehouse_id:ref=warehouses")
NOTES = ("resource", "notes", "body:text", "--owned")
BINS = ("resource", "bins", "label:str=40", "warehouse_id:ref=warehouses", "--admin-writes")
# Files of the project's own that sign-in must leave exactly as they were.
UNTOUCHED = (
    "inventory/main.py",
    "inventory/db.py",
    "inventory/settings.py",
    "migrations/env.py",
    "tests/conftest.py",
)
SIGN_IN_FILES = (
    "inventory/models/users.py",
    "inventory/schemas/users.py",
    "inventory/services/users.py",
    "inventory/routers/deps.py",
    "inventory/routers/auth.py",
    "inventory/routers/users.py",
    "inventory/users.py",
    "tests/factories/users.py",
    "tests/test_auth.py",
)


@dataclass(frozen=True)
class Adopted:
    root: Path
    before: dict[str, str]
    after_unapproved: dict[str, str]
    unapproved: subprocess.CompletedProcess[str]
    approved: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Adopted:
    root = copy_fixture("adopt_noauth", tmp_path_factory.mktemp("noauth"))
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    # A resource generated before sign-in: scaffold auth re-renders it protected.
    done = scaffold(root, *SHELVES)
    assert done.returncode == 0, done.stdout + done.stderr
    commit_all(root, "adopt")
    before = tree(root)
    unapproved = scaffold(root, "auth")
    after_unapproved = tree(root)
    approved = scaffold(root, "auth", "--approve")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    commit_all(root, "sign-in")
    for argv in (NOTES, BINS):
        done = scaffold(root, *argv)
        assert done.returncode == 0, done.stdout + done.stderr
    commit_all(root, "resources")
    return Adopted(
        root,
        before=before,
        after_unapproved=after_unapproved,
        unapproved=unapproved,
        approved=approved,
    )


def test_scaffold_auth_in_an_adopted_project_is_escalated_until_approved(adopted: Adopted) -> None:
    assert adopted.unapproved.returncode == 3, adopted.unapproved.stdout
    assert "security" in adopted.unapproved.stdout + adopted.unapproved.stderr
    assert without_reports(adopted.after_unapproved) == without_reports(adopted.before)


def test_sign_in_goes_into_the_projects_layout_and_registries(adopted: Adopted) -> None:
    root = adopted.root
    for rel in SIGN_IN_FILES:
        assert (root / rel).is_file(), rel
    for rel in UNTOUCHED:
        assert (root / rel).read_text() == (FIXTURES / "adopt_noauth" / rel).read_text(), rel
    registry = (root / "inventory/routers/__init__.py").read_text()
    assert "from inventory.routers.auth import router as auth_router" in registry
    assert "api_router.include_router(users_router)" in registry
    assert (
        "from inventory.models.users import User"
        in (root / "inventory/models/__init__.py").read_text()
    )
    migration = next((root / "migrations/versions").glob("*_create_users.py")).read_text()
    head = re.search(r'^down_revision = "(\w+)"', migration, re.M)
    shelves = next((root / "migrations/versions").glob("*_create_shelves.py")).read_text()
    below = re.search(r'^revision = "(\w+)"', shelves, re.M)
    assert below is not None and '"0afed532b9b6"' in shelves, "shelves on the project's head"
    assert head is not None and head.group(1) == below.group(1), "users on the single head"
    dependencies = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    for name in ("pwdlib[argon2]", "pyjwt", "limits", "python-multipart"):
        assert any(d.startswith(name) for d in dependencies), dependencies
    assert sum(d.startswith("pydantic-settings") for d in dependencies) == 1, "not named twice"
    support = (root / "inventory/scaffold_support.py").read_text()
    assert "class AuthSettings(BaseSettings)" in support and "def create_access_token" in support
    # The resources depend on scaffold's sign-in; the owned one is scoped by its service.
    notes = (root / "inventory/routers/notes.py").read_text()
    assert "from inventory.routers.deps import CurrentUser" in notes
    assert "owner=user" in notes
    bins = (root / "inventory/routers/bins.py").read_text()
    assert "Depends(current_admin)" in bins
    shelves = (root / "inventory/routers/shelves.py").read_text()
    assert "dependencies=[Depends(current_user)]" in shelves, "re-rendered protected"
    report = re.search(r"^Report: (\S+)", adopted.approved.stdout, re.M)
    assert report is not None, adopted.approved.stdout
    handoff = (root / report.group(1)).read_text()
    assert "python -m inventory.users create-admin" in handoff
    assert "SECRET_KEY" in handoff
    assert "'fastapi>=0.111'" in handoff and "`fastapi>=0.115`" in handoff, "its floor is too old"


def test_a_second_scaffold_auth_points_to_the_sign_in_it_has(adopted: Adopted) -> None:
    before = tree(adopted.root)
    done = scaffold(adopted.root, "auth", "--approve")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "inventory.routers.deps" in done.stdout + done.stderr
    assert tree(adopted.root) == before


@pytest.mark.e2e
def test_the_projects_suite_passes_with_sign_in_and_owner_scoping(adopted: Adopted) -> None:
    done = run_project_tests(adopted.root, sys.executable, "-v")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    ran = done.stdout
    generated_auth = (adopted.root / "tests/test_auth.py").read_text()
    names = re.findall(r"^(?:async )?def (test_\w+)", generated_auth, re.M)
    assert len(names) >= 15
    for name in names:
        assert f"tests/test_auth.py::{name} PASSED" in ran, name
    for name in (
        "test_notes.py::test_routes_need_a_signed_in_user",
        "test_notes.py::test_a_new_row_belongs_to_the_signed_in_user",
        "test_notes.py::test_another_users_row_is_not_found",
        "test_notes.py::test_an_admin_sees_every_row",
        "test_bins.py::test_writes_need_an_admin",
        "test_shelves.py::test_routes_need_a_signed_in_user",  # protected by scaffold auth
        "test_bins.py::test_create_returns_201_and_the_row",
        "test_warehouses.py::",  # the project's own tests still pass
    ):
        assert re.search(rf"{re.escape(name)}\w* PASSED", ran), name


@pytest.mark.e2e
def test_ruff_and_mypy_strict_are_clean_on_the_sign_in_code(adopted: Adopted) -> None:
    assert_ruff_clean(adopted.root)
    done = subprocess.run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--no-incremental",
            "inventory/scaffold_support.py",
            *SIGN_IN_FILES,
        ],
        cwd=adopted.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.pg
@pytest.mark.e2e
def test_migrations_and_the_suite_pass_on_postgresql(
    adopted: Adopted, pg_server: pg_fixture.PgServer
) -> None:
    url = pg_fixture.make_database(pg_server)
    try:
        env = {k: v for k, v in os.environ.items() if "DATABASE_URL" not in k}
        env["DATABASE_URL"] = url
        alembic_steps(sys.executable, adopted.root, env)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore"],
            cwd=adopted.root,
            capture_output=True,
            text=True,
            check=False,
            env={**env, "TEST_DATABASE_URL": url},
        )
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        assert " skipped" not in done.stdout.splitlines()[-1], "PostgreSQL enforces foreign keys"
    finally:
        pg_fixture.drop_database(pg_server, url)


@pytest.fixture(scope="module")
def served(adopted: Adopted, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The adopted app under uvicorn on a migrated SQLite file, with its first admin made
    by `python -m inventory.users create-admin`."""
    folder = tmp_path_factory.mktemp("served-noauth")
    env = {k: v for k, v in os.environ.items() if "DATABASE_URL" not in k}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{folder}/inventory.db", SECRET_KEY="k" * 48)
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=adopted.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    log = folder / "uvicorn.log"
    with served_with_an_admin(
        adopted.root, env, log, users="inventory.users", app="inventory.main:app", live="/healthz"
    ) as api:
        yield api


@pytest.mark.e2e
def test_the_served_app_scopes_owned_rows_to_their_owner(served: Api) -> None:
    alice, bob, admin, note = alice_bob_admin_and_a_note(served)
    assert_scoped_to_its_owner(served, "/api/v1/notes", note, alice, bob, admin)

    # The project's own routes stay as they were: open (it runs behind a VPN).
    assert served.call("GET", "/api/v1/warehouses")[0] == 200
    status, _, warehouse = served.call(
        "POST", "/api/v1/warehouses", {"name": "North", "city": "Oslo"}
    )
    assert status == 201, warehouse
    assert isinstance(warehouse, dict)
    # Admin-only writes; users nobody but an admin may list.
    bin_row = {"label": "A-1", "warehouse_id": warehouse["id"]}
    assert served.call("POST", "/api/v1/bins", bin_row, alice)[0] == 403
    assert served.call("POST", "/api/v1/bins", bin_row, admin)[0] == 201
    assert served.call("GET", "/api/v1/bins", token=alice)[0] == 200
    assert served.call("GET", "/api/v1/users", token=alice)[0] == 403
    status, _, users = served.call("GET", "/api/v1/users", token=admin)
    assert status == 200 and isinstance(users, dict) and users["total"] == 3
    status, headers, problem = served.call("GET", "/api/v1/users/me", token=alice + "x")
    assert status == 401 and headers["www-authenticate"] == "Bearer", problem
    assert headers["content-type"].startswith("application/problem+json")
    status, _, me = served.call("GET", "/api/v1/users/me", token=bob)
    assert status == 200 and isinstance(me, dict) and me["email"] == "bob@example.com"
    assert "hashed_password" not in me and "password" not in me


@pytest.mark.e2e
def test_a_generated_table_is_renamed_in_the_projects_layout_and_registries(
    adopted: Adopted, tmp_path: Path
) -> None:
    root = tmp_path / "inventory"
    shutil.copytree(adopted.root, root)
    done = scaffold(root, "rename", "shelves", "racks", "--approve")
    assert done.returncode == 0, done.stdout + done.stderr
    registry = (root / "inventory/routers/__init__.py").read_text()
    assert "shelves" not in registry
    assert "api_router.include_router(racks_router)" in registry
    main = (root / "inventory/main.py").read_text()
    assert 'app.include_router(racks_v2_router, prefix="/api/v2")' in main
    models = (root / "inventory/models/__init__.py").read_text()
    assert "Rack" in models and "Shelf" not in models
    assert not (root / "inventory/models/shelves.py").exists()
    assert 'ITEMS = "/api/v1/shelves"' in (root / "tests/test_racks.py").read_text()
    report = re.search(r"^Report: (\S+)", done.stdout, re.M)
    assert report is not None
    assert "no model of the project's own has a foreign key" in (root / report.group(1)).read_text()
    ran = run_project_tests(root, sys.executable, "-v")
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    for name in (
        "test_racks.py::test_create_returns_201_and_the_row",
        "test_racks_v2.py::test_get_returns_the_row",
    ):
        assert f"{name} PASSED" in ran.stdout, name


# --- a sync project: feature packages, sync sessions only, TestClient tests ---------------


@pytest.fixture(scope="module")
def sync_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``adopt_sync_features``: a clinic service with sync SQLAlchemy only, routers
    included in the app under ``/api``; adopted, given a resource two tables deep (a
    prescription needs a visit, which needs a patient), sign-in and an owned resource."""
    root = copy_fixture("adopt_sync_features", tmp_path_factory.mktemp("sync"))
    for argv in (
        ("adopt",),
        ("resource", "prescriptions", "visit_id:ref=visits", "drug:str=80", "dose_mg:int:min=1"),
        ("auth", "--approve"),
        ("resource", "memos", "body:text", "--owned"),
    ):
        done = scaffold(root, *argv)
        assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"
        commit_all(root, " ".join(argv))
    return root


@pytest.mark.e2e
def test_sign_in_in_a_sync_project_passes_its_suite_in_the_projects_test_style(
    sync_project: Path,
) -> None:
    tests = (sync_project / "tests/test_auth.py").read_text()
    assert "async def" not in tests and "await " not in tests, "TestClient style"
    assert (sync_project / "clinic/manage_users.py").is_file(), "clinic/users/ is a feature"
    main = (sync_project / "clinic/main.py").read_text()
    assert 'app.include_router(auth_router, prefix="/api")' in main
    assert 'tokenUrl="/api/auth/token"' in (sync_project / "clinic/auth/deps.py").read_text()
    done = run_project_tests(sync_project, sys.executable, "-v")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    ran = done.stdout
    names = re.findall(r"^def (test_\w+)", tests, re.M)
    assert len(names) >= 15
    for name in names:
        assert f"tests/test_auth.py::{name} PASSED" in ran, name
    for name in (
        "test_memos.py::test_another_users_row_is_not_found",
        "test_memos.py::test_an_admin_sees_every_row",
        "test_prescriptions.py::test_create_returns_201_and_the_row",
        "test_prescriptions.py::test_routes_need_a_signed_in_user",
    ):
        assert f"{name} PASSED" in ran, name
    # The factory of the project's visits makes the patient a visit needs first.
    assert "def create_patient" in (sync_project / "tests/factories/patients.py").read_text()
