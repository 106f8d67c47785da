"""The field syntax of PRODUCT.md: every type, modifier and inference rule, and its errors."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from scaffold.errors import InputError
from scaffold.spec.fields import parse_field


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("title", {"kind": "str", "length": 255}),
        ("title:str=120", {"kind": "str", "length": 120}),
        ("notes:text", {"kind": "text"}),
        ("hours:int", {"kind": "int"}),
        ("views:bigint", {"kind": "bigint"}),
        ("ratio:float", {"kind": "float"}),
        ("price:decimal=10,2", {"kind": "decimal", "precision": 10, "scale": 2}),
        ("price:decimal", {"kind": "decimal", "precision": 10, "scale": 2}),
        ("active:bool:default=true", {"kind": "bool", "default": True, "has_default": True}),
        ("week_start:date", {"kind": "date"}),
        ("due:datetime", {"kind": "datetime"}),
        ("starts:time:default=09:30", {"kind": "time", "default": dt.time(9, 30)}),
        ("external_id:uuid:unique", {"kind": "uuid", "unique": True}),
        ("settings:json", {"kind": "json"}),
        (
            "status:enum=pending,approved,rejected:default=pending",
            {"kind": "enum", "choices": ("pending", "approved", "rejected"), "default": "pending"},
        ),
        (
            "resident_id:ref=residents:ondelete=cascade",
            {"kind": "ref", "ref_table": "residents", "ondelete": "CASCADE"},
        ),
        (
            "owner_id:ref=users:optional:ondelete=set-null",
            {"ondelete": "SET NULL", "optional": True},
        ),
        ("owner_id:ref=users:ondelete=restrict", {"ondelete": "RESTRICT"}),
        ("code:str=8:pattern=^[A-Z]{3}:[0-9]+$", {"pattern": "^[A-Z]{3}:[0-9]+$"}),
        ("nick:str=40:min=2:max=20", {"min": 2, "max": 20}),
        ("hours:int:min=0:max=80:default=8", {"min": 0, "max": 80, "default": 8}),
        ("price:decimal=6,2:default=9.99", {"default": Decimal("9.99")}),
        ("rating:float:min=0.5:max=5", {"min": 0.5, "max": 5.0}),
        ("notes:text:optional", {"optional": True}),
        ("slug:str:index", {"index": True}),
        ("secret_word:str:sensitive", {"sensitive": True}),
        ("on_day:date:default=2024-02-29", {"default": dt.date(2024, 2, 29)}),
        (
            "starts_at:datetime:default=2024-01-01T10:00:00+02:00",
            {"default": dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)},
        ),
        ("published_at:datetime:default=now", {"default": "now"}),
        (
            "key:uuid:default=12345678-1234-5678-1234-567812345678",
            {"default": uuid.UUID("12345678-1234-5678-1234-567812345678")},
        ),
    ],
)
def test_field_tokens_parse_to_typed_fields(token, expected):
    field = parse_field(token)
    for key, value in expected.items():
        assert getattr(field, key) == value, key


@pytest.mark.parametrize(
    ("token", "kind", "extra"),
    [
        ("resident_id", "ref", {"ref_table": "residents"}),
        ("category_id", "ref", {"ref_table": "categories"}),
        ("due_at", "datetime", {}),
        ("starts_on", "date", {}),
        ("birth_date", "date", {}),
        ("date", "date", {}),
        ("is_active", "bool", {}),
        ("has_pager", "bool", {}),
        ("email", "str", {"email": True, "length": 320}),
        ("password", "str", {"sensitive": True}),
        ("client_secret", "str", {"sensitive": True}),
        ("refresh_token", "str", {"sensitive": True}),
        ("api_key", "str", {"sensitive": True}),
        ("ssn", "str", {"sensitive": True}),
        ("title", "str", {"sensitive": False}),
    ],
)
def test_types_are_inferred_from_names(token, kind, extra):
    field = parse_field(token)
    assert field.kind == kind
    for key, value in extra.items():
        assert getattr(field, key) == value


@pytest.mark.parametrize(
    ("token", "bad"),
    [
        ("hours:integer", "integer"),
        ("hours:int:maximum=3", "maximum"),
        ("Hours:int", "Hours"),
        ("2hours:int", "2hours"),
        ("id:int", "id"),
        ("created_at", "created_at"),
        ("model_name:str", "model_name"),
        ("xmin:int", "xmin"),
        ("naïve:str", "naïve"),
        ("order_:int", "order_"),
        ("l:int", "'l'"),
        ("x" * 64, "x" * 60),
        ("hours:int:default=abc", "abc"),
        ("hours:int:min=5:max=1", "hours:int:min=5:max=1"),
        ("hours:int:max=80:default=81", "81"),
        ("hours:int:default=99999999999", "99999999999"),
        ("active:bool:default=maybe", "maybe"),
        ("status:enum=a,b:default=c", "c"),
        ("status:enum", "status:enum"),
        ("status:enum=a,a", "a,a"),
        ("status:enum=a';DROP", "a';DROP"),
        ("price:decimal=4,2:default=123.45", "123.45"),
        ("price:decimal=2,5", "2,5"),
        ("ratio:float:default=nan", "nan"),
        ("ratio:float:default=inf", "inf"),
        ("title:str=0", "0"),
        ("title:str=10:default=" + "x" * 11, "x" * 11),
        ("code:str:pattern=[", "["),
        ("owner_id:ref=users:ondelete=explode", "explode"),
        ("owner_id:ref=users:ondelete=set-null", "owner_id:ref=users:ondelete=set-null"),
        ("title:str:ondelete=cascade", "ondelete"),
        ("active:bool:min=1", "min"),
        ("settings:json:unique", "settings:json:unique"),
        ("settings:json:default=x", "x"),
        ("due:datetime:default=2024-01-01T00:00:00", "2024-01-01T00:00:00"),
        ("title:str:unique:unique", "unique"),
        ("title:unique:str", "str"),
        ("title:str:optional=yes", "optional"),
        ("title\n:str", "title\n:str"),
        ("title:text=5", "text=5"),
        ("owner:ref", "owner:ref"),
        ("password:str:default=hunter2", "hunter2"),
    ],
)
def test_bad_field_tokens_are_refused_naming_the_token(token, bad):
    with pytest.raises(InputError) as info:
        parse_field(token)
    message = str(info.value)
    assert repr(bad)[1:-1][:50] in message or bad[:50] in message
    assert "Example:" in message


@pytest.mark.parametrize(
    ("token", "attr"),
    [
        ("order:int", "order"),
        ("user:str", "user"),
        ("type:str", "type"),
        ("match:str", "match"),
        ("payload:json", "payload"),
        ("metadata:json", "metadata_"),
        ("registry:str", "registry_"),
        ("schema:str", "schema_"),
        ("from:str", "from_"),
        ("class:bool", "class_"),
        ("return:str", "return_"),
        ("copy:str", "copy_"),
        ("str:str", "str_"),
    ],
)
def test_names_that_clash_in_python_are_spelled_name_underscore_there_only(token, attr):
    field = parse_field(token)
    assert (field.name, field.attr) == (token.split(":")[0], attr)


@pytest.mark.parametrize(
    ("token", "example"),
    [
        ("Order:int", "order:int"),
        ("xmin:int:optional", "xmin_value:int:optional"),
        ("created_at:datetime", "created_at_value:datetime"),
        ("model_year:int", "year:int"),
        ("order_:int", "order:int"),
    ],
)
def test_a_refused_field_name_shows_the_users_token_corrected(token, example):
    with pytest.raises(InputError) as info:
        parse_field(token)
    assert f"Example: {example}" in str(info.value)


@pytest.mark.parametrize(
    ("arguments", "tokens"),
    [
        (["a:int b:date"], ("a:int", "b:date")),
        (["note:str:default=hello world"], ("note:str:default=hello world",)),
        (["note:str:default=a default long enough"], ("note:str:default=a default long enough",)),
        (["code:str:default=x y:int"], ("code:str:default=x", "y:int")),
    ],
)
def test_one_argument_is_split_into_fields_only_where_a_value_cannot_continue(arguments, tokens):
    from scaffold.commands.resource import expand_fields

    assert expand_fields(arguments) == tokens
