"""Where scaffold's own templates are: in the wheel, or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def template_root() -> Path:
    """The folder holding ``copier.yml`` and ``templates/`` (installed or checkout)."""
    for candidate in (_PACKAGE / "_templates", _PACKAGE.parent):
        if (candidate / "copier.yml").is_file() and (candidate / "templates").is_dir():
            return candidate
    raise RuntimeError("scaffold's templates are missing from this installation")


def resource_templates() -> Path:
    return template_root() / "templates" / "resource"
