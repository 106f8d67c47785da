"""A generated suite passes on the domains that used to break it, in random order.

One small project holds each shape a generated suite once failed on: UUID keys listed and
included (lists read oldest first, not by a random id); composite unique rules that mix a
reference with a bool and a decimal, nested under the parent (the factory varies both,
and the list tests make no more rows under one parent than the rules allow); a
many-to-many to a resource only admins write (a plain user's test deletes no admin-only
row); and a field rename that opened v2 on an owned resource with that link (the v2
tests reach the users and the linked rows where they are served, at v1). The tests of
these resources run in random order with a printed seed; lint, types and migrations of
such projects are the other e2e files' (tests/e2e/test_clinic_domain.py has them all).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import passed_count, scaffold
from tests.support.projects import run_in_random_order

pytestmark = pytest.mark.e2e

DOMAIN = [
    ["resource", "groups", "name:str=80", "--id", "uuid"],
    [
        "resource",
        "flags",
        "group_id:ref=groups:ondelete=cascade",
        "active:bool",
        "amount:decimal=6,2:min=0",
        "--parent",
        "groups",
        "--id",
        "uuid",
        "--unique",
        "group_id,active",
        "--unique",
        "group_id,amount",
    ],
    ["resource", "labels", "name:str=40:unique", "--admin-writes"],
    [
        "resource",
        "posts",
        "title:str=80",
        "group_id:ref=groups",
        "labels:many=labels",
        "--owned",
        "--id",
        "uuid",
    ],
    ["field", "rename", "posts", "title", "headline", "--approve"],
]


def test_the_suite_of_a_domain_that_used_to_fail_passes_in_random_order(
    tmp_path: Path,
) -> None:
    project = tmp_path / "shapes"
    assert scaffold("new", str(project), "--defaults").exit_code == 0
    for argv in DOMAIN:
        result = scaffold(*argv, project=project)
        assert result.exit_code == 0, f"{argv}: {result.output}"
    flags = (project / "tests/factories/flags.py").read_text()
    assert '"active": n % 2 == 0' in flags, "a bool in a unique rule alternates"
    assert "n % 100000 * Decimal" in flags, "a decimal in a unique rule varies"
    v2 = (project / "tests/test_posts_v2.py").read_text()
    assert '"/api/v1/users/me"' in v2 and "/api/v2/labels" not in v2
    modules = [f"tests/test_{name}.py" for name in ("groups", "flags", "labels", "posts")]
    result = run_in_random_order(project, *modules, "tests/test_posts_v2.py")
    assert passed_count(result.stdout) >= 100, result.stdout[-2000:]
