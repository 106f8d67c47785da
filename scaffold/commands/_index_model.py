"""The model side of ``scaffold index add`` for a model whose spec cannot say the index, by
a syntax-tree edit (libcst), with its imports:

- a model the project's team wrote gains ``Index(...)`` in its ``__table_args__``;
- a model scaffold generated gains a module-level ``Index("ix", Model.a, ...)`` after the
  class, its imports on lines of their own (``sqlalchemy.schema``, ``sqlalchemy.sql``):
  the next render of the resource changes the class and its ``from sqlalchemy import``
  line, and the three-way merge keeps both, since no line is changed by both sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.commands._index_catalog import IndexRequest


def index_expression(name: str, request: IndexRequest, columns: list[str] | None = None) -> str:
    """``Index("ix_t_a", "a", unique=True, postgresql_where=text("..."), ...)`` (``columns``:
    the column expressions, by default the names as strings)."""
    args = [repr(name).replace("'", '"'), *(columns or [f'"{c}"' for c in request.columns])]
    if request.unique:
        args.append("unique=True")
    if request.where is not None:
        where = f"text({request.where!r})"
        args += [f"postgresql_where={where}", f"sqlite_where={where}"]
    return f"Index({', '.join(args)})"


def add_table_index(source: str, class_name: str, name: str, request: IndexRequest) -> str | None:
    """``source`` with the index in ``class_name``'s ``__table_args__`` (created after
    ``__tablename__`` when missing); None when the class or a readable
    ``__table_args__`` is not there."""
    import libcst as cst

    element = cst.Element(cst.parse_expression(index_expression(name, request)))

    def extended(value: cst.BaseExpression) -> cst.BaseExpression | None:
        if isinstance(value, cst.Tuple):
            items = list(value.elements)
            at = len(items) - 1 if items and isinstance(items[-1].value, cst.Dict) else len(items)
            items.insert(at, element)
            fixed = [i.with_changes(comma=cst.MaybeSentinel.DEFAULT) for i in items]
            fixed[-1] = fixed[-1].with_changes(comma=cst.Comma())
            return value.with_changes(elements=fixed)
        if isinstance(value, cst.Dict):
            return cst.Tuple([element, cst.Element(value, comma=cst.Comma())])
        return None

    class Edit(cst.CSTTransformer):
        def __init__(self) -> None:
            self.found_class = False
            self.done = False
            self.failed = False

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            if updated.name.value != class_name or not isinstance(updated.body, cst.IndentedBlock):
                return updated
            self.found_class = True
            body = list(updated.body.body)
            anchor = 0
            for i, statement in enumerate(body):
                target = _assigned(statement)
                if target == "__tablename__":
                    anchor = i + 1
                if target == "__table_args__":
                    assign = statement.body[0]  # type: ignore[attr-defined]
                    value = extended(assign.value)
                    if value is None:
                        self.failed = True
                        return updated
                    line = statement.with_changes(body=[assign.with_changes(value=value)])  # type: ignore[attr-defined]
                    body[i] = line
                    self.done = True
                    break
            else:
                line = cst.parse_statement(
                    f"__table_args__ = ({index_expression(name, request)},)\n"
                )
                body.insert(anchor, line)
                self.done = True
            return updated.with_changes(body=updated.body.with_changes(body=body))

    module = cst.parse_module(source)
    edit = Edit()
    result = module.visit(edit)
    if not edit.done or edit.failed:
        return None
    needed = ["Index"] + (["text"] if request.where is not None else [])
    return _with_imports(result, needed).code


def add_module_index(
    source: str, class_name: str, name: str, request: IndexRequest, attributes: dict[str, str]
) -> str | None:
    """``source`` with ``Index(name, Class.attr, ...)`` after the module's last statement
    (``attributes``: column name → attribute); None without the class."""
    import libcst as cst

    module = cst.parse_module(source)
    if not any(isinstance(s, cst.ClassDef) and s.name.value == class_name for s in module.body):
        return None
    columns = [f"{class_name}.{attributes.get(c, c)}" for c in request.columns]
    statement = cst.parse_statement(index_expression(name, request, columns) + "\n")
    blank = cst.EmptyLine()
    statement = statement.with_changes(leading_lines=[blank, blank])
    module = module.with_changes(body=[*module.body, statement])
    wanted = {"Index": "sqlalchemy.schema"}
    if request.where is not None:
        wanted["text"] = "sqlalchemy.sql"
    return _with_imports(module, list(wanted), own_lines=wanted).code


def _assigned(statement: object) -> str | None:
    import libcst as cst

    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
    elif isinstance(small, cst.AnnAssign):
        target = small.target
    else:
        return None
    return target.value if isinstance(target, cst.Name) else None


def _with_imports(
    module: object, names: list[str], own_lines: dict[str, str] | None = None
) -> object:
    """``module`` importing each of ``names`` from sqlalchemy (added to its ``from
    sqlalchemy import ...`` line, or a new line after the last top-level import);
    ``own_lines`` (name → module): each missing name on a new line from that module."""
    import libcst as cst

    assert isinstance(module, cst.Module)
    body = list(module.body)
    bound = set()
    line_at = None
    last_import = -1
    for i, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import | cst.ImportFrom):
                last_import = i
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                bound |= {(a.asname.name if a.asname else a.name).value for a in small.names}  # type: ignore[union-attr]
                module_name = cst.Module([]).code_for_node(small.module) if small.module else ""
                if module_name == "sqlalchemy" and not small.relative:
                    line_at = i
    missing = [n for n in names if n not in bound]
    if not missing:
        return module
    if own_lines:
        lines = [cst.parse_statement(f"from {own_lines[n]} import {n}\n") for n in missing]
        body[last_import + 1 : last_import + 1] = lines
    elif line_at is not None:
        statement = body[line_at]
        small = statement.body[0]  # type: ignore[attr-defined]
        aliases = [*small.names, *(cst.ImportAlias(cst.Name(n)) for n in missing)]
        aliases.sort(key=lambda a: cst.Module([]).code_for_node(a.name))
        fixed = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in aliases]
        small = small.with_changes(names=fixed)
        body[line_at] = statement.with_changes(body=[small])  # type: ignore[attr-defined]
    else:
        new = cst.parse_statement(f"from sqlalchemy import {', '.join(missing)}\n")
        body.insert(last_import + 1, new)
    return module.with_changes(body=body)
