"""The wheel carries the templates, so an installed scaffold works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.helpers import REPO


@pytest.mark.e2e
def test_installed_wheel_generates_a_resource_from_another_folder(
    tmp_path: Path, mini_project: Path
) -> None:
    wheel_dir = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(wheel_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = wheel_dir.glob("scaffold-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "scaffold/_templates/copier.yml" in names
    assert "scaffold/_templates/templates/resource/router.py.jinja" in names
    assert "scaffold/_templates/templates/project/app/main.py" in names
    # What `scaffold mcp` serves as scaffold://docs/... travels with the code.
    for name in ("fields", "missions", "standing-orders"):
        assert f"scaffold/agent_docs/{name}.md" in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    probe = subprocess.run(
        [sys.executable, "-c", "import scaffold.resources as r; print(r.template_root())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(target / "scaffold" / "_templates")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "scaffold",
            "resource",
            "rooms",
            "name:str=40",
            "--project",
            str(mini_project),
            "--no-verify",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (mini_project / "app/models/rooms.py").is_file()
