"""Inflection of snake_case identifiers: table-driven, both directions."""

import pytest

from scaffold.spec.inflect import (
    camelize,
    classify,
    dasherize,
    humanize,
    pluralize,
    singularize,
    tableize,
    underscore,
)

# (singular, plural)
WORDS = [
    ("weekly_requirement", "weekly_requirements"),
    ("schedule", "schedules"),
    ("shift", "shifts"),
    ("resident", "residents"),
    ("hour", "hours"),
    ("block", "blocks"),
    ("user", "users"),
    ("child", "children"),
    ("grandchild", "grandchildren"),
    ("person", "people"),
    ("salesperson", "salespeople"),
    ("woman", "women"),
    ("man", "men"),
    ("chairman", "chairmen"),
    ("human", "humans"),
    ("specimen", "specimens"),
    ("mouse", "mice"),
    ("tooth", "teeth"),
    ("goose", "geese"),
    ("ox", "oxen"),
    ("box", "boxes"),
    ("category", "categories"),
    ("company", "companies"),
    ("query", "queries"),
    ("day", "days"),
    ("key", "keys"),
    ("status", "statuses"),
    ("bus", "buses"),
    ("abuse", "abuses"),
    ("campus", "campuses"),
    ("alias", "aliases"),
    ("lens", "lenses"),
    ("menu", "menus"),
    ("address", "addresses"),
    ("business", "businesses"),
    ("match", "matches"),
    ("beach", "beaches"),
    ("cache", "caches"),
    ("dish", "dishes"),
    ("tax", "taxes"),
    ("quiz", "quizzes"),
    ("buzz", "buzzes"),
    ("analysis", "analyses"),
    ("diagnosis", "diagnoses"),
    ("basis", "bases"),
    ("database", "databases"),
    ("crisis", "crises"),
    ("axis", "axes"),
    ("index", "indexes"),
    ("vertex", "vertices"),
    ("matrix", "matrices"),
    ("leaf", "leaves"),
    ("half", "halves"),
    ("shelf", "shelves"),
    ("wife", "wives"),
    ("life", "lives"),
    ("olive", "olives"),
    ("drive", "drives"),
    ("valve", "valves"),
    ("reserve", "reserves"),
    ("hero", "heroes"),
    ("potato", "potatoes"),
    ("photo", "photos"),
    ("shoe", "shoes"),
    ("movie", "movies"),
    ("cookie", "cookies"),
    ("activity", "activities"),
    ("supply", "supplies"),
    ("datum", "data"),
    ("medium", "media"),
    ("premium", "premiums"),
    ("criterion", "criteria"),
    ("cactus", "cacti"),
    ("house", "houses"),
    ("response", "responses"),
    ("invoice", "invoices"),
    ("series", "series"),
    ("species", "species"),
    ("equipment", "equipment"),
    ("news", "news"),
    ("sheep", "sheep"),
    ("staff", "staff"),
    ("office_equipment", "office_equipment"),
    ("rotation_block", "rotation_blocks"),
    ("sales_person", "sales_people"),
]


@pytest.mark.parametrize(("singular", "plural"), WORDS)
def test_pluralize(singular, plural):
    assert pluralize(singular) == plural


@pytest.mark.parametrize(("singular", "plural"), WORDS)
def test_singularize(singular, plural):
    assert singularize(plural) == singular


@pytest.mark.parametrize(("singular", "plural"), WORDS)
def test_round_trip_and_idempotence(singular, plural):
    assert singularize(pluralize(singular)) == singular
    assert pluralize(plural) == plural  # the mission parser pluralizes names that may be plural
    assert singularize(singular) == singular


def test_only_last_part_is_inflected():
    assert pluralize("status_change") == "status_changes"
    assert singularize("children_categories") == "children_category"


def test_indices_singularizes_to_index():
    assert singularize("indices") == "index"


def test_capitalised_irregular_keeps_its_case():
    assert pluralize("Person") == "People"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("weekly_requirement", "WeeklyRequirement"),
        ("person", "Person"),
        ("api_key", "ApiKey"),
        ("a__b", "AB"),
    ],
)
def test_camelize(word, expected):
    assert camelize(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("WeeklyRequirement", "weekly_requirement"),
        ("Weekly-Requirements", "weekly_requirements"),
        ("weekly requirements", "weekly_requirements"),
        ("HTTPLog", "http_log"),
        ("already_snake", "already_snake"),
    ],
)
def test_underscore(word, expected):
    assert underscore(word) == expected


def test_dasherize_humanize_tableize_classify():
    assert dasherize("weekly_requirements") == "weekly-requirements"
    assert humanize("weekly_requirement") == "Weekly requirement"
    assert humanize("resident_id") == "Resident"
    assert tableize("WeeklyRequirement") == "weekly_requirements"
    assert classify("people") == "Person"
