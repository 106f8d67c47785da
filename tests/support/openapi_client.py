"""openapi-python-client in a virtualenv of its own, for the tests that build a client.

It pins older typer and httpx than scaffold's own environment, so it never shares that
one: ``openapi_client_generator`` (session) makes a virtualenv under
``~/.cache/scaffold-tests/openapi-python-client-<version>`` once (a later run reuses it;
``SCAFFOLD_TEST_CACHE`` names another folder) and yields the path of its
``openapi-python-client`` executable. ``python -m tests.support.openapi_client`` installs
it ahead of a run.

When the package cannot be installed (no registry), the tests that need it are skipped
with the reason -- unless ``SCAFFOLD_REQUIRE_TOOLS=1`` (as in .ci/run): then they fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

VERSION = "0.29.0"
REQUIRE_ENV = "SCAFFOLD_REQUIRE_TOOLS"
CACHE = Path(os.environ.get("SCAFFOLD_TEST_CACHE", Path.home() / ".cache" / "scaffold-tests"))
_INSTALL_SECONDS = 300


class ToolUnavailable(RuntimeError):
    """The generator could not be installed; the message says why."""


def generator_path(version: str = VERSION, cache: Path = CACHE) -> Path:
    """The ``openapi-python-client`` executable of ``version``, installed on first use.

    A virtualenv counts as made once its ``.complete`` marker is written, after pip
    succeeded: an interrupted install is made again. A lock keeps two workers from
    building it at the same time.
    """
    import fcntl

    home = cache / f"openapi-python-client-{version}"
    executable = home / "bin" / "openapi-python-client"
    marker = home / ".complete"
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / f".openapi-python-client-{version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and executable.exists():
            return executable
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
        install = subprocess.run(
            [
                str(home / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                f"openapi-python-client=={version}",
            ],
            capture_output=True,
            text=True,
            timeout=_INSTALL_SECONDS,
            check=False,
        )
        if install.returncode != 0:
            raise ToolUnavailable(
                f"pip could not install openapi-python-client=={version}: "
                f"{(install.stderr or install.stdout).strip()[-800:]}"
            )
        marker.write_text(version, encoding="utf-8")
    return executable


@pytest.fixture(scope="session")
def openapi_client_generator() -> Path:
    """The ``openapi-python-client`` executable (skipped, or failed under
    ``SCAFFOLD_REQUIRE_TOOLS=1``, when it cannot be installed)."""
    try:
        return generator_path()
    except (ToolUnavailable, OSError, subprocess.TimeoutExpired) as exc:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but openapi-python-client is unavailable: {exc}")
        pytest.skip(f"openapi-python-client is unavailable: {exc}")


def generate_client(
    executable: Path, document: Path, out: Path, config: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ``openapi-python-client generate`` on an OpenAPI document into ``out`` (a
    package of its own, ``--meta none``); ``config`` a YAML file of its settings (a test
    gives ``post_hooks: []``: the formatter hooks would need ruff on PATH)."""
    argv = [str(executable), "generate", "--path", str(document), "--output-path", str(out)]
    argv += ["--overwrite", "--meta", "none"]
    if config is not None:
        argv += ["--config", str(config)]
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        cwd=out.parent,
    )


def snake(operation_id: str) -> str:
    """openapi-python-client's module name of an operation id (``a-b-v2`` -> ``a_b_v2``)."""
    return re.sub(r"[^a-z0-9]+", "_", operation_id.lower()).strip("_")


def app_document(project: Path) -> dict:
    """The OpenAPI document a generated project's app serves."""
    dump = "import json; from app.main import app; print(json.dumps(app.openapi()))"
    dumped = subprocess.run(
        [sys.executable, "-c", dump],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(dumped.stdout)


def assert_client_builds_every_route(
    document: dict, executable: Path, folder: Path, package: str
) -> Path:
    """Generate a client of ``document`` as ``folder/package``: no warning, a module for
    every operation of every path, and every module imports with the client's own
    dependencies. Returns the package's folder."""
    source = folder / "openapi.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")
    out = folder / package
    generated = generate_client(executable, source, out, config)
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "Warning" not in output and "Unable to parse" not in output, output
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not (
            out / "api" / snake(operation["tags"][0]) / f"{snake(operation['operationId'])}.py"
        ).exists()
    ]
    assert not missing, missing
    python = executable.parent / "python"
    modules = sorted(p.relative_to(folder).with_suffix("") for p in out.rglob("*.py"))
    names = [".".join(m.parts).removesuffix(".__init__") for m in modules]
    check = "import importlib, sys\nfor n in sys.argv[1:]: importlib.import_module(n)"
    imported = subprocess.run(
        [str(python), "-c", check, *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
    return out


__all__ = [
    "VERSION",
    "app_document",
    "assert_client_builds_every_route",
    "generate_client",
    "generator_path",
    "openapi_client_generator",
    "snake",
]

if __name__ == "__main__":  # python -m tests.support.openapi_client: install it now
    print(generator_path(), file=sys.stdout)
