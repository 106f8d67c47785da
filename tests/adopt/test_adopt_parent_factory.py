"""The factory scaffold writes for a table of the project's own (a parent its new table
references): a bytes column is filled, and a factory that cannot make a row at all is
clean under the project's rules (ARG) while it skips the tests that need one."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scaffold.generate.adopted.resource import parent_factory, required_columns
from scaffold.generate.format import ruff_binary
from scaffold.project.profile import Profile, Table

MODEL = """\
import uuid

from sqlalchemy import Column, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Member(Base):
    __tablename__ = "member"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String, nullable=False, unique=True)
    _secret: bytes = Column(LargeBinary, nullable=False)
{extra}
"""


def profile() -> Profile:
    return Profile(
        "layers",
        "app",
        *["app/x/{name}.py"] * 4,
        "tests/test_{name}.py",
        "tests/factories/{name}.py",
        "app.db:Base",
        "app/scaffold_support.py",
        session_dependency="app.db:get_session",
        tables=(Table("member", "Member", "app.member", "id", "uuid"),),
    )


def write_model(root: Path, extra: str = "") -> None:
    (root / "app").mkdir(exist_ok=True)
    (root / "app/member.py").write_text(MODEL.format(extra=extra))


def test_a_required_bytes_column_is_filled(tmp_path: Path) -> None:
    write_model(tmp_path)
    columns = dict(required_columns(tmp_path, profile(), "app.member", "Member") or [])
    assert columns == {"email": 'f"{n}@example.com"', "_secret": 'b"scaffold"'}


def test_a_factory_that_cannot_make_a_row_is_clean_under_arg(tmp_path: Path) -> None:
    # A required column of a type scaffold does not fill: the factory skips.
    write_model(tmp_path, "    shape: Mapped[Polygon] = mapped_column(nullable=False)")
    text = parent_factory(tmp_path, profile(), "member", "tests.factories")
    assert text is not None and "pytest.skip(" in text
    lint = subprocess.run(
        [ruff_binary(), "check", "--isolated", "--select", "ARG", "--stdin-filename", "m.py"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


def test_sync_tests_with_only_an_async_session_insert_rows_on_the_apps_loop(
    tmp_path: Path,
) -> None:
    """A TestClient suite and an async session dependency only (no sync one): the
    factory of the project's own table inserts through the async session on the app's
    event loop, and the generated tests pass their proof."""
    from tests.support.adopted import commit_all, copy_fixture, scaffold

    root = copy_fixture("adopt_src_alembic", tmp_path)
    conftest = root / "tests/conftest.py"
    text = conftest.read_text().replace(
        "from httpx import ASGITransport, AsyncClient\n",
        "from fastapi.testclient import TestClient\n",
    )
    conftest.write_text(
        text[: text.index("@pytest.fixture")]
        + "@pytest.fixture\ndef client():\n    from app.main import app\n\n"
        "    with TestClient(app) as c:\n        yield c\n"
    )
    commit_all(root, "a sync suite")
    assert scaffold(root, "adopt").returncode == 0
    commit_all(root, "adopted")
    done = scaffold(root, "resource", "visits", "person_id:ref=people", "on:date", "--verify")
    assert done.returncode == 0, done.stdout + done.stderr
    factory = (root / "tests/factories/people.py").read_text()
    assert "portal.call(insert)" in factory
    report = next((root / ".scaffold/reports").glob("*.md")).read_text()
    assert "- [x] Tests created" in report
