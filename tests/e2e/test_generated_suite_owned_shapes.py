"""A generated suite passes on the owned shapes the domain fuzzer found it failing, in
random order.

One project holds each shape once: rows only admins write that reference owned rows
(a plain user's write is a 403, an admin writes with any user's row), with a required
and an optional reference; an owned resource nested under an owned parent (another
user's parent lists nothing: a 404); a nested resource whose other owned reference comes
before its parent's (another user's create names their own rows, and the parent is the
404); an indexed column with a pattern (its filter test's second value matches it); and
an owned resource whose --unique rule holds a column unique alone (either rule's 409).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import passed_count, scaffold
from tests.support.projects import run_in_random_order

pytestmark = pytest.mark.e2e

DOMAIN = [
    ["resource", "invoices", "name:str=80", "--owned"],
    ["resource", "tasks", "invoice_id:ref=invoices", "title:str=80", "--admin-writes"],
    ["resource", "labels", "name:str=80", "--owned"],
    ["resource", "notes", "label_id:ref=labels:optional", "title:str=80", "--admin-writes"],
    ["resource", "products", "name:str=80", "--owned"],
    ["resource", "categories", "name:str=80", "--parent", "products", "--owned"],
    ["resource", "kinds", "name:str=80", "--owned"],
    ["resource", "jobs", "title:str=80", "--owned"],
    ["resource", "patients", "kind_id:ref=kinds", "job_id:ref=jobs", "--parent", "jobs"],
    ["resource", "codes", "code:str=12:pattern=^[A-Z]{3}-[0-9]{2}$:index"],
    [
        "resource",
        "rooms",
        "email",
        "external_ref:uuid:unique",
        "--unique",
        "email,external_ref",
        "--owned",
    ],
]
CHECKED = ("tasks", "notes", "categories", "patients", "codes", "rooms")


def test_the_suite_of_owned_shapes_the_fuzzer_found_passes_in_random_order(
    tmp_path: Path,
) -> None:
    project = tmp_path / "owned"
    assert scaffold("new", str(project), "--defaults").exit_code == 0
    for argv in DOMAIN:
        result = scaffold(*argv, "--no-verify", project=project)
        assert result.exit_code == 0, f"{argv}: {result.output}"
    tasks = (project / "tests/test_tasks.py").read_text()
    assert "test_only_an_admin_writes_here_with_any_users_invoice" in tasks
    assert 'code="BAA-00"' in (project / "tests/test_codes.py").read_text()
    modules = [f"tests/test_{name}.py" for name in CHECKED]
    result = run_in_random_order(project, *modules)
    assert result.returncode == 0, result.stdout[-3000:]
    assert passed_count(result.stdout) >= 120, result.stdout[-2000:]
