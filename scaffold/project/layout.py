"""Where a project keeps each artifact and how it is imported: the template's layout, or
an adopted project's (its profile), and where sign-in's dependencies live."""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.project.profile import Profile

# Modules of the project template in the layers resources write to, by kind.
TEMPLATE_MODULES = {
    # auth.py is the sign-in router of a project with users (``scaffold auth``).
    "api": frozenset({"auth"}),
    "schemas": frozenset({"base"}),
    "services": frozenset({"base", "health"}),
    "tests": frozenset(
        {
            "auth",
            "db",
            "discovery",
            "errors",
            "health",
            "migrations",
            "openapi",
            "operations",
            "schemas",
            "schemas_time",
            "security",
        }
    ),
}


@dataclass(frozen=True)
class AuthRefs:
    """Where a project with sign-in keeps what generated routes depend on: the
    dependency of a signed-in user, its ``Annotated`` alias, and the admin one."""

    require_user: str = "app.api.deps:current_user"
    user: str = "app.api.deps:CurrentUser"
    require_admin: str = "app.api.deps:current_admin"
    users_table: str = "users"


@dataclass(frozen=True)
class Layout:
    """Where each artifact lives and how it is imported (``[tool.scaffold]`` may move them).

    ``profile`` is an adopted project's conventions (``scaffold adopt``): its paths
    replace the template's.
    """

    package: str = "app"
    tests: str = "tests"
    migrations: str = "migrations"
    profile: Profile | None = None
    # (folder, module prefix) where a folder is imported under another name: a tests
    # folder with no __init__.py is on sys.path itself under pytest (``factories.x``).
    import_roots: tuple[tuple[str, str], ...] = ()
    auth: AuthRefs | None = None

    @property
    def tests_dir(self) -> str:
        """The folder the generated test modules are written to."""
        if self.profile is not None:
            return self.profile.tests.rpartition("/")[0] or "."
        return self.tests

    def is_test_module(self, path: str) -> bool:
        """Whether ``path`` is a generated resource's test module (in an adopted project,
        one its ``tests`` template makes: ``tests/{name}/test_endpoints.py``, say)."""
        if self.profile is None:
            return path.startswith(f"{self.tests}/test_")
        import re

        stem = self.profile.tests.removesuffix(".py")
        pattern = re.escape(stem).replace(re.escape("{name}"), r"\w+")
        return re.fullmatch(pattern + r"(_v\d+)?\.py", path) is not None

    def module(self, kind: str, table: str, version: int = 1, primary: bool = True) -> str:
        """Import path of an artifact; a resource's later API versions get their own modules.

        A resource named like a module the project template owns in that layer
        (``errors`` -> ``tests/test_errors.py``) gets ``_resource`` added to that module.
        """
        if self.profile is not None:
            return self.module_at(self.path(kind, table, version, primary))
        if table in TEMPLATE_MODULES.get(kind, ()):
            table = f"{table}_resource"
        if kind == "api":
            return f"{self.package}.api.v{version}.{table}"
        if kind == "schemas" and not primary:
            return f"{self.package}.schemas.v{version}.{table}"
        if kind == "factories":
            return f"{self.tests}.factories.{table}" + ("" if primary else f"_v{version}")
        if kind == "tests":
            return f"{self.tests}.test_{table}" + ("" if primary else f"_v{version}")
        return f"{self.package}.{kind}.{table}"

    def module_at(self, path: str) -> str:
        """The import path of the module at ``path`` (a folder pytest puts on sys.path
        is imported under its own name)."""
        for folder, module in self.import_roots:
            if path.startswith(folder + "/"):
                path = (module + "/" if module else "") + path[len(folder) + 1 :]
                break
        return path.removesuffix(".py").replace("/", ".")

    def path(self, kind: str, table: str, version: int = 1, primary: bool = True) -> str:
        if self.profile is not None:
            # The current contract's schemas and tests keep the plain name; an older API
            # version's get _vN (v1 included); routers are per version from v2 on.
            if kind in ("models", "services") or (kind != "api" and primary):
                return self.profile.path(kind, table)
            if kind == "api":
                return self.profile.path(kind, table, version)
            return self.profile.path(kind, table, version, suffix=True)
        return self.module(kind, table, version, primary).replace(".", "/") + ".py"
