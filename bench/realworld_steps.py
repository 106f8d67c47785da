"""The steps of the real-world harness (bench/realworld.py) on one project copy: adopt
(dry run, real, again), resource, the judges, check, and auth in a second copy. Each
scaffold run is time-bounded and recorded (arguments, exit code, seconds, message)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from realworld_judges import (
    FAIL,
    OK,
    REFUSED,
    SKIP,
    Change,
    Verdict,
    judge_auth,
    judge_env_reaches_model,
    judge_fixtures,
    judge_fk_types,
    judge_imports,
    judge_migration_columns,
    judge_migration_head,
    judge_placement,
    judge_router,
    judge_ruff,
)

BIN = Path(sys.executable).parent
SCAFFOLD = str(BIN / "scaffold")
RUFF = str(BIN / "ruff")
TABLE = "weekly_requirements"
STEP_TIMEOUT = 900  # seconds per scaffold run

COLUMNS = [
    "adopt-dry", "adopt", "adopt-again", "resource", "imports", "head", "env", "router",
    "fk-type", "columns", "placement", "ruff", "auth-on-routes", "fixtures", "auth-cmd", "check", "live",
]  # fmt: skip


@dataclass
class Project:
    name: str
    checkout: Path
    subdir: str
    expect: str = "adopt"
    work: Path = Path(tempfile.gettempdir())  # the project's copies and proof folder go here
    cells: dict[str, Verdict] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The name as a folder name (no `:`, which venvs and PATH refuse)."""
        return self.name.replace(":", "_").replace("{", "").replace("}", "")

    steps: list[dict[str, object]] = field(default_factory=list)


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """mtime and content hash of every file under root (the scaffold's reports left out)."""
    out = {}
    for path in root.rglob("*"):
        rel = str(path.relative_to(root))
        if path.is_file() and not path.is_symlink() and "/.scaffold/reports/" not in f"/{rel}":
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
            out[rel] = (path.stat().st_mtime_ns, digest)
    return out


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def run(
    project: Project, step: str, args: list[str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    started = time.perf_counter()
    env = {**os.environ, "SCAFFOLD_PROOFS_DIR": str(project.work / "proofs")}
    try:
        proc = subprocess.run(
            [SCAFFOLD, *args], cwd=cwd, capture_output=True, text=True,
            timeout=STEP_TIMEOUT, env=env, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        proc = subprocess.CompletedProcess(
            args, 124, str(exc.stdout or ""), f"timed out after {STEP_TIMEOUT}s"
        )
    project.steps.append(
        {"step": step, "args": args, "exit": proc.returncode,
         "seconds": round(time.perf_counter() - started, 1), "message": _message(proc)}
    )  # fmt: skip
    return proc


def _message(proc: subprocess.CompletedProcess[str]) -> str:
    try:
        data = json.loads(proc.stdout)
    except (json.JSONDecodeError, TypeError):
        data = {}
    conflicts = (
        [f["path"] for f in (data.get("files") or []) if f.get("status") == "conflict"]
        if isinstance(data, dict)
        else []
    )
    if conflicts:
        return (
            f"conflict: {', '.join(conflicts)}; "
            + " | ".join((proc.stderr or "").splitlines()[-1:])[:300]
        )
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])[:600]
    failed_checks = (
        [c for c in (data.get("checks") or []) if c.get("passed") is False]
        if isinstance(data, dict)
        else []
    )
    if failed_checks:
        return "; ".join(f"{c['name']} failed: {str(c.get('detail'))[:240]}" for c in failed_checks)
    lines = [ln for ln in (proc.stderr or "").splitlines() if ln.strip()]
    failed = [ln for ln in lines if "failed" in ln.lower() or "error" in ln.lower()]
    return " | ".join((failed or lines)[-3:])[:900]


def fresh_copy(project: Project, work: Path, label: str) -> Path:
    dest = work / project.slug / label
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(
        project.checkout, dest, symlinks=True, ignore=shutil.ignore_patterns(".git", "node_modules")
    )
    return dest


def profile(root: Path) -> dict[str, object]:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return data.get("tool", {}).get("scaffold", {})


def pick_reference(prof: dict[str, object], found: list[str] | None = None) -> str | None:
    """The users/people-like table adopt recorded or (when adopt missed it) the models
    declare; else the first table adopt recorded."""
    recorded = list(prof.get("tables", {}))  # type: ignore[call-overload]
    tables = recorded + [t for t in found or [] if t not in recorded]
    for wanted in (
        "people",
        "person",
        "persons",
        "users",
        "user",
        "accounts",
        "account",
        "members",
    ):
        if wanted in tables:
            return wanted
    return next((t for t in tables if "user" in t), recorded[0] if recorded else None)


def step_adopt(project: Project, copy: Path, root: Path) -> bool:
    """Dry run (writes nothing), adopt, adopt again (a no-op); False when not adopted."""
    before = snapshot(copy)
    proc = run(project, "adopt --dry-run", ["adopt", "--dry-run", "--json"], root)
    diff = changed(before, snapshot(copy))
    want = 2 if project.expect == "refuse" else 0
    good = REFUSED if want == 2 else OK
    detail = f"exit {proc.returncode}: {_message(proc)}"
    if diff:
        project.cells["adopt-dry"] = Verdict(FAIL, f"the dry run changed {diff[:5]}; {detail}")
    else:
        project.cells["adopt-dry"] = Verdict(good if proc.returncode == want else FAIL, detail)
    proc = run(project, "adopt", ["adopt", "--json"], root)
    detail = f"exit {proc.returncode}: {_message(proc)}"
    after = snapshot(copy)
    if want == 2:
        diff = changed(before, after)
        ok = proc.returncode == 2 and not diff
        project.cells["adopt"] = Verdict(
            REFUSED if ok else FAIL, detail + (f"; wrote {diff[:5]}" if diff else "")
        )
        return False
    if proc.returncode == 1 and "conflict:" in detail:
        # in this copy only: overwrite to judge the later steps; the cell stays FAIL
        forced = run(project, "adopt --force (copy only)", ["adopt", "--force", "--json"], root)
        detail += f"; continued after `adopt --force` in the copy (exit {forced.returncode})"
        if forced.returncode == 0:
            project.cells["adopt"] = Verdict(FAIL, detail)
            after = snapshot(copy)
            proc = forced
    if proc.returncode != 0:
        project.cells["adopt"] = Verdict(FAIL, detail)
        return False
    project.cells.setdefault("adopt", Verdict(OK))
    proc = run(project, "adopt again", ["adopt", "--json"], root)
    again = changed(after, snapshot(copy))
    ok = proc.returncode == 0 and not again
    project.cells["adopt-again"] = Verdict(
        OK if ok else FAIL, "" if ok else f"exit {proc.returncode}, changed {again[:5]}"
    )
    return True


def singular(table: str) -> str:
    irregular = {"people": "person", "persons": "person"}
    if table in irregular:
        return irregular[table]
    return table[:-1] if table.endswith("s") and not table.endswith("ss") else table


def step_resource(project: Project, copy: Path, root: Path) -> Change | None:
    """`scaffold resource` with a reference to the project's users-like table; the change.
    When scaffold refuses a users table adopt did not record, the cell says so and the
    run is repeated with a table adopt did record, so the files can still be judged."""
    from realworld_models import model_classes
    from realworld_source import Tree

    recorded = list(profile(root).get("tables", {}))  # type: ignore[call-overload]
    ref = pick_reference(profile(root), sorted(model_classes(Tree.read(root))))
    if ref is None:
        project.cells["resource"] = Verdict(FAIL, "adopt recorded no table to reference")
        return None
    details: list[str] = []
    for attempt in [ref, *([pick_reference(profile(root))] if ref not in recorded else [])]:
        fields = [f"{singular(attempt)}_id:ref={attempt}", "week_start:date", "min_hours:int:min=0"]
        before = snapshot(copy)
        args = ["resource", TABLE, *fields, "--keep-failed", "--json"]
        proc = run(project, "resource", args, root)
        note = "" if attempt in recorded else f" (adopt did not record the table {attempt})"
        details.append(f"{' '.join(fields)}: exit {proc.returncode}{note}")
        if proc.returncode != 0:
            details[-1] += f": {_message(proc)}"
        if proc.returncode != 2:
            break
    keys = [
        k
        for k in changed(before, snapshot(copy))
        if (copy / k).is_file() and root in (copy / k).parents and "/.scaffold/" not in f"/{k}"
    ]
    written = [str((copy / k).relative_to(root)) for k in keys]
    created = [str((copy / k).relative_to(root)) for k in keys if k not in before]
    good = proc.returncode == 0 and len(details) == 1
    project.cells["resource"] = Verdict(OK if good else FAIL, " || then ".join(details))
    if not any(w.endswith(".py") for w in written):
        return None
    original = project.checkout / project.subdir if project.subdir else project.checkout
    return Change(root, sorted(written), TABLE, sorted(created), original)


def judge_all(project: Project, change: Change, copy: Path) -> None:
    judges = {
        "imports": lambda: judge_imports(change),
        "head": lambda: judge_migration_head(change),
        "env": lambda: judge_env_reaches_model(change),
        "router": lambda: judge_router(change),
        "fk-type": lambda: judge_fk_types(change),
        "columns": lambda: judge_migration_columns(change),
        "placement": lambda: judge_placement(change),
        "ruff": lambda: judge_ruff(change, copy, RUFF),
        "auth-on-routes": lambda: judge_auth(change),
        "fixtures": lambda: judge_fixtures(change, copy),
    }
    for column, judge in judges.items():
        try:
            project.cells[column] = judge()
        except Exception as exc:  # a judge that crashes on a shape is a harness bug: say so
            project.cells[column] = Verdict(FAIL, f"harness error: {type(exc).__name__}: {exc}")


def step_check(project: Project, root: Path, change: Change | None) -> None:
    proc = run(project, "check", ["check", "--json"], root)
    try:
        findings = json.loads(proc.stdout).get("findings", [])
    except (json.JSONDecodeError, AttributeError):
        findings = []
    if proc.returncode not in (0, 1):
        project.cells["check"] = Verdict(FAIL, f"exit {proc.returncode}: {_message(proc)}")
        return
    written = set(change.written) if change else set()
    mine = [
        f"{f['path']}:{f['line']}: {f['code']} {f['message']}"
        for f in findings
        if f.get("severity") == "error" and f.get("path") in written
    ]
    if mine:
        project.cells["check"] = Verdict(FAIL, "errors in written files: " + "; ".join(mine[:5]))
    else:
        errors = sum(1 for f in findings if f.get("severity") == "error")
        project.cells["check"] = Verdict(
            OK,
            f"exit {proc.returncode}, {len(findings)} findings, {errors} errors (none in written files)",
        )


def step_auth(project: Project, work: Path) -> None:
    """In a separate copy: `scaffold auth --approve` where the project has no sign-in."""
    copy = fresh_copy(project, work, "auth")
    root = copy / project.subdir if project.subdir else copy
    code = run(project, "auth: adopt", ["adopt", "--json"], root).returncode
    if code == 1:  # conflicts (reported in the adopt cell): overwrite in this copy
        code = run(project, "auth: adopt --force", ["adopt", "--force", "--json"], root).returncode
    if code != 0:
        project.cells["auth-cmd"] = Verdict(SKIP, "adopt failed")
        return
    if profile(root).get("auth_dependency"):
        project.cells["auth-cmd"] = Verdict(SKIP, "has sign-in")
        return
    before = snapshot(copy)
    proc = run(project, "auth", ["auth", "--approve", "--json"], root)
    written = [k for k in changed(before, snapshot(copy)) if "/.scaffold/" not in f"/{k}"]
    if proc.returncode != 0:
        status = REFUSED if proc.returncode == 2 and not written else FAIL
        project.cells["auth-cmd"] = Verdict(status, f"exit {proc.returncode}: {_message(proc)}")
        return
    rel = [str((copy / k).relative_to(root)) for k in written if root in (copy / k).parents]
    imports = judge_imports(Change(root, rel, "users"))
    project.cells["auth-cmd"] = Verdict(imports.status, imports.detail or f"{len(rel)} files")


def run_project(project: Project, work: Path, live: bool) -> Project:
    project.work = work / project.slug
    copy = fresh_copy(project, work, "main")
    root = copy / project.subdir if project.subdir else copy
    if not root.is_dir():
        project.cells["adopt-dry"] = Verdict(FAIL, f"no folder {project.subdir} in the checkout")
        return project
    adopted = step_adopt(project, copy, root)
    change = step_resource(project, copy, root) if adopted else None
    if change is not None:
        judge_all(project, change, copy)
    if adopted:
        step_check(project, root, change)
        step_auth(project, work)
    if live and change is not None:
        from realworld_live import live_check

        project.cells["live"] = live_check(project.checkout, root, change, project.work)
    elif change is not None:
        project.cells["live"] = Verdict(SKIP, "no --live")
    return project
