"""Sign-in and ownership: `scaffold new` (auth on), `scaffold auth`, `--owned`, `--public`,
`--admin-writes`, and the served app's scoping matrix with two users and an admin.

One project is generated per session (`scaffold new --auth`, then an owned, an admin-written
and a public resource); its app is served by uvicorn for the matrix. The suite, lint, types
and migrations of a project with sign-in are proved on the larger clinic domain
(tests/e2e/test_clinic_domain.py), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.copier_update import commit_all, git
from tests.support.helpers import BIN, db_env, run, scaffold, tree
from tests.support.projects import verify_generated_project
from tests.support.served import (
    Api,
    alice_bob_admin_and_a_note,
    assert_scoped_to_its_owner,
    served_with_an_admin,
)

NOTES = ["resource", "notes", "body:text", "--owned"]
ROOMS = ["resource", "rooms", "name:str=80", "--admin-writes"]
BOOKINGS = ["resource", "bookings", "room_id:ref=rooms", "starts_at:datetime", "--owned"]
POSTERS = ["resource", "posters", "title:str=80", "--public"]
COMMENTS = [
    "resource",
    "comments",
    "note_id:ref=notes:ondelete=cascade",
    "body:text",
    "--parent",
    "notes",
]


@pytest.fixture(scope="session")
def auth_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`scaffold new` with sign-in, an owned resource, an admin-written one, an owned
    child of it, a child nested under the owned one, and a public one."""
    root = tmp_path_factory.mktemp("auth") / "notes_app"
    result = scaffold("new", str(root), "--defaults", "--auth")
    assert result.exit_code == 0, result.output
    git(root, "init", "-q")
    commit_all(root, "new project")
    for argv in (NOTES, ROOMS, BOOKINGS, COMMENTS):
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, result.output
    result = scaffold(*POSTERS, "--approve", project=root)
    assert result.exit_code == 0, result.output
    commit_all(root, "resources")
    return root


def test_generated_routes_depend_on_the_signed_in_user(auth_project: Path) -> None:
    notes = (auth_project / "app/api/v1/notes.py").read_text()
    assert "user: CurrentUser" in notes and "NoteService(session, owner=user)" in notes
    rooms = (auth_project / "app/api/v1/rooms.py").read_text()
    assert "dependencies=[Depends(current_user)]" in rooms
    assert rooms.count("dependencies=[Depends(current_admin)]") == 3  # POST, PATCH, DELETE
    posters = (auth_project / "app/api/v1/posters.py").read_text()
    assert "current_user" not in posters and "CurrentUser" not in posters
    schemas = (auth_project / "app/schemas/notes.py").read_text()
    create = schemas.split("class NoteCreate", 1)[1].split("class NoteUpdate", 1)[0]
    assert "owner_id" not in create, "the owner is never taken from the body"


@pytest.fixture(scope="module")
def served(auth_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The auth project's app under uvicorn on a migrated SQLite file, and its first admin
    made with `python -m app.users create-admin`."""
    folder = tmp_path_factory.mktemp("served")
    url = f"sqlite+aiosqlite:///{folder}/app.db"
    env = {
        **os.environ,
        **db_env(url),
        "SECRET_KEY": "s" * 48,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("PYTEST_ADDOPTS", None)
    run(auth_project, "alembic", "upgrade", "head", env=env)
    with served_with_an_admin(auth_project, env, folder / "uvicorn.log") as api:
        yield api


@pytest.mark.e2e
def test_the_served_app_scopes_owned_rows_to_their_owner(served: Api) -> None:
    alice, bob, admin, note = alice_bob_admin_and_a_note(served)
    url = f"/api/v1/notes/{note['id']}"
    comments = f"{url}/comments"
    assert served.call("POST", comments, {"body": "mine"}, alice)[0] == 201
    assert served.call("GET", comments, token=bob)[0] == 404, "another's note has no comments"
    assert served.call("POST", comments, {"body": "spam"}, bob)[0] == 404
    assert served.call("GET", comments, token=admin)[0] == 200
    assert_scoped_to_its_owner(served, "/api/v1/notes", note, alice, bob, admin)

    # Admin-only writes, public routes, and the user routes nobody else may list.
    assert served.call("POST", "/api/v1/rooms", {"name": "A"}, alice)[0] == 403
    assert served.call("POST", "/api/v1/rooms", {"name": "A"}, admin)[0] == 201
    assert served.call("GET", "/api/v1/rooms", token=alice)[0] == 200
    assert served.call("GET", "/api/v1/posters")[0] == 200
    assert served.call("GET", "/api/v1/users", token=alice)[0] == 403
    assert served.call("GET", "/api/v1/users")[0] == 401
    status, _, users = served.call("GET", "/api/v1/users", token=admin)
    assert status == 200 and isinstance(users, dict) and users["total"] == 3
    status, headers, problem = served.call("GET", "/api/v1/users/me", token=alice + "x")
    assert status == 401 and headers["www-authenticate"] == "Bearer", problem
    assert headers["content-type"].startswith("application/problem+json")
    status, _, me = served.call("GET", "/api/v1/users/me", token=bob)
    assert status == 200 and isinstance(me, dict) and me["email"] == "bob@example.com"
    assert "hashed_password" not in me and "password" not in me


def test_the_openapi_document_shows_the_security_scheme_and_401s(served: Api) -> None:
    status, _, document = served.call("GET", "/openapi.json")
    assert status == 200 and isinstance(document, dict)
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("type") == "oauth2" for s in schemes.values())
    note_routes = document["paths"]["/api/v1/notes/{note_id}"]
    for method in ("get", "patch", "delete"):
        assert "401" in note_routes[method]["responses"], method
        assert note_routes[method].get("security"), method
    assert "security" not in document["paths"]["/api/v1/posters"]["get"]


# --- the commands ----------------------------------------------------------------


def test_scaffold_auth_is_escalated_and_writes_nothing_without_approve(project: Path) -> None:
    before = tree(project)
    result = scaffold("auth", project=project)
    assert result.exit_code == 3, result.output
    assert "security" in result.output and "--approve" in result.output
    assert tree(project) == before


def test_scaffold_auth_in_a_project_with_sign_in_points_to_it(auth_project: Path) -> None:
    before = tree(auth_project)
    result = scaffold("auth", "--approve", project=auth_project)
    assert result.exit_code == 2, result.output
    assert "CurrentUser" in result.output
    assert tree(auth_project) == before


def test_a_public_resource_is_escalated_in_a_project_with_sign_in(auth_project: Path) -> None:
    before = tree(auth_project)
    result = scaffold("resource", "banners", "title:str", "--public", project=auth_project)
    assert result.exit_code == 3, result.output
    assert "--public" in result.output
    assert tree(auth_project) == before


def test_owned_and_admin_writes_need_sign_in(project: Path) -> None:
    before = tree(project)
    for argv in (NOTES, ROOMS):
        result = scaffold(*argv, project=project)
        assert result.exit_code == 2, result.output
        assert "scaffold auth --approve" in result.output
    assert tree(project) == before


def test_an_owned_resource_refuses_its_own_owner_id_field(auth_project: Path) -> None:
    result = scaffold(
        "resource", "memos", "owner_id:ref=users", "body:text", "--owned", project=auth_project
    )
    assert result.exit_code == 2, result.output
    assert "owner_id" in result.output and "memos body:text --owned" in result.output


def test_new_without_auth_is_a_public_api_and_says_so(tmp_path: Path) -> None:
    root = tmp_path / "open"
    result = scaffold("new", str(root), "--defaults", "--no-auth")
    assert result.exit_code == 0, result.output
    assert "public" in result.output
    assert not (root / "app/models/users.py").exists()
    assert not (root / "app/api/deps.py").exists()
    result = scaffold("resource", "rooms", "name:str", project=root)
    assert result.exit_code == 0, result.output
    assert "Depends(current_user)" not in (root / "app/api/v1/rooms.py").read_text()


# The last commit whose template predates sign-in.
BEFORE_AUTH = "dd044c1"


@pytest.mark.e2e
def test_a_project_from_before_sign_in_takes_it_through_copier_update_and_scaffold_auth(
    tmp_path: Path,
) -> None:
    from tests.support.copier_update import (
        conflict_leftovers,
        project_from_release,
        read_answers,
        resource_files,
        update_to_working_tree,
    )

    template, dst = project_from_release(tmp_path, BEFORE_AUTH)
    resources = resource_files(dst)
    assert scaffold("auth", "--approve", project=dst).exit_code == 2, "the template is too old"
    update_to_working_tree(template, dst)
    assert conflict_leftovers(dst) == []
    assert read_answers(dst)["auth"] is False, "an update never turns sign-in on"
    assert resource_files(dst) == resources, "the update leaves generated resources alone"
    assert not (dst / "app/models/users.py").exists()
    commit_all(dst, "copier update")

    weekly_revision = next(
        p.name.split("_")[0]
        for p in (dst / "migrations/versions").glob("*_create_weekly_requirements.py")
    )
    refused = scaffold("auth", project=dst)
    assert refused.exit_code == 3, refused.output
    result = scaffold("auth", "--approve", project=dst)
    assert result.exit_code == 0, result.output
    assert conflict_leftovers(dst) == []
    users = next((dst / "migrations/versions").glob("*_create_users.py")).read_text()
    assert f'down_revision = "{weekly_revision}"' in users, "chained to the project's head"
    router = (dst / "app/api/v1/residents.py").read_text()
    assert "dependencies=[Depends(current_user)]" in router
    verify_generated_project(dst, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"))


@pytest.mark.e2e
def test_protecting_and_opening_a_resource_is_escalated_and_needs_no_migration(
    auth_project: Path, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(auth_project, root)
    migrations = sorted(p.name for p in (root / "migrations/versions").glob("*.py"))
    before = tree(root)
    protect = ["resource", "posters", "title:str=80"]  # the same resource, without --public
    refused = scaffold(*protect, project=root)
    assert refused.exit_code == 3, refused.output
    assert "who may call the posters routes" in refused.output
    assert tree(root) == before
    result = scaffold(*protect, "--approve", project=root)
    assert result.exit_code == 0, result.output
    assert "dependencies=[Depends(current_user)]" in (root / "app/api/v1/posters.py").read_text()
    assert "sign_in" in (root / "tests/test_posters.py").read_text()
    assert sorted(p.name for p in (root / "migrations/versions").glob("*.py")) == migrations

    opened = scaffold("mission", "open the rooms API to everyone", project=root)
    assert opened.exit_code == 3, opened.output
    result = scaffold("mission", "open the rooms API to everyone", "--approve", project=root)
    assert result.exit_code == 0, result.output
    rooms = (root / "app/api/v1/rooms.py").read_text()
    assert "current_user" not in rooms and "current_admin" not in rooms
    assert sorted(p.name for p in (root / "migrations/versions").glob("*.py")) == migrations


def test_sign_in_missions_are_escalated_and_write_nothing(project: Path) -> None:
    before = tree(project)
    for sentence in ("add sign-in with email and password", "protect the rooms routes"):
        result = scaffold("mission", sentence, project=project)
        assert result.exit_code == 3, result.output
    assert tree(project) == before


def test_scaffold_auth_leaves_a_project_with_its_own_sign_in_alone(tmp_path: Path) -> None:
    root = tmp_path / "adopted"
    (root / "migrations/versions").mkdir(parents=True)
    (root / "migrations/env.py").write_text("# Alembic env\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "adopted"\n\n[tool.scaffold]\nlayout = "layers"\n'
        'package = "app"\nmodels = "app/models/{name}.py"\nschemas = "app/schemas/{name}.py"\n'
        'services = "app/services/{name}.py"\nrouters = "app/api/{name}.py"\n'
        'tests = "tests/test_{name}.py"\nfactories = "tests/factories/{name}.py"\n'
        'support_module = "app/scaffold_support.py"\nbase = "app.db:Base"\n'
        'auth_dependency = "app.deps:get_current_user"\n'
    )
    before = tree(root)
    result = scaffold("auth", "--approve", project=root)
    assert result.exit_code == 2, result.output
    assert "app.deps:get_current_user" in result.output
    assert tree(root) == before


def test_a_required_reference_to_owned_rows_owns_the_resource_through_it(
    auth_project: Path,
) -> None:
    before = tree(auth_project)
    result = scaffold("resource", "memos", "note_id:ref=notes", "--dry-run", project=auth_project)
    assert result.exit_code == 0, result.output
    assert "memos rows are owned through note_id" in result.output
    assert '+    __owned_through__ = "note_id"' in result.output
    assert tree(auth_project) == before


def test_public_is_refused_for_a_resource_owned_through_a_reference(auth_project: Path) -> None:
    before = tree(auth_project)
    argv = ["resource", "banners", "note_id:ref=notes", "--public", "--approve"]
    result = scaffold(*argv, project=auth_project)
    assert result.exit_code == 2, result.output
    assert "banners is owned through note_id" in result.output
    assert "--public cannot open its routes" in result.output
    assert "Example: scaffold resource banners note_id:ref=notes\n" in result.output
    assert tree(auth_project) == before


def test_an_optional_reference_to_owned_rows_says_what_stays_shared(
    auth_project: Path,
) -> None:
    before = tree(auth_project)
    argv = ["resource", "memos", "note_id:ref=notes:optional"]
    result = scaffold(*argv, "--dry-run", "--json", project=auth_project)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    said = "a user can point a memo only at their own notes"
    assert any(said in line for line in data["report"]["handoff"]["ARCHITECT"])
    assert tree(auth_project) == before


def test_public_is_refused_for_a_resource_that_may_reference_owned_rows(
    auth_project: Path,
) -> None:
    """A public route acts for nobody: it could only embed another user's rows (the
    domain fuzzer's leak) or refuse every one, so the combination is bad input."""
    before = tree(auth_project)
    argv = ["resource", "banners", "note_id:ref=notes:optional", "--public", "--approve"]
    result = scaffold(*argv, project=auth_project)
    assert result.exit_code == 2, result.output
    assert "banners references notes, whose rows are their owner's alone" in result.output
    assert "Example: scaffold resource banners note_id:ref=notes:optional\n" in (result.output)
    assert tree(auth_project) == before


def test_new_leaves_nothing_when_adding_sign_in_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scaffold.commands.new as new

    def fail(directory: Path) -> None:
        raise RuntimeError("sign-in could not be planned")

    monkeypatch.setattr(new, "_add_auth", fail)
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (tmp_path / "missing", empty):
        with pytest.raises(RuntimeError):
            new.new_project(folder, defaults=True, db=None, data=[])
    assert not (tmp_path / "missing").exists()
    assert empty.is_dir() and not any(empty.iterdir())
