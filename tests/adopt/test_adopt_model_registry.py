"""Where a new model is imported so Alembic's env.py (and so autogenerate and `alembic
check`) sees it, whatever shape the project's registry has.

Fixtures: ``adopt_registry_packages`` (env.py imports a module that star-imports the
subject packages, whose ``__init__`` star-imports their model modules) and
``adopt_env_base_only`` (env.py imports the base only, and no module listing models).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from scaffold.adopt.reader import read
from tests.support.adopted import FIXTURES, commit_all, copy_fixture, scaffold

RESOURCE = ("resource", "weekly_requirements", "person_id:ref=people", "week_start:date")


def test_a_module_star_importing_the_model_packages_is_the_registry() -> None:
    found = read(FIXTURES / "adopt_registry_packages")
    assert found.refusal is None
    assert found.profile["model_registry"] == "app/models/_all.py"


def test_env_py_that_imports_only_the_base_is_itself_the_registry(tmp_path: Path) -> None:
    root = copy_fixture("adopt_env_base_only", tmp_path)
    done = scaffold(root, "adopt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "migrations/env.py imports no module listing the models" in done.stdout
    assert "by hand" not in done.stdout
    commit_all(root, "adopted")
    done = scaffold(root, *RESOURCE)
    assert done.returncode == 0, done.stdout + done.stderr
    env = (root / "migrations/env.py").read_text()
    assert "from app.models.weekly_requirements import WeeklyRequirement" in env
    # After env.py's own imports, where the project's modules already import.
    assert env.index("from app.db import Base") < env.index("weekly_requirements")
    assert env.index("weekly_requirements") < env.index("target_metadata =")


def test_env_py_whose_first_imports_cannot_reach_the_project_is_left_to_the_team(
    tmp_path: Path,
) -> None:
    """An env.py that puts the project on sys.path only after its first imports: an
    import added after them would fail, so adopt says to add it by hand."""
    root = tmp_path / "late"
    shutil.copytree(FIXTURES / "adopt_env_base_only", root)
    env = root / "migrations/env.py"
    env.write_text(
        env.read_text().replace(
            "from alembic import context\n\nfrom app.db import Base\n",
            "import sys\n\nfrom alembic import context\n\nsys.path.insert(0, '.')\n"
            "from app.db import Base  # noqa: E402\n",
        )
    )
    found = read(root)
    assert "model_registry" not in found.profile
    assert any("by hand" in line for line in found.assumed)


def test_the_package_of_the_module_env_py_imports_is_the_registry(tmp_path: Path) -> None:
    """`from app.db import Base` runs app/__init__.py first: when that imports the
    models, it is the registry env.py reaches them through."""
    root = tmp_path / "package"
    shutil.copytree(FIXTURES / "adopt_env_base_only", root)
    (root / "app/__init__.py").write_text(
        "from app.models.billing.invoice import Invoice\nfrom app.models.people.person import Person\n"
    )
    assert read(root).profile["model_registry"] == "app/__init__.py"


def test_env_py_that_walks_the_models_package_needs_no_registry(tmp_path: Path) -> None:
    """env.py imports every module of app.models by walking it: a new model there is
    reached with no edit of the team's files."""
    root = tmp_path / "walks"
    shutil.copytree(FIXTURES / "adopt_env_base_only", root)
    env = root / "migrations/env.py"
    env.write_text(
        env.read_text().replace(
            "from app.db import Base\n",
            "import importlib\nimport pkgutil\n\nfrom app.db import Base\n\n"
            'package = importlib.import_module("app.models")\n'
            "for _, name, _ in pkgutil.walk_packages(package.__path__, 'app.models.'):\n"
            "    importlib.import_module(name)\n",
        )
    )
    found = read(root)
    assert "model_registry" not in found.profile
    assert any("walks the package" in line for line in found.found)
    assert not any("by hand" in line for line in found.assumed)
