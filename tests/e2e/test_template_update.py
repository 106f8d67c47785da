"""A living project: `copier update` brings template changes in without losing user code.

The template is copied from the working tree into a throw-away git repository (tags v1, v2),
a project is rendered from v1, gets two scaffolded resources and user edits, and is then
updated to v2. Resource files are not template-owned, so the update must leave them alone.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from tests.support.copier_update import (
    RESIDENTS,
    WEEKLY,
    commit_all,
    conflict_leftovers,
    git,
    project_from_release,
    read_answers,
    resource_files,
    update_to_working_tree,
)
from tests.support.helpers import REPO, db_env, scaffold, tree
from tests.support.projects import verify_generated_project

ROUTER_DEF = "def provide_service(session: SessionDep) -> ResidentService:\n"
ROUTER_EDIT = '    """Residents are imported nightly from the HR system; edits here are local."""\n'
README_EDIT = "\n## Local notes\n\nOn-call rota lives in the wiki.\n"

RELEASE_MODULE = '''\
"""The release this build is, for probes and logs."""

import os


def release() -> str:
    """`RELEASE` from the environment, `dev` when unset."""
    return os.environ.get("RELEASE", "dev")
'''

RELEASE_TEST = """\
import pytest

from app.core.release import release


def test_release_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELEASE", "2026.12")

    assert release() == "2026.12"
"""


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new))


def make_template_v2(template: Path) -> None:
    """A realistic template release: a new module and test, a changed probe and its test."""
    project = template / "templates/project"
    (project / "app/core/release.py").write_text(RELEASE_MODULE)
    (project / "tests/test_release.py").write_text(RELEASE_TEST)
    health = project / "app/api/health.py"
    replace_once(
        health, 'status: Literal["ok"]\n', 'status: Literal["ok"]\n    version: str = "1"\n'
    )
    replace_once(
        project / "tests/test_health.py",
        '{"status": "ok"}',
        '{"status": "ok", "version": "1"}',
    )


def template_repo(root: Path) -> Path:
    """The working tree's template (uncommitted edits included) as a git repo tagged v1."""
    template = root / "template-repo"
    template.mkdir()
    shutil.copy(REPO / "copier.yml", template / "copier.yml")
    shutil.copytree(
        REPO / "templates", template / "templates", ignore=shutil.ignore_patterns("__pycache__")
    )
    git(template, "init", "-q")
    commit_all(template, "template v1")
    git(template, "tag", "v1")
    return template


def release_v2(template: Path) -> None:
    make_template_v2(template)
    commit_all(template, "template v2: release module, version in /health")
    git(template, "tag", "v2")


def assert_v2_applied(dst: Path) -> None:
    assert conflict_leftovers(dst) == []
    assert (dst / "app/core/release.py").read_text() == RELEASE_MODULE
    assert (dst / "tests/test_release.py").read_text() == RELEASE_TEST
    assert 'version: str = "1"' in (dst / "app/api/health.py").read_text()
    assert '{"status": "ok", "version": "1"}' in (dst / "tests/test_health.py").read_text()
    assert read_answers(dst)["_commit"] == "v2"


@pytest.mark.e2e
def test_copier_update_keeps_resources_and_user_edits(tmp_path: Path) -> None:
    import copier

    template = template_repo(tmp_path)
    dst = tmp_path / "clinic"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(template), str(dst), defaults=True, vcs_ref="v1", quiet=True, unsafe=False
        )
    rendered = tree(dst)
    git(dst, "init", "-q")
    commit_all(dst, "new project")

    for argv in (RESIDENTS, WEEKLY):
        result = scaffold(*argv, project=dst)
        assert result.exit_code == 0, result.output
    commit_all(dst, "residents and weekly_requirements")
    # scaffold only adds files the template does not own; it never edits one it does.
    after_resources = tree(dst)
    assert {rel: after_resources.get(rel) for rel in rendered} == rendered

    router = dst / "app/api/v1/residents.py"
    replace_once(router, ROUTER_DEF, ROUTER_DEF + ROUTER_EDIT)
    readme = dst / "README.md"
    readme.write_text(readme.read_text() + README_EDIT)
    commit_all(dst, "user edits")
    edited_router = router.read_text()
    resources = resource_files(dst)
    assert "app/api/v1/residents.py" in resources
    assert "tests/factories/weekly_requirements.py" in resources

    release_v2(template)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(
            dst_path=dst,
            defaults=True,
            overwrite=True,
            unsafe=False,
            quiet=True,
            vcs_ref="v2",
            conflict="inline",
        )

    assert_v2_applied(dst)
    assert router.read_text() == edited_router
    assert ROUTER_DEF + ROUTER_EDIT in edited_router
    assert readme.read_text().endswith(README_EDIT)
    assert resource_files(dst) == resources
    verify_generated_project(dst, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"))


@pytest.mark.e2e
def test_scaffold_new_records_the_template_source_for_copier_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copier

    # From this checkout: the answers point at the repo and carry a commit.
    project = tmp_path / "clinic"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DirtyLocalWarning while the working tree has edits
        result = scaffold("new", str(project), "--defaults")
    assert result.exit_code == 0, result.output
    answers = read_answers(project)
    assert answers["project_name"] == "clinic"
    assert answers["db"] == "sqlite"
    assert Path(answers["_src_path"]).resolve() == REPO.resolve()
    assert answers["_commit"]
    if not git(REPO, "status", "--porcelain").strip():
        # A dirty checkout records copier's throw-away draft commit instead.
        assert answers["_commit"] == git(REPO, "describe", "--tags", "--always").strip()

    # From a clean, tagged template: `copier update` then needs no source or ref.
    template = template_repo(tmp_path)
    monkeypatch.setattr("scaffold.commands.new.template_root", lambda: template)
    project = tmp_path / "ward"
    result = scaffold("new", str(project), "--defaults", "--data", "project_name=ward")
    assert result.exit_code == 0, result.output
    assert read_answers(project) == {
        "_commit": "v1",
        "_src_path": str(template),
        "auth": True,
        "db": "sqlite",
        "project_name": "ward",
    }
    git(project, "init", "-q")
    commit_all(project, "new project")
    release_v2(template)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(dst_path=project, defaults=True, overwrite=True, quiet=True)
    assert_v2_applied(project)


# The last commit whose template predates the operations work (settings, lifespan engine,
# middleware, logging, probes, Docker): projects made from it must take all of it through
# `copier update`.
BEFORE_OPERATIONS = "062594e"


@pytest.mark.e2e
def test_a_project_from_before_the_operations_work_takes_it_through_copier_update(
    tmp_path: Path,
) -> None:
    template, dst = project_from_release(tmp_path, BEFORE_OPERATIONS)
    assert not (dst / "app/core/middleware.py").exists()
    resources = resource_files(dst)
    update_to_working_tree(template, dst)

    assert conflict_leftovers(dst) == []
    assert resource_files(dst) == resources
    for path in ("app/core/middleware.py", "app/core/limits.py", "Dockerfile", "compose.yaml"):
        assert (dst / path).is_file(), path
    assert "def create_engine(settings: Settings)" in (dst / "app/db/session.py").read_text()
    verify_generated_project(dst, env=db_env(f"sqlite+aiosqlite:///{tmp_path}/check.db"))
