"""The ``[tool.scaffold]`` profile of an adopted project: its conventions, for the generator.

``scaffold adopt`` writes it; every generating command reads it. A project made
from the template has no ``layout`` key and keeps the template's own conventions
(``Profile.template()``). Paths are POSIX paths relative to the project root; a path
template holds ``{name}``, the resource's table name. Dotted references name an object
as ``module:attribute``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scaffold.errors import ProjectError

LAYOUTS = ("layers", "single-file", "features")
STYLES = ("sync", "async")
# Template modules whose names generated code imports; an adopted project gets them
# from its support module (or, for Base and the session, from its own code).
SUPPORT_SOURCES = (
    "app.db.base",
    "app.db.types",
    "app.schemas.base",
    "app.services.base",
    "app.core.errors",
    "app.core.security",
    "app.db.session",
    # With scaffold's sign-in: its settings, login limits and log lines.
    "app.core.config",
    "app.core.limits",
    "app.core.logging",
)
_PATH = re.compile(r"[A-Za-z0-9_.{}/-]+")
_REF = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*")
_PREFIX = re.compile(r"(/[A-Za-z0-9_.~-]+)*")
PATH_KEYS = ("models", "schemas", "services", "routers", "tests", "factories")
REF_KEYS = ("base", "session_dependency", "sync_session", "sync_engine", "auth_dependency", "app")


@dataclass(frozen=True)
class Table:
    """An existing table the project's own models declare."""

    name: str
    class_name: str
    module: str
    key: str = "id"
    key_type: str = "int"  # uuid | int | bigint | str | composite (key "a,b")


@dataclass(frozen=True)
class Profile:
    layout: str
    package: str
    models: str
    schemas: str
    services: str
    routers: str
    tests: str
    factories: str
    base: str
    support_module: str
    session_dependency: str | None = None
    sync_engine: str | None = None
    sync_session: str | None = None  # the project's sync session dependency, if any
    id_type: str = "bigint"  # the key type of new tables (the project's most common one)
    auth_dependency: str | None = None
    router_registry: str | None = None  # "path.py:attribute"
    api_prefix: str = "/api/v1"
    # The registry is the app and each router is included with `prefix=api_prefix`.
    include_prefix: bool = False
    app: str | None = None
    alembic_ini: str | None = "alembic.ini"
    alembic_dir: str = "migrations"
    file_template: str | None = None
    model_registry: str | None = None
    client_fixture: str = "client"
    auth_headers_fixture: str | None = None
    test_style: str = "async"
    asyncio_mode: str = "auto"
    python: str | None = None
    sqlmodel: bool = False
    naming_convention: tuple[tuple[str, str], ...] = ()
    tables: tuple[Table, ...] = field(default=())
    # The generated tests' client wrapper (scaffold's): the factories package's
    # __init__.py unless the project has one of its own.
    test_support: str | None = None

    @property
    def support_import(self) -> str:
        return module_of(self.support_module)

    @property
    def test_support_path(self) -> str:
        """Where the generated tests' client wrapper is written."""
        return self.test_support or self.path("factories", "__init__")

    @property
    def versioned_prefix(self) -> bool:
        """Whether the registry's prefix ends in an API version (``/api/v1``)."""
        return re.search(r"/v\d+$", self.api_prefix) is not None

    def version_prefix(self, version: int) -> str:
        """Where API version ``version`` of a generated resource is served.

        >>> p = Profile("layers", "app", *["x/{name}.py"] * 6, "app.db:Base", "app/s.py", api_prefix="/api/v1")
        >>> p.version_prefix(1), p.version_prefix(2)
        ('/api/v1', '/api/v2')
        """
        if version == 1:
            return self.api_prefix
        if self.versioned_prefix:
            return re.sub(r"/v\d+$", f"/v{version}", self.api_prefix)
        return f"{self.api_prefix}/v{version}"

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def path(self, kind: str, name: str, version: int = 1, suffix: bool = False) -> str:
        template: str = getattr(self, "routers" if kind == "api" else kind)
        path = template.replace("{name}", name)
        if version > 1 or suffix:
            path = path.removesuffix(".py") + f"_v{version}.py"
        return path

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Profile | None:
        """The profile in ``settings`` (the ``[tool.scaffold]`` table); None for a template project."""
        layout = settings.get("layout")
        if layout is None:
            return None
        _expect(layout in LAYOUTS, "layout", layout, f'layout = "{LAYOUTS[0]}"')
        values: dict[str, Any] = {"layout": layout}
        values |= _paths_and_refs(settings)
        prefix = settings.get("api_prefix", "")
        _expect(
            isinstance(prefix, str) and bool(_PREFIX.fullmatch(prefix)),
            "api_prefix",
            prefix,
            'api_prefix = "/api/v1"',
        )
        values["api_prefix"] = prefix
        for key in (
            "router_registry",
            "alembic_ini",
            "alembic_dir",
            "model_registry",
            "file_template",
            "client_fixture",
            "auth_headers_fixture",
            "python",
        ):
            value = settings.get(key)
            if value is not None:
                _expect(isinstance(value, str) and ".." not in value, key, value, f'{key} = "..."')
                values[key] = value
        values |= _conventions(settings)
        values["tables"] = _tables(settings.get("tables", {}))
        return cls(**values)


def module_of(path: str) -> str:
    """``app/db/base.py`` -> ``app.db.base``; ``saas/__init__.py`` -> ``saas``; in a
    ``src/`` layout ``src/app/db.py`` -> ``app.db`` (as adopt names the project's modules)."""
    return path.removeprefix("src/").removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _expect(ok: bool, key: str, value: Any, example: str) -> None:
    if not ok:
        raise ProjectError(
            f"[tool.scaffold] {key} = {value!r} is not valid: see the profile keys in the README.",
            token=str(key),
            example=f"[tool.scaffold]\n{example}",
        )


def _paths_and_refs(settings: dict[str, Any]) -> dict[str, Any]:
    """The package, the path templates (``app/models/{name}.py``) and the references
    (``module:name``) of a profile."""
    values: dict[str, Any] = {}
    test_support = settings.get("test_support")
    if test_support is not None:
        _expect(
            isinstance(test_support, str)
            and bool(_PATH.fullmatch(test_support))
            and ".." not in test_support
            and test_support.endswith(".py"),
            "test_support",
            test_support,
            'test_support = "tests/factories/scaffold_api.py"',
        )
        values["test_support"] = test_support
    for key in ("package", *PATH_KEYS, "support_module"):
        value = settings.get(key)
        _expect(
            isinstance(value, str) and bool(_PATH.fullmatch(value)) and ".." not in value,
            key,
            value,
            f'{key} = "app/{key}/{{name}}.py"',
        )
        values[key] = value
    for key in PATH_KEYS:
        _expect("{name}" in values[key], key, values[key], f'{key} = "app/{key}/{{name}}.py"')
    for key in REF_KEYS:
        value = settings.get(key)
        if key == "base" or value is not None:
            _expect(
                isinstance(value, str) and bool(_REF.fullmatch(value)),
                key,
                value,
                f'{key} = "app.db.base:Base"',
            )
            values[key] = value
    return values


def _conventions(settings: dict[str, Any]) -> dict[str, Any]:
    """The test style, key type and naming convention of a profile."""
    style = settings.get("test_style", "async")
    _expect(style in STYLES, "test_style", style, 'test_style = "sync"')
    id_type = settings.get("id_type", "bigint")
    _expect(id_type in ("uuid", "int", "bigint"), "id_type", id_type, 'id_type = "uuid"')
    convention = settings.get("naming_convention", {})
    _expect(
        isinstance(convention, dict),
        "naming_convention",
        convention,
        'naming_convention = { ix = "ix_%(column_0_label)s" }',
    )
    return {
        "test_style": style,
        "asyncio_mode": str(settings.get("asyncio_mode", "auto")),
        "sqlmodel": bool(settings.get("sqlmodel", False)),
        "include_prefix": bool(settings.get("include_prefix", False)),
        "id_type": id_type,
        "naming_convention": tuple(sorted((str(k), str(v)) for k, v in convention.items())),
    }


def _tables(tables: Any) -> tuple[Table, ...]:
    """The ``tables`` of a profile: the models scaffold did not generate, by table."""
    _expect(
        isinstance(tables, dict),
        "tables",
        tables,
        'tables.people = { class = "Person", module = "app.models.person", key_type = "uuid" }',
    )
    found = []
    for name, entry in sorted(tables.items()):
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("class"), str)
            and isinstance(entry.get("module"), str)
        )
        _expect(
            ok,
            f"tables.{name}",
            entry,
            f'tables.{name} = {{ class = "X", module = "app.models.x", key_type = "uuid" }}',
        )
        key_type = entry.get("key_type", "int")
        _expect(
            key_type in ("uuid", "int", "bigint", "str", "composite"),
            f"tables.{name}.key_type",
            key_type,
            f'tables.{name}.key_type = "uuid"',
        )
        found.append(
            Table(name, entry["class"], entry["module"], str(entry.get("key", "id")), key_type)
        )
    return tuple(found)
