"""One file as the rules read it: its bytes, its text in its declared encoding, its
tree and lines (``SC001`` when there is none), and the ``# noqa`` that waive findings."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from scaffold.checks._finding import Finding
from scaffold.checks._parse import parse

_NOQA = re.compile(r"#\s*noqa\s*:\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig") if not data.startswith(b"#") else _detect(data)
    except UnicodeDecodeError:
        return _detect(data)


def _detect(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def read(root: Path, path: str) -> tuple[bytes | None, str | None]:
    """The bytes of ``path``, or why they cannot be read."""
    try:
        return (root / path).read_bytes(), None
    except OSError as exc:
        return None, exc.strerror or str(exc)


def parse_file(
    path: str, data: bytes, target: tuple[int, int] | None
) -> tuple[ast.Module | None, list[str], Finding | None, bool]:
    """The tree, the lines, the SC001 finding when there is no tree, and whether the
    file needed LibCST (Python 3.12+ syntax)."""
    try:
        text = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return None, [], Finding(path, 1, 1, "SC001", f"cannot decode file: {exc}"), False
    lines = text.split("\n")
    parsed = parse(text, path, target)
    if parsed.tree is None:
        message, line, col = parsed.error or ("cannot parse", 1, 1)
        return None, lines, Finding(path, line, col, "SC001", message), False
    return parsed.tree, lines, None, parsed.rewritten


def lines_of(root: Path, path: str, read_lines: dict[str, list[str]]) -> list[str]:
    """The lines of ``path``, read once per run (``read_lines`` keeps them)."""
    if path not in read_lines:
        data, _ = read(root, path)
        try:
            read_lines[path] = decode(data).split("\n") if data is not None else []
        except (SyntaxError, UnicodeDecodeError, LookupError):
            read_lines[path] = []
    return read_lines[path]


def suppressed(finding: Finding, lines: list[str]) -> bool:
    """``# noqa: SC101`` (codes listed, comma or space separated) on the finding's line.

    A bare ``# noqa`` does not count: it is usually written for a style linter, and a
    standing order should only be waived by naming it.
    """
    if not 0 < finding.line <= len(lines):
        return False
    for match in _NOQA.finditer(lines[finding.line - 1]):
        if finding.code in re.split(r"[\s,]+", match.group(1).upper()):
            return True
    return False
