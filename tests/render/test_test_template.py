"""The generated test module: test.py.jinja and its partials in test/, one per group of
tests, each of which a project may override in .scaffold/templates/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.support.helpers import REPO, scaffold

TEMPLATES = REPO / "templates/resource"
BOARDS = ["resource", "boards", "title:str=80", "rank:int:unique"]
MODULE = "tests/test_boards.py"


def test_blocks_nest_at_most_two_deep_in_the_test_template_and_its_partials() -> None:
    for path in [TEMPLATES / "test.py.jinja", *sorted((TEMPLATES / "test").glob("*.jinja"))]:
        depth = deepest = 0
        for tag in re.findall(r"\{%-?\s*(\w+)", path.read_text()):
            if tag in ("if", "for", "macro"):
                depth += 1
                deepest = max(deepest, depth)
            elif tag in ("endif", "endfor", "endmacro"):
                depth -= 1
        assert (depth, deepest <= 2) == (0, True), f"{path.name} nests {deepest} deep"


def test_a_project_override_of_the_test_template_replaces_the_module(mini_project: Path) -> None:
    overrides = mini_project / ".scaffold/templates"
    overrides.mkdir(parents=True)
    builtin = (TEMPLATES / "test.py.jinja").read_text()
    (overrides / "test.py.jinja").write_text(builtin + "# This project's own test template.\n")
    result = scaffold(*BOARDS, project=mini_project)
    assert result.exit_code == 0, result.output
    text = (mini_project / MODULE).read_text()
    assert text.endswith("# This project's own test template.\n")
    # Its includes still find the built-in partials.
    assert "async def test_get_returns_the_row(" in text


def test_a_project_override_of_one_partial_changes_only_its_tests(
    mini_project: Path, tmp_path: Path
) -> None:
    plain = shutil.copytree(mini_project, tmp_path / "plain")
    overrides = mini_project / ".scaffold/templates/test"
    overrides.mkdir(parents=True)
    builtin = (TEMPLATES / "test/get.py.jinja").read_text()
    mark = "    assert response.json() == created\n"
    assert mark in builtin
    (overrides / "get.py.jinja").write_text(builtin.replace(mark, mark + "    # ours\n"))
    for root in (plain, mini_project):
        result = scaffold(*BOARDS, project=root)
        assert result.exit_code == 0, result.output
    before = (plain / MODULE).read_text()
    assert (mini_project / MODULE).read_text() == before.replace(mark, mark + "    # ours\n", 1)
