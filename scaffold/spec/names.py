"""The allowlist every user-supplied identifier passes before it reaches a template.

A name is accepted only if it is lowercase ASCII snake_case, fits PostgreSQL's
63-byte identifier limit, and cannot shadow anything the generated modules
define or import. Everything else is an :class:`~scaffold.errors.InputError`
that names the token and shows a working example.
"""

from __future__ import annotations

import keyword
import re

from scaffold.errors import InputError
from scaffold.spec.inflect import camelize

MAX_IDENTIFIER = 63
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")

# PostgreSQL's reserved key words (SQL Key Words appendix, "reserved" column):
# they cannot be used unquoted, and CHECK expressions are written unquoted.
SQL_RESERVED = frozenset(
    [
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "current_catalog",
        "current_date",
        "current_role",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "localtime",
        "localtimestamp",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "placing",
        "primary",
        "references",
        "returning",
        "select",
        "session_user",
        "some",
        "symmetric",
        "system_user",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    ]
)
PG_SYSTEM_COLUMNS = frozenset({"oid", "tableoid", "xmin", "xmax", "cmin", "cmax", "ctid"})
# Every resource gets these; a user field of the same name would collide.
GENERATED_COLUMNS = frozenset({"id", "created_at", "updated_at"})
# Attributes of SQLAlchemy's declarative base and of Pydantic's BaseModel.
SQLALCHEMY_ATTRIBUTES = frozenset(
    {"metadata", "registry", "query", "awaitable_attrs", "type_annotation_map"}
)
PYDANTIC_ATTRIBUTES = frozenset(
    {
        "copy",
        "dict",
        "json",
        "schema",
        "schema_json",
        "construct",
        "validate",
        "parse_obj",
        "parse_raw",
        "parse_file",
        "from_orm",
        "update_forward_refs",
        "fields",
        "model_config",
        "model_fields",
    }
)
# Lower-case names the generated modules import or use as handler/service
# parameters; a field of that name would shadow them.
GENERATED_NAMES = frozenset(
    {
        "dt",
        "sa",
        "op",
        "mapped_column",
        "func",
        "select",
        "query",
        "rows",
        "self",
        "cls",
        "service",
        "session",
        "payload",
        "limit",
        "offset",
        "client",
        "response",
        "request",
        "router",
        "item",
        "items",
        "total",
        "values",
        "overrides",
        "factory",
        "base",
        "revision",
        "down_revision",
        "upgrade",
        "downgrade",
        "utcnow",
        "uuid4",
        "str",
        "int",
        "float",
        "bool",
        "dict",
        "list",
        "tuple",
        "set",
        "bytes",
        "object",
    }
)
# CamelCase names the generated model and service modules import beside the model
# class: a resource whose class name is one of them shadows the import
# (``conflict_errors`` → ``class ConflictError`` breaks the service's ``raise ConflictError``).
GENERATED_CLASS_NAMES = frozenset(
    {
        "Any",
        "AsyncSession",
        "Base",
        "BigInteger",
        "Boolean",
        "CheckConstraint",
        "ConflictError",
        "Date",
        "Decimal",
        "DomainError",
        "Float",
        "ForeignKey",
        "Index",
        "IntegrityError",
        "Integer",
        "Mapped",
        "NotFoundError",
        "Numeric",
        "String",
        "Text",
        "Time",
        "UniqueConstraint",
        "Uuid",
    }
)
# Soft keywords of every Python the generated project may run on. ``type`` (one from 3.12)
# is allowed on purpose: it is a legal identifier wherever generated code puts a field
# name, and a ``type`` column is too common to refuse (the e2e tests generate one).
SOFT_KEYWORDS = (frozenset(keyword.softkwlist) | {"_", "case", "match"}) - {"type"}
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def check_identifier(name: str, *, what: str, example: str) -> str:
    """Return ``name`` if it is a safe snake_case identifier, else raise InputError.

    >>> check_identifier("week_start", what="field name", example="week_start:date")
    'week_start'
    """
    shown = _show(name)
    if not name:
        raise InputError(f"Empty {what}.", token=name, example=example)
    if not name.isascii():
        raise InputError(
            f"{what.capitalize()} {shown} contains non-ASCII characters; use ASCII snake_case.",
            token=name,
            example=example,
        )
    if len(name.encode()) > MAX_IDENTIFIER:
        raise InputError(
            f"{what.capitalize()} {shown} is {len(name)} characters; PostgreSQL identifiers "
            f"stop at {MAX_IDENTIFIER}.",
            token=name,
            example=example,
        )
    if not _SNAKE.fullmatch(name):
        raise InputError(
            f"{what.capitalize()} {shown} is not lowercase snake_case "
            "(letters, digits and single underscores, starting with a letter).",
            token=name,
            example=example,
        )
    reason = _reserved_reason(name)
    if reason is None and what.startswith("singular"):
        # The singular becomes the class name, which must not shadow an import.
        class_name = camelize(name)
        if class_name in GENERATED_CLASS_NAMES:
            reason = f"its class name {class_name} would shadow a name the generated code imports"
    if reason:
        raise InputError(
            f"{what.capitalize()} {shown} is reserved: {reason}.", token=name, example=example
        )
    return name


def _reserved_reason(name: str) -> str | None:
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if name in SOFT_KEYWORDS:
        return "it is a Python soft keyword"
    if name in SQL_RESERVED:
        return "it is a reserved SQL key word in PostgreSQL"
    if name in PG_SYSTEM_COLUMNS:
        return "it is a PostgreSQL system column"
    if name in GENERATED_COLUMNS:
        return "every resource already gets id, created_at and updated_at"
    if name in SQLALCHEMY_ATTRIBUTES:
        return "it shadows an attribute of SQLAlchemy's declarative base"
    if name in PYDANTIC_ATTRIBUTES or name.startswith("model_"):
        return "it shadows an attribute of Pydantic's BaseModel (model_* is Pydantic's namespace)"
    if name in GENERATED_NAMES:
        return "the generated code uses that name for an import or a parameter"
    if name in WINDOWS_DEVICES:
        return "it is a Windows device name and cannot be a file name"
    if name == "l":
        return "a lone l reads as the digit 1 (ruff E741 fails the generated code)"
    return None


def collision_key(name: str) -> str:
    """Names that differ only by case or separators collide (``min_hours`` ~ ``minhours``)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _show(token: str, limit: int = 60) -> str:
    """Quote a user token for a message: escaped, and cut if huge."""
    text = repr(token[:limit])
    return text + ("…" if len(token) > limit else "")


show = _show
