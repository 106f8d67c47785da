"""The allowlist every user-supplied identifier passes, and its Python spelling.

A name is refused only when it cannot work: not lowercase ASCII snake_case, over
PostgreSQL's 63-byte limit, a PostgreSQL system column, a generated column, Pydantic's
``model_`` namespace, Alembic's own table, the ambiguous ``l``, or (as a resource name,
which becomes a module file) a Python keyword or a Windows device name. Everything else
works: SQL key words are quoted by SQLAlchemy wherever they reach SQL, and a name that
would clash in Python (a keyword, an attribute of the declarative base or of Pydantic's
``BaseModel``, a name a generated class body uses) is spelled ``name_`` in Python while
the column and the JSON key keep ``name`` (:func:`python_name`).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable

from scaffold.errors import InputError

MAX_IDENTIFIER = 63
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")

PG_SYSTEM_COLUMNS = frozenset({"oid", "tableoid", "xmin", "xmax", "cmin", "cmax", "ctid"})
# Every resource gets these; a user field of the same name would collide.
GENERATED_COLUMNS = frozenset({"id", "created_at", "updated_at"})
# Attributes of SQLAlchemy's declarative base (``query`` is Flask-SQLAlchemy's, common
# enough in models that the generated code avoids it too) and of Pydantic's BaseModel.
SQLALCHEMY_ATTRIBUTES = frozenset(
    {"metadata", "registry", "query", "awaitable_attrs", "type_annotation_map"}
)
PYDANTIC_ATTRIBUTES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "fields",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
# Bare names the generated model and schema class bodies use after the field lines
# (annotations are evaluated in the class body, so a field ``str`` would shadow ``str``).
CLASS_BODY_NAMES = frozenset(
    {
        "dt",
        "func",
        "mapped_column",
        "utcnow",
        "uuid4",
        "str",
        "int",
        "float",
        "bool",
        "dict",
        "list",
    }
)
# Names spelled ``name_`` in Python; the column and the JSON key keep ``name``.
PYTHON_MAPPED = (
    frozenset(keyword.kwlist) | SQLALCHEMY_ATTRIBUTES | PYDANTIC_ATTRIBUTES | CLASS_BODY_NAMES
)
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
ROLES = ("field", "table", "singular")


def python_name(name: str) -> str:
    """The Python spelling of a column or resource name: ``name_`` where ``name`` would clash.

    >>> python_name("metadata"), python_name("from"), python_name("order")
    ('metadata_', 'from_', 'order')
    """
    return f"{name}_" if name in PYTHON_MAPPED else name


def check_identifier(
    name: str, *, what: str, example: str | Callable[[str], str], role: str = "field"
) -> str:
    """Return ``name`` if it can work as a ``role`` (field, table, singular), else raise.

    ``example`` is the working example of the error, or a function that builds it from
    a corrected name, so the message shows the user's own input fixed.

    >>> check_identifier("order", what="field name", example="order:int")
    'order'
    """
    assert role in ROLES, role
    problem = refusal(name, role)
    if problem is None:
        return name
    shown = _show(name)
    shown_example = example(suggest(name, role)) if callable(example) else example
    raise InputError(f"{what.capitalize()} {shown} {problem}.", token=name, example=shown_example)


def refusal(name: str, role: str = "field") -> str | None:
    """Why ``name`` cannot work as a ``role``, or None when it can.

    >>> refusal("user"), refusal("xmin")
    (None, 'is a PostgreSQL system column')
    """
    if not name:
        return "is empty"
    if not name.isascii():
        return "contains non-ASCII characters; use ASCII snake_case"
    if len(name.encode()) > MAX_IDENTIFIER:
        return f"is {len(name)} characters; PostgreSQL identifiers stop at {MAX_IDENTIFIER}"
    if not _SNAKE.fullmatch(name):
        return (
            "is not lowercase snake_case (letters, digits and single underscores, "
            "starting with a letter and not ending with an underscore)"
        )
    if name == "l":
        return "is ambiguous: a lone l reads as the digit 1 (ruff E741 fails the generated code)"
    if role == "table":
        if name == "alembic_version":
            return "is Alembic's own table"
        if keyword.iskeyword(name):
            return "is a Python keyword, so its module file could not be imported"
        if name in WINDOWS_DEVICES:
            return "is a Windows device name, so its module file could not be created"
    if role == "field":
        if name in PG_SYSTEM_COLUMNS:
            return "is a PostgreSQL system column"
        if name in GENERATED_COLUMNS:
            return "is generated: every resource already gets id, created_at and updated_at"
        if name.startswith("model_"):
            return "starts with model_, which is Pydantic's namespace"
    return None


def suggest(name: str, role: str = "field") -> str:
    """A name close to ``name`` that works, for the example of an error.

    >>> suggest("Order Lines", "table"), suggest("xmin"), suggest("class", "table")
    ('order_lines', 'xmin_value', 'classes')
    """
    from scaffold.spec.inflect import pluralize

    text = name.encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    text = re.sub(r"^[0-9_]+", "", text)[:MAX_IDENTIFIER].rstrip("_") or "name"
    if text.startswith("model_") and role == "field":
        text = text.removeprefix("model_")
    for candidate in (text, pluralize(text) if role == "table" else f"{text}_value"):
        candidate = candidate[:MAX_IDENTIFIER].rstrip("_")
        if refusal(candidate, role) is None:
            return candidate
    return "name_value" if role == "field" else "records"


def collision_key(name: str) -> str:
    """Names that differ only by case or separators collide (``min_hours`` ~ ``minhours``)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _show(token: str, limit: int = 60) -> str:
    """Quote a user token for a message: escaped, and cut if huge."""
    text = repr(token[:limit])
    return text + ("…" if len(token) > limit else "")


show = _show
