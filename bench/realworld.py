"""Real-world harness: scaffold's adopt → resource → auth → check on real checkouts.

    .venv/bin/python bench/realworld.py /tmp/corpus/polar::server /tmp/corpus/mealie
    .venv/bin/python bench/realworld.py --corpus /tmp/corpus          # the whole CORPUS
    .venv/bin/python bench/realworld.py --corpus /tmp/corpus --json   # JSON on stdout
    .venv/bin/python bench/realworld.py --fetch-list                  # how to get the corpus

A PATH is a checkout; `PATH::subdir` names the project folder inside it (the one with
alembic.ini / pyproject.toml). Without `::`, the folder itself is used when it has an
alembic.ini, else the first of backend/ server/ src/ that has one.

Nothing is written into PATH: every step runs on a fresh copy of the whole checkout (so
a ruff config above the project folder still applies). Steps, each time-bounded:
`scaffold adopt --dry-run` (must change no byte or mtime), `scaffold adopt`, `scaffold
adopt` again (must change nothing), `scaffold resource weekly_requirements
<ref>_id:ref=<table> week_start:date min_hours:int:min=0 --keep-failed` (the referenced
table is the project's users/people-like table; `--keep-failed` so a failed proof's files
can still be judged, the cell still says FAIL), `scaffold check`; and in a second copy,
where the project has no sign-in, `scaffold auth --approve`. The judges in
`realworld_judges.py` then read the written files; `--live` adds `realworld_live.py`
(install the project, apply the migration on PostgreSQL 15, run the generated tests).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realworld_judges import OK, SKIP, Verdict  # noqa: E402  (bench/ is not a package)
from realworld_steps import COLUMNS, Project, run_project  # noqa: E402

# The corpus of issue 31: folder under --corpus, GitHub repository, project subfolder,
# expected outcome ("adopt" = adopted and judged; "refuse" = adopt must exit 2, write
# nothing), and why it is in the corpus.
CORPUS = [
    ("aapm", "Euda1mon1a/Autonomous-Assignment-Program-Manager", "backend", "adopt",
     "the seed: 145 tables, 131 migrations, UUID keys, tests/factories exists"),
    ("full-stack-fastapi-template", "fastapi/full-stack-fastapi-template", "backend", "adopt",
     "SQLModel, single models module, settings-based prefix"),
    ("polar", "polarsource/polar", "server", "adopt",
     "uv, feature packages, backoffice sub-application, strict ruff"),
    ("fastapi-realworld-example-app", "nsidnev/fastapi-realworld-example-app", "", "refuse",
     "raw SQL (no ORM models): adopt must refuse"),
    ("teamhide-fastapi-boilerplate", "teamhide/fastapi-boilerplate", "", "adopt",
     "clean-architecture layers, Poetry"),
    ("igorbenav-fastapi-boilerplate", "igorbenav/FastAPI-boilerplate", "", "adopt",
     "src/ layout: pyproject at the root, alembic.ini under src/, int keys, uv"),
    ("fastapi-react", "Buuntu/fastapi-react", "{{cookiecutter.project_slug}}/backend", "adopt",
     "cookiecutter backend, sync SQLAlchemy 1.x style, int keys"),
    ("dispatch", "Netflix/dispatch", "", "adopt",
     "src/ layout, alembic.ini inside the package with two script folders, int keys, mixins"),
    ("mealie", "mealie-recipes/mealie", "", "adopt",
     "Poetry, GUID type decorator keys, mixin bases, routers in a custom APIRouter subclass"),
    ("fastapi-sqlalchemy-asyncpg", "grillazz/fastapi-sqlalchemy-asyncpg", "", "adopt",
     "uv-style [project] without build system, several schemas, tests outside the app"),
]  # fmt: skip


def project_from_arg(arg: str) -> Project:
    path, _, subdir = arg.partition("::")
    checkout = Path(path).resolve()
    known = {c[0]: c for c in CORPUS}.get(checkout.name)
    if not _ and known:
        subdir = known[2]
    elif not _:
        subdir = next(
            (
                s
                for s in ("", "backend", "server", "src")
                if (checkout / s / "alembic.ini").is_file()
            ),
            "",
        )
    expect = known[3] if known else "adopt"
    name = checkout.name
    if known and subdir != known[2]:  # a second row for the same checkout
        name = f"{name}:{subdir.replace('/', '_') or '.'}"
    return Project(name, checkout, subdir, expect)


def cell_text(verdict: Verdict | None, expect: str) -> str:
    if verdict is None:
        return "-" if expect == "refuse" else "skip(not run)"
    if verdict.status == SKIP:
        return f"skip({verdict.detail[:18]})"
    return verdict.status


def print_table(projects: list[Project], out: object = sys.stdout) -> None:
    rows = [["project", *COLUMNS]]
    rows += [[p.name, *(cell_text(p.cells.get(c), p.expect) for c in COLUMNS)] for p in projects]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), file=out
        )
    print(file=out)
    for p in projects:
        for column in COLUMNS:
            v = p.cells.get(column)
            if v is not None and v.status not in (OK,) and v.detail:
                print(f"{p.name} / {column}: {v.status}: {v.detail}", file=out)


def fetch_list() -> str:
    lines = []
    for name, repo, subdir, expect, why in CORPUS:
        lines.append(f"# {repo} ({subdir or '.'}; {expect}): {why}")
        lines.append(f"fetch github:{repo}   # then:")
        lines.append(
            f"python bench/realworld_extract.py /work/.mirror/{repo.replace('/', '+')}/repo /tmp/corpus/{name}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="checkout[::subdir] ...")
    parser.add_argument("--corpus", type=Path, help="folder holding the CORPUS checkouts")
    parser.add_argument("--json", action="store_true", help="JSON on stdout, table on stderr")
    parser.add_argument("--live", action="store_true", help="install, migrate on PG 15, run tests")
    parser.add_argument("--work", type=Path, help="where the copies go (default: a temp folder)")
    parser.add_argument("--fetch-list", action="store_true", help="print how to fetch the corpus")
    args = parser.parse_args(argv)
    if args.fetch_list:
        print(fetch_list())
        return 0
    projects = [project_from_arg(p) for p in args.paths]
    if args.corpus:
        projects += [
            Project(name, (args.corpus / name).resolve(), subdir, expect)
            for name, _repo, subdir, expect, _why in CORPUS
            if (args.corpus / name).is_dir()
        ]
    if not projects:
        parser.error("give checkouts or --corpus")
    work = args.work or Path(tempfile.mkdtemp(prefix="realworld-"))
    for project in projects:
        print(f"== {project.name}", file=sys.stderr, flush=True)
        run_project(project, work, args.live)
        row = ", ".join(f"{c}={v.status}" for c, v in project.cells.items())
        print(f"   {row}", file=sys.stderr, flush=True)
    print_table(projects, sys.stderr if args.json else sys.stdout)
    if args.json:
        json.dump(
            [{"name": p.name, "checkout": str(p.checkout), "subdir": p.subdir, "expect": p.expect,
              "cells": {k: asdict(v) for k, v in p.cells.items()}, "steps": p.steps} for p in projects],
            sys.stdout, indent=2,
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
