"""``scaffold check`` on a generated project: clean when generated, SC701 on drift (cache or not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.helpers import scaffold


@pytest.mark.e2e
def test_check_passes_on_a_generated_project_and_finds_drift_later(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert (
        scaffold(
            "resource", "rooms", "name:str=40", "block_id:ref=rooms:optional", project=project
        ).exit_code
        == 0
    )
    first = scaffold("check", project=project)
    assert first.exit_code == 0, first.output
    assert "No findings" in first.output, "clean: no error, no warning, no info"
    assert list((tmp_path / "cache/scaffold/check-db").glob("*.db")), (
        "the migrated scratch database is cached"
    )
    again = scaffold("check", project=project)
    assert again.exit_code == 0, again.output
    model = project / "app/models/rooms.py"
    model.write_text(
        model.read_text().replace(
            "    created_at:", "    floor: Mapped[int | None] = mapped_column()\n    created_at:"
        )
    )
    drift = scaffold("check", project=project)
    assert drift.exit_code == 1
    assert (
        "alembic.ini:1:1: SC701 error: models differ from migrations: add_column rooms.floor"
        in drift.output
    )
