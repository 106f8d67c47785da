"""What the user typed for one resource, as a typed value, and its stored argv form.

``ResourceArgs`` is what every command builds a resource spec from; the manifest keeps
each resource's ``argv()`` so a later command can replay it with ``args_from_argv``.

>>> args = args_from_argv(["resource", "rooms", "name:str=80", "--owned"])
>>> args.fields, args.owned, args.argv() == ["resource", "rooms", "name:str=80", "--owned"]
(('name:str=80',), True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.spec.resource import ACCESS_FLAGS, access_of

# The options of a stored argv that take no value.
FLAG_OPTIONS = ("--owned", "--public", "--admin-writes")


@dataclass(frozen=True)
class ResourceArgs:
    """Everything the user typed for one resource; stored in the manifest to replay it."""

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
        return out


def args_from_argv(argv: list[str]) -> ResourceArgs:
    """Rebuild ResourceArgs from the argv the manifest stored."""
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
    )
