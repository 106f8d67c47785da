"""``ResourceArgs`` as plain data: the codec the manifest stores, and its command line."""

from __future__ import annotations

import doctest
import tomllib
from dataclasses import fields

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

import scaffold.spec.args
from scaffold.errors import ProjectError
from scaffold.spec.args import _KINDS, ResourceArgs, args_from_argv
from scaffold.spec.resource import ACCESS_FLAGS

EVERYTHING = ResourceArgs(
    name="bookings",
    fields=("room_id:ref=rooms", "starts:datetime", "ends:datetime"),
    singular="booking",
    parent="rooms",
    uniques=("room_id,starts",),
    checks=("starts<ends",),
    id_type="uuid",
    api_version=3,
    lists_under=("users",),
    owned=True,
    access="public-admin-writes",
    rate_limit="100/minute",
)


def test_every_value_survives_the_round_trip_and_toml() -> None:
    data = EVERYTHING.to_dict()
    assert set(data) == {f.name for f in fields(ResourceArgs)}
    assert ResourceArgs.from_dict(data) == EVERYTHING
    assert ResourceArgs.from_dict(tomllib.loads(tomli_w.dumps(data))) == EVERYTHING


def test_defaults_are_left_out() -> None:
    assert ResourceArgs("rooms").to_dict() == {"name": "rooms"}
    assert ResourceArgs("rooms", singular="", parent="").to_dict() == {"name": "rooms"}
    assert ResourceArgs("rooms", fields=("name:str",), owned=True).to_dict() == {
        "name": "rooms",
        "fields": ["name:str"],
        "owned": True,
    }


def test_every_field_has_a_stored_type() -> None:
    assert list(_KINDS) == [f.name for f in fields(ResourceArgs)]


def test_the_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(scaffold.spec.args)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (["resource", "rooms"], "must be a table"),
        ({"fields": ["name:str"]}, "need a name"),
        ({"name": 3}, "need a name"),
        ({"name": "rooms", "argv": ["resource", "rooms"]}, "'argv' is not a resource argument"),
        ({"name": "rooms", "fields": "name:str"}, "fields = 'name:str' is not a list of strings"),
        ({"name": "rooms", "fields": [3]}, "is not a list of strings"),
        ({"name": "rooms", "singular": 3}, "singular = 3 is not a string"),
        ({"name": "rooms", "api_version": "2"}, "api_version = '2' is not a whole number"),
        ({"name": "rooms", "api_version": True}, "is not a whole number"),
        ({"name": "rooms", "owned": 1}, "owned = 1 is not true or false"),
        ({"name": "rooms", "access": "everyone"}, "access = 'everyone' is not one of user,"),
    ],
)
def test_damaged_data_is_a_project_error(data: object, said: str) -> None:
    with pytest.raises(ProjectError) as caught:
        ResourceArgs.from_dict(data)
    assert said in caught.value.message


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_WORDS = st.lists(_TEXT, max_size=3).map(tuple)
# A field token never starts with "--": on a command line it would be an option.
_FIELDS = st.lists(_TEXT.filter(lambda t: not t.startswith("--")), max_size=4).map(tuple)

any_args = st.builds(
    ResourceArgs,
    name=_TEXT,
    fields=_FIELDS,
    singular=st.none() | _TEXT,
    parent=st.none() | _TEXT,
    uniques=_WORDS,
    checks=_WORDS,
    id_type=_TEXT,
    api_version=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    lists_under=_WORDS,
    owned=st.booleans(),
    access=st.sampled_from(list(ACCESS_FLAGS)),
)


@given(any_args)
def test_stored_args_read_back_as_the_command_line_they_replace(args: ResourceArgs) -> None:
    data = tomllib.loads(tomli_w.dumps(args.to_dict()))
    stored = ResourceArgs.from_dict(data)
    # What an older manifest kept (argv) and what this one keeps are the same args.
    assert stored == args_from_argv(args.argv())
    assert stored.to_dict() == data == args.to_dict()
    if args.singular != "" and args.parent != "":
        assert stored == args
