"""Find the project, read its ``[tool.scaffold]`` settings, and refuse broken ones early."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from scaffold.errors import ProjectError, ScaffoldError
from scaffold.project.layout import AuthRefs, Layout
from scaffold.project.manifest import MANIFEST, Manifest, stored_args
from scaffold.project.profile import Profile
from scaffold.spec.args import ResourceArgs
from scaffold.spec.inflect import camelize, singularize
from scaffold.spec.resource import SCHEMA, Known, ResourceSpec, build_resource

_TABLENAME = re.compile(r"__tablename__\s*=\s*['\"]([a-z0-9_]+)['\"]")
_MODULE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_CONFLICT_MARKER = re.compile(r"^(<{7}|>{7}|={7})( |$)", re.M)
NOT_A_PROJECT_EXAMPLE = "scaffold new myapp --defaults && cd myapp"


@dataclass
class Project:
    root: Path
    settings: dict
    # The project itself when ``root`` is a scratch copy of it (a change being proved).
    origin: Path | None = None
    # What higher layers derive from this project's files, once per project object
    # (a command's run builds one): the specs and relations of its manifest, say.
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def find(cls, start: Path | None = None, explicit: bool = False) -> Project:
        """The nearest folder (``start`` or a parent) with ``.scaffold/`` or ``[tool.scaffold]``."""
        start = (start or Path.cwd()).resolve()
        if not start.is_dir():
            raise ProjectError(
                f"--project {str(start)!r} is not a folder.",
                token=str(start),
                example=NOT_A_PROJECT_EXAMPLE,
            )
        candidates = [start] if explicit else [start, *start.parents]
        for folder in candidates:
            settings = _scaffold_settings(folder)
            if settings is not None or (folder / ".scaffold").is_dir():
                return cls(folder, settings or {})
        raise ProjectError(
            f"{str(start)!r} is not a scaffold project: no .scaffold/ folder and no [tool.scaffold] "
            "in pyproject.toml here or above.",
            token=str(start),
            example=NOT_A_PROJECT_EXAMPLE,
        )

    @cached_property
    def profile(self) -> Profile | None:
        """An adopted project's conventions (``scaffold adopt``); None for a template project."""
        return Profile.from_settings(self.settings)

    @property
    def adopted(self) -> bool:
        return self.profile is not None

    def migration_file(self, revision: str, message: str) -> str:
        """Path of a new migration, named as ``alembic revision`` would name it here."""
        versions = f"{self.layout.migrations}/versions"
        profile = self.profile
        if profile is None:
            return f"{versions}/{revision}_{'_'.join(message.split())}.py"
        from scaffold.project.alembic_config import DEFAULT_FILE_TEMPLATE, AlembicSettings

        template = profile.file_template or DEFAULT_FILE_TEMPLATE
        return (
            f"{versions}/{AlembicSettings(None, versions, template).file_name(revision, message)}"
        )

    @cached_property
    def layout(self) -> Layout:
        profile = self.profile
        if profile is not None:
            tests = profile.tests.split("/")[0] if "/" in profile.tests else profile.package
            folder = profile.tests.rpartition("/")[0]
            roots: tuple[tuple[str, str], ...] = ()
            if folder and not (self.root / folder / "__init__.py").is_file():
                roots = ((folder, ""),)  # pytest puts a non-package tests folder on sys.path
            if (self.root / "src" / profile.package).is_dir():
                roots += (("src", ""),)  # a src/ layout: src/app/x.py is app.x
            return Layout(profile.package, tests, profile.alembic_dir, profile, roots, self.auth)
        values = {}
        for key, default in (("package", "app"), ("tests", "tests"), ("migrations", "migrations")):
            value = self.settings.get(key, default)
            if not isinstance(value, str) or not _MODULE.fullmatch(value):
                raise ProjectError(
                    f"[tool.scaffold] {key} = {value!r} is not a top-level package name of the project.",
                    token=str(value),
                    example=f'[tool.scaffold]\n{key} = "{default}"',
                )
            values[key] = value
        return Layout(**values, auth=self.auth)

    def with_manifest(self, manifest: Manifest) -> Project:
        """This project as it renders once ``manifest`` is written (a planned change)."""
        planned = Project(self.root, self.settings)
        planned.__dict__["manifest"] = manifest  # the cached_property, already computed
        return planned

    @property
    def auth(self) -> AuthRefs | None:
        """What generated routes depend on when the project has scaffold's sign-in."""
        if not self.manifest.auth:
            return None
        deps = self.manifest.auth.get("deps")
        if deps is None:  # the template's app/api/deps.py
            return AuthRefs()
        return AuthRefs(
            require_user=f"{deps}:current_user",
            user=f"{deps}:CurrentUser",
            require_admin=f"{deps}:current_admin",
        )

    def auth_users(self, argv: list[str]) -> Known:
        """The users table an ``--owned`` resource references; an error without sign-in."""
        if self.auth is None:
            raise ProjectError(
                "--owned needs users to own the rows, and this project has no sign-in yet: "
                "add it first (a security change, so it needs --approve).",
                token="--owned",
                example=f"scaffold auth --approve && scaffold {' '.join(argv)}",
            )
        return Known(self.auth.users_table, "User", "user", "bigint")

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest.load(self.root)

    @property
    def versions_dir(self) -> Path:
        return self.root / self.layout.migrations / "versions"

    def require_alembic(self) -> None:
        env = self.root / self.layout.migrations / "env.py"
        if not env.is_file():
            raise ProjectError(
                f"{env.relative_to(self.root)} is missing, so migrations cannot run. "
                "Restore it (or re-create the project's Alembic set-up) before generating.",
                token=str(env.relative_to(self.root)),
                example="git checkout -- migrations/env.py",
            )

    def migration_graph(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """revision -> (file, down revisions), read as Alembic reads them (multi-line
        tuples and merge revisions included), without importing Alembic."""
        from scaffold.project.alembic_config import read_revisions

        return {rev: (r.path, r.down) for rev, r in read_revisions(self.versions_dir).items()}

    def single_head(self) -> str | None:
        graph = self.migration_graph()
        referenced = {d for _, downs in graph.values() for d in downs}
        heads = sorted(rev for rev in graph if rev not in referenced)
        if len(heads) > 1:
            files = ", ".join(graph[h][0] for h in heads)
            raise ProjectError(
                f"The project has {len(heads)} Alembic heads ({', '.join(heads)} in {files}); "
                "new migrations must chain to a single head. Merge them first.",
                token=heads[1],
                example="alembic merge heads -m 'merge heads'",
            )
        return heads[0] if heads else None

    def known_resources(self) -> dict[str, Known]:
        """Resources from the manifest, plus hand-written models found by ``__tablename__``."""
        known: dict[str, Known] = {}
        owned = _owned_tables(self.manifest.resources)
        for table, entry in self.manifest.resources.items():
            try:
                known[table] = Known(
                    table=table,
                    class_name=entry["class_name"],
                    singular=entry["singular"],
                    id_type=entry.get("id_type", "int"),
                    owned=table in owned,
                    v1_route=_v1_route(entry),
                )
                entry["args"], entry["migration"], entry["revision"]  # noqa: B018 - presence check
            except (KeyError, TypeError):
                raise ProjectError(
                    f"{MANIFEST} has a broken entry for {table!r}; restore it from version control.",
                    token=table,
                    example="git checkout -- .scaffold/manifest.toml",
                ) from None
        if self.auth is not None:
            known.setdefault(self.auth.users_table, self.auth_users([]))
        if self.profile is not None:
            for t in self.profile.tables:
                if t.name not in known:
                    known[t.name] = Known(
                        t.name, t.class_name, singularize(t.name), t.key_type, t.module, t.key
                    )
            return known
        models = self.root / self.layout.package / "models"
        if models.is_dir():
            for path in sorted(models.glob("*.py")):
                if not path.is_file():
                    continue  # a dangling symlink is not a model
                for table in _TABLENAME.findall(path.read_text(encoding="utf-8", errors="replace")):
                    if table not in known:
                        singular = singularize(table)
                        known[table] = Known(table, camelize(singular), singular)
        return known

    def refuse_uncommitted_edits(self, paths: list[str]) -> None:
        """Your uncommitted edits are never rewritten (merged or forced): commit them first."""
        own = self.origin or self.root
        if not paths or not (own / ".git").exists():
            return
        import subprocess

        proc = subprocess.run(
            ["git", "status", "--porcelain", "--", *paths],
            cwd=own,
            capture_output=True,
            text=True,
            check=False,
        )
        dirty = [line[3:] for line in proc.stdout.splitlines() if line.strip()]
        if proc.returncode == 0 and dirty:
            raise ProjectError(
                f"{', '.join(dirty[:5])} {'has' if len(dirty) == 1 else 'have'} uncommitted edits that this "
                "change would rewrite. Commit or stash them first, so nothing of yours can be lost.",
                token=dirty[0],
                example='git add -A && git commit -m "my edits"',
            )

    def refuse_conflict_markers(self, paths: list[str]) -> None:
        for rel in paths:
            path = self.root / rel
            if path.is_file() and _CONFLICT_MARKER.search(
                path.read_text(encoding="utf-8", errors="replace")
            ):
                raise ProjectError(
                    f"{rel} contains merge-conflict markers; resolve them before generating.",
                    token=rel,
                    example=f"git diff {rel}",
                )


def _scaffold_settings(folder: Path) -> dict | None:
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return None
    text = pyproject.read_text(encoding="utf-8", errors="replace")
    if "[tool.scaffold" not in text:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(
            f"{pyproject} is not valid TOML ({exc}).",
            token="pyproject.toml",
            example="[tool.scaffold]",
        ) from None
    settings = data.get("tool", {}).get("scaffold")
    return settings if isinstance(settings, dict) else {}


def _owned_tables(entries: dict[str, dict]) -> set[str]:
    """The tables whose rows belong to a user: ``--owned`` ones, and those with a required
    reference to one (a chain of them, however long: see ``owned_through``)."""
    from scaffold.spec.fields import parse_field

    owned: set[str] = set()
    required: dict[str, set[str]] = {}
    for table, entry in entries.items():
        try:
            args = stored_args(entry)
        except ProjectError:
            continue  # a broken entry: known_resources or the command using it names it
        if args.owned:
            owned.add(table)
        refs = {args.parent} if args.parent else set()
        for token in args.fields:
            try:
                f = parse_field(token)
            except ScaffoldError:
                continue  # stored by an earlier command; building its spec reports it
            if f.is_ref and not f.optional and f.ref_table and f.ref_table != table:
                refs.add(f.ref_table)
        required[table] = refs
    grown = True
    while grown:
        grown = False
        for table, refs in required.items():
            if table not in owned and refs & owned:
                owned.add(table)
                grown = True
    return owned


def _v1_route(entry: dict) -> str | None:
    """Where /api/v1 serves a renamed resource: the path of the table it was."""
    first = next((v for v in entry.get("versions", []) if int(v.get("version", 0)) == 1), None)
    served_as = first.get("served_as") if isinstance(first, dict) else None
    return served_as.replace("_", "-") if isinstance(served_as, str) else None


def build_created_spec(project: Project, entry: dict) -> ResourceSpec:
    """The spec a resource's create migration was written from: its ``create_args``
    (history: the names of that day), each former name of a renamed table resolved to
    the table it is now, with that table's key, so the migration renders as written."""
    args = stored_args(entry, created=True)
    known = project.known_resources()
    for old, table in project.manifest.former_names().items():
        if table in known:  # over a model file of the old name still on disk
            known[old] = replace(known[table], table=old)
    return build_spec(project, args, known, entry=entry)


def build_spec(
    project: Project,
    args: ResourceArgs,
    known: dict[str, Known] | None = None,
    *,
    entry: dict | None = None,
) -> ResourceSpec:
    """The spec of ``args``; an existing resource keeps the schema style it was made with.

    ``known`` is the project's tables when the caller already has them (one read of the
    models for many specs); ``entry`` the resource's manifest entry when ``args`` do not
    name it (a renamed table's ``create_args``)."""
    known = dict(known) if known is not None else project.known_resources()
    known.pop(args.name, None)
    if entry is None:
        entry = project.manifest.resources.get(args.name)
    spec = build_resource(
        args.name,
        args.fields,
        singular=args.singular,
        parent=args.parent,
        uniques=args.uniques,
        checks=args.checks,
        # The project's usual key type for new tables ("bigint" is what "int" becomes).
        id_type=project.profile.id_type.replace("bigint", "int")
        if project.profile is not None and args.id_type == "int"
        else args.id_type,
        api_version=args.api_version,
        known=known,
        lists_under=args.lists_under,
        schema=int(entry.get("schema", 1)) if entry is not None else SCHEMA,
        owner=project.auth_users(args.argv()) if args.owned else None,
        access=args.access,
    )
    return replace(spec, rate_limit=args.rate_limit) if args.rate_limit else spec


def specs_for_versions(
    project: Project, versions: list[dict], current: ResourceSpec
) -> list[ResourceSpec]:
    """The contract of each served API version, oldest first; the current spec last."""
    out: list[ResourceSpec] = []
    for v in versions:
        spec = build_spec(project, replace(stored_args(v), api_version=int(v["version"])))
        renames, removed = v.get("renames", {}), set(v.get("removed", []))
        fields = tuple(
            replace(f, column=renames.get(f.name), removed=f.name in removed) for f in spec.fields
        )
        checks = tuple(c for c in spec.checks if c.left not in removed and c.right not in removed)
        out.append(
            replace(
                spec,
                fields=fields,
                checks=checks,
                api_primary=not out,
                served_as=v.get("served_as"),
            )
        )
    out.append(replace(current, api_primary=not out))
    return out


def served(spec: ResourceSpec, entry: dict) -> ResourceSpec:
    """``spec`` at the API version its manifest ``entry`` serves now."""
    return replace(spec, api_version=int(entry.get("api_version", spec.api_version)))
