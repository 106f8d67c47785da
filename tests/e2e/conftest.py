"""The canonical project: one realistic generated project per worker, built with the
commands and shared by the end-to-end files that only read it (their tests are grouped
onto one worker, see ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import scaffold
from tests.support.projects import CANONICAL


@pytest.fixture(scope="session")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``scaffold new`` and every resource of ``CANONICAL``: nesting, composite rules, UUID
    keys and a self reference, every field type and modifier, fields named like builtins,
    identifiers over PostgreSQL's 63 bytes."""
    root = tmp_path_factory.mktemp("canonical") / "clinic"
    result = scaffold("new", str(root), "--defaults")
    assert result.exit_code == 0, result.output
    for argv in CANONICAL:
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, f"{argv}: {result.output}"
    return root
