"""``scaffold adopt``: learn an existing project's conventions and write them as a profile.

The profile goes into ``[tool.scaffold]`` of pyproject.toml, edited with tomlkit so
the file keeps its comments and layout (a minimal pyproject.toml is created when there
is none). Keys already in the profile are kept as they are: a hand edit wins, and a
second adopt changes nothing. The support module (what generated code needs and the
project lacks, the async session dependency included when the project's are sync)
is written with it, through the same plan-and-write path as every generating command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scaffold.errors import InputError
from scaffold.project.outcome import Outcome

PROFILE_ORDER = (
    "layout",
    "package",
    "python",
    "models",
    "schemas",
    "services",
    "routers",
    "tests",
    "factories",
    "base",
    "sqlmodel",
    "naming_convention",
    "id_type",
    "session_dependency",
    "sync_session",
    "sync_engine",
    "auth_dependency",
    "app",
    "router_registry",
    "api_prefix",
    "include_prefix",
    "model_registry",
    "alembic_ini",
    "alembic_dir",
    "file_template",
    "support_module",
    "test_support",
    "client_fixture",
    "auth_headers_fixture",
    "test_style",
    "asyncio_mode",
    "tables",
)


class NotAdoptable(InputError):
    """The project lacks what scaffold's generated code stands on."""


def profile_text(pyproject: str | None, found: dict[str, Any], name: str) -> str:
    """pyproject.toml's text with the profile merged in: existing keys win."""
    import tomlkit

    doc = tomlkit.parse(pyproject) if pyproject is not None else tomlkit.document()
    if pyproject is None:
        project = tomlkit.table()
        project["name"] = name
        project["version"] = "0.1.0"
        doc["project"] = project
    tool = doc.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        doc["tool"] = tool
    table = tool.get("scaffold")
    if table is None:
        table = tomlkit.table()
        table.add(
            tomlkit.comment("Written by `scaffold adopt`: the conventions generated code follows.")
        )
        table.add(tomlkit.comment("Edit any key; adopt never changes a key that is already here."))
        tool["scaffold"] = table
    for key in PROFILE_ORDER:
        if key not in found or key in table:
            continue
        value = found[key]
        if key == "tables":
            continue
        if isinstance(value, dict):
            inline = tomlkit.inline_table()
            inline.update(value)
            table[key] = inline
        else:
            table[key] = value
    tables = found.get("tables") or {}
    if tables:
        existing = table.get("tables")
        if existing is None:
            existing = tomlkit.table()
            table["tables"] = existing
        for tname, entry in tables.items():
            if tname not in existing:
                inline = tomlkit.inline_table()
                inline.update(entry)
                existing[tname] = inline
    ruff = tool.get("ruff")
    if ruff is not None:
        # .scaffold/base keeps pristine copies of generated files (for three-way merges):
        # they are not the project's code.
        exclude = ruff.get("extend-exclude")
        if exclude is None:
            ruff["extend-exclude"] = [".scaffold"]
        elif ".scaffold" not in list(exclude):
            exclude.append(".scaffold")
    text = tomlkit.dumps(doc)
    return text if text.endswith("\n") else text + "\n"


def adopt(root: Path, *, dry_run: bool, force: bool = False) -> Outcome:
    from scaffold.adopt.reader import read
    from scaffold.project.manifest import Manifest

    findings = read(root, frozenset(Manifest.load(root).files))
    if findings.refusal:
        raise NotAdoptable(
            f"{root.name} cannot be adopted: {findings.refusal}. Nothing was written. To make it "
            f"adoptable, {findings.refusal_fix}.",
            token=root.name,
            example="scaffold adopt --dry-run",
        )
    outcome = Outcome(command="adopt", actions=["adopt"])
    pyproject = root / "pyproject.toml"
    old = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else None
    new = profile_text(old, findings.profile, root.name.replace(" ", "-").lower() or "app")
    import tomllib

    from scaffold.apply.pipeline import execute
    from scaffold.generate.adopted.support import support_files
    from scaffold.project.core import Project
    from scaffold.project.files import Rendered

    settings = tomllib.loads(new).get("tool", {}).get("scaffold", {})
    project = Project(root, settings)
    profile = project.profile
    assert profile is not None
    # A project given scaffold's sign-in keeps its part of the support module.
    support = support_files(root, profile, auth=bool(project.manifest.auth))
    rendered = [Rendered("pyproject.toml", new, edit=True), *support]
    manifest = project.manifest.copy()
    outcome.notes += [f"Found: {line}" for line in findings.found]
    outcome.notes += [f"Assumed: {line}" for line in findings.assumed]
    outcome.notes += [f"Cannot support: {line}" for line in findings.unsupported]
    outcome.handoff += [f"scaffold cannot support yet: {line}" for line in findings.unsupported]
    if old is not None and new != old:
        # The one file of the team's adopt edits (tomlkit: comments and layout kept).
        edited = (
            "scaffold edited pyproject.toml, which your team wrote: [tool.scaffold] added"
            + (", .scaffold added to [tool.ruff] extend-exclude" if "[tool.ruff" in old else "")
            + "; review the diff"
        )
        outcome.handoff.append(edited)
        outcome.notes.append(f"Handoff: {edited}.")
    if findings.head:
        outcome.notes.append(f"New migrations chain to the single head {findings.head}.")
    outcome.notes.append(
        "Review [tool.scaffold] in pyproject.toml (every key is in the README), then: scaffold resource NAME FIELD..."
    )
    return execute(project, outcome, rendered, manifest, force=force, dry_run=dry_run)
