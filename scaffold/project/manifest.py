"""``.scaffold/manifest.toml``: the spec of every resource and the hash of every generated file.

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
        return cls(resources=dict(resources), files=dict(files), auth=dict(auth))

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

    def copy(self) -> Manifest:
        return Manifest(
            resources={k: dict(v) for k, v in self.resources.items()},
            files={k: dict(v) for k, v in self.files.items()},
            auth=dict(self.auth),
        )


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
