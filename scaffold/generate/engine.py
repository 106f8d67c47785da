"""The Jinja environment: strict, cached, and shadowable by project templates.

A project can override any built-in template by dropping a file of the same
name into ``.scaffold/templates/`` (as datamodel-code-generator does).
Compiled templates are cached on disk, keyed by scaffold's version.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.resources import cache_dir, resource_templates


def _cache_dir() -> Path | None:
    path = cache_dir(f"jinja-{__version__}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


@cache
def environment(override_dir: str | None = None) -> Any:
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if override_dir and Path(override_dir).is_dir():
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.FileSystemLoader(str(resource_templates())))
    cache_dir = _cache_dir()
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache_dir)) if cache_dir else None,
    )


def render(name: str, override_dir: str | None = None, **context: Any) -> str:
    """Render one template of ``templates/resource`` with ``context``."""
    return environment(override_dir).get_template(name).render(**context)
