"""Generated code passes the lint configurations real projects use, not only our own.

A small project with every shape the generators write (sign-in, an owned resource, a
child nested with ``--parent``, a many-to-many, a one-to-one, UUID keys, an enum, decimal,
date, time and JSON fields, a composite unique rule, a CHECK, an endpoint and a field
rename that opens v2) is checked with ruff's broad rule families at the project's line
length, and must already be formatted. The files scaffold's commands write are checked
again in projects whose ruff config chose the shorter lengths real projects use (88,
black's and ruff's default, and 79, PEP 8's): scaffold formats them to that length (the
copier template's own files are written at the template's length, 100). ``S`` (bandit) is ignored only under
``tests/``, as real projects do for ``assert`` and the fixed passwords of test users;
everything else, ``PLR2004`` included, holds in the tests too.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from scaffold.apply.lint import TESTED
from scaffold.generate.format import ruff_binary
from tests.support.helpers import scaffold

pytestmark = pytest.mark.e2e

# E W F I B C4 UP ARG PT SIM RUF N ASYNC S T20 EM TRY PL DTZ FBT TC PERF: the proof's advice
# on a finding (scaffold's to fix, or the project's choice) reads the same list.
FAMILIES = ",".join(TESTED)
DOMAIN = [
    ["resource", "tags", "name:str=40:unique", "--public", "--approve"],
    [
        "resource",
        "clinics",
        "name:str=120:unique",
        "settings:json:optional",
        "--owned",
    ],
    [
        "resource",
        "visits",
        "clinic_id:ref=clinics:ondelete=cascade",
        "title:str=80",
        "kind:enum=first,follow_up:default=follow_up",
        "fee:decimal=8,2:optional",
        "day:date",
        "opens:time:optional",
        "closes:time:optional",
        "tags:many=tags",
        "--parent",
        "clinics",
        "--id",
        "uuid",
        "--unique",
        "clinic_id,day",
        "--check",
        "opens<closes",
    ],
    ["resource", "reports", "visit_id:ref=visits:unique", "body:text"],
    ["endpoint", "GET /api/v1/clinics/{id}/visits"],
    ["field", "rename", "visits", "title", "subject", "--approve"],
]


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lint") / "clinic"
    result = scaffold("new", str(root), "--defaults")
    assert result.exit_code == 0, result.output
    for argv in DOMAIN:
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, f"{argv}: {result.output}"
    return root


@pytest.fixture(scope="module", params=[88, 79])
def short_lines(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same project whose ruff config says ``line-length = N`` before sign-in and the
    resources are added: scaffold formats what it writes to the project's length."""
    root = tmp_path_factory.mktemp(f"lint{request.param}") / "clinic"
    result = scaffold("new", str(root), "--defaults", "--no-auth")
    assert result.exit_code == 0, result.output
    pyproject = root / "pyproject.toml"
    text = re.sub(r"line-length = \d+", f"line-length = {request.param}", pyproject.read_text())
    pyproject.write_text(text)
    for argv in [["auth", "--approve"], *DOMAIN]:
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, f"{argv}: {result.output}"
    return root


def written_by_commands(root: Path) -> list[str]:
    """The Python files scaffold's commands wrote (its manifest), not the copier template's."""
    import tomllib

    files = tomllib.loads((root / ".scaffold/manifest.toml").read_text())["files"]
    return sorted(path for path in files if path.endswith(".py"))


def wide_findings(root: Path, line_length: int | None, paths: list[str]) -> list[str]:
    """Every finding of the broad families on ``paths`` (``S`` not in tests), at the
    project's line length unless ``line_length`` is given."""
    length = ["--line-length", str(line_length)] if line_length else []
    proc = subprocess.run(
        [
            ruff_binary(),
            "check",
            "--no-cache",
            "--select",
            FAMILIES,
            *length,
            # Added to the project's own ignores (its conftest sets DATABASE_URL before
            # importing the app: E402 there, with the reason).
            "--extend-per-file-ignores",
            "tests/**:S",
            "--output-format",
            "concise",
            *paths,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in proc.stdout.splitlines() if re.search(r":\d+:\d+: [A-Z]+\d+ ", line)]


def by_family(findings: list[str]) -> Counter[str]:
    return Counter(m.group(1) for f in findings if (m := re.search(r": ([A-Z]+)\d+ ", f)))


def test_generated_project_is_clean_under_the_broad_rule_families(linted: Path) -> None:
    findings = wide_findings(linted, None, ["."])
    assert not findings, f"{dict(by_family(findings))}\n" + "\n".join(findings[:60])


def test_what_scaffold_writes_fits_the_projects_shorter_line_length(short_lines: Path) -> None:
    written = written_by_commands(short_lines)
    assert "tests/test_auth.py" in written
    assert "app/schemas/v2/visits.py" in written
    findings = wide_findings(short_lines, None, written)
    assert not findings, f"{dict(by_family(findings))}\n" + "\n".join(findings[:60])
    proc = subprocess.run(
        [ruff_binary(), "format", "--check", "--no-cache", *written],
        cwd=short_lines,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_generated_project_is_formatted(linted: Path) -> None:
    proc = subprocess.run(
        [ruff_binary(), "format", "--check", "--no-cache", "."],
        cwd=linted,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
