"""The manifest keeps each resource's arguments as ``args`` tables; a manifest an older
scaffold wrote (``argv`` command lines) is read as it is, and the next command that
writes rewrites it in the current form without changing any generated file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomli_w

from scaffold.project.manifest import MANIFEST, Manifest, stored_args
from scaffold.spec.args import ResourceArgs
from tests.support.helpers import scaffold, tree

RESIDENTS = ["resource", "residents", "name:str=200", "email:str:unique", "--singular", "resident"]
WEEKS = ["resource", "weeks", "resident_id:ref=residents", "starts:date", "hours:int:min=0"]
CHANGES = (
    RESIDENTS,
    [*WEEKS, "--check", "hours<=80"],
    ["field", "rename", "weeks", "starts", "starts_on", "--approve"],  # v1 kept: versions
    ["field", "add", "residents", "phone:str:optional"],  # create_args kept
)
# Re-running the latest command of residents: changes nothing but the manifest's form.
RESIDENTS_NOW = [*RESIDENTS, "phone:str:optional"]


@pytest.fixture
def changed(mini_project: Path) -> Path:
    for command in CHANGES:
        result = scaffold(*command, project=mini_project)
        assert result.exit_code == 0, result.output
    return mini_project


def as_older_scaffold_wrote_it(text: str) -> str:
    """The manifest with every args table as the argv list older versions stored."""

    def argv_form(record: dict, keys: dict[str, str]) -> dict:
        return {
            keys.get(k, k): ResourceArgs.from_dict(v).argv() if k in keys else v
            for k, v in record.items()
        }

    data = tomllib.loads(text)
    for table, entry in data["resources"].items():
        entry = argv_form(entry, {"args": "argv", "create_args": "create_argv"})
        if "versions" in entry:
            entry["versions"] = [argv_form(v, {"args": "argv"}) for v in entry["versions"]]
        data["resources"][table] = entry
    return text.partition("\n")[0] + "\n" + tomli_w.dumps(data)


def test_the_manifest_keeps_args_tables(changed: Path) -> None:
    data = tomllib.loads((changed / MANIFEST).read_text())
    weeks = data["resources"]["weeks"]
    assert weeks["args"] == {
        "name": "weeks",
        "fields": ["resident_id:ref=residents", "starts_on:date", "hours:int:min=0"],
        "checks": ["hours<=80"],
    }
    assert weeks["create_args"]["fields"][1] == "starts:date"
    assert weeks["versions"][0]["args"]["fields"][1] == "starts:date"
    residents = data["resources"]["residents"]
    assert residents["args"]["singular"] == "resident"
    assert residents["create_args"]["fields"] == ["name:str=200", "email:str:unique"]
    assert "argv" not in (changed / MANIFEST).read_text()


def test_an_older_manifest_is_read_in_the_current_form(changed: Path) -> None:
    current = Manifest.load(changed)
    (changed / MANIFEST).write_text(as_older_scaffold_wrote_it((changed / MANIFEST).read_text()))
    assert "argv = [" in (changed / MANIFEST).read_text()
    older = Manifest.load(changed)
    assert older.resources == current.resources
    weeks = older.resources["weeks"]
    assert stored_args(weeks) == ResourceArgs(
        "weeks",
        ("resident_id:ref=residents", "starts_on:date", "hours:int:min=0"),
        checks=("hours<=80",),
    )
    assert stored_args(weeks, created=True).fields[1] == "starts:date"
    assert stored_args(weeks["versions"][0]).fields[1] == "starts:date"


def test_the_next_writing_command_rewrites_only_the_manifest(changed: Path) -> None:
    manifest = changed / MANIFEST
    current = manifest.read_text()
    manifest.write_text(as_older_scaffold_wrote_it(current))
    before = tree(changed)
    # Reading commands leave the older form on disk.
    for command in (
        [*RESIDENTS_NOW, "--dry-run"],
        ["field", "add", "weeks", "notes:text:optional", "--dry-run"],
    ):
        result = scaffold(*command, project=changed)
        assert result.exit_code == 0, result.output
        assert tree(changed) == before
    result = scaffold(*RESIDENTS_NOW, project=changed)
    assert result.exit_code == 0, result.output
    assert {line.split()[0] for line in result.output.splitlines() if "  " in line[:12]} == {
        "identical"
    }
    after = tree(changed)
    assert {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)} == {MANIFEST}
    assert manifest.read_text() == current


def test_a_damaged_args_table_names_the_manifest(changed: Path) -> None:
    manifest = changed / MANIFEST
    data = tomllib.loads(manifest.read_text())
    data["resources"]["weeks"]["args"]["fields"] = "starts_on:date"
    manifest.write_text(tomli_w.dumps(data))
    before = tree(changed)
    result = scaffold("field", "add", "weeks", "notes:text:optional", project=changed)
    assert result.exit_code == 2, result.output
    assert MANIFEST in result.output and "is not a list of strings" in result.output
    assert tree(changed) == before
