"""The one record every check produces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A standing-order violation at a place in the project.

    ``path`` is posix and relative to the project root; ``line`` and ``col`` are
    1-based (``col`` counts characters, like ruff). ``severity`` is ``error``,
    ``warning`` or ``info``; the runner sets it from the catalogue and the project's
    overrides.

    >>> Finding("app/api/items.py", 12, 5, "SC101", "blocking call time.sleep()").format()
    'app/api/items.py:12:5: SC101 error: blocking call time.sleep()'
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: str = "error"

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.severity}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.code, self.message)


def char_column(lines: list[str], line: int, offset: int) -> int:
    """The 1-based column, in characters, of the UTF-8 byte ``offset`` (as ast counts it)
    on ``line`` (1-based) of ``lines``: findings count characters, like ruff.

    >>> char_column(["x = 'é' + y"], 1, 11)
    11
    """
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode()[:offset].decode(errors="ignore")) + 1
