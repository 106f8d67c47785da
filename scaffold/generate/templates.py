"""The template files beyond the resources' (``templates/adopted``, ``templates/auth``,
``templates/auth_adopted``), read as they are or, a ``.jinja`` file, rendered with the
values it names."""

from __future__ import annotations

import ast
from functools import cache
from typing import Any

from scaffold.resources import template_root


def read(rel: str) -> str:
    """The text of ``templates/<rel>``."""
    return (template_root() / "templates" / rel).read_text(encoding="utf-8")


def render(rel: str, **context: Any) -> str:
    """``templates/<rel>``, a Jinja template, rendered with ``context`` (every name it
    uses must be given)."""
    return _environment().get_template(rel).render(**context)


def split_imports(text: str) -> tuple[list[str], str]:
    """A module's top-level import statements (each as written) and its code after the
    last of them (from its first line: the docstring, imports and blank lines left out)."""
    tree = ast.parse(text)
    found = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    imports = [ast.get_source_segment(text, node) or "" for node in found]
    last = max((node.end_lineno or node.lineno for node in found), default=0)
    return imports, "".join(text.splitlines(keepends=True)[last:]).lstrip("\n")


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_root() / "templates")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
