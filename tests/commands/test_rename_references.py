"""A table rename keeps the project whole: every reference follows, however it was written.

``clinics`` is referenced four ways: ``clinic_id:ref=clinics`` (``practitioners``),
``clinic_id:ref`` (``rooms``: the table inferred from the name), a bare ``clinic_id``
(``beds``: the type inferred too) and a reference a mission inferred (``add wards table
for clinics``). After ``rename clinics sites`` every one of them names ``sites`` in the
code and in the manifest's ``args``, while ``create_args`` keep ``clinics``: they are
the history the create migrations were written from. Every later command then works on
the renamed project (field add/remove/rename, upgrade, auth, index, a second rename), the
app imports, and its own suite and migrations pass.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scaffold.commands._rename_references import renamed_args
from scaffold.spec.args import ResourceArgs
from tests.support.helpers import passed_count, run, scaffold, tree
from tests.support.projects import round_trip

REFERENCING = {
    "practitioners": "clinic_id:ref=clinics",
    "rooms": "clinic_id:ref",
    "beds": "clinic_id",
}


TOUCHED = {"places", "halls", "beds", "practitioners", "wards", "openapi"}


def _resources(root: Path) -> dict:
    return tomllib.loads((root / ".scaffold/manifest.toml").read_text())["resources"]


def _imports(root: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import app.main"], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rename-refs") / "clinic"
    result = scaffold("new", str(root), "--defaults", "--no-auth")
    assert result.exit_code == 0, result.output
    steps = [
        ["resource", "clinics", "name:str=80:unique"],
        ["resource", "practitioners", REFERENCING["practitioners"], "name:str=80"],
        ["resource", "rooms", REFERENCING["rooms"], "name:str=20"],
        ["resource", "beds", REFERENCING["beds"], "number:int", "label:str=20:optional"],
        ["mission", "add wards table for clinics"],
        ["rename", "clinics", "sites", "--approve"],
    ]
    for argv in steps:
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, (argv, result.output)
    return root


def test_a_rename_follows_references_written_inferred_or_from_a_mission(renamed: Path) -> None:
    resources = _resources(renamed)
    assert resources["wards"]["args"]["fields"][0] == "clinic_id:ref=sites"
    assert resources["wards"]["create_args"]["fields"][0] == "clinic_id:ref=clinics"
    for table, token in REFERENCING.items():
        entry = resources[table]
        assert entry["args"]["fields"][0] == "clinic_id:ref=sites", table
        assert entry["create_args"]["fields"][0] == token, "the create migration's history"
        model = (renamed / f"app/models/{table}.py").read_text()
        assert 'ForeignKey("sites.id")' in model, table
    assert resources["sites"]["renamed_from"] == ["clinics"]
    assert resources["sites"]["create_args"]["name"] == "clinics"
    for path in [*renamed.glob("app/**/*.py"), *renamed.glob("tests/**/*.py")]:
        text = path.read_text()
        assert "models.clinics" not in text and "schemas.clinics" not in text, path
    _imports(renamed)


def test_every_way_of_writing_a_reference_is_renamed_and_others_are_kept() -> None:
    args = ResourceArgs(
        name="beds",
        fields=(
            "clinic_id",
            "clinic_id:optional:ondelete=set-null",
            "clinic_id:ref",
            "other_id:ref=clinics_annex",
            "clinic",  # a plain string
            "clinics_count:int",
        ),
    )
    out = renamed_args(args, "clinics", "sites", {"clinics", "clinics_annex", "beds"})
    assert out.fields == (
        "clinic_id:ref=sites",
        "clinic_id:ref=sites:optional:ondelete=set-null",
        "clinic_id:ref=sites",
        "other_id:ref=clinics_annex",
        "clinic",
        "clinics_count:int",
    )
    # A table named in the singular: ``office_id`` infers ``offices``, which is ``office``.
    single = ResourceArgs(name="desks", fields=("office_id", "office_id:ref=offices:optional"))
    out = renamed_args(single, "office", "branch", {"office", "desks"})
    assert out.fields == ("office_id:ref=branch", "office_id:ref=branch:optional")


@pytest.fixture(scope="module")
def changed_after(renamed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The renamed project with every later command run on it."""
    root = tmp_path_factory.mktemp("after-rename") / "clinic"
    shutil.copytree(renamed, root)
    for argv in (
        ["field", "add", "practitioners", "phone:str=30:optional"],
        ["field", "add", "rooms", "floor:int:optional"],
        # In place (--no-version): fewer API versions keep the generated suite short.
        ["field", "remove", "beds", "label", "--approve", "--no-version"],
        ["field", "rename", "beds", "number", "position", "--approve", "--no-version"],
        ["field", "add", "wards", "beds_count:int:optional"],
        ["upgrade"],
        ["auth", "--approve"],
        ["index", "--missing"],
        ["rename", "rooms", "halls", "--approve", "--no-version"],
        ["rename", "sites", "places", "--approve", "--no-version"],
    ):
        result = scaffold(*argv, project=root)
        assert result.exit_code == 0, (argv, result.output)
    return root


def test_later_commands_work_on_a_renamed_project_and_its_app_imports(
    changed_after: Path,
) -> None:
    resources = _resources(changed_after)
    assert resources["places"]["renamed_from"] == ["clinics", "sites"]
    assert resources["halls"]["args"]["fields"][0] == "clinic_id:ref=places"
    assert resources["halls"]["create_args"] == {
        "name": "rooms",
        "fields": ["clinic_id:ref", "name:str=20"],
    }
    # A create migration is never rewritten: each is still as it was written.
    for table in ("clinics", "rooms", "beds", "practitioners"):
        (migration,) = changed_after.glob(f"migrations/versions/*_create_{table}.py")
        assert '"clinics.id"' in migration.read_text() or table == "clinics"
    _imports(changed_after)


@pytest.mark.e2e
def test_the_project_passes_its_own_suite_and_round_trip_after_two_renames(
    changed_after: Path, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/check.db"
    round_trip(changed_after, url)
    # The tests of every resource the renames touched, and the OpenAPI document's.
    modules = sorted(p.name for p in (changed_after / "tests").glob("test_*.py"))
    touched = [f"tests/{m}" for m in modules if m.split(".")[0].split("_v")[0][5:] in TOUCHED]
    result = run(changed_after, "pytest", "-q", "-p", "no:cacheprovider", *touched)
    assert passed_count(result.stdout) >= 120, result.stdout[-2000:]
    assert "tests ran on: sqlite" in result.stdout


def test_a_new_table_cannot_take_the_name_a_renamed_one_had(renamed: Path, tmp_path: Path) -> None:
    before = tree(renamed)
    for argv in (
        ["resource", "clinics", "name:str=80"],
        ["rename", "rooms", "clinics", "--approve"],
    ):
        result = scaffold(*argv, project=renamed)
        assert result.exit_code == 2, result.output
        assert "'clinics' was the name of 'sites' before a rename" in result.output
    assert tree(renamed) == before
    # Renaming the table back to its own former name is fine.
    root = tmp_path / "clinic"
    shutil.copytree(renamed, root)
    result = scaffold("rename", "sites", "clinics", "--approve", project=root)
    assert result.exit_code == 0, result.output
    assert _resources(root)["rooms"]["args"]["fields"][0] == "clinic_id:ref=clinics"
    _imports(root)


def test_a_template_projects_own_model_pointing_at_the_table_is_handed_off(
    renamed: Path, tmp_path: Path
) -> None:
    import json

    root = tmp_path / "clinic"
    shutil.copytree(renamed, root)
    (root / "app/models/visits.py").write_text(
        "from sqlalchemy import ForeignKey\n"
        "from sqlalchemy.orm import Mapped, mapped_column\n\n"
        "from app.db.base import Base\n\n\n"
        "class Visit(Base):\n"
        '    __tablename__ = "visits"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        '    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))\n'
    )
    result = scaffold("rename", "sites", "places", "--approve", "--dry-run", "--json", project=root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    handoff = " ".join(data["report"]["handoff"]["ARCHITECT"])
    assert "point at sites: app/models/visits.py:11" in handoff
