"""The Platform Coordination Report, in the coordinator's own format: one Markdown file
per change, under ``.scaffold/reports/``.

Sections, in order: the COORD_PLATFORM heading, Mission, Date, Approach, Specialists
Deployed (scaffold's own layers: DBA, BACKEND_ENGINEER, API_DEVELOPER), Implementation
Details (database, backend, API contract, files), Quality Checks (five boxes, ticked only
by checks that ran in this invocation, each with its evidence), Performance Impact
(measured, or saying why not), Handoff (To ARCHITECT, To COORD_QUALITY) and the closing
line. :func:`report_sections` is the same content as data, for ``--json``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from scaffold.project.files import write_all
from scaffold.project.outcome import Outcome

REPORTS = ".scaffold/reports"
LAYERS = ("Database", "API", "Services", "Tests")

# The five boxes, each with the checks that decide it; the rest are sub-items.
BOXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("migration", "Alembic migration created and tested", ("migrations", "alembic_check")),
    ("async", "Async patterns used throughout", ("async_only",)),
    ("validation", "Pydantic validation on all inputs", ("input_validation",)),
    ("sensitive", "No sensitive data exposed in responses", ("no_sensitive_read",)),
    ("tests", "Tests created (via COORD_QUALITY)", ("tests", "ruff", "app_import")),
)
RESULTS = {
    0: "applied",
    1: "not applied: a check failed or files conflict",
    2: "refused: bad input",
    3: "not applied: escalated, a human must approve it with --approve",
}


def _task(outcome: Outcome) -> str:
    text = outcome.mission or " / ".join(outcome.actions) or outcome.command
    text = text.removeprefix("scaffold ")
    return text if len(text) <= 72 else text[:69].rstrip() + "..."


def _files(outcome: Outcome, *parts: str) -> list[str]:
    """Visible files whose path has one of ``parts`` as a folder."""
    found = []
    for change in outcome.visible:
        folders = change.path.split("/")[:-1]
        if any(part in folders for part in parts):
            found.append(f"`{change.path}` ({change.status})")
    return found


def _items(outcome: Outcome, layer: str, keep: Any = None) -> list[str]:
    items = outcome.layers.get(layer) or []
    return [item for item in items if keep is None or keep(item)]


def _joined(items: list[str], empty: str) -> str:
    return "; ".join(items) if items else empty


def _box(passed: bool | None) -> str:
    return {True: "[x]", False: "[ ] FAILED:", None: "[ ] not run:"}[passed]


def quality_checks(outcome: Outcome) -> list[dict[str, Any]]:
    """The five boxes: ticked when every check behind it ran and passed."""
    from scaffold.project.outcome import CHECK_NAMES

    by_name = {check["name"]: check for check in outcome.checks}
    boxes = []
    for key, label, names in BOXES:
        checks = [by_name[name] for name in names if name in by_name]
        main = checks[0] if checks else None
        if main is None:
            passed, evidence = None, "no check ran for it in this invocation"
        else:
            passed, evidence = main["passed"], main["detail"]
        subs = [
            {
                "label": CHECK_NAMES.get(check["name"], check["name"]),
                "passed": check["passed"],
                "detail": check["detail"],
            }
            for check in checks[1:]
        ]
        if passed and any(sub["passed"] is False for sub in subs):
            passed = False
            evidence = next(s["detail"] for s in subs if s["passed"] is False)
        boxes.append(
            {"key": key, "label": label, "passed": passed, "evidence": evidence, "checks": subs}
        )
    return boxes


def _load_lines(outcome: Outcome) -> tuple[list[str], list[str]]:
    """Expected load and statements per request, from the run the proof made."""
    load = outcome.extra.get("load")
    if isinstance(load, dict) and load.get("routes"):
        routes = load["routes"]
        rate = [
            f"{route['route']}: {route['rps']:.0f} req/s ({route['requests']} requests)"
            for route in routes
        ]
        statements = [f"{route['route']}: {route['statements']}" for route in routes]
        where = load.get("where", "in-process on the scratch database")
        return [f"{'; '.join(rate)} (measured {where}, one client)"], [
            f"statements per request: {'; '.join(statements)}"
        ]
    reason = load.get("reason") if isinstance(load, dict) else None
    if reason:
        return [f"not measured: {reason}"], []
    if any(c.get("name") == "tests" and c.get("passed") is False for c in outcome.checks):
        return ["not measured: the generated tests failed"], []
    if any(c.get("name") == "tests" and c.get("passed") is not None for c in outcome.checks):
        return ["not measured: no new route to call"], []
    if any("--no-verify" in str(c.get("detail")) for c in outcome.checks):
        return ["not measured: written with --no-verify, unproved"], []
    return ["not measured: no proof ran, since nothing was written"], []


def report_sections(outcome: Outcome, when: dt.datetime | None = None) -> dict[str, Any]:
    """Every section of the report as data (the ``report`` key of ``--json``)."""
    database = _items(outcome, "Database")
    indexes = [i for i in database if i.startswith("index")]
    migrations = _files(outcome, "versions")
    tables = [i for i in database if not i.startswith(("index", "migration"))]
    api = _items(outcome, "API")
    services = _items(outcome, "Services")
    load, statements = _load_lines(outcome)
    # A report is written for applied changes, and for a change whose proof failed.
    applied = outcome.report_path is not None and not outcome.extra.get("proof_failed")
    result = _result(outcome, applied)
    ran = [c for c in outcome.checks if c.get("passed") is not None]
    approach = (
        f"scaffold turned `{_task(outcome)}` into {len(outcome.actions) or 1} command(s), "
        "planned every layer, rendered and formatted the files in memory"
        + (f", proved them with {len(ran)} check(s) that ran" if ran else "")
        + f"; result: {result}."
    )
    return {
        "task": _task(outcome),
        "mission": outcome.mission or " / ".join(outcome.actions),
        "date": (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "approach": approach,
        "specialists": {
            "DBA": _joined(database, "no database change"),
            "BACKEND_ENGINEER": _joined(services, "no backend change"),
            "API_DEVELOPER": _joined(api, "no API change"),
        },
        "implementation": _implementation(outcome, tables, migrations, indexes, api),
        "quality_checks": quality_checks(outcome),
        "performance_impact": {
            "query_performance": list(outcome.performance)
            or ["no query path changed by this change"],
            "expected_load": load,
            "database_impact": (indexes or ["no index added"]) + statements,
        },
        "handoff": {
            "ARCHITECT": _architect(outcome, applied, migrations, tables + indexes)
            or ["nothing to decide: no escalation, no schema change"],
            "COORD_QUALITY": _quality(outcome),
        },
        "result": result,
    }


def _result(outcome: Outcome, applied: bool) -> str:
    """One line: what became of the change."""
    if outcome.extra.get("proof_failed"):
        return (
            "not applied: the proof failed, so nothing was written but this report "
            "(--keep-failed writes it anyway)"
        )
    if applied and outcome.exit_code == 1:
        return "written with --keep-failed, but a quality check failed: see Quality Checks"
    return RESULTS.get(outcome.exit_code, f"exit {outcome.exit_code}")


def _implementation(
    outcome: Outcome, tables: list[str], migrations: list[str], indexes: list[str], api: list[str]
) -> dict[str, Any]:
    """What was built, layer by layer, and every file."""
    return {
        "database": {
            "tables": tables,
            "migrations": migrations,
            "indexes": indexes,
        },
        "backend": {
            "models": _files(outcome, "models"),
            "services": _files(outcome, "services"),
            "controllers": _files(outcome, "api"),
        },
        "api_contract": {
            "endpoints": api,
            "schemas": _files(outcome, "schemas"),
            "validation": (
                [
                    "Pydantic models with extra=forbid on every body; 422 problem+json naming the field"
                ]
                if api
                else []
            ),
        },
        "files": [{"path": c.path, "status": c.status} for c in outcome.visible],
    }


def _architect(
    outcome: Outcome, applied: bool, migrations: list[str], changed: list[str]
) -> list[str]:
    """What the architect decides: escalations, production migrations, hand-offs."""
    architect = [f"{e['reason']} (trigger: `{e['trigger']}`)" for e in outcome.escalations]
    created = [m.split(" ")[0] for m in migrations if m.endswith("(create)")]
    if created and applied:
        architect.append(
            "a production migration to review before it is deployed: "
            + ", ".join(created)
            + (f" ({'; '.join(changed)})" if changed else "")
        )
    return architect + [h for h in outcome.handoff if h not in architect]


def _quality(outcome: Outcome) -> list[str]:
    """What quality coordination is handed: the tests, what did not run or failed, and
    what the generated tests do not cover."""
    quality = list(_items(outcome, "Tests")) + list(outcome.extra.get("not_run", []))
    quality += [
        f"fix before handing on: {box['label']}: {box['evidence']}"
        for box in quality_checks(outcome)
        if box["passed"] is False
    ]
    tested_on = [c["detail"] for c in outcome.checks if c.get("name") == "tests" and c["passed"]]
    if tested_on:
        signed_in = any(
            "/test_" in c.path and "sign_in(" in (c.text or "") for c in outcome.changes
        )
        quality.append(
            "not covered by the generated tests: load beyond one client, the production "
            "database engine unless TEST_DATABASE_URL pointed at it, and "
            + (
                "authorization rules beyond signed-in, owner and admin (those are tested)"
                if signed_in
                else "authorization rules"
            )
        )
    quality.append(
        "run: make test (pytest, ruff, mypy --strict), make squawk (each migration's SQL)"
    )
    return quality


def _bullets(label: str, items: list[str], empty: str) -> list[str]:
    return [f"- {label}: {'; '.join(items) if items else empty}"]


def render_report(outcome: Outcome, *, when: dt.datetime) -> str:
    return render_sections(report_sections(outcome, when))


def render_sections(sections: dict[str, Any]) -> str:
    """The Markdown of :func:`report_sections` (also what an unwritten run would show)."""
    impl = sections["implementation"]
    lines = [
        f"## COORD_PLATFORM Report: {sections['task']}",
        f"**Mission:** {sections['mission']}",
        f"**Date:** {sections['date']}",
        "### Approach",
        sections["approach"],
        "### Specialists Deployed",
    ]
    lines += [f"**{role}:** {text}" for role, text in sections["specialists"].items()]
    lines += ["### Implementation Details", "**Database Changes:**"]
    database = impl["database"]
    lines += _bullets("Tables", database["tables"], "none")
    lines += _bullets("Migrations", database["migrations"], "none")
    lines += _bullets("Indexes", database["indexes"], "none")
    lines.append("**Backend Changes:**")
    backend = impl["backend"]
    lines += _bullets("Models", backend["models"], "none")
    lines += _bullets("Services", backend["services"], "none")
    lines += _bullets("Controllers", backend["controllers"], "none")
    lines.append("**API Contract:**")
    contract = impl["api_contract"]
    lines += _bullets("Endpoints", contract["endpoints"], "none")
    lines += _bullets("Schemas", contract["schemas"], "none")
    lines += _bullets("Validation", contract["validation"], "no new input")
    lines.append("**Files:**")
    lines += ["", "| path | status |", "| --- | --- |"]
    lines += [f"| `{f['path']}` | {f['status']} |" for f in impl["files"]] or ["| (none) | |"]
    lines += ["", "### Quality Checks"]
    for box in sections["quality_checks"]:
        lines.append(f"- {_box(box['passed'])} {box['label']} — {box['evidence']}")
        for sub in box["checks"]:
            lines.append(f"  - {_box(sub['passed'])} {sub['label']} — {sub['detail']}")
    performance = sections["performance_impact"]
    lines += ["### Performance Impact"]
    query = performance["query_performance"]
    if len(query) > 1:  # a measured table
        lines += ["- Query performance:", "", *query, ""]
    else:
        lines.append(f"- Query performance: {query[0]}")
    lines.append(f"- Expected load: {'; '.join(performance['expected_load'])}")
    lines.append(f"- Database impact: {'; '.join(performance['database_impact'])}")
    lines.append("### Handoff")
    for role, items in sections["handoff"].items():
        lines.append(f"**To {role}:** {'; '.join(items)}")
    result = sections["result"]
    lines += ["---", f"*COORD_PLATFORM coordination complete. {result[:1].upper()}{result[1:]}.*"]
    return "\n".join(lines) + "\n"


def write_report(root: Path, outcome: Outcome) -> str:
    """Write the report next to the earlier ones and return its project-relative path."""
    when = dt.datetime.now(dt.UTC)
    slug = (
        re.sub(r"[^a-z0-9]+", "-", " ".join(outcome.actions).lower()).strip("-")[:48]
        or outcome.command
    )
    rel = f"{REPORTS}/{when:%Y%m%d-%H%M%S-%f}-{slug}.md"
    outcome.report_path = rel
    outcome.extra["report"] = report_sections(outcome, when)
    write_all(root, [(rel, render_report(outcome, when=when))])
    return rel


def last_report(root: Path) -> Path | None:
    folder = root / REPORTS
    reports = sorted(folder.glob("*.md")) if folder.is_dir() else []
    return reports[-1] if reports else None


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """The ``--json`` document of ``outcome``: its machine form and, for a change, the
    report's sections."""
    data = outcome.to_json()
    if "report" not in data and outcome.command not in ("check", "ide", "report"):
        data["report"] = report_sections(outcome)
    return data
