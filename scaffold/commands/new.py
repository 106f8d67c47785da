"""``scaffold new DIR``: render the copier template into a new project."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from scaffold.errors import InputError
from scaffold.project.files import Change
from scaffold.project.outcome import Outcome
from scaffold.resources import template_root

_KEY = re.compile(r"[a-z_][a-z0-9_]*")


def _answers(directory: Path, db: str | None, data: list[str]) -> dict[str, str]:
    answers: dict[str, str] = {}
    for item in data:
        key, eq, value = item.partition("=")
        if not eq or not _KEY.fullmatch(key):
            raise InputError(
                f"--data {item!r} is not KEY=VALUE.",
                token=item,
                example="--data project_name=myapp",
            )
        answers[key] = value
    if db is not None:
        if db not in ("sqlite", "postgresql"):
            raise InputError(
                f"--db {db!r} is not sqlite or postgresql.",
                token=db,
                example="scaffold new myapp --db postgresql",
            )
        answers["db"] = db
    name = re.sub(r"[^a-z0-9_-]", "-", directory.resolve().name.lower()).strip("-_") or "app"
    if not name[0].isalpha():
        name = f"app-{name}"
    answers.setdefault("project_name", name[:60])
    return answers


def _answered_auth(directory: Path) -> bool:
    import yaml

    try:
        answers = yaml.safe_load((directory / ".copier-answers.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(answers, dict) and answers.get("auth") is True


def _add_auth(directory: Path) -> Outcome:
    """``scaffold auth --approve`` in the new project: asked for by making it."""
    from scaffold.commands.auth import add_auth
    from scaffold.project.core import Project

    return add_auth(Project.find(directory, explicit=True), approve=None, force=False)


def _dirty(root: Path) -> bool:
    import subprocess

    proc = subprocess.run(
        ["git", "status", "--porcelain", "--", "copier.yml", "templates"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode != 0 or bool(proc.stdout.strip())


def new_project(
    directory: Path, *, defaults: bool, db: str | None, data: list[str], auth: bool | None = None
) -> Outcome:
    """Render the template into ``directory`` (which must be empty or missing), then add
    sign-in (``scaffold auth``) unless the ``auth`` answer is no (``--no-auth``)."""
    if directory.exists() and any(directory.iterdir()):
        raise InputError(
            f"{str(directory)!r} exists and is not empty; choose a new folder.",
            token=str(directory),
            example="scaffold new myapp --defaults",
        )
    existed = directory.exists()
    answers = _answers(directory, db, data)
    if auth is not None:
        answers["auth"] = "true" if auth else "false"
    # A new service starts protected: `auth` is asked with "yes" as its default here.
    user_defaults = {"auth": True}
    import copier

    root = template_root()
    in_git = (root / ".git").exists()
    with warnings.catch_warnings():
        # copier warns that uncommitted template edits are included; we say it below.
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(root),
            str(directory),
            data=answers,
            user_defaults=user_defaults,
            defaults=defaults,
            unsafe=False,
            quiet=True,
            vcs_ref="HEAD" if in_git else None,
        )
    try:
        auth_outcome = _add_auth(directory) if _answered_auth(directory) else None
    except BaseException:
        # All or nothing: the folder was empty or missing, and is again.
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
        if existed:
            directory.mkdir()
        raise
    files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())
    outcome = Outcome(command="new", actions=[f"new {directory}"])
    outcome.changes = [
        Change(f, "create", "", None) for f in files if not f.startswith(".scaffold/")
    ]
    if auth_outcome is not None:
        outcome.actions.append("auth")
        outcome.layers = auth_outcome.layers
        outcome.handoff += auth_outcome.handoff
    else:
        outcome.handoff.append(
            "The API is public (--no-auth): every route answers anyone. Add sign-in later "
            "with `scaffold auth --approve`."
        )
    if in_git and _dirty(root):
        outcome.handoff.append(
            "The template checkout has uncommitted changes: the project records a commit that only "
            "existed for this copy, so `copier update` will need a committed template version later."
        )
    elif not in_git:
        outcome.handoff.append(
            "The template came from an installed package without git history; to use `copier update` "
            "later, point _src_path in .copier-answers.yml at a clone of the scaffold repository."
        )
    outcome.notes = [
        *outcome.handoff,
        "Next steps:",
        f"  cd {directory}",
        "  make test        # creates .venv, installs, runs the tests",
        "  scaffold resource residents name:str=120 email:str:unique",
    ]
    return outcome
