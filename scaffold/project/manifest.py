"""``.scaffold/manifest.toml``: the spec of every resource and the hash of every generated file.

Each resource keeps what the user typed for it as an ``args`` table (``ResourceArgs`` as
plain data); a changed resource also keeps its ``create_args``, and each older API
version its own ``args``. Older manifests stored those as ``argv`` lists: they are read
in the current form, and written in it by the next command that writes.

A renamed table (``scaffold rename``) keeps the names it had in ``renamed_from``:
``create_args`` are history (what its create migration, and those of the tables that
referenced it then, were written from), so they keep the old names, and those names
resolve to the renamed table; ``args`` and every version's ``args`` follow the rename.

The previously generated text of each file is kept beside it under
``.scaffold/base/`` so a later run can tell the user's edits from ours and
merge them three ways.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.errors import ProjectError
from scaffold.spec.args import ResourceArgs, args_from_argv

MANIFEST = ".scaffold/manifest.toml"
BASE_DIR = ".scaffold/base"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Manifest:
    """In-memory manifest; ``dump()`` renders it deterministically."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    # Sign-in added by ``scaffold auth`` (or ``scaffold new``): the users table's
    # migration and where its dependencies live; empty when the project has none.
    auth: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Manifest:
        path = root / MANIFEST
        if not path.is_file():
            return cls()
        import tomllib

        try:
            data = _parse_cached(path.read_bytes())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ProjectError(
                f"{MANIFEST} is not valid TOML ({exc}); restore it from version control.",
                token=MANIFEST,
                example="git checkout -- .scaffold/manifest.toml",
            ) from None
        resources, files = data.get("resources", {}), data.get("files", {})
        auth = data.get("auth", {})
        shapes_ok = (
            isinstance(resources, dict)
            and isinstance(files, dict)
            and all(isinstance(v, dict) for v in resources.values())
            and all(isinstance(v, dict) for v in files.values())
            and isinstance(auth, dict)
        )
        if not shapes_ok:
            raise ProjectError(
                f"{MANIFEST} is damaged: [resources] and [files] must be tables of tables; "
                "restore it from version control.",
                token=MANIFEST,
                example="git checkout -- .scaffold/manifest.toml",
            )
        return cls(
            resources={table: _current_form(entry) for table, entry in resources.items()},
            files=dict(files),
            auth=dict(auth),
        )

    def dump(self) -> str:
        import tomli_w

        data = {
            "scaffold": {"version": __version__},
            **({"auth": self.auth} if self.auth else {}),
            "resources": {k: self.resources[k] for k in sorted(self.resources)},
            "files": {k: self.files[k] for k in sorted(self.files)},
        }
        return "# Written by scaffold. Tracks generated files; edit with care.\n" + tomli_w.dumps(
            data
        )

    def record(self, path: str, text: str, resource: str | None) -> None:
        entry = {"sha256": sha256(text)}
        if resource:
            entry["resource"] = resource
        self.files[path] = entry

    def generated_hash(self, path: str) -> str | None:
        entry = self.files.get(path)
        return entry.get("sha256") if entry else None

    def former_names(self) -> dict[str, str]:
        """Every name a renamed table had, mapped to its current name (``{"clinics":
        "sites"}``): its ``renamed_from``, the name it was created with and the names its
        older API versions are served as (manifests written before ``renamed_from``)."""
        out: dict[str, str] = {}
        for table, entry in self.resources.items():
            names = list(entry.get("renamed_from", []))
            created = entry.get("create_args")
            if isinstance(created, dict):
                names.append(created.get("name"))
            names += [v.get("served_as") for v in entry.get("versions", []) if isinstance(v, dict)]
            for name in names:
                if isinstance(name, str) and name != table and name not in self.resources:
                    out.setdefault(name, table)
        return out

    def copy(self) -> Manifest:
        return Manifest(
            resources={k: dict(v) for k, v in self.resources.items()},
            files={k: dict(v) for k, v in self.files.items()},
            auth=dict(self.auth),
        )


def stored_args(record: object, *, created: bool = False) -> ResourceArgs:
    """The args a manifest record keeps: a resource's entry, or one of its ``versions``.
    ``created``: the args the resource was created with (its ``create_args``, kept once
    a change replaced them). A missing or damaged table names the manifest."""
    key = (
        "create_args"
        if created and isinstance(record, dict) and "create_args" in record
        else "args"
    )
    try:
        return ResourceArgs.from_dict(record.get(key) if isinstance(record, dict) else None)
    except ProjectError as exc:
        raise ProjectError(
            f"{MANIFEST} has a broken resource entry ({exc.message.rstrip('.')}); "
            "restore it from version control.",
            token=exc.token or MANIFEST,
            example="git checkout -- .scaffold/manifest.toml",
        ) from None


def _current_form(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as an older scaffold wrote it (``argv``, ``create_argv`` and each
    version's ``argv``: command lines) with ``args`` tables in their place; the current
    form, or an argv too broken to read, as it is."""
    out = _tables_for_argv(entry, {"argv": "args", "create_argv": "create_args"})
    versions = out.get("versions")
    if isinstance(versions, list):
        out["versions"] = [
            _tables_for_argv(v, {"argv": "args"}) if isinstance(v, dict) else v for v in versions
        ]
    return out


def _tables_for_argv(record: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    """``record`` with each stored argv of ``keys`` as the args table it names, in its place."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        args = _parsed_argv(value) if key in keys and keys[key] not in record else None
        if args is None:
            out[key] = value
        else:
            out[keys[key]] = args.to_dict()
    return out


def _parsed_argv(argv: object) -> ResourceArgs | None:
    if not (isinstance(argv, list) and len(argv) > 1 and all(isinstance(a, str) for a in argv)):
        return None
    try:
        return args_from_argv(argv)
    except (IndexError, ValueError):  # an option without its value, a version not a number
        return None


def _parse_cached(raw: bytes) -> dict[str, Any]:
    """tomllib costs about 1 ms per resource; a JSON copy of the parsed manifest, keyed by
    the file's hash, reads in a fraction of that, so adding the 51st resource costs about
    what adding the first does. The cache keeps the 32 most recent manifests."""
    import json
    import os

    from scaffold.resources import cache_dir, prune

    folder = cache_dir("manifests")
    cached = folder / f"{hashlib.sha256(raw).hexdigest()}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    import tomllib

    data = tomllib.loads(raw.decode("utf-8"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, cached)
        prune(folder, "*.json", keep=32)
    except OSError:
        pass
    return data


def base_path(path: str) -> str:
    return f"{BASE_DIR}/{path}"
