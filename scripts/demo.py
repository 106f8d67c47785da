"""``make demo``: a new project, two resources, the seed missions, and the project's own tests.

Everything happens in ./demo (deleted first). Each step prints what it runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
BIN = Path(sys.executable).parent
STEPS = [
    ["scaffold", "new", str(DEMO), "--defaults"],
    [
        "scaffold",
        "resource",
        "residents",
        "name:str=120",
        "email:str:unique",
        "pgy:int:min=1:max=3",
    ],
    [
        "scaffold",
        "resource",
        "weekly_requirements",
        "resident_id:ref=residents:ondelete=cascade",
        "week_start:date",
        "min_hours:int:min=0",
        "max_hours:int:max=80",
        "notes:text:optional",
    ],
    ["scaffold", "resource", "blocks", "name:str=80", "starts_on", "ends_on"],
    [
        "scaffold",
        "mission",
        "add shift_requests table with resident_id, starts_at, ends_at for Block scheduling",
    ],
    ["scaffold", "mission", "add GET /api/v1/residents/{id}/weekly-requirements endpoint"],
    ["scaffold", "mission", "optimize the schedule queries: add missing indexes"],
    ["scaffold", "report", "--last"],
]


def run(cmd: list[str], cwd: Path) -> None:
    print(f"\n$ {' '.join(cmd)}", flush=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    exe = [str(BIN / cmd[0]), *cmd[1:]] if cmd[0] in ("scaffold", "ruff", "alembic") else cmd
    proc = subprocess.run(exe, cwd=cwd, env=env, check=False)
    if proc.returncode != 0:
        sys.exit(f"demo step failed ({proc.returncode}): {' '.join(cmd)}")


def main() -> None:
    shutil.rmtree(DEMO, ignore_errors=True)
    run(STEPS[0], ROOT)
    for step in STEPS[1:]:
        run(step, DEMO)
    env_db = f"sqlite+aiosqlite:///{DEMO}/demo-test.db"
    os.environ["DATABASE_URL"] = env_db
    run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], DEMO)
    run(["ruff", "check", "."], DEMO)
    run(["alembic", "upgrade", "head"], DEMO)
    run(["alembic", "check"], DEMO)
    print(f"\nDemo project ready in {DEMO}. Run it: cd demo && make run")


if __name__ == "__main__":
    main()
