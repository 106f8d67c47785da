"""The proof's pytest loads the plugins of what the project depends on, and no others.

A plugin that is merely installed in the environment (here: hypothesis's, which scaffold's
own dev environment has) costs the proof seconds and is not part of the project's tests;
a project that declares nothing (requirements files) keeps every plugin.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.apply.verify import _PYTEST

PROBE = """
def test_which_plugins(pytestconfig):
    manager = pytestconfig.pluginmanager
    print("@@hypothesis", manager.has_plugin("hypothesispytest"))
    print("@@asyncio", manager.has_plugin("asyncio"))
"""


def _plugins(root: Path) -> dict[str, str]:
    (root / "test_probe.py").write_text(PROBE)
    done = subprocess.run(
        [sys.executable, "-c", _PYTEST, "-q", "-s", "-p", "no:cacheprovider", "test_probe.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(
        line.removeprefix("@@").split(" ", 1)
        for line in done.stdout.splitlines()
        if line.startswith("@@")
    )


def test_only_the_plugins_of_declared_dependencies_load(tmp_path: Path) -> None:
    pytest.importorskip("hypothesis")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0"\ndependencies = ["fastapi"]\n\n'
        '[project.optional-dependencies]\ndev = ["pytest", "pytest-asyncio"]\n'
    )
    assert _plugins(tmp_path) == {"hypothesis": "False", "asyncio": "True"}


def test_a_project_that_declares_nothing_keeps_every_plugin(tmp_path: Path) -> None:
    pytest.importorskip("hypothesis")
    (tmp_path / "requirements.txt").write_text("fastapi\npytest-asyncio\n")
    assert _plugins(tmp_path) == {"hypothesis": "True", "asyncio": "True"}


def test_poetry_dependencies_count_as_declared(tmp_path: Path) -> None:
    pytest.importorskip("hypothesis")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "p"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'fastapi = "*"\n\n[tool.poetry.group.dev.dependencies]\npytest-asyncio = "*"\n'
    )
    assert _plugins(tmp_path) == {"hypothesis": "False", "asyncio": "True"}
