"""A realistic domain, built with the README's commands and probed as a second user.

Ten resources of a clinic: clinics; practitioners and a one-to-one profile with
admin-only writes; treatments anyone reads and only admins write; public conditions;
owned patients with UUID keys and a many-to-many to conditions; appointments with UUID keys nested under patients (a
composite unique, a CHECK and an enum); invoices and notes below appointments (owned
through them, two levels down); availability slots that only may point at an
appointment, and are listed under it; then its history: a field rename that opens v2, two
missions, the missing indexes and a table rename, each command proved before it is written.
Its own suite runs in random order on SQLite with every setting exported to a non-default
value, and on PostgreSQL; its app is served by uvicorn and probed by Bob, a plain user,
on every path to Alice's rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from tests.support.helpers import BIN, db_env, passed_count, run, scaffold
from tests.support.openapi_client import (
    app_document,
    assert_client_builds_every_route,
    openapi_client_generator,
)
from tests.support.pg_fixture import drop_database, make_database
from tests.support.projects import verify_generated_project
from tests.support.schemathesis_probe import run_schemathesis
from tests.support.served import Api, served_with_an_admin, uvicorn

__all__ = ["openapi_client_generator"]  # a fixture

DOMAIN = [
    ["resource", "clinics", "name:str=120:unique", "city:str=80"],
    ["resource", "practitioners", "clinic_id:ref=clinics", "name:str=120", "--admin-writes"],
    [
        "resource",
        "practitioner_profiles",
        "practitioner_id:ref=practitioners:unique",
        "bio:text",
        "--admin-writes",
    ],
    [
        "resource",
        "treatments",
        "name:str=80:unique",
        "price:decimal=10,2",
        "--public",
        "--admin-writes",
        "--approve",
    ],
    ["resource", "conditions", "name:str=80:unique", "--public", "--approve"],
    [
        "resource",
        "patients",
        "name:str=120",
        "email:str:unique",
        "birth_date:date",
        "insurance_no:str=20:unique",
        "conditions:many=conditions",
        "--owned",
        "--id",
        "uuid",
    ],
    [
        "resource",
        "appointments",
        "patient_id:ref=patients:ondelete=cascade",
        "practitioner_id:ref=practitioners",
        "starts_at:datetime",
        "ends_at:datetime",
        "status:enum=booked,done,cancelled:default=booked",
        "--parent",
        "patients",
        "--id",
        "uuid",
        "--unique",
        "patient_id,starts_at",
        "--check",
        "starts_at<ends_at",
    ],
    [
        "resource",
        "invoices",
        "appointment_id:ref=appointments:ondelete=cascade",
        "amount:decimal=10,2:min=0",
        "number:str=20:unique",
    ],
    [
        "resource",
        "availability_slots",
        "practitioner_id:ref=practitioners",
        "starts_at:datetime",
        "appointment_id:ref=appointments:optional",
    ],
    [
        "resource",
        "notes",
        "appointment_id:ref=appointments:ondelete=cascade",
        "body:text",
        "--parent",
        "appointments",
    ],
    ["endpoint", "GET /api/v1/appointments/{id}/availability-slots"],
]
# Then the domain's history, as a team lives it: a field rename that opens v2, two
# missions (one infers a reference to clinics), the missing indexes, a table rename.
HISTORY = [
    ["field", "rename", "patients", "name", "full_name", "--approve"],
    ["mission", "add a priority enum low|medium|high to appointments", "--approve"],
    ["mission", "add rooms table for clinics"],
    ["index", "--missing"],
    ["rename", "clinics", "sites", "--approve"],
]
PROVED = ("tests", "migrations", "alembic_check", "app_import")

# Every setting the app reads, exported to a valid value that is not its default: the
# generated suite must not depend on the shell it runs in.
EXPORTED = {
    "APP_NAME": "exported",
    "ENVIRONMENT": "prod",
    "SECRET_KEY": "e" * 48,
    "CORS_ORIGINS": "https://exported.example",
    "DB_POOL_SIZE": "2",
    "DB_MAX_OVERFLOW": "1",
    "DB_POOL_RECYCLE": "60",
    "DB_POOL_TIMEOUT": "5",
    "MAX_BODY_BYTES": "2048",
    "RATE_LIMIT_DEFAULT": "2/minute",
    "RATE_LIMIT_STORAGE_URI": "memory://",
    "ACCESS_TOKEN_EXPIRE_MINUTES": "2",
    "REGISTRATION_OPEN": "false",
    "LOGIN_RATE_LIMIT": "50/hour",
    "REGISTRATION_RATE_LIMIT": "1/hour",
    "PASSWORD_MIN_LENGTH": "20",
    "DOCS_ENABLED": "false",
    "LOG_LEVEL": "ERROR",
    "LOG_FORMAT": "json",
    "WEB_CONCURRENCY": "3",
    "DEBUG": "true",
}
ALICE, BOB = ("alice@example.com", "alice-password-1"), ("bob@example.com", "bob-password-12")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    """The domain and its history built with the commands, each proved before it was
    written (the default); with each command's checks."""
    root = tmp_path_factory.mktemp("domain") / "clinic"
    result = scaffold("new", str(root), "--defaults")
    assert result.exit_code == 0, result.output
    checks = {}
    for argv in DOMAIN + HISTORY:
        result = scaffold(*argv, "--json", project=root, prove=True)
        assert result.exit_code == 0, f"{argv}: {result.output}"
        data = json.loads(result.stdout)
        checks[" ".join(argv)] = {c["name"]: c for c in data["checks"]}
    return root, checks


@pytest.fixture(scope="module")
def clinic(built: tuple[Path, dict[str, dict]]) -> Path:
    return built[0]


def test_every_command_of_the_domain_and_its_history_was_proved(
    built: tuple[Path, dict[str, dict]],
) -> None:
    _, checks = built
    unproved = {
        command: {name: found[name]["detail"] for name in PROVED if not found[name]["passed"]}
        for command, found in checks.items()
        if found  # a command with nothing to write (no missing index) proves nothing
    }
    assert not {k: v for k, v in unproved.items() if v}, unproved
    assert len([found for found in checks.values() if found]) >= len(DOMAIN) + len(HISTORY) - 1


def test_the_rename_serves_the_old_path_in_v1_and_the_new_one_in_v2(clinic: Path) -> None:
    paths = app_document(clinic)["paths"]
    assert {"/api/v1/clinics", "/api/v2/sites", "/api/v1/rooms"} <= set(paths)
    assert "/api/v2/patients" in paths and "/api/v1/sites" not in paths
    rooms = (clinic / "app/models/rooms.py").read_text()
    assert "sites.id" in rooms and "clinics" not in rooms.replace("clinic_id", "")


@pytest.mark.e2e
def test_openapi_python_client_builds_every_route_of_v1_and_v2(
    clinic: Path, openapi_client_generator: Path, tmp_path: Path
) -> None:
    document = app_document(clinic)
    versions = {path.split("/")[2] for path in document["paths"] if path.startswith("/api/")}
    assert versions == {"v1", "v2"}
    assert_client_builds_every_route(document, openapi_client_generator, tmp_path, "clinic_client")


@pytest.mark.e2e
def test_schemathesis_finds_no_server_error_and_no_conformance_failure(
    clinic: Path, tmp_path: Path
) -> None:
    proc = run_schemathesis(clinic, tmp_path, max_examples=6, signed_in=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert passed_count(proc.stdout) >= 70, proc.stdout[-2000:]  # every operation


def test_rows_reached_through_an_owned_row_are_owned_through_it(clinic: Path) -> None:
    models = clinic / "app/models"
    assert '__owner__ = "owner_id"' in (models / "patients.py").read_text()
    assert '__owned_through__ = "patient_id"' in (models / "appointments.py").read_text()
    assert '__owned_through__ = "appointment_id"' in (models / "invoices.py").read_text()
    assert '__owned_through__ = "appointment_id"' in (models / "notes.py").read_text()
    # An optional reference is a link, not ownership: slots stay shared.
    assert "__owned" not in (models / "availability_slots.py").read_text()
    assert "__owned" not in (models / "practitioners.py").read_text()


def test_unique_rules_of_owned_resources_hold_per_owner(clinic: Path) -> None:
    patients = (clinic / "app/models/patients.py").read_text()
    assert 'UniqueConstraint("owner_id", "insurance_no")' in patients
    assert 'UniqueConstraint("owner_id", "email")' in patients
    invoices = (clinic / "app/models/invoices.py").read_text()
    assert 'UniqueConstraint("appointment_id", "number")' in invoices


@pytest.mark.e2e
def test_the_domain_passes_its_own_suite_with_every_setting_exported(
    clinic: Path, tmp_path: Path
) -> None:
    env = {**EXPORTED, **db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db")}
    verify_generated_project(clinic, env=env, min_tests=300)


@pytest.mark.e2e
@pytest.mark.pg
def test_the_domain_passes_its_own_suite_and_round_trips_on_postgresql(
    clinic: Path, pg_url: str
) -> None:
    verify_generated_project(clinic, env=db_env(pg_url), min_tests=300, static=False)


def _env(folder: Path, url: str | None = None, **settings: str) -> dict[str, str]:
    url = url or f"sqlite+aiosqlite:///{folder}/app.db"
    env = {
        **{k: v for k, v in os.environ.items() if k not in EXPORTED},
        **db_env(url),
        **settings,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("PYTEST_ADDOPTS", None)
    return env


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def served(
    request: pytest.FixtureRequest, clinic: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """The clinic's app under uvicorn, on a migrated SQLite file or PostgreSQL database."""
    folder = tmp_path_factory.mktemp("served-clinic")
    url = None
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        url = make_database(server)
        request.addfinalizer(lambda: drop_database(server, url or ""))
    env = _env(folder, url, SECRET_KEY="s" * 48)
    run(clinic, "alembic", "upgrade", "head", env=env)
    with served_with_an_admin(clinic, env, folder / "uvicorn.log") as api:
        yield api


def _made(api: Api, path: str, body: dict, token: str) -> dict:
    status, _, row = api.call("POST", path, body, token)
    assert status == 201, (path, row)
    assert isinstance(row, dict)
    return row


@pytest.mark.e2e
def test_another_user_reaches_none_of_alices_rows_by_any_path(served: Api) -> None:
    alice, bob = served.sign_up(*ALICE), served.sign_up(*BOB)
    admin = served.token("boss@example.com", "a-long-admin-password")
    clinic = _made(served, "/api/v1/clinics", {"name": "North", "city": "Oslo"}, admin)
    doctor = _made(
        served, "/api/v1/practitioners", {"clinic_id": clinic["id"], "name": "Dr. A"}, admin
    )
    asthma = _made(served, "/api/v1/conditions", {"name": "asthma"}, alice)
    person = {"name": "Ann", "birth_date": "1990-01-02", "insurance_no": "INS-1"}
    patient = _made(
        served,
        "/api/v1/patients",
        {**person, "email": "ann@example.com", "condition_ids": [asthma["id"]]},
        alice,
    )
    visit = {
        "practitioner_id": doctor["id"],
        "starts_at": "2030-01-01T09:00:00Z",
        "ends_at": "2030-01-01T10:00:00Z",
        "priority": "low",  # the mission of the domain's history made it required
    }
    appointment = _made(served, f"/api/v1/patients/{patient['id']}/appointments", visit, alice)
    invoice = _made(
        served,
        "/api/v1/invoices",
        {"appointment_id": appointment["id"], "amount": "10.00", "number": "A-1"},
        alice,
    )
    note = _made(
        served, f"/api/v1/appointments/{appointment['id']}/notes", {"body": "private"}, alice
    )
    slot = _made(
        served,
        "/api/v1/availability-slots",
        {
            **{k: visit[k] for k in ("practitioner_id", "starts_at")},
            "appointment_id": appointment["id"],
        },
        alice,
    )
    bobs = {**person, "email": "bo@example.com", "insurance_no": "INS-B"}
    bobs_patient = _made(served, "/api/v1/patients", bobs, bob)

    # Every item path to Alice's rows, with and without ?include=, is a 404 for Bob.
    for url in (
        f"/api/v1/patients/{patient['id']}",
        f"/api/v1/patients/{patient['id']}?include=conditions",
        f"/api/v1/patients/{patient['id']}/conditions",
        f"/api/v1/patients/{patient['id']}/appointments",
        f"/api/v1/appointments/{appointment['id']}",
        f"/api/v1/appointments/{appointment['id']}?include=patient",
        f"/api/v1/appointments/{appointment['id']}/notes",
        f"/api/v1/appointments/{appointment['id']}/availability-slots",
        f"/api/v1/invoices/{invoice['id']}",
        f"/api/v1/invoices/{invoice['id']}?include=appointment",
        f"/api/v1/notes/{note['id']}",
    ):
        assert served.call("GET", url, token=bob)[0] == 404, url
    for url in (f"/api/v1/appointments/{appointment['id']}", f"/api/v1/invoices/{invoice['id']}"):
        assert served.call("PATCH", url, {}, bob)[0] == 404, url
        assert served.call("DELETE", url, token=bob)[0] == 404, url
    # Moving Alice's appointment to Bob's patient: not Bob's to move, and not Alice's
    # to move under someone else's patient.
    move = {"patient_id": bobs_patient["id"]}
    assert served.call("PATCH", f"/api/v1/appointments/{appointment['id']}", move, bob)[0] == 404
    status, _, problem = served.call(
        "PATCH", f"/api/v1/appointments/{appointment['id']}", move, alice
    )
    assert status == 422 and isinstance(problem, dict), problem
    assert problem["errors"][0]["loc"] == ["body", "patient_id"]
    # Lists two levels down show only Bob's own rows.
    for url in ("/api/v1/invoices", "/api/v1/invoices?include=appointment"):
        status, _, page = served.call("GET", url, token=bob)
        assert status == 200 and isinstance(page, dict) and page["total"] == 0, (url, page)
    # Creating under, or pointing at, Alice's rows is refused as if they did not exist.
    assert (
        served.call("POST", f"/api/v1/patients/{patient['id']}/appointments", visit, bob)[0] == 404
    )
    status, _, problem = served.call(
        "POST",
        "/api/v1/invoices",
        {"appointment_id": appointment["id"], "amount": "1.00", "number": "B-1"},
        bob,
    )
    assert status == 422 and isinstance(problem, dict)
    assert problem["errors"][0]["loc"] == ["body", "appointment_id"]
    # A shared row may point at Alice's appointment; Bob reads the slot, not her row.
    status, _, shared = served.call(
        "GET", f"/api/v1/availability-slots/{slot['id']}?include=appointment", token=bob
    )
    assert status == 200 and isinstance(shared, dict) and shared["appointment"] is None, shared
    # Unique per owner: Alice's insurance number and email are no clue to Bob...
    _made(served, "/api/v1/patients", {**person, "email": "ann@example.com"}, bob)
    # ...while Alice's own duplicate is a conflict that names the field only.
    status, _, problem = served.call(
        "POST", "/api/v1/patients", {**person, "email": "other@example.com"}, alice
    )
    assert status == 409 and isinstance(problem, dict)
    assert problem["detail"] == "insurance_no is already taken."
    # Treatments: anyone reads, only admins write.
    treatment = {"name": "X-ray", "price": "40.00"}
    assert served.call("POST", "/api/v1/treatments", treatment)[0] == 401
    assert served.call("POST", "/api/v1/treatments", treatment, alice)[0] == 403
    made = _made(served, "/api/v1/treatments", treatment, admin)
    assert served.call("GET", f"/api/v1/treatments/{made['id']}")[0] == 200
    # Alice and the admin still reach everything.
    status, _, mine = served.call(
        "GET", f"/api/v1/appointments/{appointment['id']}?include=patient", token=alice
    )
    assert status == 200 and isinstance(mine, dict) and mine["patient"]["id"] == patient["id"]
    status, _, everyone = served.call("GET", "/api/v1/invoices", token=admin)
    assert status == 200 and isinstance(everyone, dict) and everyone["total"] == 1
    assert served.call("DELETE", f"/api/v1/notes/{note['id']}", token=alice)[0] == 204


@pytest.mark.e2e
def test_limits_apply_and_no_built_in_key_signs_tokens(clinic: Path, tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        RATE_LIMIT_DEFAULT="3/minute",
        REGISTRATION_RATE_LIMIT="2/hour",
        LOGIN_RATE_LIMIT="2/minute",
    )
    env.pop("SECRET_KEY", None)
    run(clinic, "alembic", "upgrade", "head", env=env)
    log = tmp_path / "uvicorn.log"
    with uvicorn(clinic, env, log) as base:
        api = Api(base)
        # A generated route, included through the version router: the fourth is a 429.
        answers = [api.call("GET", "/api/v1/treatments")[0] for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        status, headers, _ = api.call("GET", "/api/v1/treatments")
        assert status == 429 and int(headers["retry-after"]) >= 1
        registered = [
            api.call(
                "POST",
                "/api/v1/auth/register",
                {"email": f"u{n}@example.com", "password": "a-fine-password"},
            )[0]
            for n in range(3)
        ]
        assert registered == [201, 201, 429]
        form = {"username": "u0@example.com", "password": "wrong-password"}
        tried = [api.call("POST", "/api/v1/auth/token", form=form)[0] for _ in range(3)]
        assert tried == [401, 401, 429]
        # Started without SECRET_KEY: no fixed key signs a token it accepts.
        now = dt.datetime.now(dt.UTC)
        claims = {"sub": "1", "type": "access", "iat": now, "exp": now + dt.timedelta(hours=1)}
        for key in ("change-me-to-a-long-random-value", "s" * 48, "0" * 32):
            forged = jwt.encode(claims, key, algorithm="HS256")
            assert api.call("GET", "/api/v1/users/me", token=forged)[0] == 401, key
    assert "SECRET_KEY is unset" in log.read_text()


def test_production_without_a_secret_key_does_not_start(clinic: Path, tmp_path: Path) -> None:
    env = _env(tmp_path, ENVIRONMENT="prod")
    env.pop("SECRET_KEY", None)
    started = subprocess.run(
        [sys.executable, "-c", "import app.main"],
        cwd=clinic,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode != 0
    assert "SECRET_KEY must be a random value" in started.stderr
