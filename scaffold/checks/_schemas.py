"""The project's classes as Pydantic sees them, for SC401/SC402: their fields (own and
inherited), which are sensitive or credentials, and which classes are read schemas.
Plain data, cached per file and shared across files."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from scaffold.checks._finding import char_column
from scaffold.checks._syntax import (
    identifiers,
    index_of,
    is_call_to,
    is_true,
    keyword,
    last_name,
    name_parts,
    split_annotated,
    string_annotation,
)
from scaffold.spec.sensitive import sensitive_name

_READ_SUFFIXES = ("Read", "Out", "Response", "Public", "Detail", "Item")
_SCHEMA_ROOTS = frozenset({"BaseModel", "RootModel", "SQLModel", "Schema"})
_CREDENTIAL_WORDS = frozenset({"token", "secret", "apikey"})
_NOT_CREDENTIAL = frozenset(
    {"password", "passwd", "pin", "ssn", "hash", "hashed", "digest", "salt", "encrypted"}
    | {"enc", "ciphertext", "private", "card", "credit"}
)


def _marked_sensitive(call: ast.AST) -> bool:
    extra = keyword(call, "json_schema_extra") if isinstance(call, ast.Call) else None
    return isinstance(extra, ast.Dict) and any(
        isinstance(k, ast.Constant) and k.value == "sensitive" and is_true(v)
        for k, v in zip(extra.keys, extra.values, strict=True)
    )


def is_credential(name: str) -> bool:
    """A secret a route may hand out once: ``access_token``, ``api_key``,
    ``client_secret``; never a password or the hash of anything.

    >>> [is_credential(n) for n in ("access_token", "api_key", "password", "token_hash")]
    [True, True, False, False]
    """
    parts = name_parts(name)
    if set(parts) & _NOT_CREDENTIAL:
        return False
    pairs = set(zip(parts, parts[1:], strict=False))
    return bool(set(parts) & _CREDENTIAL_WORDS) or bool(pairs & {("api", "key"), ("access", "key")})


@dataclass(frozen=True)
class SchemaField:
    name: str
    line: int
    col: int
    owner: str
    reason: str | None  # why it is sensitive; None when it is not
    credential: bool = False
    refs: tuple[str, ...] = ()  # the names its annotation uses (nested schemas)


@dataclass
class SchemaClass:
    """A class with annotated fields, as plain data (cached and shared across files)."""

    name: str
    path: str
    line: int
    bases: list[str]
    fields: dict[str, SchemaField]
    is_read: bool
    pydantic: bool | None  # True: a Pydantic/SQLModel base; False: a table model


def _schema_field(stmt: ast.AnnAssign, owner: str, lines: list[str]) -> SchemaField | None:
    if not isinstance(stmt.target, ast.Name):
        return None
    name = stmt.target.id
    annotation = string_annotation(stmt.annotation)
    base, metadata = split_annotated(annotation)
    if name.startswith("_") or name == "model_config" or last_name(base) == "ClassVar":
        return None
    col = char_column(lines, stmt.lineno, stmt.col_offset)
    calls = [n for n in (stmt.value, *metadata) if is_call_to(n, "Field")]
    refs = tuple(n for n in dict.fromkeys(identifiers(base)) if n[:1].isupper())
    if any(is_true(keyword(call, "exclude")) for call in calls):
        return SchemaField(name, stmt.lineno, col, owner, None, refs=refs)
    reason = None
    if any(_marked_sensitive(call) for call in calls):
        reason = "marked sensitive"
    elif sensitive_name(name) and last_name(base) != "bool":
        reason = "named like a secret"
    credential = reason == "named like a secret" and is_credential(name)
    return SchemaField(name, stmt.lineno, col, owner, reason, credential, refs)


def _config_from_attributes(node: ast.ClassDef) -> bool:
    for stmt in node.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if not any(last_name(t) == "model_config" for t in targets):
                continue
            value = stmt.value
            if isinstance(value, ast.Call) and is_true(keyword(value, "from_attributes")):
                return True
            if isinstance(value, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "from_attributes" and is_true(v)
                for k, v in zip(value.keys, value.values, strict=True)
            ):
                return True
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":  # pydantic v1 style
            for inner in stmt.body:
                if (
                    isinstance(inner, ast.Assign)
                    and is_true(inner.value)
                    and any(last_name(t) in {"orm_mode", "from_attributes"} for t in inner.targets)
                ):
                    return True
    return False


def _pydantic(node: ast.ClassDef, bases: list[str]) -> bool | None:
    if any(kw.arg == "table" and is_true(kw.value) for kw in node.keywords):
        return False
    for stmt in node.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if any(last_name(t) in {"__tablename__", "__table__"} for t in targets):
            return False
    if set(bases) & _SCHEMA_ROOTS:
        return True
    return None


def schema_classes(tree: ast.Module, path: str, lines: list[str]) -> list[SchemaClass]:
    """Every class of the module at ``path`` that declares annotated fields, or inherits."""
    found = []
    for node in index_of(tree).classes:
        fields: dict[str, SchemaField] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign):
                item = _schema_field(stmt, node.name, lines)
                if item:
                    fields[item.name] = item
        bases = [name for base in node.bases if (name := last_name(base))]
        if not fields and not bases:
            continue
        is_read = node.name.endswith(_READ_SUFFIXES) or _config_from_attributes(node)
        found.append(
            SchemaClass(
                node.name, path, node.lineno, bases, fields, is_read, _pydantic(node, bases)
            )
        )
    return found


class SchemaIndex:
    """Every class of the project, with fields resolved through inheritance."""

    def __init__(self, classes: list[SchemaClass], schema_paths: frozenset[str] = frozenset()):
        self.classes: dict[str, list[SchemaClass]] = {}
        self.by_path: dict[str, list[SchemaClass]] = {}
        self.schema_paths = schema_paths
        for info in classes:
            self.classes.setdefault(info.name, []).append(info)
            self.by_path.setdefault(info.path, []).append(info)

    def lookup(self, name: str, near: str) -> SchemaClass | None:
        candidates = self.classes.get(name, [])
        local = [c for c in candidates if c.path == near]
        return (local or candidates or [None])[0]

    def is_schema(self, cls: SchemaClass, seen: frozenset[str] = frozenset()) -> bool:
        """A Pydantic model: a Pydantic base somewhere up, or declared in a schema file."""
        if cls.pydantic is not None:
            return cls.pydantic
        if cls.path in self.schema_paths:
            return True
        for base_name in cls.bases:
            base = self.lookup(base_name, cls.path)
            if (
                base is not None
                and base.name not in seen
                and base is not cls
                and self.is_schema(base, seen | {cls.name})
            ):
                return True
        return False

    def fields(
        self, cls: SchemaClass, seen: frozenset[str] = frozenset()
    ) -> dict[str, SchemaField]:
        """Fields as Pydantic sees them: bases first, the class's own overriding."""
        merged: dict[str, SchemaField] = {}
        for base_name in reversed(cls.bases):
            base = self.lookup(base_name, cls.path)
            if base is not None and base.name not in seen and base is not cls:
                merged.update(self.fields(base, seen | {cls.name}))
        merged.update(cls.fields)
        return merged

    def sensitive(self, name: str, near: str) -> tuple[SchemaClass, list[SchemaField]] | None:
        """The sensitive fields a class named ``name`` would serialise, if any."""
        cls = self.lookup(name, near)
        if cls is None or not self.is_schema(cls):
            return None
        found = [f for f in self.fields(cls).values() if f.reason]
        return (cls, found) if found else None
