"""The coordinator's work list as missions: each sentence's plan, the answers to requests
already satisfied (exit 0, nothing written), and refusals whose example works when run.

The table is planning only (pure functions on a clinic-scheduling project's facts); the
CLI tests share one generated project, and apply at most two sentences end to end.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scaffold.mission import MissionParseError, parse_mission
from scaffold.mission.plan import TableFacts
from tests.support.helpers import scaffold, snapshot

FACTS = {
    "residents": TableFacts(("name:str=120", "email:str:unique", "pgy:int:min=1:max=3")),
    "blocks": TableFacts(("name:str=80", "starts_on", "ends_on")),
    "shifts": TableFacts(
        ("resident_id:ref=residents", "block_id:ref=blocks", "starts_at", "ends_at", "hours:int")
    ),
    "weekly_requirements": TableFacts(
        ("resident_id:ref=residents", "week_start:date", "min_hours:int:min=0", "max_hours:int"),
        checks=("min_hours<=max_hours",),
    ),
    "rooms": TableFacts(("name:str=40", "capacity:int:optional")),
    "contacts": TableFacts(("name:str=80", "phone:str=20", "fax:str=20:optional")),
    "tasks": TableFacts(
        ("title:str=200", "due_at:optional", "priority:enum=low,medium,high:default=medium"),
        rate_limit="50/minute",
        api_version=2,
    ),
}
EXISTING = {table: [t.partition(":")[0] for t in f.fields] for table, f in FACTS.items()}
W = "weekly_requirements"


class Answer(str):
    """An expected answer: no action, a note containing this text."""


# (work-list item, sentence, the plan: argv of each action, or the Answer's words)
WORKLIST = [
    # The seed's three examples, verbatim.
    ("schema design", "Add weekly_requirements table for Block scheduling",
     [("resource", W, "block_id:ref=blocks")]),
    ("RESTful design", "add GET /api/v1/residents/{id}/weekly-requirements endpoint",
     [("endpoint", "GET /api/v1/residents/{id}/weekly-requirements")]),
    ("query optimisation", "optimize schedule-generation queries", [("index", "--missing")]),
    ("query optimisation", "optimize the schedule queries: add missing indexes",
     [("index", "--missing")]),
    # Schema design.
    ("schema design",
     "add a swap_requests table with shift_id, resident_id, reason text and status enum "
     "pending|approved|rejected",
     [("resource", "swap_requests", "shift_id", "resident_id", "reason:text",
       "status:enum=pending,approved,rejected")]),
    ("schema design", "add on_call_slots table to support night coverage",
     [("resource", "on_call_slots")]),
    ("schema design", "add a call_schedules table for each resident and block",
     [("resource", "call_schedules", "resident_id:ref=residents", "block_id:ref=blocks")]),
    ("schema design", "each resident has one profile",
     [("resource", "profiles", "resident_id:ref=residents:unique")]),
    ("schema design", "add capacity_notes text to rooms for booking",
     [("field", "add", "rooms", "capacity_notes:text")]),
    ("schema design", "add timestamps to shifts", Answer("created_at and updated_at")),
    # Migrations.
    ("migrations", "create a migration to make fax required on contacts",
     [("field", "alter", "contacts", "fax:str=20")]),
    ("migrations", "add a migration that makes rooms.name longer",
     [("field", "alter", "rooms", "name:str=255")]),
    ("migrations", "write the migrations", Answer("writes its own Alembic migration")),
    # Query optimisation and indexing.
    ("query optimisation", "speed up the shift lookups by starts_at",
     [("index", "add", "shifts", "starts_at")]),
    ("query optimisation", "make the residents table faster", [("index", "--missing")]),
    ("indexing", "shifts need an index on starts_at", [("index", "add", "shifts", "starts_at")]),
    ("indexing", "index shifts by block and starts_at",
     [("index", "add", "shifts", "block_id,starts_at")]),
    ("indexing", "add a unique index on contacts.phone",
     [("index", "add", "contacts", "phone", "--unique")]),
    ("indexing", "filter rooms by name", [("index", "add", "rooms", "name")]),
    ("indexing", "filter shifts by resident", Answer("GET /api/v1/shifts?resident_id=")),
    # Connection pooling.
    ("connection pooling", "size the connection pool for the scheduler",
     Answer("DB_POOL_SIZE (5)")),
    ("connection pooling", "set the database pool size to 20", [("setting", "DB_POOL_SIZE", "20")]),
    ("connection pooling", "raise max overflow to 30", [("setting", "DB_MAX_OVERFLOW", "30")]),
    # Integrity constraints.
    ("integrity constraints", "no two shifts may share resident_id and starts_at",
     [("constraint", "add", "shifts", "--unique", "resident_id,starts_at")]),
    ("integrity constraints", "make phone unique on contacts",
     [("constraint", "add", "contacts", "--unique", "phone")]),
    ("integrity constraints", "make email unique on residents", Answer("already unique")),
    ("integrity constraints", "ends_at must be after starts_at on shifts",
     [("constraint", "add", "shifts", "--check", "ends_at>starts_at")]),
    ("integrity constraints", "hours can't be negative on shifts",
     [("constraint", "add", "shifts", "--check", "hours>=0")]),
    ("integrity constraints", "min_hours must not exceed max_hours in weekly requirements",
     Answer("already has the rule min_hours<=max_hours")),
    # Column changes.
    ("schema design", "make phone optional on contacts",
     [("field", "alter", "contacts", "phone:str=20:optional")]),
    ("schema design", "contacts.phone should hold up to 40 characters",
     [("field", "alter", "contacts", "phone:str=40")]),
    ("schema design", "default the priority of tasks to high",
     [("field", "alter", "tasks", "priority:enum=low,medium,high:default=high")]),
    ("schema design", "add urgent to the priority values of tasks",
     [("field", "alter", "tasks", "priority:enum=low,medium,high,urgent:default=medium")]),
    ("schema design", "change hours to bigint in shifts",
     [("field", "alter", "shifts", "hours:bigint")]),
    # RESTful design.
    ("RESTful design", "list a block's shifts", [("endpoint", "GET /api/v1/blocks/{id}/shifts")]),
    ("RESTful design", "add an endpoint returning a resident's shifts",
     [("endpoint", "GET /api/v1/residents/{id}/shifts")]),
    ("RESTful design", "add CRUD endpoints for rooms", Answer("POST /api/v1/rooms")),
    ("RESTful design", "make the rooms API RESTful", Answer("GET/PATCH/DELETE /api/v1/rooms/{id}")),
    ("RESTful design", "paginate the residents list",
     Answer("residents are already paginated: GET /api/v1/residents?limit=50&offset=0")),
    # Validation and error handling.
    ("validation", "add input validation to shifts", Answer("app/schemas/shifts.py")),
    ("validation", "validate that ends_at is after starts_at on shifts",
     [("constraint", "add", "shifts", "--check", "ends_at>starts_at")]),
    ("validation", "pgy must be at least 1 on residents", Answer("already has the rule pgy>=1")),
    ("error handling", "improve error handling for tasks", Answer("on /api/v2/tasks")),
    ("error handling", "return proper problem+json errors", Answer("409 naming the unique")),
    # Versioning.
    ("versioning", "add API versioning", Answer("already versioned")),
    ("versioning", "version the rooms API", [("version", "rooms")]),
    ("versioning", "add a v3 of the tasks API", [("version", "tasks", "3")]),
    # Rate limiting.
    ("rate limiting", "rate-limit residents to 100 requests per minute",
     [("limit", "residents", "100/minute")]),
    ("rate limiting", "throttle rooms to 5 requests per second", [("limit", "rooms", "5/second")]),
    ("rate limiting", "throttle the shifts API to 10 req/sec", [("limit", "shifts", "10/second")]),
    ("rate limiting", "throttle tasks at 50 requests a minute", Answer("already limited to 50/minute")),
    ("rate limiting", "add rate limiting to the shifts endpoints", Answer("RATE_LIMIT_DEFAULT")),
    ("rate limiting", "set the default rate limit to 200/minute",
     [("setting", "RATE_LIMIT_DEFAULT", "200/minute")]),
    # Middleware.
    ("middleware", "add request logging middleware", Answer("one structured log line")),
    ("middleware", "add a body size limit middleware", Answer("MAX_BODY_BYTES")),
    # Dependency injection.
    ("dependency injection", "use dependency injection for the shifts service",
     Answer("provide_service in app/api/v1/shifts.py")),
    ("dependency injection", "inject the database session into the rooms service",
     Answer("SessionDep")),
]  # fmt: skip
AREAS = {
    "schema design", "migrations", "query optimisation", "connection pooling", "indexing",
    "integrity constraints", "RESTful design", "validation", "error handling", "versioning",
    "rate limiting", "middleware", "dependency injection",
}  # fmt: skip


def test_the_table_covers_every_item_of_the_work_list_with_forty_sentences() -> None:
    assert len(WORKLIST) >= 40
    assert {area for area, _, _ in WORKLIST} == AREAS
    assert len({sentence for _, sentence, _ in WORKLIST}) == len(WORKLIST)


@pytest.mark.parametrize(
    ("area", "sentence", "expected"), WORKLIST, ids=[s[:50] for _, s, _ in WORKLIST]
)
def test_a_work_list_sentence_maps_to_its_plan(area: str, sentence: str, expected) -> None:
    plan = parse_mission(sentence, EXISTING, FACTS)
    if isinstance(expected, Answer):
        assert plan.actions == ()
        assert any(expected in note for note in plan.notes), plan.notes
    else:
        assert [a.argv for a in plan.actions] == expected


@pytest.mark.parametrize(
    ("sentence", "purpose"),
    [
        ("add on_call_slots table to support night coverage", "(night coverage)"),
        ("add weekly_requirements table for Block scheduling", None),
        ("add handoffs table to support shifts", None),
    ],
)
def test_for_and_to_support_link_a_table_and_record_any_other_purpose(sentence, purpose) -> None:
    plan = parse_mission(sentence, EXISTING, FACTS)
    (action,) = plan.actions
    if purpose is None:
        assert any(":ref=" in token for token in action.argv)
    else:
        assert not any(":ref=" in token for token in action.argv)
        assert any(f"read as the purpose {purpose}" in note for note in plan.notes)


def test_a_custom_middleware_is_refused_with_what_the_app_has_and_where_it_goes() -> None:
    with pytest.raises(MissionParseError) as info:
        parse_mission("add a compression middleware for rooms", EXISTING, FACTS)
    assert "scaffold writes no custom middleware" in str(info.value)
    assert "app.add_middleware" in str(info.value)
    assert info.value.example == "rate-limit rooms to 100 requests per minute"


def test_cors_without_origins_is_answered_and_still_escalated() -> None:
    plan = parse_mission("enable CORS", EXISTING, FACTS)
    assert plan.actions == ()
    assert any("CORS_ORIGINS" in note for note in plan.notes)
    assert [e.trigger for e in plan.escalations] == ["cors"]


# --- through the CLI, on one generated project ----------------------------------------------

REFUSED = [
    "add a compression middleware for residents",
    "rate-limit residents to 100 requests per fortnight please",
    "shifts need an index on starts_at and the moon",
    "frobnicate the residents",
]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory, pristine_project: Path) -> Path:
    root = tmp_path_factory.mktemp("clinic") / "myapp"
    shutil.copytree(pristine_project, root)
    for argv in (
        ["resource", "residents", "name:str=120", "email:str:unique"],
        ["resource", "shifts", "resident_id:ref=residents", "starts_at", "ends_at"],
    ):
        assert scaffold(*argv, project=root).exit_code == 0
    return root


def _copy(clinic: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "myapp"
    shutil.copytree(clinic, dst)
    return dst


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        ("paginate residents", "GET /api/v1/residents?limit=50&offset=0"),
        ("make email unique on residents", "already unique"),
        ("configure connection pooling", "DB_POOL_SIZE"),
        ("add CRUD endpoints for shifts", "POST /api/v1/shifts"),
    ],
)
def test_a_request_already_satisfied_exits_0_and_writes_nothing(
    clinic: Path, sentence: str, answer: str
) -> None:
    before = snapshot(clinic)
    result = scaffold("mission", sentence, "--json", project=clinic)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["actions"] == [] and data["files"] == []
    assert any(answer in note for note in data["answer"]), data["answer"]
    assert snapshot(clinic) == before


@pytest.mark.e2e
@pytest.mark.parametrize("sentence", REFUSED)
def test_an_unmapped_sentence_exits_2_and_its_example_works_when_run(
    clinic: Path, tmp_path: Path, sentence: str
) -> None:
    before = snapshot(clinic)
    result = scaffold("mission", sentence, project=clinic)
    assert result.exit_code == 2, result.output
    assert snapshot(clinic) == before
    example = result.output.split('scaffold mission "', 1)[1].rsplit('"', 1)[0]
    copy = _copy(clinic, tmp_path)
    ran = scaffold("mission", example, "--no-verify", project=copy)
    assert ran.exit_code in (0, 3), f"{example}\n{ran.output}"


@pytest.mark.e2e
def test_the_report_records_a_purpose_read_from_to_support(clinic: Path, tmp_path: Path) -> None:
    project = _copy(clinic, tmp_path)
    sentence = "add on_call_slots table with resident_id to support night coverage"
    result = scaffold("mission", sentence, "--no-verify", project=project)
    assert result.exit_code == 0, result.output
    report = next((project / ".scaffold/reports").glob("*on-call-slots*.md")).read_text()
    assert "how the sentence was read" in report
    assert "read as the purpose (night coverage)" in report


@pytest.mark.e2e
def test_a_unique_rule_in_words_is_applied(clinic: Path, tmp_path: Path) -> None:
    # Unproved: `constraint add`'s own tests prove it; this is the mission reaching it.
    project = _copy(clinic, tmp_path)
    result = scaffold(
        "mission", "no two residents may share name and email", "--no-verify", project=project
    )
    assert result.exit_code == 0, result.output
    assert "scaffold constraint add residents --unique name,email" in result.output
    migration = next((project / "migrations/versions").glob("*unique*.py")).read_text()
    assert "uq_residents_name_email" in migration
    assert "UniqueConstraint" in (project / "app/models/residents.py").read_text()


def test_the_readme_examples_map_to_the_commands_their_comments_name() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Missions: the coordinator's work list", 1)[1].split("###")[0]
    examples = [
        (line.split('"')[1], line.split("#", 1)[1].strip() if "#" in line else "")
        for line in section.splitlines()
        if line.startswith('scaffold mission "')
    ]
    assert len(examples) >= 8
    for sentence, comment in examples:
        plan = parse_mission(sentence, EXISTING, FACTS)
        words = comment.split()
        if words[:1] in (["index"], ["constraint"], ["field"], ["limit"], ["endpoint"]):
            named = " ".join(words[:2]).replace('"', "")
            assert " ".join(plan.actions[0].argv).startswith(named), sentence
        elif comment.startswith("exit 0"):
            assert plan.actions == () and plan.notes
        else:
            assert plan.actions, sentence


@pytest.mark.parametrize(
    ("sentence", "argv"),
    [
        ("add a migrations table", ("resource", "migrations")),
        ("add timestamps table", ("resource", "timestamps")),
        ("add a validation_rules table", ("resource", "validation_rules")),
    ],
)
def test_a_table_named_like_a_request_is_still_a_table(sentence: str, argv: tuple) -> None:
    assert [a.argv for a in parse_mission(sentence, EXISTING, FACTS).actions] == [argv]


def test_removing_an_index_is_refused_as_before_not_read_as_adding_one() -> None:
    with pytest.raises(MissionParseError) as info:
        parse_mission("remove the index on tasks.due_at", EXISTING, FACTS)
    assert "missions do not remove endpoints or indexes" in str(info.value)
