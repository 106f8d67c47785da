"""``scaffold auth``: users, sign-in and protected routes for a project that has none.

It writes scaffold-owned files (tracked in the manifest like a resource's, so a later
run merges the user's edits instead of overwriting them): the ``users`` model and its
migration (chained to the project's single head), schemas, service, the ``CurrentUser``
and ``AdminUser`` dependencies, the sign-in and users routers, the ``create-admin``
command, a test factory that signs users in, and the tests. From then on every
generated route requires a signed-in user unless the resource is ``--public``.

The template files the auth code builds on (password hashing, tokens, settings, the
401 error) come from the project template: a project made before them takes them
with ``copier update`` first.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from scaffold.commands.auth_adopted import chained_migration
from scaffold.errors import EscalationRequired, ProjectError
from scaffold.generate.adapt import in_package
from scaffold.generate.templates import render
from scaffold.project.core import Project
from scaffold.project.files import Rendered
from scaffold.project.layout import Layout
from scaffold.project.manifest import Manifest
from scaffold.project.outcome import Outcome
from scaffold.resources import template_root

USERS = "users"
AUTH_REASON = (
    "security: adds users, password hashing, sign-in tokens and a signed-in requirement on "
    "every generated route (a human decides who may register and who is admin)"
)
# What the template must already have: (file, text it contains).
_TEMPLATE_NEEDS = (
    ("app/core/security.py", "def create_access_token"),
    ("app/core/errors.py", "class UnauthorizedError"),
    ("app/core/limits.py", "def hit("),
    ("app/core/config.py", "access_token_expire_minutes"),
)


def _template_files() -> list[tuple[str, str]]:
    """The files of ``templates/auth`` (their paths there, ``.jinja`` left off) and their
    text, a Jinja one rendered as a template project has it (``adopted`` off)."""
    root = template_root() / "templates" / "auth"
    files: list[tuple[str, str]] = []
    for source in root.rglob("*"):
        rel = source.relative_to(root).as_posix()
        if rel.endswith(".py.jinja"):
            files.append((rel.removesuffix(".jinja"), render(f"auth/{rel}", adopted=False)))
        elif rel.endswith(".py"):
            files.append((rel, source.read_text(encoding="utf-8")))
    return sorted(files, key=lambda file: PurePosixPath(file[0]))


def plan_auth(
    project: Project, *, approve: bool | None
) -> tuple[list[Rendered], Manifest, Outcome]:
    """The files of sign-in, the manifest after it, and what to tell the user."""
    refuse_unsupported(project)
    project.require_alembic()
    outcome = Outcome(command="auth", actions=["auth"])
    outcome.escalations.append({"reason": AUTH_REASON, "trigger": "auth"})
    if approve is False:
        raise EscalationRequired.listing(outcome.escalations, example="scaffold auth --approve")
    manifest = project.manifest.copy()
    files, where = _sign_in_files(project, manifest)
    # The resources generated before: re-rendered as a project with sign-in renders them
    # (their routes require a signed-in user, their tests sign in), edits merged in.
    from scaffold.commands.resource import render_existing

    protected = project.with_manifest(manifest)
    for table in sorted(manifest.resources):
        files += render_existing(protected, table=table)
    # An adopted project's support module comes with each resource too: once is enough.
    unique = {r.path: r for r in files}
    files = list(unique.values())
    outcome.layers = _layers(manifest.auth["migration"], where["prefix"], files)
    outcome.handoff += _handoff(project, where, sorted(manifest.resources))
    outcome.notes = [
        "Next steps:",
        "  alembic upgrade head",
        f"  pytest {where['tests']}",
        "  every resource generated from now on requires a signed-in user (--public opts out, "
        "--owned scopes rows to their owner)",
    ]
    return files, manifest, outcome


def _sign_in_files(project: Project, manifest: Manifest) -> tuple[list[Rendered], dict[str, str]]:
    """Sign-in's own files, and where they put it (its command module, tests, API
    prefix; an adopted project's dependencies and what it lacks); ``manifest.auth``
    records them."""
    layout = project.layout
    down = project.single_head()
    revision = hashlib.sha1(f"create_{USERS}:{down}".encode()).hexdigest()[:12]
    migration = f"{layout.migrations}/versions/{revision}_create_{USERS}.py"
    manifest.auth = {
        "table": USERS,
        "revision": revision,
        "migration": migration,
        **({"down_revision": down} if down else {}),
    }
    if project.adopted:
        migration = project.migration_file(revision, f"create {USERS}")
        manifest.auth["migration"] = migration
        from scaffold.commands.auth_adopted import adopted_auth_files

        files, where = adopted_auth_files(project, migration, revision, down)
        manifest.auth["deps"] = where["deps"]
        return files, where
    where = {
        "cli": f"{layout.package}.users",
        "tests": f"{layout.tests}/test_auth.py {layout.tests}/test_users.py",
        "prefix": "/api/v1",
    }
    return _from_template(layout, migration, revision, down), where


def _from_template(
    layout: Layout, migration: str, revision: str, down: str | None
) -> list[Rendered]:
    """The files of ``templates/auth`` where ``layout`` puts them: the migration chained
    to ``down``, module names in the project's package and tests folder."""
    files: list[Rendered] = []
    for rel, text in _template_files():
        if rel.startswith("migrations/"):
            rel = migration
            text = chained_migration(text, revision, down)
        elif rel.startswith("tests/"):
            rel = f"{layout.tests}/{rel.removeprefix('tests/')}"
        else:
            rel = f"{layout.package}/{rel.removeprefix('app/')}"
        text = in_package(text, layout.package)
        if layout.package != "app":
            # Module names in strings and prose too (`monkeypatch.setattr("app.users...")`,
            # `python -m app.users`).
            text = re.sub(r"(?<=[\"' ])app\.(?=[a-z_])", f"{layout.package}.", text)
        if layout.tests != "tests":
            text = re.sub(r"^from tests\.", f"from {layout.tests}.", text, flags=re.M)
        files.append(Rendered(rel, text, frozen=rel == migration))
    return files


def _layers(migration: str, api: str, files: list[Rendered]) -> dict[str, list[str]]:
    """What sign-in adds, per layer, for the report."""
    return {
        "Database": [
            f"create table `{USERS}` (id, email unique, hashed_password, is_active, is_admin, "
            "created_at, updated_at)",
            f"migration `{migration}`",
        ],
        "API": [
            f"POST {api}/auth/token (OAuth2 password flow: a JWT access token), "
            f"POST {api}/auth/register (201; REGISTRATION_OPEN)",
            f"GET/PATCH {api}/users/me, POST {api}/users/me/password (asks for the current one)",
            f"GET {api}/users, GET/PATCH {api}/users/{{user_id}} (admins only)",
        ],
        "Services": ["UserService: register, authenticate (rehash on login), change_password"],
        "Tests": [f"`{r.path}`" for r in files if "/test_" in r.path],
    }


def _handoff(project: Project, where: dict[str, str], protected: list[str]) -> list[str]:
    """What a human must do once sign-in is in: the secret key, what the project must
    add or keep, the first admin, and the clients of the ``protected`` resources."""
    secret = (
        "Set SECRET_KEY to a random value of at least 32 characters in every deployed "
        "environment (it signs the access tokens; "
        + (
            "unset, each process signs with a random key of its own and its tokens stop "
            "working at a restart)."
            if project.adopted
            else "production refuses the example one)."
        )
    )
    out = [secret]
    if where.get("packages"):
        out.append(
            f"Sign-in needs {where['packages']}: "
            + (
                f"added to {where['packages_where']}; install them in the project's "
                "environment (e.g. `pip install -e .`)."
                if where.get("packages_where")
                else "add them to the project's requirements and install them."
            )
        )
    if project.adopted:
        out.append(
            "Keep the database driver's logger (aiosqlite, asyncpg) at INFO or above in every "
            "environment: at DEBUG aiosqlite logs statement parameters, password hashes "
            "included. scaffold leaves the project's logging set-up as it is."
        )
    if where.get("fastapi"):
        out.append(
            f"The project asks for {where['fastapi']!r}; sign-in's routes take form and query "
            "models, which need FastAPI 0.115 or later: raise the requirement to "
            "`fastapi>=0.115`."
        )
    if where.get("unregistered"):
        out.append(
            "The project has no router registry scaffold can edit: include the sign-in "
            f"routers yourself:\n{where['unregistered']}"
        )
    out += [
        f"Create the first admin: `python -m {where['cli']} create-admin you@example.com` "
        "(the password is read from stdin).",
        "Decide whether anyone may register (REGISTRATION_OPEN, on by default) and how many "
        "sign-in attempts to allow (LOGIN_RATE_LIMIT, per account and per client address).",
    ]
    if protected:
        out.append(
            f"The routes of {', '.join(protected)} now require a signed-in "
            "user: tell their clients to send `Authorization: Bearer <token>`, or make a "
            "resource public again with `scaffold resource NAME ... --public --approve`."
        )
    return out


def add_auth(project: Project, *, approve: bool | None, force: bool) -> Outcome:
    """Plan and write sign-in inside the caller's transaction (``scaffold new``, missions);
    ``approve=None`` collects the escalation instead of raising it."""
    from scaffold.apply.pipeline import execute

    files, manifest, outcome = plan_auth(project, approve=approve)
    execute(project, outcome, files, manifest, force=force, dry_run=False)
    return outcome


def refuse_unsupported(project: Project) -> None:
    """Exit 2, naming why, where ``scaffold auth`` cannot add sign-in."""
    refs = project.auth
    if refs is not None:
        module = refs.user.partition(":")[0]
        raise ProjectError(
            "This project already has sign-in (scaffold auth added it): generated routes "
            f"depend on CurrentUser from {module}.",
            token="auth",
            example="scaffold resource notes body:text --owned",
        )
    profile = project.profile
    if profile is not None and profile.auth_dependency:
        raise ProjectError(
            "This project has its own sign-in: generated routes depend on "
            f"{profile.auth_dependency} ([tool.scaffold] auth_dependency); scaffold does "
            "not add a second one.",
            token=profile.auth_dependency,
            example="scaffold resource notes body:text",
        )
    if USERS in project.known_resources():
        raise ProjectError(
            f"The project already has a {USERS!r} table, which sign-in would create: rename "
            "or drop it first, or keep your own sign-in.",
            token=USERS,
            example=f"scaffold destroy {USERS} --approve",
        )
    if profile is not None:
        return  # the support module brings what the template's files would
    package = project.root / project.layout.package
    missing = [
        rel
        for rel, needle in _TEMPLATE_NEEDS
        if needle not in _read(package / rel.removeprefix("app/"))
    ]
    if missing:
        raise ProjectError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} older than sign-in "
            "needs (password hashing, tokens, settings): update the project from the template "
            "first, then run scaffold auth.",
            token=missing[0],
            example="copier update --trust --defaults && scaffold auth --approve",
        )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
