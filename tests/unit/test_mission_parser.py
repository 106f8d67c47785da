"""Mission sentences -> scaffold argv, escalations and errors. Pure functions, no I/O."""

import time

import pytest

from scaffold.mission import (
    MissionParseError,
    normalize_for_matching,
    parse_mission,
    security_escalations,
)
from scaffold.mission.vocabulary import (
    DESTROY_REASON,
    NO_FIELDS_NOTE,
    REMOVE_REASON,
    RENAME_REASON,
    RENAME_TABLE_REASON,
    SECURITY_REASON,
)

EXISTING = {
    "blocks": ["name", "starts_on"],
    "residents": ["name", "email"],
    "tasks": ["title", "due_at"],
    "contacts": ["name", "phone", "fax"],
    "rooms": ["name"],
    "users": ["email"],
    "time_entries": ["hours"],
}


def destroyed(table):
    return DESTROY_REASON.format(table=table)


def removed(column):
    table, name = column.split(".")
    return REMOVE_REASON.format(table=table, name=name)


def renamed(table, old, new):
    return RENAME_REASON.format(table=table, old=old, new=new)


def table_renamed(old, new):
    return RENAME_TABLE_REASON.format(old=old, new=new, new_route=new.replace("_", "-"))


INDEX = ("index", "--missing")
W = "weekly_requirements"

# (sentence, expected argv tuples in order, expected escalation reasons in order)
CASES = [
    # --- resource: the seed, then phrasings --------------------------------------------------
    (
        "add weekly_requirements table for Block scheduling",
        [("resource", W, "block_id:ref=blocks")],
        [],
    ),
    (
        "add weekly_requirements table with resident_id, week_start date, min_hours int",
        [("resource", W, "resident_id", "week_start:date", "min_hours:int")],
        [],
    ),
    ("add a child table", [("resource", "children")], []),
    ("add category model", [("resource", "categories")], []),
    ("ADD WEEKLY_REQUIREMENTS TABLE WITH RESIDENT_ID", [("resource", W, "resident_id")], []),
    ("add WeeklyRequirement model with resident_id", [("resource", W, "resident_id")], []),
    (
        "Please add the Weekly-Requirements table with resident_id and week_start date",
        [("resource", W, "resident_id", "week_start:date")],
        [],
    ),
    (
        "we need to add weekly requirements table with owner_id referencing users, "
        "priority enum low|medium|high, due_at datetime",
        [("resource", W, "owner_id:ref=users", "priority:enum=low,medium,high", "due_at:datetime")],
        [],
    ),
    (
        "can you create a Notes entity with title:str=120 and body:text:optional please",
        [("resource", "notes", "title:str=120", "body:text:optional")],
        [],
    ),
    (
        "add a table called shift swaps with shift_id, requested_by_id -> users, "
        "approved bool default false",
        [
            (
                "resource",
                "shift_swaps",
                "shift_id",
                "requested_by_id:ref=users",
                "approved:bool:default=false",
            )
        ],
        [],
    ),
    (
        "add a Person entity with first name, last name and an optional email",
        [("resource", "people", "first_name", "last_name", "email:optional")],
        [],
    ),
    (
        "add weekly_requirements table nested under residents with week_start date",
        [("resource", W, "resident_id:ref=residents", "week_start:date", "--parent", "residents")],
        [],
    ),
    (
        "add comments table belonging to tasks with body text",
        [("resource", "comments", "task_id:ref=tasks", "body:text")],
        [],
    ),
    (
        "add weekly_requirements table with resident_id, week_start date, min_hours int "
        "for Block scheduling",
        [("resource", W, "resident_id", "week_start:date", "min_hours:int", "block_id:ref=blocks")],
        [],
    ),
    (
        "add shifts table for residents, blocks and rooms",
        [
            (
                "resource",
                "shifts",
                "resident_id:ref=residents",
                "block_id:ref=blocks",
                "room_id:ref=rooms",
            )
        ],
        [],
    ),
    (
        "we need a shifts table with starts_at, ends_at and resident_id",
        [("resource", "shifts", "starts_at", "ends_at", "resident_id")],
        [],
    ),
    ("create weekly_requirements with resident_id", [("resource", W, "resident_id")], []),
    (
        "add weekly_requirements resource with priority enum of low, medium and high",
        [("resource", W, "priority:enum=low,medium,high")],
        [],
    ),
    (
        "add a comments table with task_id -> tasks, body text, "
        "author_id linked to users on delete cascade",
        [
            (
                "resource",
                "comments",
                "task_id:ref=tasks",
                "body:text",
                "author_id:ref=users:ondelete=cascade",
            )
        ],
        [],
    ),
    (
        "add an invoices model with amount decimal(10, 2), number string(32), paid boolean, "
        "issued_on date, metadata json, external_id uuid:unique, views big integer, starts time",
        [
            (
                "resource",
                "invoices",
                "amount:decimal=10,2",
                "number:str=32",
                "paid:bool",
                "issued_on:date",
                "metadata:json",
                "external_id:uuid:unique",
                "views:bigint",
                "starts:time",
            )
        ],
        [],
    ),  # fmt: skip
    (
        "add the time entries table with hours float, note long text, billable flag",
        [("resource", "time_entries", "hours:float", "note:text", "billable:bool")],
        [],
    ),
    (
        "add categories table with parent_id referencing categories",
        [("resource", "categories", "parent_id:ref=categories")],
        [],
    ),
    # --- endpoint ------------------------------------------------------------------------------
    (
        "add GET /api/v1/residents/{id}/weekly-requirements endpoint",
        [("endpoint", "GET /api/v1/residents/{id}/weekly-requirements")],
        [],
    ),
    (
        "add GET /api/residents/{id}/weekly-requirements endpoint",
        [("endpoint", "GET /api/v1/residents/{id}/weekly-requirements")],
        [],
    ),
    ("add post /residents endpoint", [("endpoint", "POST /api/v1/residents")], []),
    (
        "add a GET endpoint /api/v1/residents/{id}/shifts",
        [("endpoint", "GET /api/v1/residents/{id}/shifts")],
        [],
    ),
    (
        "add GET /api/v1/residents and POST /api/v1/residents endpoints",
        [("endpoint", "GET /api/v1/residents"), ("endpoint", "POST /api/v1/residents")],
        [],
    ),
    (
        "please add PATCH /api/v2/tasks/{task_id} route",
        [("endpoint", "PATCH /api/v2/tasks/{task_id}")],
        [],
    ),
    (
        "add get /API/V1/tasks/{Id}/comments endpoint",
        [("endpoint", "GET /api/v1/tasks/{Id}/comments")],
        [],
    ),
    # --- field add -----------------------------------------------------------------------------
    ("add capacity int to rooms", [("field", "add", "rooms", "capacity:int")], []),
    (
        "add a priority enum low|medium|high to tasks",
        [("field", "add", "tasks", "priority:enum=low,medium,high")],
        [],
    ),
    (
        "add a priority enum of low, medium and high to the Tasks table",
        [("field", "add", "tasks", "priority:enum=low,medium,high")],
        [],
    ),
    (
        "add status enum (open, closed) and an optional notes text field to tasks",
        [("field", "add", "tasks", "status:enum=open,closed", "notes:text:optional")],
        [],
    ),
    ("add owner referencing users to tasks", [("field", "add", "tasks", "owner_id:ref=users")], []),
    (
        "add to rooms: capacity int, floor int",
        [("field", "add", "rooms", "capacity:int", "floor:int")],
        [],
    ),
    (
        "add price decimal(10, 2) and label string(120) to the task table",
        [("field", "add", "tasks", "price:decimal=10,2", "label:str=120")],
        [],
    ),
    (
        "add a new column is_active bool default true to users",
        [("field", "add", "users", "is_active:bool:default=true")],
        [],
    ),
    ("add unique code str to rooms", [("field", "add", "rooms", "code:str:unique")], []),
    (
        "add a billable flag to the time entries table",
        [("field", "add", "time_entries", "billable:bool")],
        [],
    ),
    (
        "add priority:enum=low,medium,high:default=low to tasks",
        [("field", "add", "tasks", "priority:enum=low,medium,high:default=low")],
        [],
    ),
    # --- index ---------------------------------------------------------------------------------
    ("optimize the schedule queries: add missing indexes", [INDEX], []),
    ("optimize schedule-generation queries", [INDEX], []),
    ("optimise the schedule queries: add missing indexes", [INDEX], []),
    ("add missing indexes", [INDEX], []),
    ("speed up queries", [INDEX], []),
    ("add the missing indexes on foreign keys", [INDEX], []),
    ("improve the performance of schedule generation", [INDEX], []),
    ("Speed up the residents lookups.", [INDEX], []),
    # --- remove / rename / destroy: all escalate ----------------------------------------------
    (
        "drop the phone column from contacts",
        [("field", "remove", "contacts", "phone")],
        [removed("contacts.phone")],
    ),
    (
        "remove phone from contacts",
        [("field", "remove", "contacts", "phone")],
        [removed("contacts.phone")],
    ),
    (
        "remove the phone and fax columns from the contacts table",
        [("field", "remove", "contacts", "phone"), ("field", "remove", "contacts", "fax")],
        [removed("contacts.phone"), removed("contacts.fax")],
    ),
    ("drop contacts.fax", [("field", "remove", "contacts", "fax")], [removed("contacts.fax")]),
    (
        "rename phone to phone_number in contacts",
        [("field", "rename", "contacts", "phone", "phone_number")],
        [renamed("contacts", "phone", "phone_number")],
    ),
    (
        "rename the phone column in contacts to mobile",
        [("field", "rename", "contacts", "phone", "mobile")],
        [renamed("contacts", "phone", "mobile")],
    ),
    (
        "rename contacts.phone to phone_number",
        [("field", "rename", "contacts", "phone", "phone_number")],
        [renamed("contacts", "phone", "phone_number")],
    ),
    # --- table renames: escalated, whatever the wording ---------------------------------------
    (
        "rename table contacts to people",
        [("rename", "contacts", "people")],
        [table_renamed("contacts", "people")],
    ),
    (
        "rename the contacts table to people",
        [("rename", "contacts", "people")],
        [table_renamed("contacts", "people")],
    ),
    (
        "Rename contacts to people",
        [("rename", "contacts", "people")],
        [table_renamed("contacts", "people")],
    ),
    (
        "rename the time entries table to timesheets",
        [("rename", "time_entries", "timesheets")],
        [table_renamed("time_entries", "timesheets")],
    ),
    ("drop table contacts", [("destroy", "contacts")], [destroyed("contacts")]),
    ("delete the contacts resource", [("destroy", "contacts")], [destroyed("contacts")]),
    ("destroy contacts", [("destroy", "contacts")], [destroyed("contacts")]),
    ("remove the contact model", [("destroy", "contacts")], [destroyed("contacts")]),
    # --- several missions in one sentence -----------------------------------------------------
    (
        "add capacity int to rooms and drop fax from contacts",
        [("field", "add", "rooms", "capacity:int"), ("field", "remove", "contacts", "fax")],
        [removed("contacts.fax")],
    ),
    (
        "add weekly_requirements table for Block scheduling; add GET "
        "/api/v1/residents/{id}/weekly-requirements endpoint then optimize the queries",
        [
            ("resource", W, "block_id:ref=blocks"),
            ("endpoint", "GET /api/v1/residents/{id}/weekly-requirements"),
            INDEX,
        ],
        [],
    ),
    (
        "drop column phone from contacts, then drop table rooms",
        [("field", "remove", "contacts", "phone"), ("destroy", "rooms")],
        [removed("contacts.phone"), destroyed("rooms")],
    ),
    # --- security keywords escalate on top of the action ---------------------------------------
    (
        "add users_roles table with user_id and role str",
        [("resource", "users_roles", "user_id", "role:str")],
        [SECURITY_REASON],
    ),
    (
        "add a password_hash str to users",
        [("field", "add", "users", "password_hash:str")],
        [SECURITY_REASON],
    ),
    (
        "add an api_keys table with user_id, label str, expires_at",
        [("resource", "api_keys", "user_id", "label:str", "expires_at")],
        [SECURITY_REASON],
    ),
]


@pytest.mark.parametrize(("sentence", "argvs", "reasons"), CASES, ids=[c[0][:60] for c in CASES])
def test_sentence_maps_to_exact_actions(sentence, argvs, reasons):
    plan = parse_mission(sentence, EXISTING)
    assert [a.argv for a in plan.actions] == argvs
    assert [e.reason for e in plan.escalations] == reasons
    assert plan.sentence == sentence


def test_case_table_is_big_enough():
    assert len(CASES) >= 45


def test_action_kinds():
    sentence = (
        "add tags table; add GET /api/v1/tags endpoint; add colour str to rooms; "
        "drop fax from contacts; rename phone to mobile in contacts; drop table users; "
        "add missing indexes"
    )
    kinds = [a.kind for a in parse_mission(sentence, EXISTING).actions]
    assert kinds == [
        "resource", "endpoint", "field_add", "field_remove", "field_rename", "destroy", "index"
    ]  # fmt: skip


def test_seed_resource_notes_say_how_to_add_fields():
    plan = parse_mission("add weekly_requirements table for Block scheduling", EXISTING)
    assert NO_FIELDS_NOTE.format(table=W) in plan.notes
    assert "scaffold field add weekly_requirements NAME:TYPE" in NO_FIELDS_NOTE.format(table=W)


def test_colon_split_missions_collapse_into_one_index_action():
    plan = parse_mission("optimize the schedule queries: add missing indexes", EXISTING)
    assert plan.actions == (plan.actions[0],)
    assert any("schedule" in note for note in plan.notes)


def test_destructive_escalation_quotes_the_clause():
    plan = parse_mission(
        "add capacity int to rooms and drop the fax column from contacts", EXISTING
    )
    assert [e.trigger for e in plan.escalations] == ["drop the fax column from contacts"]


def test_singular_override_only_when_inflection_would_not_round_trip():
    assert parse_mission("add a person table", EXISTING).actions[0].argv == ("resource", "people")
    # singularize("dies") is "dy", so the singular the user typed is passed on.
    plan = parse_mission("add a die table", EXISTING)
    assert plan.actions[0].argv == ("resource", "dies", "--singular", "die")


# --- errors -------------------------------------------------------------------------------

# (sentence, the exact part the error quotes)
ERRORS = [
    ("frobnicate the contacts", "frobnicate"),
    ("add capacity int to kitchens", "kitchens"),
    ("add phone", "phone"),
    ("drop contacts", "contacts"),
    ("rename table nowhere to people", "nowhere"),
    ("rename phone to phone_number", "phone"),
    ("rename phone to fax in contacts", "fax"),
    ("add GET /api/v1/residents/{id}/weekly-requirements?x=1 endpoint", "weekly-requirements?x=1"),
    ("add /api/v1/tasks endpoint", "/api/v1/tasks"),
    ("add GET /api//tasks endpoint", "/api//tasks"),
    ("add weekly_requirements table with priority enum", "enum"),
    ("add weekly_requirements table with id", "id"),
    ("add weekly_requirements table with title sorted by date", "by"),
    ("add weekly_requirements table sorted by name", "sorted by name"),
    ("add title str and fancy stuff of doom to tasks", "of"),
    (
        "add weekly_requirements table with priority enum of low, medium and high, due_at datetime",
        "datetime",
    ),
    ("add tasks table with title:strng", "title:strng"),
    ("add tasks table with owner_id:ref=kittens", "owner_id:ref=kittens"),
    ("add owner_id referencing kittens to tasks", "kittens"),
    ("remove phone number from contacts", "phone number"),
    ("optimize the schedule page", "the schedule page"),
    ("add a table", "table"),
    ("add a column to tasks", "column"),
    ("add orders table with order int, from str", "from"),
    ("", ""),
]


def test_a_field_named_like_a_grammar_word_is_shown_in_field_syntax_and_then_works():
    with pytest.raises(MissionParseError) as info:
        parse_mission("add orders table with order int, from str and metadata json", EXISTING)
    fixed = "add orders table with order int, from:str and metadata json"
    assert f'Try: scaffold mission "{fixed}"' in str(info.value)
    (action,) = parse_mission(fixed, EXISTING).actions
    assert action.argv == ("resource", "orders", "order:int", "from:str", "metadata:json")


@pytest.mark.parametrize(("sentence", "token"), ERRORS, ids=[e[0][:60] or "empty" for e in ERRORS])
def test_unmappable_sentence_names_the_part_not_understood(sentence, token):
    with pytest.raises(MissionParseError) as info:
        parse_mission(sentence, EXISTING)
    err = info.value
    assert err.token == token
    assert token in sentence
    message = str(err)
    assert f'"{token}"' in message
    assert 'Try: scaffold mission "' in message
    assert "\n" not in message


def test_error_table_is_big_enough():
    assert len(ERRORS) >= 15


def test_for_a_word_that_names_no_table_is_the_purpose_recorded_in_the_notes():
    plan = parse_mission("add weekly_requirements table for Block scheduling", {"residents": []})
    assert [a.argv for a in plan.actions] == [("resource", W)]
    assert any("read as the purpose (Block scheduling)" in note for note in plan.notes)


# Once refused (exit 2), now mapped: "for X" / "to support X" as the purpose when X names
# no table, and an index on a chosen column.
FORMER_REFUSALS = [
    ("add weekly_requirements table for scheduling", ("resource", W), "(scheduling)"),
    (
        "add capacity int to rooms for booking",
        ("field", "add", "rooms", "capacity:int"),
        "(booking)",
    ),
    ("add an index on tasks.due_at", ("index", "add", "tasks", "due_at"), None),
]


@pytest.mark.parametrize(("sentence", "argv", "purpose"), FORMER_REFUSALS)
def test_former_refusals_are_mapped(sentence, argv, purpose):
    plan = parse_mission(sentence, EXISTING)
    assert [a.argv for a in plan.actions] == [argv]
    assert purpose is None or any(purpose in note for note in plan.notes)


def test_error_examples_work():
    for sentence, _ in ERRORS:
        with pytest.raises(MissionParseError) as info:
            parse_mission(sentence, EXISTING)
        assert parse_mission(info.value.example, EXISTING).actions


def test_field_add_needs_an_existing_table():
    with pytest.raises(MissionParseError) as info:
        parse_mission("add a priority enum low|medium|high to todos", {})
    assert info.value.token == "todos"


def test_long_sentence_is_rejected_quickly():
    sentence = "add tasks table with " + "title str, " * 400
    start = time.perf_counter()
    with pytest.raises(MissionParseError) as info:
        parse_mission(sentence, EXISTING)
    assert time.perf_counter() - start < 0.05
    assert "2,000" in str(info.value)
    assert info.value.token == sentence[:40]


def test_longest_allowed_sentence_parses_fast():
    fields = ", ".join(f"field_{n} int" for n in range(130))
    values = ", ".join(f"v{n}" for n in range(340))
    for sentence in (f"add wide_rows table with {fields}", f"add size enum of {values} to rooms"):
        assert 1800 < len(sentence) <= 2000
        start = time.perf_counter()
        plan = parse_mission(sentence, EXISTING)
        assert time.perf_counter() - start < 0.5
        assert len(plan.actions) == 1


# --- hidden characters and look-alikes ----------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "token"),
    [
        ("drop the phone column from c\u043entacts", "c\u043entacts"),  # Cyrillic o
        ("add capacity int to r\u03bfoms", "r\u03bfoms"),  # Greek omicron
        ("add weekly\u200brequirements table", "weekly\u200brequirements"),
        ("add weekly\u2060requirements table", "weekly\u2060requirements"),
        ("add fax to con\u00adtacts", "con\u00adtacts"),
        ("add \ufeffphone to contacts", "\ufeffphone"),
        ("add ｐｈｏｎｅ to contacts", "ｐｈｏｎｅ"),
        ("remove \u0455ecret from users", "\u0455ecret"),
    ],
)
def test_names_with_hidden_or_lookalike_characters_are_rejected(sentence, token):
    with pytest.raises(MissionParseError) as info:
        parse_mission(sentence, EXISTING)
    assert info.value.token == token
    assert "U+" in str(info.value)
    assert str(info.value).isascii()


def test_typographic_quotes_and_no_break_spaces_are_fine():
    plan = parse_mission("add the \u201cweekly_requirements\u201d\u00a0table", EXISTING)
    assert plan.actions[0].argv == ("resource", W)


# --- security escalation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "trigger"),
    [
        ("add a TOKEN field to users", "token"),
        ("add users table\nwith email and\nPassword", "password"),
        ("add a Permissions table", "permissions"),
        ("add auth to the tasks endpoint", "auth"),
        ("add login_attempts table", "login"),
        ("add a Credentials table", "credentials"),
        ("add ssn str to residents", "ssn"),
        ("add an API key to users", "api key"),
        ("add user_sessions table", "user_sessions"),
        ("add authorization checks", "authorization"),
    ],
)
def test_security_keywords_escalate(sentence, trigger):
    assert [e.trigger for e in security_escalations(sentence)] == [trigger]
    assert security_escalations(sentence)[0].reason == SECURITY_REASON


@pytest.mark.parametrize(
    ("sentence", "trigger"),
    [
        ("add pass\u200bword to users", "password"),
        ("add pass\u200c\u200dword to users", "password"),
        ("add pass\u2060word to users", "password"),
        ("add \ufeffsecret to users", "secret"),
        ("add se\u00adcret to users", "secret"),
        ("add ＰＡＳＳＷＯＲＤ to users", "password"),
        ("add \u0440\u0430ssword to users", "password"),  # Cyrillic er, a
        ("add t\u03bfken to users", "token"),  # Greek omicron
        ("add \u0455\u0455n to users", "ssn"),  # Cyrillic dze
        ("add \u0430\u0440\u0456 key to users", "api key"),  # Cyrillic a, er, i
        ("add p\u00e1ssword to users", "password"),  # accent
        ("add pass-\nword to users", "password"),
        ("add\tTOKEN\r\nto users", "token"),
    ],
)
def test_security_keywords_survive_disguise(sentence, trigger):
    assert [e.trigger for e in security_escalations(sentence)] == [trigger]


def test_disguised_keyword_is_rejected_and_still_reported():
    with pytest.raises(MissionParseError) as info:
        parse_mission("add pass\u200bword to users", EXISTING)
    assert info.value.token == "pass\u200bword"
    assert [e.trigger for e in info.value.escalations] == ["password"]


def test_security_escalation_is_added_to_the_action():
    plan = parse_mission("add a TOKEN\nfield to users", EXISTING)
    assert [a.argv for a in plan.actions] == [("field", "add", "users", "token")]
    assert [(e.reason, e.trigger) for e in plan.escalations] == [(SECURITY_REASON, "token")]


@pytest.mark.parametrize(
    "sentence",
    [
        "add training_sessions table with title",
        "add authors table with name",
        "add a tokenizer_runs table",
        "add payroll table",
        "add missing indexes",
    ],
)
def test_ordinary_words_do_not_escalate(sentence):
    assert security_escalations(sentence) == ()
    assert parse_mission(sentence, EXISTING).escalations == ()


def test_one_escalation_per_term():
    triggers = [e.trigger for e in security_escalations("add user_roles with role and roles")]
    assert triggers == ["roles"]


def test_normalize_for_matching():
    assert normalize_for_matching("Ａdd  \u0440\u0430ss\u200bword\n\nNOW") == "add password now"


# --- determinism --------------------------------------------------------------------------


@pytest.mark.parametrize("sentence", [c[0] for c in CASES[::5]])
def test_same_sentence_same_plan(sentence):
    first = parse_mission(sentence, EXISTING)
    second = parse_mission(sentence, dict(reversed(list(EXISTING.items()))))
    assert first == second
    assert hash(first) == hash(second)


RELATED = {
    "articles": ["title"],
    "tags": ["name"],
    "users": ["email"],
    "residents": ["name"],
    "weekly_requirements": ["resident_id"],
    "profiles": ["bio"],
}


@pytest.mark.parametrize(
    ("sentence", "argv"),
    [
        ("link articles and tags", ("field", "add", "articles", "tags:many=tags")),
        ("Articles have many tags.", ("field", "add", "articles", "tags:many=tags")),
        ("connect articles to tags", ("field", "add", "articles", "tags:many=tags")),
        (
            "each user has one profile",
            ("field", "add", "profiles", "user_id:ref=users:unique:optional"),
        ),
        (
            "every user has a resident",
            ("field", "add", "residents", "user_id:ref=users:unique:optional"),
        ),
        ("each user has one avatar", ("resource", "avatars", "user_id:ref=users:unique")),
    ],
)
def test_relationship_sentences_map_to_links(sentence: str, argv: tuple[str, ...]) -> None:
    plan = parse_mission(sentence, RELATED)
    assert [a.argv for a in plan.actions] == [argv]
    assert not plan.escalations


def test_a_link_that_exists_adds_nothing_and_says_so() -> None:
    plan = parse_mission("residents have many weekly_requirements", RELATED)
    assert plan.actions == ()
    assert "already references residents" in plan.notes[0]
    linked = {**RELATED, "articles": ["title", "tags"]}
    plan = parse_mission("link articles and tags", linked)
    assert plan.actions == () and "already linked" in plan.notes[0]


# --- sign-in and who may call a resource -------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "argv"),
    [
        ("add sign-in with email and password", ("auth",)),
        ("Add authentication.", ("auth",)),
        ("set up login", ("auth",)),
        ("add users and sign-in", ("auth",)),
        ("protect the rooms routes", ("access", "rooms", "user")),
        ("require sign-in for tasks", ("access", "tasks", "user")),
        ("secure the contacts API", ("access", "contacts", "user")),
        ("open the rooms API to everyone", ("access", "rooms", "public")),
        ("let anonymous visitors read the rooms routes", ("access", "rooms", "public")),
        ("make tasks public", ("access", "tasks", "public")),
    ],
)
def test_sign_in_and_access_sentences_map_to_commands_and_escalate(sentence, argv):
    plan = parse_mission(sentence, EXISTING)
    assert [a.argv for a in plan.actions] == [argv]
    assert plan.escalations and all(e.reason == SECURITY_REASON for e in plan.escalations)


def test_protecting_an_unknown_table_is_not_understood_but_still_escalates():
    with pytest.raises(MissionParseError) as err:
        parse_mission("protect the invoices routes", EXISTING)
    assert [e.trigger for e in err.value.escalations] == ["protect"]


def test_make_without_public_is_not_an_access_change():
    plan = parse_mission("make tasks", EXISTING)
    assert all(a.kind != "access" for a in plan.actions)


@pytest.mark.parametrize(
    ("sentence", "actions"),
    [
        ("set the login rate limit to 10/minute", [("setting", "LOGIN_RATE_LIMIT", "10/minute")]),
        ("limit login attempts to 3 per minute", [("setting", "LOGIN_RATE_LIMIT", "3/minute")]),
        ("add rate limiting to the login route", []),  # on already: a note says which setting
    ],
)
def test_sign_in_rate_limits_map_to_their_setting_and_escalate(sentence, actions):
    plan = parse_mission(sentence, EXISTING)
    assert [a.argv for a in plan.actions] == actions
    assert [e.trigger for e in plan.escalations] == ["login"]
    if not actions:
        assert any("LOGIN_RATE_LIMIT" in note for note in plan.notes)


@pytest.mark.parametrize(
    ("sentence", "argv"),
    [
        ("version the residents API", ("version", "residents")),
        ("version residents as v3", ("version", "residents", "3")),
        ("add a new version of the rooms api", ("version", "rooms")),
    ],
)
def test_versioning_sentences_map_to_a_new_api_version(sentence, argv):
    plan = parse_mission(sentence, EXISTING)
    assert [a.argv for a in plan.actions] == [argv]
    assert plan.escalations == ()
