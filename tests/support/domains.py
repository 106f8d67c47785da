"""Domains the resource grammar allows, drawn by Hypothesis, generated with the CLI in a
fresh project and proved as a user would: its own suite in random order, ruff and
``mypy --strict``, the migration round trip with ``alembic check``, and a two-user
ownership probe.

``domains()`` draws a domain *specification*: a list of CLI argument lists in dependency
order (3-6 ``resource`` commands, then maybe a ``field rename`` that opens v2), named from
a small pool of real table and column names so a failing one reads like a real project.
Everything it draws shrinks towards the plain: fewer resources and fields, no modifiers,
integer keys, no flags, the first names of the pools.

    from tests.support.domains import domains, generate_domain, prove_domain
    commands = domains().example()
    generate_domain(commands, root)
    prove_domain(root, order_seed=1)
"""

from __future__ import annotations

import atexit
import re
import shlex
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from scaffold.spec.inflect import singularize
from tests.support.helpers import MYPY_CACHE, run, scaffold
from tests.support.projects import DEFAULT_URL, RANDOM_ORDER, round_trip

# Tables a domain is named from, in shrinking order (the first ones are what a minimal
# failing domain is called).
TABLES = (
    "clinics",
    "patients",
    "projects",
    "tasks",
    "orders",
    "invoices",
    "notes",
    "tags",
    "teams",
    "rooms",
    "events",
    "comments",
    "products",
    "categories",
    "reviews",
    "shipments",
)


@dataclass(frozen=True)
class Column:
    """A scalar column of the pool: its name, its type (empty: inferred from the name),
    what kind of value it holds, and the name a ``field rename`` gives it."""

    name: str
    type: str
    kind: str
    renamed: str


COLUMNS = (
    Column("name", "str=120", "str", "full_name"),
    Column("title", "str=80", "str", "heading"),
    Column("code", "str=12", "code", "reference"),
    Column("body", "text", "text", "content"),
    Column("quantity", "int", "number", "amount"),
    Column("min_hours", "int", "number", "least_hours"),
    Column("max_hours", "int", "number", "most_hours"),
    Column("views", "bigint", "number", "view_count"),
    Column("ratio", "float", "number", "share"),
    Column("price", "decimal=10,2", "number", "unit_price"),
    Column("active", "bool", "bool", "enabled"),
    Column("is_urgent", "", "bool", "is_pressing"),
    Column("due_on", "", "date", "deadline_on"),
    Column("week_start", "date", "date", "week_begins"),
    Column("starts_at", "", "datetime", "begins_at"),
    Column("ends_at", "", "datetime", "finishes_at"),
    Column("opens", "time", "time", "opening"),
    Column("closes", "time", "time", "closing"),
    Column("external_ref", "uuid", "uuid", "external_key"),
    Column("settings", "json", "json", "preferences"),
    Column("status", "enum=open,closed,archived", "enum", "state"),
    Column("email", "", "email", "contact_email"),
    Column("api_token", "str=64", "secret", "access_token"),
)
# Kinds a unique rule may hold: each has far more values than a suite makes rows.
UNIQUE_KINDS = ("str", "code", "text", "number", "date", "datetime", "time", "uuid", "email")
# Kinds a CHECK may compare with one another (``number`` also with a literal).
COMPARABLE = ("number", "date", "datetime", "time")
# A column named by a --unique or --check rule is not drawn for a rename: a --check rule
# follows its renamed column, but a --unique rule's column is renamed in place only
# (`--no-version`; a versioned rename exits 2 naming the rule), which the fuzzer does not draw.
RENAME_RULE_COLUMNS = False
ACCESS = ("user", "owned", "admin-writes", "public", "public-admin-writes")
ACCESS_FLAGS = {
    "user": (),
    "owned": ("--owned",),
    "admin-writes": ("--admin-writes",),
    "public": ("--public",),
    "public-admin-writes": ("--public", "--admin-writes"),
}


@dataclass
class Drawn:
    """What later resources need to know about one drawn resource."""

    table: str
    singular: str
    scoped: bool  # its rows are a user's: --owned, or a required reference to such rows
    # The columns a ``field rename`` may take: not unique (refused: "not supported in one
    # step"), not in a --unique or --check rule (see RENAME_RULE_COLUMNS).
    renamable: list[Column] = field(default_factory=list)


# The failures of issue 30 known before the fuzzer, and those it found (see the note on
# issue 30), each with what the strategy steers around with ``domains(avoid_known=True)``
# (the fixed-seed slice of ``make test``): remove an entry once it is fixed, and the
# steered domains take that part of the grammar again.
KNOWN_FAILURES: dict[str, str] = {}
# Fixed on main since the fuzzer found or met them, and drawn again: lists ordered by a
# random UUID, constant factory values in unique rules (composite, per owner, float and
# decimal, in a CHECK), one-to-one nested pagination, links to admin-only rows, v2 tests
# of owned rows and duplicate link operation ids after a rename; the generated tests of
# admin-only writes to owned rows, an owned resource under an owned parent, the parent's
# reference listed after another owned one, an indexed column with a pattern and a
# :unique column inside an owned --unique rule; the rename of a json, indexed or ranged
# column; and a --public resource that references owned rows, which embedded them for
# anyone and is now refused (exit 2).


def _column_token(draw: Callable[[Any], Any], column: Column, steer: frozenset[str]) -> str:
    """The column's field token with modifiers its kind allows."""
    parts = [column.name, *([column.type] if column.type else [])]
    unique = column.kind in UNIQUE_KINDS and draw(st.booleans())
    if column.kind == "code" and not unique and draw(st.booleans()):
        # Refused with :unique (no distinct test values derivable from it): exit 2.
        parts.append("pattern=^[A-Z]{3}-[0-9]{2}$")
    if unique:
        parts.append("unique")
    elif column.kind not in ("json", "secret") and draw(st.booleans()):
        parts.append("index")
    if column.kind == "number":
        parts += draw(st.sampled_from([[], ["min=0"], ["max=1000"], ["min=0", "max=1000"]]))
        if not unique and draw(st.booleans()):
            parts.append("default=5")
    elif column.kind in ("str", "text") and draw(st.booleans()):
        parts.append("min=2")
    elif column.kind == "bool" and draw(st.booleans()):
        parts.append("default=true")
    elif column.kind == "enum" and draw(st.booleans()):
        parts.append("default=open")
    if draw(st.booleans()):
        parts.append("optional")
    return ":".join(parts)


def _references(
    draw: Callable[[Any], Any], earlier: Sequence[Drawn], *, steer: frozenset[str]
) -> tuple[list[str], list[tuple[Drawn, bool]], str | None]:
    """References to earlier resources (plain, optional, one-to-one; ``ondelete``), and
    maybe one of them as ``--parent``: the tokens, (target, optional) pairs, the parent."""
    if not earlier:
        return [], [], None
    targets = draw(st.lists(st.sampled_from(list(earlier)), max_size=2, unique_by=id))
    tokens, refs = [], []
    for target in targets:
        optional = draw(st.booleans())
        parts = [f"{target.singular}_id", f"ref={target.table}"]
        if optional:
            parts.append("optional")
        if draw(st.booleans()):
            parts.append("unique")  # one-to-one
        actions = [None, "cascade", "restrict", *(["set-null"] if optional else [])]
        action = draw(st.sampled_from(actions))
        if action:
            parts.append(f"ondelete={action}")
        tokens.append(":".join(parts))
        refs.append((target, optional))
    parent = None
    not_parents = {t.table for t, optional in refs if optional}
    candidates = [t.table for t in earlier if t.table not in not_parents]
    if candidates and draw(st.booleans()):
        parent = draw(st.sampled_from(candidates))
        if parent not in {t.table for t, _ in refs}:
            target = next(t for t in earlier if t.table == parent)
            refs.append((target, False))  # the CLI adds the required reference itself
    return tokens, refs, parent


def _rules(
    draw: Callable[[Any], Any],
    columns: Sequence[Column],
    ref_names: Sequence[str],
    exclude: Sequence[str] = (),
) -> list[str]:
    """Maybe a composite ``--unique`` (of none of ``exclude``) and maybe a ``--check`` over
    the drawn fields."""
    flags: list[str] = []
    uniquable = [c.name for c in columns if c.kind in UNIQUE_KINDS] + list(ref_names)
    uniquable = [name for name in uniquable if name not in exclude]
    if len(uniquable) >= 2 and draw(st.booleans()):
        pair = draw(st.lists(st.sampled_from(uniquable), min_size=2, max_size=2, unique=True))
        flags += ["--unique", ",".join(pair)]
    pairs = [
        (a.name, b.name)
        for a in columns
        for b in columns
        if a.name < b.name and a.kind == b.kind and a.kind in COMPARABLE
    ]
    numbers = [c.name for c in columns if c.kind == "number"]
    rules = [f"{a}{op}{b}" for a, b in pairs for op in ("<=", "<", "!=")]
    rules += [f"{n}{op}" for n in numbers for op in (">=0", ">0", "<=1000")]
    if rules and draw(st.booleans()):
        flags += ["--check", draw(st.sampled_from(rules))]
    return flags


def _access(
    draw: Callable[[Any], Any], through: bool, links_owned: bool, steer: frozenset[str]
) -> str:
    """Who may call the routes; none that the rows' ownership rules out."""
    access = draw(st.sampled_from(ACCESS))
    if (through or links_owned) and "public" in access:  # refused (exit 2): owned rows
        access = access.removeprefix("public").lstrip("-") or "user"
    return access


@st.composite
def _resource(
    draw: Callable[[Any], Any], table: str, earlier: list[Drawn], steer: frozenset[str]
) -> list[str]:
    """One ``resource`` command over ``earlier`` resources; appends what it drew to them."""
    ref_tokens, refs, parent = _references(draw, earlier, steer=steer)
    if draw(st.sampled_from([False, False, True])):
        ref_tokens.append(f"parent_id:ref={table}:optional")  # a tree of its own rows
    links = [t for t in earlier if draw(st.sampled_from([False, False, True]))][:1]
    through = any(t.scoped and not optional for t, optional in refs)
    links_owned = any(t.scoped for t, _ in refs) or any(t.scoped for t in links)
    access = _access(draw, through, links_owned, steer)
    scoped = access == "owned" or through
    columns = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=4, unique=True))
    column_tokens = [_column_token(draw, c, steer) for c in columns]
    flags: list[str] = ["--parent", parent] if parent else []
    if draw(st.sampled_from(["int", "uuid"])) == "uuid":
        flags += ["--id", "uuid"]
    rules = _rules(draw, columns, [f"{t.singular}_id" for t, _ in refs])
    flags += [*rules, *ACCESS_FLAGS[access]]
    if "public" in access or any(c.kind == "secret" for c in columns):
        flags.append("--approve")  # escalated: a public route, a sensitive field
    in_rules = set(re.findall(r"[a-z_]+", " ".join(rules[1::2])))
    renamable = [
        c
        for c, token in zip(columns, column_tokens, strict=True)
        if c.kind not in ("secret", "enum")  # an enum's rename is refused (exit 2)
        and ":unique" not in token
        and (RENAME_RULE_COLUMNS or c.name not in in_rules)
    ]
    earlier.append(Drawn(table, singularize(table), scoped, renamable))
    links_tokens = [f"{t.table}:many={t.table}" for t in links]
    return ["resource", table, *column_tokens, *ref_tokens, *links_tokens, *flags]


@st.composite
def domains(
    draw: Callable[[Any], Any], min_size: int = 3, max_size: int = 6, avoid_known: bool = False
) -> list[list[str]]:
    """A domain: ``resource`` commands in dependency order, maybe then a ``field rename``
    of one of their scalar columns (which opens /api/v2 for that resource); with
    ``avoid_known``, none that the KNOWN_FAILURES would fail."""
    tables = draw(
        st.lists(st.sampled_from(TABLES), min_size=min_size, max_size=max_size, unique=True)
    )
    drawn: list[Drawn] = []
    steer = frozenset(KNOWN_FAILURES) if avoid_known else frozenset()
    commands = [draw(_resource(table, drawn, steer)) for table in tables]
    if draw(st.booleans()):
        owner = draw(st.sampled_from(drawn))
        if owner.renamable:
            column = draw(st.sampled_from(owner.renamable))
            commands.append(
                ["field", "rename", owner.table, column.name, column.renamed, "--approve"]
            )
    return commands


def shell(commands: Sequence[Sequence[str]]) -> str:
    """The domain as the shell commands a person would type."""
    return "\n".join(shlex.join(["scaffold", *argv]) for argv in commands)


_PRISTINE: dict[str, Path] = {}
_NO_VERIFY: dict[tuple[str, ...], list[str]] = {}


def _pristine() -> Path:
    """One ``scaffold new --defaults`` project per test process; each domain gets a copy."""
    if "root" not in _PRISTINE:
        root = Path(tempfile.mkdtemp(prefix="scaffold-fuzz-new-")) / "app"
        atexit.register(shutil.rmtree, root.parent, ignore_errors=True)
        result = scaffold("new", str(root), "--defaults")
        assert result.exit_code == 0, result.output
        _PRISTINE["root"] = root
    return _PRISTINE["root"]


def _no_verify(argv: Sequence[str]) -> list[str]:
    """``--no-verify`` where the command takes it: the domain is proved once, at the end,
    not by each command."""
    verb = tuple(argv[:2]) if argv[0] == "field" else (argv[0],)
    if verb not in _NO_VERIFY:
        helped = scaffold(*verb, "--help")
        _NO_VERIFY[verb] = ["--no-verify"] if "--no-verify" in helped.output else []
    return _NO_VERIFY[verb]


def generate_domain(commands: Sequence[Sequence[str]], root: Path) -> None:
    """A copy of a fresh project at ``root`` with every command applied in-process; fails
    naming the first command that did not exit 0."""
    shutil.copytree(_pristine(), root)
    for argv in commands:
        result = scaffold(*argv, *_no_verify(argv), project=root)
        assert result.exit_code == 0, (
            f"`{shell([argv])}` exited {result.exit_code}:\n{result.output[-3000:]}"
        )


# The template's sign-in tests: the same in every project (tests/e2e/test_auth.py and the
# template's own tests prove them), and most of a small domain's suite time (Argon2).
SIGN_IN_TESTS = ("tests/test_auth.py", "tests/test_users.py", "tests/test_security.py")


def prove_domain(root: Path, order_seed: int, *, stop_early: bool = True) -> None:
    """Every check, each attempted even when an earlier one failed; fails with all their
    failures: ruff, ``mypy --strict``, the migration round trip with ``alembic check``,
    then the project's suite (but SIGN_IN_TESTS) in random order (``--random-order-seed``)
    with the two-user ownership probe among its tests; ``stop_early``: at its first
    failing test."""
    failures: list[str] = []

    def attempt(name: str, check: Callable[[], object]) -> None:
        started = time.monotonic()
        try:
            check()
        except AssertionError as error:
            failures.append(f"--- {name}\n{error}")
        print(f"#   {name}: {time.monotonic() - started:.1f}s", flush=True)

    attempt("ruff check", lambda: run(root, "ruff", "check", "."))
    attempt("ruff format", lambda: run(root, "ruff", "format", "--check", "."))
    attempt("mypy --strict", lambda: run(root, "mypy", "--cache-dir", str(MYPY_CACHE)))
    attempt("migrations round trip", lambda: round_trip(root, DEFAULT_URL))
    (root / "tests" / PROBE_MODULE).write_text(PROBE, encoding="utf-8")
    argv = ["-q", "--tb=short", "--show-capture=no", "-p", "no:cacheprovider"]
    argv += [*RANDOM_ORDER.split(), f"--random-order-seed={order_seed}"]
    argv += ["-x"] if stop_early else []
    argv += [f"--ignore={path}" for path in SIGN_IN_TESTS]
    attempt(f"suite (--random-order-seed={order_seed})", lambda: run(root, "pytest", *argv))
    assert not failures, "\n".join(failures)


PROBE_MODULE = "test_fuzz_ownership_probe.py"
PROBE = (Path(__file__).parent / "ownership_probe.py").read_text(encoding="utf-8")
