"""An adopted project's env.py that cannot load the project's settings in scaffold's
environment (a setting only its .env gives) did not run the migrations: "not run",
naming the setting, never a failure of the change."""

from __future__ import annotations

import subprocess

from scaffold.apply.verify import _missing_setting

STARLETTE = (
    '  File "starlette/config.py", line 109, in get\n'
    "    raise KeyError(f\"Config '{key}' is missing, and has no default.\")\n"
    "KeyError: \"Config 'SECRET_KEY' is missing, and has no default.\"\n"
)
PYDANTIC = (
    "pydantic_core._pydantic_core.ValidationError: 2 validation errors for AppSettings\n"
    "POSTGRES_USER\n  Field required [type=missing, input_value={}, input_type=dict]\n"
)


def run(stderr: str, steps: tuple[str, ...] = ("upgrade head",)) -> subprocess.CompletedProcess:
    said = "".join(f"@@step {step}\n" for step in steps)
    return subprocess.CompletedProcess([], 1, "", said + stderr)


def test_a_setting_the_environment_lacks_is_named() -> None:
    assert _missing_setting(run(STARLETTE)) == "SECRET_KEY"
    assert _missing_setting(run(PYDANTIC)) == "POSTGRES_USER"


def test_a_failure_after_migrations_ran_or_of_another_kind_is_the_changes() -> None:
    assert _missing_setting(run(STARLETTE, ("upgrade head", "downgrade base"))) is None
    assert _missing_setting(run("sqlalchemy.exc.OperationalError: no such table: people\n")) is None
    assert _missing_setting(subprocess.CompletedProcess([], 0, "@@step upgrade head\n", "")) is None
