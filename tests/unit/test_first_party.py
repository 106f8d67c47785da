"""Rendered files are formatted outside the project: the imports ruff takes for the
project's own there must be the ones it takes inside the project, or the proof's ruff
finds the import blocks unsorted (the real-world corpus: a session in ``core/``)."""

from __future__ import annotations

from pathlib import Path

from scaffold.generate.format import project_first_party


def test_the_projects_packages_modules_and_setting_are_first_party(tmp_path: Path) -> None:
    for folder in ("core", "app", "src/lib", ".venv/lib", "alembic", "docker"):
        (tmp_path / folder).mkdir(parents=True)
    for package in ("core", "app", "src/lib", ".venv/lib"):
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "alembic/env.py").write_text("")  # migrations, not the alembic package
    (tmp_path / "main.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ruff.lint.isort]\nknown-first-party = ["shared"]\n'
    )
    assert project_first_party(tmp_path) == ("app", "core", "lib", "main", "shared")
