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
