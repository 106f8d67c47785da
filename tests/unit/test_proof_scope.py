"""What a proof runs: the touched tests, and those of the resources that build rows of a
resource whose factory the change rewrote."""

from __future__ import annotations

from scaffold.apply.pipeline import referencing_tests
from scaffold.project.files import Change
from scaffold.project.manifest import Manifest


def _manifest() -> Manifest:
    resources = {
        "clinics": {"args": {"name": "clinics", "fields": ["name:str=80"]}},
        "rooms": {"args": {"name": "rooms", "fields": ["clinic_id:ref=clinics:ondelete=cascade"]}},
        "staff": {"args": {"name": "staff", "fields": ["sites:many=clinics"]}},
        "beds": {"args": {"name": "beds", "fields": ["room_id:ref=rooms"], "parent": "rooms"}},
        "clinic_notes": {"args": {"name": "clinic_notes", "fields": ["x:ref=clinics_old"]}},
    }
    files = {
        f"tests/{kind}{table}.py": {"sha256": "x", "resource": table}
        for table in resources
        for kind in ("test_", "factories/")
    }
    files["tests/test_clinics_v2.py"] = {"sha256": "x", "resource": "clinics"}
    return Manifest(resources=resources, files=files)


def test_a_rewritten_factory_brings_the_tests_of_every_resource_referencing_it() -> None:
    changes = [Change("tests/factories/clinics.py", "update", "new", "old")]
    assert referencing_tests(changes, _manifest()) == ["tests/test_rooms.py", "tests/test_staff.py"]


def test_a_new_resource_or_an_untouched_factory_brings_no_other_tests() -> None:
    manifest = _manifest()
    assert referencing_tests([Change("tests/test_clinics.py", "update", "a", "b")], manifest) == []
    assert (
        referencing_tests([Change("tests/factories/beds.py", "create", "a", None)], manifest) == []
    )
    same = Change("tests/factories/clinics.py", "identical", "a", "a")
    assert referencing_tests([same], manifest) == []


def test_a_nested_child_is_a_referencing_resource() -> None:
    changes = [Change("tests/factories/rooms.py", "update", "new", "old")]
    assert referencing_tests(changes, _manifest()) == ["tests/test_beds.py"]


def test_a_package_the_projects_environment_lacks_is_not_run_but_its_own_module_fails(
    tmp_path,
) -> None:
    """A proof run in an interpreter without the project's dependencies cannot prove
    anything: "not run", with the package named. A module of the project's own that does
    not import may be the change's fault: that stays a failure."""
    import subprocess

    from scaffold.apply.verify import _absent_dependency

    (tmp_path / "app").mkdir()
    (tmp_path / "src" / "shop").mkdir(parents=True)

    def failed(said: str) -> subprocess.CompletedProcess:
        return subprocess.CompletedProcess([], 1, stdout="", stderr=said)

    lacks = "E   ModuleNotFoundError: No module named 'pgvector.sqlalchemy'"
    assert _absent_dependency(failed(lacks), tmp_path) == "pgvector"
    assert _absent_dependency(failed("No module named 'app.schemas.rooms'"), tmp_path) is None
    assert _absent_dependency(failed("No module named 'shop.models'"), tmp_path) is None
    assert _absent_dependency(failed("AssertionError: 409 == 201"), tmp_path) is None
    passed = subprocess.CompletedProcess([], 0, stdout=lacks, stderr="")
    assert _absent_dependency(passed, tmp_path) is None


def test_drift_in_tables_the_change_leaves_alone_is_the_projects_not_a_failure(
    tmp_path,
) -> None:
    """An adopted project whose models and migrations already differed (the corpus:
    user.is_active nullable in one, not in the other): its alembic check fails whatever
    the change; drift in a table the change migrates or models stays a failure."""
    from scaffold.apply.verify import CheckResult, _project_drift

    versions = tmp_path / "alembic/versions"
    versions.mkdir(parents=True)
    (versions / "a1_create_notes.py").write_text('op.create_table(\n    "notes",\n)\n')
    (tmp_path / "models.py").write_text('__tablename__ = "rooms"\n')  # scaffold's
    (tmp_path / "team_models.py").write_text('__tablename__ = "user"\n')  # a registry edit
    (tmp_path / ".scaffold").mkdir()
    (tmp_path / ".scaffold/manifest.toml").write_text('[files."models.py"]\nsha256 = "x"\n')
    touched = ["alembic/versions/a1_create_notes.py", "models.py", "team_models.py"]

    def check(ops: str) -> CheckResult:
        said = f"FAILED: New upgrade operations detected: [{ops}]"
        return _project_drift(CheckResult("alembic_check", False, said), tmp_path, touched)

    theirs = check("[('modify_nullable', None, 'user', 'is_active', {}, False, True)]")
    assert theirs.passed is None
    assert "already differ in user" in theirs.detail
    assert check("('add_column', None, 'notes', Column('x'))").passed is False
    assert check("[('modify_type', None, 'rooms', 'size', {}, 1, 2)]").passed is False
    assert check("something unreadable").passed is False
    unmigrated = _project_drift(
        CheckResult("alembic_check", False, "[('add_column', None, 'user', Column('y'))]"),
        tmp_path,
        ["models.py"],
    )
    assert unmigrated.passed is False  # a change with no migration proves nothing away


def test_a_project_that_needs_a_newer_python_than_the_proofs_is_not_run_naming_both(
    tmp_path,
) -> None:
    """The corpus: a project with requires-python >=3.14 failed its proof in a 3.11
    interpreter on its own syntax, and the failure read as the change's (a failed check
    in an older interpreter is reported not run with this reason)."""
    import sys

    from scaffold.apply.verify import _older_than_required

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\nrequires-python = ">=3.99"\n')
    said = _older_than_required(tmp_path, sys.executable)
    assert said is not None
    assert ">=3.99" in said
    assert f"{sys.version_info[0]}.{sys.version_info[1]}" in said
    pyproject.write_text('[project]\nname = "x"\nrequires-python = ">=3.8"\n')
    assert _older_than_required(tmp_path, sys.executable) is None
