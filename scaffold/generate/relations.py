"""Relationships: every reference is navigable from both ends.

A ``ref`` field gives the child a ``relationship()`` to its parent and the parent the
inverse (``back_populates``): a list for a plain reference, one object for a unique
one (one-to-one). Both are ``lazy="raise"``: in async code an accidental lazy load
fails loudly instead of blocking, and related rows are loaded on purpose
(``selectinload``). The parent's inverse side is derived from the resources as they
are after the change (the manifest), so creating, changing or destroying a child
re-renders its parents' models; a parent the project's team wrote (adopted projects)
gets no inverse side, and the child's side has no ``back_populates``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.spec.links import Link, links_of
from scaffold.spec.resource import ResourceSpec


@dataclass(frozen=True)
class ManyLink:
    """One side of a many-to-many: ``attr`` lists ``other_class`` rows through ``secondary``."""

    attr: str
    other_class: str
    other_module: str
    secondary: str
    back_populates: str


@dataclass(frozen=True)
class Relations:
    forward: tuple[Link, ...] = ()  # this resource's references
    inverse: tuple[Link, ...] = ()  # references to it
    many: tuple[ManyLink, ...] = ()  # many-to-many, either side


def relations_by_table(
    specs: dict[str, ResourceSpec],
    module_of,
    *,
    foreign_parents: bool = True,  # type: ignore[no-untyped-def]
) -> dict[str, Relations]:
    """The relations of every resource in ``specs`` (the resources after the change).

    ``foreign_parents``: whether a reference to a table scaffold did not generate gets a
    relationship too (not in a SQLModel project: its models live in another registry).
    """
    owned = set(specs)
    forward = {
        table: [
            link
            for link in links_of(spec, module_of, owned)
            if foreign_parents or link.parent_table in owned
        ]
        for table, spec in specs.items()
    }
    inverse: dict[str, list[Link]] = {table: [] for table in specs}
    for links in forward.values():
        for link in links:
            if link.parent_attr is not None:
                inverse[link.parent_table].append(link)
    for table, spec in specs.items():
        taken = {f.attr for f in spec.fields} | {link.child_attr for link in forward[table]}
        fixed = []
        for link in sorted(inverse[table], key=lambda x: (x.child_table, x.field)):
            attr = link.parent_attr or ""
            while attr in taken:
                attr += "_rel"
            taken.add(attr)
            fixed.append(link if attr == link.parent_attr else _renamed(link, attr))
        inverse[table] = fixed
    many: dict[str, list[ManyLink]] = {table: [] for table in specs}
    for table, spec in specs.items():
        for m in spec.many:
            if m.target.table not in specs:
                continue
            target_spec = specs[m.target.table]
            taken = {f.attr for f in target_spec.fields} | {x.attr for x in many[m.target.table]}
            taken |= {link.parent_attr for link in inverse[m.target.table]}
            back = spec.table
            while back in taken:
                back += "_rel"
            many[table].append(
                ManyLink(
                    m.name,
                    target_spec.class_name,
                    module_of(m.target.table, ""),
                    m.join_table,
                    back,
                )
            )
            many[m.target.table].append(
                ManyLink(back, spec.class_name, module_of(table, ""), m.join_table, m.name)
            )
    # The child's back_populates must name the parent's final attribute.
    final = {
        (link.child_table, link.field): link.parent_attr
        for links in inverse.values()
        for link in links
    }
    return {
        table: Relations(
            tuple(
                _renamed(link, final[(link.child_table, link.field)])
                if (link.child_table, link.field) in final
                else link
                for link in forward[table]
            ),
            tuple(inverse[table]),
            tuple(many[table]),
        )
        for table in specs
    }


def _renamed(link: Link, parent_attr: str | None) -> Link:
    from dataclasses import replace

    return replace(link, parent_attr=parent_attr)


def relationship_lines(relations: Relations) -> tuple[list[str], list[tuple[str, str]]]:
    """(class-body lines, (module, class) imported for type checking) of ``relations``."""
    from scaffold.generate.values import literal

    lines, needed = [], []
    for link in relations.forward:
        annotation = link.parent_class + (" | None" if link.optional else "")
        args = [f"back_populates={literal(link.parent_attr)}"] if link.parent_attr else []
        if link.shared:
            args.append(f"foreign_keys=[{link.field}]")
        args.append('lazy="raise"')
        lines.append(
            f"{link.child_attr}: Mapped[{literal(annotation)}] = relationship({', '.join(args)})"
        )
        needed.append((link.parent_module, link.parent_class))
    for link in relations.inverse:
        if link.unique:
            annotation = f"Mapped[{literal(link.child_class + ' | None')}]"
        else:
            annotation = f"Mapped[list[{literal(link.child_class)}]]"
        args = [f"back_populates={literal(link.child_attr)}"]
        if link.shared:
            args.append(f"foreign_keys={literal(f'[{link.child_class}.{link.field}]')}")
        args.append('lazy="raise"')
        lines.append(f"{link.parent_attr}: {annotation} = relationship({', '.join(args)})")
        needed.append((link.child_module, link.child_class))
    for m in relations.many:
        args = [f"secondary={literal(m.secondary)}", f"back_populates={literal(m.back_populates)}"]
        args.append('lazy="raise"')
        lines.append(
            f"{m.attr}: Mapped[list[{literal(m.other_class)}]] = relationship({', '.join(args)})"
        )
        needed.append((m.other_module, m.other_class))
    return lines, needed


def with_relationships(text: str, relations: Relations) -> str:
    """A rendered model module with its relationships added at the end of the class."""
    import ast

    lines, needed = relationship_lines(relations)
    if not lines:
        return text
    tree = ast.parse(text)
    imported = {
        a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
    }
    body = text.rstrip("\n") + "\n\n" + "".join(f"    {line}\n" for line in lines)
    head = ["from typing import TYPE_CHECKING", "from sqlalchemy.orm import relationship"]
    checking = sorted({(m, c) for m, c in needed if c not in imported})
    block = ""
    if checking:
        block = "\n\nif TYPE_CHECKING:\n" + "".join(
            f"    from {m} import {c}\n" for m, c in checking
        )
    else:
        head = head[1:]
    last = max(
        (n.end_lineno or n.lineno for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)),
        default=0,
    )
    out = body.splitlines(keepends=True)
    out.insert(last, "\n".join(head) + "\n" + block)
    return "".join(out)


def _specs(project, manifest, known) -> dict[str, ResourceSpec]:  # type: ignore[no-untyped-def]
    from scaffold.project.core import build_spec
    from scaffold.project.manifest import stored_args

    out = {}
    for table, entry in sorted(manifest.resources.items()):
        try:
            out[table] = build_spec(project, stored_args(entry), known)
        except Exception:  # noqa: BLE001 - a resource whose spec no longer builds keeps its model
            continue
    return out


def planned_project(project, manifest):  # type: ignore[no-untyped-def]
    """``project`` as it renders once ``manifest`` is written, one object per manifest (so
    what is derived from it is derived once)."""
    import json

    key = json.dumps(manifest.resources, sort_keys=True, default=str)
    planned = project.derived.setdefault("planned", {})
    if key not in planned:
        planned[key] = project.with_manifest(manifest)
    return planned[key]


def resolved(project, known=None) -> tuple[dict[str, ResourceSpec], dict[str, Relations]]:  # type: ignore[no-untyped-def]
    """The spec and the relations of every resource of ``project``'s manifest, once per
    project object and manifest: a change asks several times (its models, each API
    layer's one-to-one includes)."""
    import json

    key = json.dumps(project.manifest.resources, sort_keys=True, default=str)
    per_project = project.derived.setdefault("resolved", {})
    if key not in per_project:
        layout = project.layout

        def module_of(table: str, _class_name: str) -> str:
            return layout.module("models", table)

        foreign = not (project.profile is not None and project.profile.sqlmodel)
        specs = _specs(project, project.manifest, known or project.known_resources())
        per_project[key] = (specs, relations_by_table(specs, module_of, foreign_parents=foreign))
    return per_project[key]


def apply_relationships(project, rendered: list, manifest) -> list:  # type: ignore[no-untyped-def]
    """``rendered`` with every model's relationships as they are after the change: models
    of this change get theirs, and parents whose inverse side changed are re-rendered."""
    from dataclasses import replace as with_text

    from scaffold.project.files import Rendered

    layout = project.layout
    known = project.known_resources()  # read once: building 50 specs must not read 50 times
    planned, after_known = planned_project(project, manifest), known
    if set(project.manifest.resources) - set(manifest.resources):
        # A table leaves the manifest (renamed): the others may reference it by its new
        # name, which only the manifest after the change knows.
        after_known = {**known, **planned.known_resources()}
    after_specs, after = resolved(planned, after_known)
    _before_specs, before = resolved(project, known)
    by_path = {r.path: i for i, r in enumerate(rendered) if not r.delete}
    out = list(rendered)
    for table, relations in after.items():
        path = layout.path("models", table)
        if path in by_path:
            index = by_path[path]
            out[index] = with_text(out[index], text=with_relationships(out[index].text, relations))
        elif relations != before.get(table) and (project.root / path).is_file():
            out.append(
                Rendered(path, _model_text(project, after_specs[table], relations), resource=table)
            )
    return out


def _model_text(project, spec: ResourceSpec, relations: Relations) -> str:  # type: ignore[no-untyped-def]
    from scaffold.generate import context as ctx
    from scaffold.generate.adapt import adapt
    from scaffold.generate.engine import render

    layout = project.layout
    override = str(project.root / ".scaffold" / "templates")
    text = adapt(
        render(
            "model.py.jinja",
            override,
            spec=spec.stored(),
            ctx=ctx.model_context(spec.stored(), layout),
        ),
        layout,
    )
    return with_relationships(text, relations)
