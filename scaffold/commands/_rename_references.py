"""Which resources a table rename reaches, and their arguments with the new name: a
reference however it was written or inferred (``room_id:ref=rooms``, ``room_id:ref``,
a bare ``room_id``, ``ref=room`` where the project's table is ``rooms``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from scaffold.errors import ScaffoldError
from scaffold.project.core import Project
from scaffold.project.manifest import Manifest, stored_args
from scaffold.spec.args import ResourceArgs


def renamed_args(
    args: ResourceArgs,
    old: str,
    new: str,
    tables: Collection[str],
    singular: str | None = None,
) -> ResourceArgs:
    """``args`` with the table ``old`` called ``new``: its own name, and every
    reference to it, however it was written or inferred (``room_id:ref=rooms``,
    ``room_id:ref``, ``room_id`` → ``room_id:ref=venues``). ``tables``: the project's."""
    fields = tuple(_renamed_token(token, old, new, tables) for token in args.fields)
    name = new if args.name == old else args.name
    out = replace(args, name=name, fields=fields)
    if args.name == old:
        out = replace(out, singular=singular or None)  # an empty --singular is none
    return out


def _renamed_token(token: str, old: str, new: str, tables: Collection[str]) -> str:
    """A field token referencing ``old`` as one that names ``new``; any other as it is."""
    if not _refers(token, old, tables):
        return token
    name, _, rest = token.partition(":")
    first, colon, others = rest.partition(":")
    if first == "ref" or first.startswith("ref="):
        return f"{name}:ref={new}{colon}{others}"
    return f"{name}:ref={new}" + (f":{rest}" if rest else "")  # the type was inferred


def _refers(token: str, old: str, tables: Collection[str]) -> bool:
    """Whether the field ``token`` references the table ``old``, as ``build_resource``
    resolves it: ``clinic_id`` and ``clinic_id:ref`` infer ``clinics``, and a target
    the project does not have is its singular when that is a table (``ref=clinic``)."""
    from scaffold.spec.fields import parse_field
    from scaffold.spec.inflect import singularize

    try:
        f = parse_field(token)
    except ScaffoldError:
        return False  # stored by an earlier command; building its spec reports it
    target = f.ref_table
    if not f.is_ref or target is None:
        return False
    if target not in tables and singularize(target) in tables:
        target = singularize(target)
    return target == old


def _references(args: ResourceArgs, old: str, tables: Collection[str]) -> bool:
    return any(_refers(token, old, tables) for token in args.fields)


def follow_references(
    project: Project, manifest: Manifest, old: str, new: str, tables: Collection[str]
) -> dict[str, tuple[ResourceArgs, ResourceArgs]]:
    """The resources whose fields reference ``old`` (now or in an older API version they
    serve), with their args before and after; their entries in ``manifest`` reference
    ``new``, every version's too. ``create_args`` stay: they are history."""
    referencing: dict[str, tuple[ResourceArgs, ResourceArgs]] = {}
    for other, other_entry in project.manifest.resources.items():
        if other == old:
            continue
        other_args = stored_args(other_entry)
        versions = [(v, stored_args(v)) for v in other_entry.get("versions", [])]
        if not any(_references(a, old, tables) for a in [other_args, *(a for _, a in versions)]):
            continue
        referencing[other] = (other_args, renamed_args(other_args, old, new, tables))
        changed = dict(other_entry)
        changed["args"] = referencing[other][1].to_dict()
        changed.setdefault("create_args", other_entry["args"])
        if versions:
            changed["versions"] = [
                {**v, "args": renamed_args(a, old, new, tables).to_dict()} for v, a in versions
            ]
        manifest.resources[other] = changed
    return referencing
