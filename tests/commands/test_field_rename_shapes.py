"""``field rename`` of a column of each shape the domain fuzzer found failing: its
migration round-trips (the proof: upgrade, downgrade, upgrade, ``alembic check``) and the
resource's generated suite passes, on SQLite (and PostgreSQL with ``-m pg``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.helpers import scaffold

PROVED = {"tests", "migrations", "alembic_check"}


def renamed_and_proved(project: Path, resource: list[str], rename: list[str]) -> str:
    """Create ``resource``, rename with the proof; return the rename's migration text."""
    created = scaffold("resource", *resource, project=project)
    assert created.exit_code == 0, created.output
    result = scaffold(
        "field", "rename", *rename, "--approve", "--json", project=project, prove=True
    )
    assert result.exit_code == 0, result.output
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert all(checks[name]["passed"] for name in PROVED), {n: checks[n] for n in PROVED}
    (migration,) = (project / "migrations/versions").glob(f"*_rename_{rename[1]}_to_*.py")
    return migration.read_text()


def test_a_renamed_json_column_migration_imports_postgresql(project: Path) -> None:
    text = renamed_and_proved(
        project, ["rooms", "settings:json"], ["rooms", "settings", "preferences"]
    )
    assert "from sqlalchemy.dialects import postgresql" in text


def test_a_renamed_indexed_column_gets_its_index_after_the_rename(project: Path) -> None:
    text = renamed_and_proved(
        project, ["orders", "title:str=80:index"], ["orders", "title", "heading"]
    )
    assert 'create_index(op.f("ix_orders_heading")' in text


def test_a_renamed_min_max_column_carries_its_range_check_both_ways(project: Path) -> None:
    text = renamed_and_proved(
        project,
        ["reviews", "price:decimal=10,2:min=0:max=1000"],
        ["reviews", "price", "unit_price"],
    )
    # The new column's range in the upgrade, the old one's back in the downgrade (nested
    # in each database's branch, so the indentation is not the point).
    for name in ("ck_reviews_unit_price_range", "ck_reviews_price_range"):
        assert re.search(rf'create_check_constraint\(\s*op\.f\("{name}"\)', text), name


def test_a_check_rule_follows_its_renamed_column(project: Path) -> None:
    text = renamed_and_proved(
        project,
        ["shifts", "starts_at:datetime", "ends_at:datetime", "--check", "starts_at<ends_at"],
        ["shifts", "ends_at", "finishes_at"],
    )
    assert "ck_shifts_starts_at_lt_finishes_at" in text
    manifest = (project / ".scaffold/manifest.toml").read_text()
    assert "starts_at<finishes_at" in manifest


def test_a_unique_rule_column_is_renamed_in_place_only(project: Path) -> None:
    created = scaffold(
        "resource", "bookings", "room:str=40", "day:date", "--unique", "room,day", project=project
    )
    assert created.exit_code == 0, created.output
    refused = scaffold("field", "rename", "bookings", "room", "venue", "--approve", project=project)
    assert refused.exit_code == 2, refused.output
    assert "'room' is part of the rule --unique room,day" in refused.output
    assert "--no-version" in refused.output
    result = scaffold(
        "field", "rename", "bookings", "room", "venue", "--approve", "--no-version", "--json",
        project=project, prove=True,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    checks = {c["name"]: c["passed"] for c in json.loads(result.stdout)["checks"]}
    assert all(checks[name] for name in PROVED), checks


@pytest.mark.pg
def test_rule_and_range_renames_round_trip_on_postgresql(project: Path, pg_url: str) -> None:
    from tests.support.projects import round_trip

    renamed_and_proved(
        project,
        ["shifts", "starts_at:datetime", "ends_at:datetime", "hours:int:min=0:max=24:index",
         "notes:json:optional", "--check", "starts_at<ends_at"],
        ["shifts", "ends_at", "finishes_at"],
    )  # fmt: skip
    for old, new in (("hours", "length"), ("notes", "remarks")):
        result = scaffold("field", "rename", "shifts", old, new, "--approve", project=project)
        assert result.exit_code == 0, result.output
    round_trip(project, pg_url)
