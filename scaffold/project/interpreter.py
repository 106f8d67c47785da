"""The Python a project runs its own tools with (its proof, its checks, its load probe)."""

from __future__ import annotations

import sys
from pathlib import Path


def project_python(root: Path) -> str:
    """The project's own interpreter when it has a ``.venv``, else ours."""
    for candidate in (root / ".venv/bin/python", root / ".venv/Scripts/python.exe"):
        if candidate.is_file():
            return str(candidate)
    return sys.executable
