"""``scaffold index add TABLE COLUMNS [--unique] [--where]`` in temp projects (SQLite)."""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path

import pytest

from scaffold.commands._index_catalog import IndexRequest
from scaffold.commands._index_model import add_table_index
from scaffold.project.manifest import Manifest
from tests.support.helpers import MYPY_CACHE, db_env, run, scaffold, snapshot
from tests.support.projects import CONTACTS, HAND_MIGRATION, HAND_MODEL

pytestmark = pytest.mark.e2e


def _migration(project: Path, slug: str) -> str:
    return next((project / "migrations/versions").glob(f"*_{slug}.py")).read_text()


def _with_rows(project: Path, db: Path, rows: list[tuple[str, str]]) -> dict[str, str]:
    """The project's database (DATABASE_URL at ``db``) migrated to head, with contacts."""
    env = db_env(f"sqlite+aiosqlite:///{db}")
    run(project, "alembic", "upgrade", "head", env=env)
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO contacts (name, email, created_at, updated_at) "
        "VALUES (?, ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        rows,
    )
    con.commit()
    con.close()
    return env


def test_index_on_a_generated_field_goes_into_its_spec_and_round_trips(
    project: Path, tmp_path: Path
) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    result = scaffold("index", "add", "contacts", "name", project=project)
    assert result.exit_code == 0, result.output
    fields = Manifest.load(project).resources["contacts"]["args"]["fields"]
    assert "name:str=80:index" in fields
    assert "String(80), index=True" in (project / "app/models/contacts.py").read_text()
    migration = _migration(project, "contacts_add_index_name")
    assert "postgresql_concurrently=True" in migration and "autocommit_block" in migration
    env = _with_rows(project, tmp_path / "live.db", [("Ann", "a@x.org"), ("Ann", "b@x.org")])
    for step in (["downgrade", "-1"], ["upgrade", "head"], ["check"]):
        run(project, "alembic", *step, env=env)


def test_an_index_that_exists_answers_zero_naming_it_and_writes_nothing(project: Path) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    before = snapshot(project)
    result = scaffold("index", "add", "contacts", "email", "--unique", project=project)
    assert result.exit_code == 0, result.output
    assert "already unique" in result.output and "uq_contacts_email" in result.output
    key = scaffold("index", "add", "contacts", "id", "--json", project=project)
    assert key.exit_code == 0 and "the primary key (id)" in key.output
    assert json.loads(key.stdout)["files"] == []
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("argv", "token"),
    [
        (["index", "add", "contact", "name"], "'contact'"),
        (["index", "add", "contacts", "nmae,email"], "'nmae'"),
        (["index", "add", "contacts", "name", "--where", "nme = 1"], "nme = 1"),
        (["index", "add", "contacts", "name", "--where", "name = 1; DROP TABLE x"], "DROP"),
        (["index", "add", "contacts", "name,name"], "'name'"),
    ],
)
def test_bad_input_exits_2_naming_the_token_with_an_example_that_works(
    project: Path, argv: list[str], token: str
) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    before = snapshot(project)
    result = scaffold(*argv, project=project)
    assert result.exit_code == 2, result.output
    assert token in result.output
    assert snapshot(project) == before
    example = result.output.split("Example: ", 1)[1].strip().splitlines()[0]
    args = shlex.split(example)
    assert args[:3] == ["scaffold", "index", "add"] and args[3] == "contacts"
    again = scaffold(*args[1:], project=project)
    assert again.exit_code == 0, again.output


def test_unique_over_duplicate_rows_names_them_and_writes_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    env = _with_rows(
        project,
        tmp_path / "live.db",
        [("Ann", "a@x.org"), ("Bob", "b@x.org"), ("Ann", "c@x.org")],
    )
    monkeypatch.setenv("DATABASE_URL", env["DATABASE_URL"])
    before = snapshot(project)
    result = scaffold("index", "add", "contacts", "name", "--unique", project=project)
    assert result.exit_code == 1, result.output
    assert "name='Ann' (2 rows, ids 1…3)" in result.output
    assert "Nothing was written" in result.output
    assert snapshot(project) == before


def test_the_unique_migration_rechecks_and_stops_before_creating_anything(
    project: Path, tmp_path: Path
) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    # No database yet: the command writes the migration; rows arrive before it runs.
    assert scaffold("index", "add", "contacts", "name", "--unique", project=project).exit_code == 0
    db = tmp_path / "late.db"
    env = db_env(f"sqlite+aiosqlite:///{db}")
    migration = _migration(project, "contacts_add_unique_name")
    down = migration.split('down_revision = "')[1].split('"')[0]
    run(project, "alembic", "upgrade", down, env=env)
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO contacts (name, email, created_at, updated_at) "
        "VALUES (?, ?, '2026-01-01', '2026-01-01')",
        [("Ann", "a@x.org"), ("Ann", "b@x.org")],
    )
    con.commit()
    con.close()
    with pytest.raises(AssertionError, match=r"cannot make contacts\(name\) unique.*'Ann', 2"):
        run(project, "alembic", "upgrade", "head", env=env)
    con = sqlite3.connect(db)
    indexes = [r[1] for r in con.execute("PRAGMA index_list('contacts')")]
    version = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    con.close()
    assert version == down
    assert len(indexes) == 1  # email's unique constraint only


def test_composite_unique_on_a_generated_resource_becomes_its_unique_rule(project: Path) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    result = scaffold("index", "add", "contacts", "name,phone", "--unique", project=project)
    assert result.exit_code == 0, result.output
    entry = Manifest.load(project).resources["contacts"]
    assert entry["args"]["uniques"] == ["name,phone"]
    migration = _migration(project, "contacts_add_unique_name_phone")
    assert "UNIQUE USING INDEX" in migration and "create_unique_constraint" in migration
    assert "409" in (project / "tests/test_contacts.py").read_text()


def test_a_hand_written_model_gains_an_index_in_table_args_and_alembic_check_is_clean(
    project: Path, tmp_path: Path
) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    head = next((project / "migrations/versions").glob("*_create_contacts.py")).name.split("_")[0]
    (project / "app/models/notes.py").write_text(HAND_MODEL)
    (project / "migrations/versions/0000notes001_notes.py").write_text(
        HAND_MIGRATION.format(down=head)
    )
    result = scaffold(
        "index", "add", "notes", "contact_id,body", "--where", "body <> ''", project=project
    )
    assert result.exit_code == 0, result.output
    model = (project / "app/models/notes.py").read_text()
    assert "from sqlalchemy import ForeignKey, Index, String, text" in model
    assert '__table_args__ = (\n        Index(\n            "ix_notes_contact_id_body",' in model
    env = db_env(f"sqlite+aiosqlite:///{tmp_path}/n.db")
    for step in (["upgrade", "head"], ["downgrade", "-1"], ["upgrade", "head"], ["check"]):
        run(project, "alembic", *step, env=env)
    run(project, "ruff", "check", "app/models/notes.py")


@pytest.mark.parametrize(
    ("table_args", "expected"),
    [
        ("", '    __table_args__ = (Index("ix_t_a", "a"),)\n'),
        ('    __table_args__ = (UniqueConstraint("b"),)\n', 'UniqueConstraint("b"), Index('),
        ('    __table_args__ = {"comment": "x"}\n', 'Index("ix_t_a", "a"), {"comment": "x"},'),
        (
            '    __table_args__ = (UniqueConstraint("b"), {"comment": "x"})\n',
            'UniqueConstraint("b"), Index("ix_t_a", "a"), {"comment": "x"},',
        ),
    ],
)
def test_table_args_edit_keeps_what_is_there(table_args: str, expected: str) -> None:
    source = (
        "from sqlalchemy import String, UniqueConstraint\n\n\n"
        'class T:\n    __tablename__ = "t"\n' + table_args + "    a = 1\n"
    )
    edited = add_table_index(source, "T", "ix_t_a", IndexRequest("t", ("a",)))
    assert edited is not None and expected in edited, edited
    assert "from sqlalchemy import Index, String, UniqueConstraint" in edited
    compile(edited, "t.py", "exec")


def test_an_index_in_a_generated_model_survives_the_next_render_of_the_resource(
    project: Path, tmp_path: Path
) -> None:
    assert scaffold(*CONTACTS, project=project).exit_code == 0
    args = ("contacts", "phone,name", "--where", "phone IS NOT NULL")
    assert scaffold("index", "add", *args, project=project).exit_code == 0
    rerender = scaffold("field", "add", "contacts", "notes:text:optional", project=project)
    assert rerender.exit_code == 0, rerender.output
    model = (project / "app/models/contacts.py").read_text()
    assert '"ix_contacts_phone_name"' in model and "notes: Mapped[str | None]" in model
    env = db_env(f"sqlite+aiosqlite:///{tmp_path}/r.db")
    for step in (["upgrade", "head"], ["check"]):
        run(project, "alembic", *step, env=env)
    run(project, "ruff", "check", "app/models/contacts.py")
    run(project, "ruff", "format", "--check", "app/models/contacts.py")
    run(project, "mypy", "--cache-dir", str(MYPY_CACHE), "app/models/contacts.py")


def test_adopted_project_shows_the_model_diff_and_waits_for_approve(tmp_path: Path) -> None:
    from tests.support.adopted import copy_fixture
    from tests.support.adopted import scaffold as scaffold_in

    root = copy_fixture("adopt_layered", tmp_path)
    assert scaffold_in(root, "adopt").returncode == 0
    before = snapshot(root)
    refused = scaffold_in(root, "index", "add", "people", "last_name,first_name", "--no-verify")
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "--- a/app/models/person.py" in refused.stderr
    assert "scaffold index add people last_name,first_name --approve" in refused.stderr
    assert snapshot(root) == before
    done = scaffold_in(root, "index", "add", "people", "last_name,first_name", "--approve")
    assert done.returncode == 0, done.stdout + done.stderr
    model = (root / "app/models/person.py").read_text()
    assert '"ix_people_last_name_first_name"' in model and "__table_args__" in model


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "name", COUNT(*) FROM "contacts" WHERE "name" IS NOT NULL GROUP BY "name"',
        "a  =  1   AND b " * 9,
        "short",
        "y " + "x" * 130,
    ],
)
def test_sql_in_a_migration_is_cut_between_words_and_reads_back_the_same(sql: str) -> None:
    import ast
    import io
    import tokenize

    from scaffold.generate.alter import sql_literal

    source = sql_literal(sql)
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    pieces = [ast.literal_eval(t.string) for t in tokens if t.type == tokenize.STRING]
    assert "".join(pieces) == sql
    # Every piece but the last ends between words; a word longer than a piece is cut.
    assert all(p.endswith(" ") or " " not in p for p in pieces[:-1]), pieces
