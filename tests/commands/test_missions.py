"""Missions applied for real: plans, escalations, honest reports, missing indexes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support.helpers import db_env, run, scaffold, snapshot, tree
from tests.support.projects import CONTACTS, HAND_MIGRATION, HAND_MODEL, verify_generated_project


def mission(project: Path, sentence: str, *flags: str):
    return scaffold("mission", sentence, *flags, "--json", project=project)


@pytest.mark.e2e
def test_seed_and_everyday_missions_leave_a_passing_project(project: Path, tmp_path: Path) -> None:
    assert (
        scaffold(
            "resource", "residents", "name:str=120", "email:str:unique", project=project
        ).exit_code
        == 0
    )
    assert (
        scaffold(
            "resource", "blocks", "name:str=80", "starts_on", "ends_on", project=project
        ).exit_code
        == 0
    )
    sentences = [
        # The three seed missions.
        "add weekly_requirements table with resident_id, week_start date, min_hours int for Block scheduling",
        "add GET /api/v1/residents/{id}/weekly-requirements endpoint",
        "optimize schedule-generation queries",
        # Everyday phrasings of the other kinds.
        "Create a Room model with name string(80) and capacity integer",
        "add floor int optional to rooms",
        "add a priority enum low|medium|high default medium to weekly_requirements",
        "add child table with name string and resident_id",
        "add missing indexes",
    ]
    for sentence in sentences:
        result = mission(project, sentence, "--no-verify")
        assert result.exit_code == 0, f"{sentence}\n{result.output}"
        data = json.loads(result.stdout)
        assert data["command"] == "mission" and data["actions"], sentence
        assert data["report_path"] or all(f["status"] == "identical" for f in data["files"]), (
            sentence
        )
    assert (project / "app/models/children.py").is_file()
    router = (project / "app/api/v1/weekly_requirements.py").read_text()
    assert '"/residents/{resident_id}/weekly-requirements"' in router
    verify_generated_project(
        project, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"), min_tests=40
    )


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("drop the phone column from contacts", "destructive"),
        ("Remove phone from contacts", "destructive"),
        ("rename phone to phone_number in contacts", "breaking"),
        ("drop table contacts", "destructive"),
        ("add api_key string to contacts", "security"),
        ("add password to contacts", "security"),
        ("add a login_token field to contacts", "security"),
        ("add an auth\u200b_provider string to contacts", "security"),
        ("add nickname string required to contacts", "data change"),
    ],
)
def test_escalated_missions_exit_3_and_write_nothing(
    mini_project: Path, sentence: str, reason: str
) -> None:
    assert scaffold(*CONTACTS, project=mini_project).exit_code == 0
    before = tree(mini_project)
    result = mission(mini_project, sentence)
    assert result.exit_code in (2, 3), result.output
    if result.exit_code == 3:
        data = json.loads(result.stdout)
        assert any(reason in e["reason"] for e in data["escalations"]), data["escalations"]
        assert "--approve" in result.output
    assert tree(mini_project) == before


def test_unparsable_sentence_exits_2_quoting_the_part_it_did_not_understand(
    mini_project: Path,
) -> None:
    assert scaffold(*CONTACTS, project=mini_project).exit_code == 0
    before = tree(mini_project)
    result = scaffold(
        "mission", "please frobnicate the contacts into oblivion", project=mini_project
    )
    assert result.exit_code == 2
    assert "frobnicate" in result.output
    assert "Traceback" not in result.output
    assert tree(mini_project) == before


def test_mission_dry_run_touches_no_file(mini_project: Path) -> None:
    assert scaffold(*CONTACTS, project=mini_project).exit_code == 0
    before = snapshot(mini_project)
    result = scaffold(
        "mission",
        "add rooms table with name string and capacity int; add floor int optional to rooms",
        "--dry-run",
        project=mini_project,
    )
    assert result.exit_code == 0, result.output
    assert "create  app/models/rooms.py" in result.output
    assert "nothing was written" in result.output
    assert snapshot(mini_project) == before


@pytest.mark.e2e
def test_approved_column_drop_applies_and_its_migration_downgrades_back(
    project: Path, tmp_path: Path
) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    result = mission(project, "drop the phone column from contacts", "--approve", "--no-verify")
    assert result.exit_code == 0, result.output
    env = db_env(f"sqlite+aiosqlite:///{tmp_path}/drop.db")
    run(project, "alembic", "upgrade", "head", env=env)
    run(project, "alembic", "downgrade", "-1", env=env)
    run(project, "alembic", "upgrade", "head", env=env)
    # v1 keeps the old contract (phone accepted, read back as null); v2 drops it.
    assert "phone" in (project / "app/schemas/contacts.py").read_text()
    assert "phone" not in (project / "app/schemas/v2/contacts.py").read_text()
    verify_generated_project(project, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"))


@pytest.mark.e2e
def test_report_marks_a_failing_generated_test_as_failed(project: Path) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    tests = project / "tests/test_contacts.py"
    tests.write_text(
        tests.read_text() + "\n\nasync def test_broken_on_purpose() -> None:\n    assert 1 == 2\n"
    )
    result = mission(project, "add notes text optional to contacts", "--verify")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    checks = {c["name"]: c for c in data["checks"]}
    assert checks["tests"]["passed"] is False
    assert checks["migrations"]["passed"] is True
    report = (project / data["report_path"]).read_text()
    assert "- [ ] FAILED: Tests created (via COORD_QUALITY) — " in report
    assert "- [x] Alembic migration created and tested — " in report


@pytest.mark.e2e
def test_index_missing_indexes_a_hand_made_foreign_key_once(project: Path, tmp_path: Path) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    head = next((project / "migrations/versions").glob("*_create_contacts.py")).name.split("_")[0]
    (project / "app/models/notes.py").write_text(HAND_MODEL)
    (project / "migrations/versions/0000notes001_notes.py").write_text(
        HAND_MIGRATION.format(down=head)
    )
    result = scaffold("index", "--missing", "--json", project=project)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    created = [f["path"] for f in data["files"] if f["status"] == "create"]
    assert len(created) == 1 and created[0].endswith("_add_missing_indexes.py")
    assert "index=True" in (project / "app/models/notes.py").read_text()
    report = (project / data["report_path"]).read_text()
    assert "`notes.contact_id = ?`" in report and "SCAN" in report and "USING INDEX" in report
    env = db_env(f"sqlite+aiosqlite:///{tmp_path}/idx.db")
    for step in (["upgrade", "head"], ["downgrade", "-1"], ["upgrade", "head"], ["check"]):
        run(project, "alembic", *step, env=env)
    before = tree(project)
    again = scaffold("index", "--missing", project=project)
    assert again.exit_code == 0
    assert "No missing indexes" in again.output
    assert tree(project) == before


SECURITY_SENTENCES = [
    # Ones the grammar maps...
    "add a roles table",
    "add an is_public flag to contacts",
    "add password_hash str to contacts",
    "add an api_key field to contacts",
    "add a login_attempts table with contact_id",
    "add sign-in with email and password",
    # ...and ones it cannot: escalated all the same, never a grammar hint.
    "keep an audit trail of every login",
    "let anonymous visitors read the contacts routes",
    "make the contacts API public",
    "open the contacts API to everyone",
    "add rate limiting to the login route",
    "encrypt the notes column",
    "add CORS for https://app.example.com",
    "only admins may delete contacts",
    "rotate the signing key",
    "store api keys hashed",
    "require MFA for admins",
    "give the support team permission to edit contacts",
    "log out idle users after an hour",
    "let unauthenticated clients list contacts",
    "protect the contacts routes with OAuth2",
    "revoke every token issued before today",
]


def test_every_security_sentence_escalates_and_writes_nothing(project: Path) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    before = tree(project)
    for sentence in SECURITY_SENTENCES:
        result = mission(project, sentence)
        assert result.exit_code == 3, (sentence, result.output)
        data = json.loads(result.stdout)
        assert data["escalations"], sentence
        assert any(e["reason"].startswith("security") for e in data["escalations"]), sentence
    assert tree(project) == before
    # The index sentences are not security: "foreign keys" are not keys to anything.
    for sentence in ("add missing indexes", "add the missing indexes on foreign keys"):
        result = mission(project, sentence, "--dry-run")
        assert result.exit_code == 0, (sentence, result.output)


def test_an_approved_security_sentence_that_maps_to_nothing_is_bad_input(project: Path) -> None:
    refused = mission(project, "keep an audit trail of every login")
    assert refused.exit_code == 3
    assert "A human must decide it" in refused.output
    approved = mission(project, "keep an audit trail of every login", "--approve")
    assert approved.exit_code == 2
    assert "Traceback" not in approved.output


def test_a_missing_pytest_is_not_run_with_its_reason_and_does_not_stop_the_write(
    project: Path,
) -> None:
    # The project's own interpreter (.venv/bin/python, which scaffold runs checks with)
    # has everything but pytest.
    venv = project / ".venv/bin"
    venv.mkdir(parents=True)
    hidden = project / ".venv/no-pytest"
    hidden.mkdir()
    # First on the path: `import pytest` fails as it does where pytest is not installed.
    (hidden / "pytest.py").write_text(
        'raise ModuleNotFoundError("No module named \'pytest\'", name="pytest")\n'
    )
    python = venv / "python"
    python.write_text(
        f'#!/bin/sh\nPYTHONPATH="{hidden}${{PYTHONPATH:+:$PYTHONPATH}}" exec "{sys.executable}" "$@"\n'
    )
    python.chmod(0o755)
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    result = mission(project, "add notes text optional to contacts", "--verify")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    tests = next(c for c in data["checks"] if c["name"] == "tests")
    assert tests["passed"] is None
    assert tests["detail"].startswith("not run: pytest is not installed in ")
    assert "notes" in (project / "app/models/contacts.py").read_text()
    handoff = data["report"]["handoff"]["COORD_QUALITY"]
    assert any("generated tests pass did not run: pytest is not installed" in h for h in handoff)


@pytest.mark.parametrize(
    ("sentence", "setting"),
    [
        ("raise the connection pool to 20", "DB_POOL_SIZE=20"),
        ("set the max overflow to 30", "DB_MAX_OVERFLOW=30"),
        ("set the request body limit to 2 MiB", "MAX_BODY_BYTES=2097152"),
        ("raise the default rate limit to 200 per minute", "RATE_LIMIT_DEFAULT=200/minute"),
        ("set the log level to debug", "LOG_LEVEL=DEBUG"),
    ],
)
def test_a_settings_sentence_writes_nothing_and_names_the_setting(
    project: Path, sentence: str, setting: str
) -> None:
    before = tree(project)
    result = mission(project, sentence)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"] == [] and data["escalations"] == []
    assert any(
        f"set {setting} where the app runs" in h for h in data["report"]["handoff"]["ARCHITECT"]
    )
    assert tree(project) == before


def test_cors_origins_are_a_setting_a_human_approves(project: Path) -> None:
    refused = mission(project, "add CORS for https://app.example.com")
    assert refused.exit_code == 3
    approved = mission(project, "add CORS for https://app.example.com", "--approve")
    assert approved.exit_code == 0, approved.output
    handoff = json.loads(approved.stdout)["report"]["handoff"]["ARCHITECT"]
    assert any("set CORS_ORIGINS=https://app.example.com" in h for h in handoff)


def test_other_platform_work_is_refused_naming_what_was_not_understood(project: Path) -> None:
    result = mission(project, "add a middleware that compresses responses")
    assert result.exit_code == 2
    assert "scaffold writes no custom middleware" in result.output
    assert "Example: scaffold mission" in result.output
    assert "Traceback" not in result.output


def test_drift_found_by_the_proof_rolls_the_change_back(project: Path) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    # A model added by hand with no migration: `alembic check` sees it.
    (project / "app/models/extras.py").write_text(
        "from sqlalchemy.orm import Mapped, mapped_column\n\n"
        "from app.db.base import Base\n\n\n"
        "class Extra(Base):\n"
        '    __tablename__ = "extras"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    )
    before = tree(project)
    result = scaffold(
        "field", "add", "contacts", "notes:text:optional", "--verify", "--json", project=project
    )
    assert result.exit_code == 1, result.output
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["migrations"]["passed"] is True
    assert checks["alembic_check"]["passed"] is False
    assert (
        "floor" in checks["alembic_check"]["detail"]
        or "upgrade operations" in (checks["alembic_check"]["detail"])
    )
    new = set(tree(project)) - set(before)
    assert len(new) == 1 and new.pop().startswith(".scaffold/reports/"), "only its report"
    assert {k: v for k, v in tree(project).items() if k in before} == before
