"""Find a package's modules at import time, so new files need no registration."""

import importlib
import pkgutil
from types import ModuleType


def import_submodules(package: str) -> list[ModuleType]:
    """Import every public module of `package`, sorted by name, and return them.

    Names starting with `_` are skipped. Example: `import_submodules("app.models")`
    imports `app/models/residents.py` and `app/models/weekly_requirements.py`.
    """
    parent = importlib.import_module(package)
    names = sorted(info.name for info in pkgutil.iter_modules(parent.__path__))
    public = [name for name in names if not name.startswith("_")]
    return [importlib.import_module(f"{package}.{name}") for name in public]
