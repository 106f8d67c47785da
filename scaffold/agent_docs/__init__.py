"""What a coding agent reads to phrase requests to scaffold: served as MCP resources
(``scaffold://docs/<name>``) and kept in the wheel beside the code."""

from __future__ import annotations

from functools import cache
from pathlib import Path

NAMES = ("fields", "missions", "standing-orders")


@cache
def document(name: str) -> str:
    """The Markdown text of one document: ``fields``, ``missions`` or ``standing-orders``.

    >>> document("fields").splitlines()[0]
    '# Field syntax of `scaffold resource` and `scaffold field add`'
    """
    if name not in NAMES:
        raise KeyError(f"no document {name!r}; there are {', '.join(NAMES)}")
    return (Path(__file__).parent / f"{name}.md").read_text(encoding="utf-8")
