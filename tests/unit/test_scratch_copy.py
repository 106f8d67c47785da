"""The copy a change is proved in: everything the project's code and tests read, kept
between runs and brought up to date, never version control, caches or old reports."""

from __future__ import annotations

import os
from pathlib import Path

from scaffold.commands.scratch import synced_copy


def _write(root: Path, rel: str, text: str = "x") -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


def test_the_copy_has_the_projects_code_but_not_its_history_or_reports(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    for rel in ("app/main.py", "app/reports/sales.py", ".git/HEAD", ".scaffold/reports/r.md"):
        _write(root, rel)
    _write(root, ".scaffold/manifest.toml")
    (root / ".venv/bin").mkdir(parents=True)
    copy = synced_copy(root, tmp_path / "home")
    # A feature package named "reports" is code; scaffold's own reports are not.
    assert (copy / "app/reports/sales.py").is_file()
    assert (copy / ".scaffold/manifest.toml").is_file()
    assert not (copy / ".scaffold/reports").exists() and not (copy / ".git").exists()
    assert (copy / ".venv").is_symlink() and os.readlink(copy / ".venv") == str(root / ".venv")


def test_a_second_run_brings_the_copy_up_to_date_and_keeps_its_bytecode(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    _write(root, "app/a.py", "a = 1\n")
    _write(root, "app/gone.py")
    copy = synced_copy(root, tmp_path / "home")
    _write(copy, "app/__pycache__/a.cpython-311.pyc", "bytecode")
    _write(copy, "app/left_by_the_last_run.py")
    (root / "app/gone.py").unlink()
    _write(root, "app/a.py", "a = 22\n")
    _write(root, "app/new.py")
    assert synced_copy(root, tmp_path / "home") == copy
    assert (copy / "app/a.py").read_text() == "a = 22\n"
    assert (copy / "app/new.py").is_file()
    assert not (copy / "app/gone.py").exists()
    assert not (copy / "app/left_by_the_last_run.py").exists()
    assert (copy / "app/__pycache__/a.cpython-311.pyc").read_text() == "bytecode"
