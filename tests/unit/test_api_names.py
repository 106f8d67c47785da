"""Names the OpenAPI document shows: summaries, schema classes per API version, enum members."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scaffold.generate.router import article
from scaffold.generate.schemas import enum_class, enum_members, schema_names
from scaffold.spec.fields import parse_field
from scaffold.spec.resource import build_resource


@pytest.mark.parametrize(
    ("noun", "expected"),
    [
        ("appointment", "an appointment"),
        ("order", "an order"),
        ("invoice", "an invoice"),
        ("user", "a user"),
        ("unit", "a unit"),
        ("hour", "an hour"),
        ("patient", "a patient"),
    ],
)
def test_summaries_take_a_or_an_by_sound(noun: str, expected: str) -> None:
    assert article(noun) == expected


def test_a_later_api_version_names_its_schema_classes_apart() -> None:
    spec = build_resource("patients", ["name:str", "status:enum=new,seen"])
    v2 = replace(spec, api_version=2)
    assert schema_names(spec)["Create"] == "PatientCreate"
    assert schema_names(v2)["Create"] == "PatientV2Create"
    assert len(set(schema_names(v2).values()) | set(schema_names(spec).values())) == 12
    status = spec.field("status")
    assert (enum_class(status, spec), enum_class(status, v2)) == (
        "PatientStatus",
        "PatientV2Status",
    )


def test_enum_members_are_identifiers_whatever_the_values() -> None:
    field = parse_field("kind:enum=first-visit,follow.up,2nd,first_visit")
    assert enum_members(field) == [
        ("FIRST_VISIT", "first-visit"),
        ("FOLLOW_UP", "follow.up"),
        ("V_2ND", "2nd"),
        ("FIRST_VISIT_", "first_visit"),
    ]
