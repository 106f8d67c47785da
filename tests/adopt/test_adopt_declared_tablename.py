"""Table names a declarative base computes with ``@declared_attr def __tablename__``
are recorded (and so can be referenced), as SQLAlchemy computes them.

Fixture ``adopt_declared_tablename``: a base that lower-cases the class name, a model
that names its table itself (which wins), and a UUID-keyed ``Member``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scaffold.adopt._models import _named
from scaffold.adopt.reader import read
from tests.support.adopted import FIXTURES, commit_all, copy_fixture, scaffold


def test_tables_named_by_the_bases_declared_attr_are_recorded() -> None:
    found = read(FIXTURES / "adopt_declared_tablename")
    assert found.refusal is None
    tables = {m.table: (m.class_name, m.key_type) for m in found.models}
    assert tables == {
        "member": ("Member", "uuid"),
        "teams": ("Team", "int"),
        "shiftlog": ("ShiftLog", "int"),
    }


def test_a_reference_to_a_declared_attr_table_gets_its_key_type(tmp_path: Path) -> None:
    root = copy_fixture("adopt_declared_tablename", tmp_path)
    assert scaffold(root, "adopt").returncode == 0
    commit_all(root, "adopted")
    done = scaffold(root, "resource", "rotas", "member_id:ref=member", "starts_on:date")
    assert done.returncode == 0, done.stdout + done.stderr
    migration = next((root / "migrations/versions").glob("*_create_rotas.py")).read_text()
    assert '"member_id", sa.Uuid()' in migration
    assert '["member.id"]' in migration


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("return cls.__name__.lower()", "shiftlog"),
        ("return cls.__name__", "ShiftLog"),
        ('return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()', "shift_log"),
        ('return f"{cls.__name__.lower()}s"', "shiftlogs"),
        ('return "tbl_" + cls.__name__.lower()', "tbl_shiftlog"),
        ("return snake(cls.__name__)", None),  # a function of the project's: not guessed
        ("return cls.table_name", None),
    ],
)
def test_the_declared_name_is_computed_only_from_shapes_read_exactly(
    body: str, expected: str | None
) -> None:
    func = ast.parse(f"def __tablename__(cls):\n    {body}\n").body[0]
    assert isinstance(func, ast.FunctionDef)
    assert _named(func, "ShiftLog") == expected
