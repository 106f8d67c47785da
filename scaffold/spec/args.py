"""What the user typed for one resource, as a typed value; its codec and its command line.

``ResourceArgs`` is what every command builds a resource spec from. The manifest keeps
each resource's ``to_dict()`` (plain data: a TOML table) and reads it back with
``from_dict``; ``argv()`` is the command line that makes it, for the commands scaffold
prints, and ``args_from_argv`` parses one (a mission's action, or the argv lists that
older manifests stored).

>>> args = args_from_argv(["resource", "rooms", "name:str=80", "--owned"])
>>> args.fields, args.owned, args.argv() == ["resource", "rooms", "name:str=80", "--owned"]
(('name:str=80',), True, True)
>>> args.to_dict()
{'name': 'rooms', 'fields': ['name:str=80'], 'owned': True}
>>> ResourceArgs.from_dict(args.to_dict()) == args
True
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import Any

from scaffold.errors import ProjectError
from scaffold.spec.resource import ACCESS_FLAGS, access_of

# The options of a stored argv that take no value.
FLAG_OPTIONS = ("--owned", "--public", "--admin-writes")


@dataclass(frozen=True)
class ResourceArgs:
    """Everything the user typed for one resource; the manifest keeps it to replay it."""

    name: str
    fields: tuple[str, ...] = ()
    singular: str | None = None
    parent: str | None = None
    uniques: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    id_type: str = "int"
    api_version: int = 1
    lists_under: tuple[str, ...] = ()
    owned: bool = False
    access: str = "user"
    # ``--rate-limit 100/minute`` (``scaffold limit``): every route of the resource, per client.
    rate_limit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the name, and every other value that is not its default (an empty
        singular or parent is none, as on the command line); tuples become lists."""
        out: dict[str, Any] = {"name": self.name}
        for f in dataclass_fields(self)[1:]:
            value = getattr(self, f.name)
            if value == f.default or (f.default is None and not value):
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: object) -> ResourceArgs:
        """The args ``to_dict`` gave; an unknown key or a value of the wrong type is a
        :class:`ProjectError` (the data was stored, so the project is what is broken)."""
        if not isinstance(data, dict):
            raise ProjectError(f"resource arguments must be a table, not {data!r}.")
        name = data.get("name")
        if not isinstance(name, str):
            raise ProjectError(f"resource arguments need a name (a string), got {name!r}.")
        values: dict[str, Any] = {}
        for key, value in data.items():
            kind = _KINDS.get(key)
            if kind is None:
                raise ProjectError(
                    f"{name}: {key!r} is not a resource argument (they are: {', '.join(_KINDS)}).",
                    token=key,
                )
            if not _is_a(kind, value) or (key == "access" and value not in ACCESS_FLAGS):
                wanted = "one of " + ", ".join(ACCESS_FLAGS) if key == "access" else _WORDS[kind]
                raise ProjectError(f"{name}: {key} = {value!r} is not {wanted}.", token=key)
            values[key] = tuple(value) if kind is tuple else value
        return cls(**values)

    def argv(self) -> list[str]:
        out = ["resource", self.name, *self.fields]
        for flag, value in (("--singular", self.singular), ("--parent", self.parent)):
            if value:
                out += [flag, value]
        for group in self.uniques:
            out += ["--unique", group]
        for check in self.checks:
            out += ["--check", check]
        if self.id_type != "int":
            out += ["--id", self.id_type]
        if self.api_version != 1:
            out += ["--api-version", str(self.api_version)]
        for table in self.lists_under:
            out += ["--list-under", table]
        if self.owned:
            out.append("--owned")
        out += ACCESS_FLAGS[self.access]
        if self.rate_limit:
            out += ["--rate-limit", self.rate_limit]
        return out


# The type of each value in ``to_dict``'s data (a tuple is stored as a list of strings).
_KINDS: dict[str, type] = {
    "name": str,
    "fields": tuple,
    "singular": str,
    "parent": str,
    "uniques": tuple,
    "checks": tuple,
    "id_type": str,
    "api_version": int,
    "lists_under": tuple,
    "owned": bool,
    "access": str,
    "rate_limit": str,
}
_WORDS = {str: "a string", tuple: "a list of strings", int: "a whole number", bool: "true or false"}


def _is_a(kind: type, value: object) -> bool:
    if kind is tuple:
        return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def args_from_argv(argv: list[str]) -> ResourceArgs:
    """Parse a ``scaffold resource`` command line (``argv[0]`` is ``resource``)."""
    name, rest = argv[1], argv[2:]
    fields: list[str] = []
    opts: dict[str, list[str]] = {}
    flags: set[str] = set()
    i = 0
    while i < len(rest):
        if rest[i] in FLAG_OPTIONS:
            flags.add(rest[i])
            i += 1
        elif rest[i].startswith("--"):
            opts.setdefault(rest[i], []).append(rest[i + 1])
            i += 2
        else:
            fields.append(rest[i])
            i += 1
    return ResourceArgs(
        name=name,
        fields=tuple(fields),
        singular=opts.get("--singular", [None])[0],
        parent=opts.get("--parent", [None])[0],
        uniques=tuple(opts.get("--unique", [])),
        checks=tuple(opts.get("--check", [])),
        id_type=opts.get("--id", ["int"])[0],
        api_version=int(opts.get("--api-version", ["1"])[0]),
        lists_under=tuple(opts.get("--list-under", [])),
        owned="--owned" in flags,
        access=access_of(public="--public" in flags, admin_writes="--admin-writes" in flags),
        rate_limit=opts.get("--rate-limit", [None])[0],
    )
