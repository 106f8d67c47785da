"""The values tests_context prepares for the test template's partials."""

from __future__ import annotations

from scaffold.generate import tests as generated
from scaffold.project.layout import AuthRefs, Layout
from scaffold.spec.resource import Known, build_resource

BOARDS = {"boards": Known("boards", "Board", "board")}


def test_a_nested_resource_posts_and_lists_under_its_parent() -> None:
    cards = build_resource("cards", ["title:str=80"], parent="boards", known=BOARDS)
    ctx = generated.tests_context(cards, Layout(), "/api/v1")
    assert ctx["collection_url"] == 'f"/api/v1/boards/{parent_id}/cards"'
    assert ctx["same_parent_arg"] == ", board_id=parent_id"
    assert ctx["sensitive_listing"] == 'ITEMS.rsplit("/", 1)[0]'


def test_a_flat_resource_posts_and_lists_at_its_items() -> None:
    ctx = generated.tests_context(build_resource("boards", ["title:str=80"]), Layout(), "/api/v1")
    assert (ctx["collection_url"], ctx["same_parent_arg"], ctx["sensitive_listing"]) == (
        "ITEMS",
        "",
        "ITEMS",
    )


def test_the_client_signs_in_as_an_admin_only_where_admins_write() -> None:
    signed_in = Layout(auth=AuthRefs())
    plain = generated.tests_context(
        build_resource("boards", ["title:str=80"]), signed_in, "/api/v1"
    )
    assert plain["auth"] is not None
    assert (
        plain["auth"]["client_sign_in"],
        plain["auth"]["client_role"],
        plain["auth"]["client_needs"],
    ) == ("sign_in(session)", "user", "one")
    admin = build_resource("boards", ["title:str=80"], access="admin-writes")
    written = generated.tests_context(admin, signed_in, "/api/v1")["auth"]
    assert (written["client_sign_in"], written["client_role"], written["client_needs"]) == (
        "sign_in(session, admin=True)",
        "admin",
        "one for writes",
    )


def test_without_sign_in_there_are_no_access_tests() -> None:
    ctx = generated.tests_context(build_resource("boards", ["title:str=80"]), Layout(), "/api/v1")
    assert ctx["auth"] is None


GROUPS = {"groups": Known("groups", "Group", "group", id_type="uuid")}
USERS = {"users": Known("users", "User", "user")}


def test_list_tests_make_no_more_rows_than_a_unique_rule_lets_share_a_parent() -> None:
    # (group_id, active): two rows per group; (group_id, level) with two levels: two.
    flags = build_resource(
        "flags",
        ["group_id:ref=groups", "active:bool"],
        parent="groups",
        uniques=["group_id,active"],
        known=GROUPS,
    )
    ctx = generated.tests_context(flags, Layout(), "/api/v1")
    assert (ctx["nested_rows"], ctx["include_rows"]) == (2, 2)
    # Without the parent held, every row has a group of its own: the usual 3.
    assert ctx["list_rows"] == 3
    ranks = build_resource("ranks", ["title:str=80", "level:enum=low,high:unique"])
    assert generated.tests_context(ranks, Layout(), "/api/v1")["list_rows"] == 2
    free = build_resource("days", ["group_id:ref=groups", "day:date"], known=GROUPS)
    ctx = generated.tests_context(free, Layout(), "/api/v1")
    assert (ctx["list_rows"], ctx["include_rows"]) == (3, 3)


def test_an_owned_resource_counts_its_unique_rules_per_signed_in_user() -> None:
    toggles = build_resource("toggles", ["on:bool:unique"], owner=USERS["users"], known=USERS)
    assert generated.tests_context(toggles, Layout(auth=AuthRefs()), "/api/v1")["list_rows"] == 2


def test_a_later_version_s_tests_reach_other_resources_and_the_users_at_v1() -> None:
    known = {**USERS, "labels": Known("labels", "Label", "label")}
    posts = build_resource(
        "posts", ["title:str=80", "labels:many=labels"], api_version=2, known=known
    )
    ctx = generated.tests_context(posts, Layout(auth=AuthRefs()), "/api/v2")
    assert ctx["item_prefix"] == "/api/v2/posts"
    assert ctx["auth"]["me"] == "/api/v1/users/me"
    (many,) = ctx["many"]
    assert many["target"] == "/api/v1/labels"
    # Deleted as an admin: the linked rows may be ones only admins write.
    assert many["as_admin"] == ", headers=await admin_headers()"


def test_a_date_a_check_keeps_constant_leaves_one_row_per_parent() -> None:
    # starts_on cannot move later (it must stay before ends_on): every row has the same one.
    spans = build_resource(
        "spans",
        ["group_id:ref=groups", "starts_on:date", "ends_on:date"],
        parent="groups",
        uniques=["group_id,starts_on"],
        checks=["starts_on<ends_on"],
        known=GROUPS,
    )
    ctx = generated.tests_context(spans, Layout(), "/api/v1")
    assert (ctx["nested_rows"], ctx["include_rows"], ctx["list_rows"]) == (1, 1, 3)


def test_a_unique_int_that_a_rule_compares_with_a_number_varies_within_it() -> None:
    from scaffold.generate.imports import Imports
    from scaffold.generate.samples import Samples

    for rule in ("hours<=80", "hours>=10", "hours<5", "hours>-3"):
        spec = build_resource("slots", ["hours:int:unique"], checks=[rule])
        expr = Samples(spec).expr(spec.field("hours"), Imports())
        made = {eval(expr, {"n": n}) for n in range(1, 500)}  # noqa: S307 - our own source
        assert len(made) == 499, f"{rule}: {expr} repeats a value"
        assert all(Samples.holds(spec.checks[0], {"hours": value}) for value in made), expr


def test_a_unique_decimal_or_float_that_a_rule_compares_with_a_number_varies_within_it() -> None:
    # The fuzzer's rooms: price:decimal=10,2:unique with --check "price<=1000" was one
    # constant price, so the second row was a 409.
    from decimal import Decimal

    from scaffold.generate.imports import Imports
    from scaffold.generate.samples import Samples

    for field, rule in (
        ("price:decimal=10,2:unique:min=0", "price<=1000"),
        ("price:decimal=10,2:unique", "price>999.5"),
        ("price:float:unique", "price<0.5"),
    ):
        spec = build_resource("rooms", [field], checks=[rule])
        expr = Samples(spec).expr(spec.field("price"), Imports())
        names = {"n": 0, "Decimal": Decimal}
        made = {eval(expr, {**names, "n": n}) for n in range(1, 50)}  # noqa: S307 - our own source
        assert len(made) == 49, f"{rule}: {expr} repeats a value"
        values = [Decimal(str(v)) if isinstance(v, str) else v for v in made]
        checks = [Samples.holds(spec.checks[0], {"price": value}) for value in values]
        assert all(checks), expr


def test_a_varied_datetime_keeps_its_solved_time_of_day_so_its_rule_holds_for_every_row() -> None:
    # The fuzzer's teams: starts_at varied by minutes from midnight while the rule
    # ends_at<=starts_at had been solved with both at 09:00: every row was a 422.
    import datetime as dt

    from scaffold.generate.imports import Imports
    from scaffold.generate.samples import Samples

    spec = build_resource(
        "teams",
        ["starts_at:datetime", "ends_at:datetime", "slot:int"],
        uniques=["slot,starts_at"],
        checks=["ends_at<=starts_at"],
    )
    samples = Samples(spec)
    expr = samples.expr(spec.field("starts_at"), Imports())
    ends_at = samples.base["ends_at"]
    for n in (1, 2, 500):
        starts_at = dt.datetime.fromisoformat(eval(expr, {"n": n, "dt": dt}))  # noqa: S307
        assert Samples.holds(spec.checks[0], {"starts_at": starts_at, "ends_at": ends_at}), n


def test_a_narrow_decimal_in_a_unique_rule_bounds_the_rows_under_one_parent() -> None:
    # 0.0 and 0.1 in tenths: 2 values, so 2 rows per group for the nested list tests.
    grades = build_resource(
        "grades",
        ["group_id:ref=groups", "mark:decimal=2,1:min=0:max=0.1"],
        parent="groups",
        uniques=["group_id,mark"],
        known=GROUPS,
    )
    ctx = generated.tests_context(grades, Layout(), "/api/v1")
    assert (ctx["nested_rows"], ctx["include_rows"]) == (2, 2)


OWNED = {
    "invoices": Known("invoices", "Invoice", "invoice", owned=True),
    "users": USERS["users"],
}


def test_admin_only_rows_behind_an_owned_reference_expect_403_for_a_plain_users_writes() -> None:
    tasks = build_resource(
        "tasks", ["invoice_id:ref=invoices", "title:str=80"], access="admin-writes", known=OWNED
    )
    auth = generated.tests_context(tasks, Layout(auth=AuthRefs()), "/api/v1")["auth"]
    assert auth["admin"] and auth["owned_ref"]["field"] == "invoice_id"
    plain = build_resource("tasks", ["invoice_id:ref=invoices", "title:str=80"], known=OWNED)
    assert not generated.tests_context(plain, Layout(auth=AuthRefs()), "/api/v1")["auth"]["admin"]


def test_owned_rows_under_an_owned_parent_list_nothing_for_another_user() -> None:
    lines = build_resource(
        "lines", ["name:str=80"], parent="invoices", owner=USERS["users"], known=OWNED
    )
    auth = generated.tests_context(lines, Layout(auth=AuthRefs()), "/api/v1")["auth"]
    assert auth["through_parent"] and auth["owned_ref"]["via_parent"]
    flat = build_resource("notes", ["name:str=80"], owner=USERS["users"], known=OWNED)
    assert not generated.tests_context(flat, Layout(auth=AuthRefs()), "/api/v1")["auth"][
        "through_parent"
    ]


def test_a_pattern_columns_filter_test_makes_its_second_row_match_the_pattern() -> None:
    import re

    codes = build_resource("codes", ["code:str=12:pattern=^[A-Z]{3}-[0-9]{2}$:index"])
    (code,) = generated.tests_context(codes, Layout(), "/api/v1")["filters"]
    value = code["other"].removeprefix(", code=").strip("'\"")
    assert re.fullmatch(r"[A-Z]{3}-[0-9]{2}", value) and value != "AAA-00"


def test_a_unique_rule_over_a_column_unique_alone_takes_either_rules_message() -> None:
    rooms = build_resource(
        "rooms",
        ["email", "external_ref:uuid:unique"],
        uniques=["email,external_ref"],
        owner=USERS["users"],
        known=USERS,
    )
    rules = generated.tests_context(rooms, Layout(auth=AuthRefs()), "/api/v1")["unique_sets"]
    rule = next(r for r in rules if r["slug"] == "email_and_external_ref")
    assert rule["details"] == [
        "email and external_ref are already taken together.",
        "external_ref is already taken.",
    ]
    alone = build_resource("rooms", ["email", "name:str=80"], uniques=["email,name"])
    (only,) = generated.tests_context(alone, Layout(), "/api/v1")["unique_sets"]
    assert only["details"] == ["email and name are already taken together."]


def test_a_unique_field_in_a_wider_unique_rule_takes_either_rules_message() -> None:
    shifts = build_resource(
        "shifts", ["active:bool", "hours:int:unique:min=0:max=1000"], uniques=["hours,active"]
    )
    ctx = generated.tests_context(shifts, Layout(), "/api/v1")
    assert ctx["unique"]["any_of"] == (
        '("hours is already taken.", "hours and active are already taken together.")'
    )
    alone = build_resource("shifts", ["hours:int:unique"])
    assert generated.tests_context(alone, Layout(), "/api/v1")["unique"]["any_of"] == ""
