"""A resource keeps the schema style it was created with; new ones get the current one."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

from tests.helpers import scaffold

RESIDENTS = ["resource", "residents", "name:str=120", "pgy:int:min=1:max=3"]
WEEKS = [
    "resource",
    "weeks",
    "resident_id:ref=residents",
    "starts:date",
    "--unique",
    "resident_id,starts",
]


def manifest(root: Path) -> dict:
    return tomllib.loads((root / ".scaffold/manifest.toml").read_text())


def test_new_resources_get_bigint_identity_keys_server_timestamps_and_range_checks(
    mini_project: Path,
) -> None:
    for argv in (RESIDENTS, WEEKS):
        assert scaffold(*argv, project=mini_project).exit_code == 0
    entry = manifest(mini_project)["resources"]["residents"]
    assert (entry["schema"], entry["id_type"]) == (2, "bigint")
    model = (mini_project / "app/models/residents.py").read_text()
    assert 'BigInteger().with_variant(Integer(), "sqlite"), Identity()' in model
    assert model.count("server_default=func.now()") == 2
    assert 'CheckConstraint(column("pgy").between(1, 3), name="pgy_range")' in model
    weeks = (mini_project / "app/models/weeks.py").read_text()
    # The reference takes the key's type; the composite unique leads with it, so no own index.
    assert 'mapped_column(BigInteger(), ForeignKey("residents.id"))' in weeks
    migration = next((mini_project / "migrations/versions").glob("*_create_weeks.py")).read_text()
    assert "ix_weeks_resident_id" not in migration
    assert 'sa.Column("resident_id", sa.BigInteger(), nullable=False)' in migration


def test_a_resource_recorded_without_a_schema_style_keeps_the_first_one(
    mini_project: Path,
) -> None:
    assert scaffold(*RESIDENTS, project=mini_project).exit_code == 0
    data = manifest(mini_project)
    entry = data["resources"]["residents"]
    del entry["schema"]
    entry["id_type"] = "int"
    (mini_project / ".scaffold/manifest.toml").write_text(tomli_w.dumps(data))
    # --force: this simulated old project's files were written in the new style.
    result = scaffold(*RESIDENTS, "--force", project=mini_project)
    assert result.exit_code == 0, result.output
    model = (mini_project / "app/models/residents.py").read_text()
    assert "id: Mapped[int] = mapped_column(primary_key=True)" in model
    assert "server_default" not in model and "pgy_range" not in model
    migration = next((mini_project / "migrations/versions").glob("*_create_residents.py"))
    assert 'sa.Column("id", sa.Integer(), nullable=False)' in migration.read_text()
    assert "identical" in scaffold(*RESIDENTS, project=mini_project).output
