"""Relationships in generated projects: one-to-many, one-to-one and many-to-many, navigable
both ways (``lazy="raise"``), with ``?include=`` reads that do not query once per row.

One project holds all three shapes; its own suite (which counts statements for 1 and 50
rows), ruff, mypy --strict and the migration round trip with ``alembic check`` run on
SQLite and on PostgreSQL 15.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import db_env, passed_count, run, scaffold, tree
from tests.support.projects import verify_generated_project

pytestmark = pytest.mark.e2e

SHAPES = (
    ["resource", "authors", "name:str=80"],
    # one-to-many: an author has many posts; a post has one author
    ["resource", "posts", "author_id:ref=authors:ondelete=cascade", "title:str=120"],
    # one-to-one: an author has at most one profile (a second link is a 409)
    ["resource", "profiles", "author_id:ref=authors:unique", "bio:text"],
    ["resource", "tags", "label:str=40:unique"],
    # many-to-many: a post has many tags, a tag many posts, through posts_tags
    ["resource", "articles", "title:str=120", "author_id:ref=authors", "tags:many=tags"],
)


@pytest.fixture(scope="module")
def related(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("related") / "blog"
    assert scaffold("new", str(project), "--defaults").exit_code == 0
    for argv in SHAPES:
        result = scaffold(*argv, project=project)
        assert result.exit_code == 0, result.output
    # Relationships asked for in English (each mission proves itself before it writes).
    for sentence in ("link posts and tags", "each author has one avatar"):
        result = scaffold("mission", sentence, project=project)
        assert result.exit_code == 0, result.output
    return project


def test_both_sides_of_every_reference_are_relationships(related: Path) -> None:
    authors = (related / "app/models/authors.py").read_text()
    assert (
        'posts: Mapped[list["Post"]] = relationship(back_populates="author", lazy="raise")'
        in authors
    )
    assert (
        'profile: Mapped["Profile | None"] = relationship(back_populates="author", lazy="raise")'
        in authors
    )
    posts = (related / "app/models/posts.py").read_text()
    assert 'author: Mapped["Author"] = relationship(back_populates="posts", lazy="raise")' in posts
    articles = (related / "app/models/articles.py").read_text()
    assert "articles_tags = Table(" in articles
    assert 'secondary="articles_tags", back_populates="articles", lazy="raise"' in articles.replace(
        "\n        ", " "
    )
    tags = (related / "app/models/tags.py").read_text()
    assert 'secondary="articles_tags", back_populates="tags", lazy="raise"' in tags.replace(
        "\n        ", " "
    )


def test_the_join_table_has_a_composite_key_cascading_foreign_keys_and_an_index(
    related: Path,
) -> None:
    migration = next((related / "migrations/versions").glob("*_create_articles.py")).read_text()
    assert (
        'sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_articles_tags"))'
        in migration
    )
    assert migration.count('ondelete="CASCADE"') == 2
    assert (
        'op.create_index(op.f("ix_articles_tags_tag_id"), "articles_tags", ["tag_id"]' in migration
    )
    assert migration.index('op.drop_table("articles_tags")') < migration.index(
        'op.drop_table("articles")'
    )


def test_the_project_passes_its_suite_and_round_trips_on_sqlite(
    related: Path, tmp_path: Path
) -> None:
    verify_generated_project(
        related, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"), min_tests=130
    )


@pytest.mark.pg
def test_the_project_passes_its_suite_and_round_trips_on_postgresql(
    related: Path, pg_url: str
) -> None:
    verify_generated_project(related, env=db_env(pg_url), min_tests=130, static=False)


def test_a_second_identical_run_changes_nothing(related: Path) -> None:
    before = tree(related)
    again = scaffold(*SHAPES[-1], project=related)
    assert again.exit_code == 0, again.output
    after = tree(related)
    assert {k: v for k, v in after.items() if ".scaffold/reports" not in k} == {
        k: v for k, v in before.items() if ".scaffold/reports" not in k
    }


def test_missions_linked_posts_and_tags_and_gave_authors_one_avatar(related: Path) -> None:
    posts = (related / "app/models/posts.py").read_text()
    assert "posts_tags = Table(" in posts
    avatars = (related / "app/models/avatars.py").read_text()
    assert 'ForeignKey("authors.id")' in avatars and "unique=True" in avatars
    authors = (related / "app/models/authors.py").read_text()
    assert 'avatar: Mapped["Avatar | None"]' in authors


def test_a_hand_edited_parent_keeps_its_edit_when_a_child_adds_the_inverse(related: Path) -> None:
    import subprocess

    model = related / "app/models/authors.py"
    edited = model.read_text().replace(
        '    __tablename__ = "authors"\n',
        '    __tablename__ = "authors"\n    # Pen names are allowed.\n',
    )
    model.write_text(edited)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "edit"],
    ):
        subprocess.run(["git", *args], cwd=related, check=True, capture_output=True)
    result = scaffold(
        "resource", "reviews", "author_id:ref=authors", "stars:int:min=1:max=5", project=related
    )
    assert result.exit_code == 0, result.output
    assert "merged with your edits" in result.output
    text = model.read_text()
    assert "# Pen names are allowed." in text
    assert (
        'reviews: Mapped[list["Review"]] = relationship(back_populates="author", lazy="raise")'
        in text
    )


def test_a_one_to_one_child_makes_its_parent_includable_until_it_is_destroyed(
    related: Path, tmp_path: Path
) -> None:
    """An author's reads embed its profile and its avatar (``?include=profile``): the
    suite above runs those tests; destroying profiles takes the word away again, and the
    authors' API still imports and passes its tests."""
    import shutil

    copy = tmp_path / "blog"
    shutil.copytree(related, copy, ignore=shutil.ignore_patterns("__pycache__", "*.db", ".git"))
    tests = copy / "tests/test_authors.py"
    assert "async def test_include_profile(" in tests.read_text()
    assert "async def test_include_avatar(" in tests.read_text()
    result = scaffold("destroy", "profiles", "--approve", project=copy)
    assert result.exit_code == 0, result.output
    assert "async def test_include_profile(" not in tests.read_text()
    assert "async def test_include_avatar(" in tests.read_text()
    assert '"profile"' not in (copy / "app/schemas/authors.py").read_text()
    env = db_env(f"sqlite+aiosqlite:///{tmp_path}/authors.db")
    proc = run(copy, "pytest", "-q", "-p", "no:randomly", "tests/test_authors.py", env=env)
    assert passed_count(proc.stdout) > 0


def test_a_parent_that_acts_for_nobody_does_not_embed_a_users_own_one_to_one_row(
    tmp_path: Path,
) -> None:
    """A shared parent's routes have no user to scope by, so a one-to-one child whose rows
    are users' own (``--owned``) is not includable there (it could only read null); a
    shared child is. The parent's suite passes either way."""
    project = tmp_path / "journal"
    assert scaffold("new", str(project), "--defaults").exit_code == 0
    for argv in (
        ["resource", "authors", "name:str=80"],
        ["resource", "diaries", "author_id:ref=authors:unique", "body:text", "--owned"],
        ["resource", "avatars", "author_id:ref=authors:unique", "url:str=200"],
    ):
        result = scaffold(*argv, project=project)
        assert result.exit_code == 0, result.output
    schemas = (project / "app/schemas/authors.py").read_text()
    assert "avatar: " in schemas
    assert "diary" not in schemas
    env = db_env(f"sqlite+aiosqlite:///{tmp_path}/authors.db")
    proc = run(project, "pytest", "-q", "-p", "no:randomly", "tests/test_authors.py", env=env)
    assert passed_count(proc.stdout) > 0
