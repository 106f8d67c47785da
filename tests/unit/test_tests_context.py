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
