"""SafeStr, JsonObject and the base models reject hostile input without quoting it."""

import math

import pytest
from pydantic import Field, ValidationError

from app.schemas.base import (
    MAX_JSON_DEPTH,
    Email,
    InputModel,
    JsonObject,
    Page,
    ReadModel,
    SafeStr,
)


class Note(InputModel):
    title: SafeStr = Field(max_length=3)
    body: SafeStr | None = None
    data: JsonObject | None = None
    score: float = 0.0


def error_types(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [error["type"] for error in exc.value.errors()]


def test_length_is_checked_after_nfc_normalisation() -> None:
    note = Note.model_validate({"title": "e\u0301" * 3})

    assert note.title == "\u00e9" * 3


def test_length_limit_still_applies() -> None:
    with pytest.raises(ValidationError) as exc:
        Note.model_validate({"title": "abcd"})

    assert error_types(exc) == ["string_too_long"]


@pytest.mark.parametrize("text", ["\ud800", "a\x00", "ok\udfff"])
def test_lone_surrogates_and_nul_are_rejected_without_echo(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Note.model_validate({"title": "ok", "body": text})

    [error] = exc.value.errors(include_input=False)
    assert error["type"] == "value_error"
    assert text not in error["msg"]


def test_optional_safe_str_accepts_none_and_rejects_non_strings() -> None:
    assert Note.model_validate({"title": "ok", "body": None}).body is None
    with pytest.raises(ValidationError) as exc:
        Note.model_validate({"title": "ok", "body": 12})

    assert error_types(exc) == ["string_type"]


def test_unknown_fields_and_non_finite_numbers_are_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        Note.model_validate({"title": "ok", "score": math.inf, "admin": True})

    assert sorted(error_types(exc)) == ["extra_forbidden", "finite_number"]


def nested(depth: int) -> dict[str, object]:
    document: dict[str, object] = {}
    for _ in range(depth - 1):
        document = {"child": document}
    return document


def test_json_object_accepts_ordinary_documents() -> None:
    document = {"tags": ["a", "b"], "limits": {"min": 1, "max": 2.5}, "on": True, "none": None}

    assert Note.model_validate({"title": "ok", "data": document}).data == document
    assert Note.model_validate({"title": "ok", "data": nested(MAX_JSON_DEPTH)}).data is not None


@pytest.mark.parametrize(
    "document",
    [
        {"ratio": math.nan},
        {"ratios": [1.0, -math.inf]},
        {"name": "a\x00b"},
        {"bad\ud800key": 1},
        {"deep": [{"text": "\udc00"}]},
        nested(MAX_JSON_DEPTH + 1),
        [1, 2],
    ],
)
def test_json_object_rejects_hostile_documents(document: object) -> None:
    with pytest.raises(ValidationError):
        Note.model_validate({"title": "ok", "data": document})


def test_page_and_read_model_serialise_orm_like_objects() -> None:
    class Item(ReadModel):
        id: int

    class Row:
        id = 7

    page = Page[Item](items=[Item.model_validate(Row())], total=1, limit=50, offset=0)

    assert page.model_dump() == {"items": [{"id": 7}], "total": 1, "limit": 50, "offset": 0}


class Contact(InputModel):
    email: Email


def test_an_invalid_email_says_so_without_quoting_it() -> None:
    with pytest.raises(ValidationError) as info:
        Contact.model_validate({"email": "ada!@@example"})
    (error,) = info.value.errors()
    assert (error["type"], error["msg"]) == ("email", "must be a valid email address")
    assert "ada!" not in error["msg"]
    assert Contact.model_validate({"email": "Ada@Example.COM"}).email == "ada@example.com"
