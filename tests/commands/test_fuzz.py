"""Property and fuzz tests: Hypothesis over the CLI's input, schemathesis over the output.

* Any field list, any resource name: the command either generates code that parses, with
  every string default and pattern emitted as the exact literal the user typed, or it is
  refused with exit 2, an example and nothing written. Never a traceback or another code.
* A deterministic sample of accepted specs (hostile string defaults included) passes its
  own generated tests, ruff and a migration round trip.
* schemathesis, run against the generated app's OpenAPI inside the generated project,
  finds no 5xx and no response that breaks its own schema.

Hypothesis runs derandomized with a fixed number of examples, so every run checks the
same inputs in bounded time.
"""

from __future__ import annotations

import ast
import keyword
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from scaffold.errors import InputError
from scaffold.spec.fields import MODIFIERS, TYPES, parse_field
from scaffold.spec.names import PG_SYSTEM_COLUMNS, PYTHON_MAPPED
from scaffold.spec.resource import build_resource
from tests.support.helpers import MINIMAL_PYPROJECT, db_env, passed_count, run, scaffold, tree
from tests.support.schemathesis_probe import run_schemathesis

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time, failures still exact
    suppress_health_check=list(HealthCheck),
)

# -- strategies --------------------------------------------------------------------------

HOSTILE_TEXT = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\n",
    "{{ 7*7 }}",
    "{% raw %}",
    "${HOME}",
    "#",
    ")",
    "__import__('os')",
    "\t",
    "\x0b\x0c",
    "\x1b[31m",
    "\u2028",
    "\u202e",
    "e\u0301",
    "\U0001f600",
    "a:b",
    "=",
    ",",
    " lead",
    "trail ",
]
# Names that are hard for generated code: some are refused (keywords as resources, system
# and generated columns, model_*), most must work (SQL key words, names Python spells name_).
HARD_NAMES = sorted(
    set(keyword.kwlist)
    | {"match", "case", "type", "id", "created_at", "model_x", "ctid", "l", "alembic_version"}
    | {"order", "user", "group", "limit", "offset", "payload", "items", "total", "session"}
    | {"service", "select", "query", "sort", "filter", "values", "rows", "client", "params"}
    | set(PYTHON_MAPPED)
    | set(PG_SYSTEM_COLUMNS)
)

identifiers = st.from_regex(r"[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,5}){0,2}", fullmatch=True)
names = st.one_of(
    identifiers, identifiers, identifiers, st.sampled_from(HARD_NAMES), st.text(max_size=10)
)
numbers = st.one_of(
    st.integers(-(2**64), 2**64).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True).map(str),
    st.sampled_from(["1e3", "0.001", "1_0", "٣", "²", "+5", "-0", ".5", "1.", "9" * 30]),
)
texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=12))
patterns = st.one_of(
    st.sampled_from(
        ["^[A-Z]{3}$", "^[a-z]+$", "^(a+)+$", "[", "(?<=a)b", "\\d+", ".*", "^x{2,4}$"]
    ),
    st.text(max_size=6),
)


@st.composite
def type_part(draw: st.DrawFn) -> str:
    kind = draw(st.one_of(st.sampled_from(TYPES), st.sampled_from(["varchar", "", "STR"])))
    arg = draw(
        {
            "str": st.one_of(st.none(), st.integers(-2, 300).map(str)),
            "decimal": st.one_of(
                st.none(),
                st.tuples(st.integers(0, 12), st.integers(0, 12)).map("{0[0]},{0[1]}".format),
            ),
            "enum": st.lists(
                st.one_of(st.from_regex(r"[a-z][a-z0-9_.-]{0,6}", fullmatch=True), texts),
                max_size=4,
            ).map(",".join),
            "ref": st.sampled_from(["widgets", "residents", "nothere", "../x"]),
        }.get(kind, st.one_of(st.none(), st.none(), st.none(), texts))
    )
    return kind if arg is None else f"{kind}={arg}"


@st.composite
def modifier(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from([*MODIFIERS, "default", "default", "bogus"]))
    if key in ("optional", "unique", "index", "sensitive"):
        return key
    value = draw(
        {
            "default": st.one_of(
                texts, numbers, st.sampled_from(["true", "no", "2024-01-01", "now"])
            ),
            "min": numbers,
            "max": numbers,
            "pattern": patterns,
            "ondelete": st.sampled_from(["cascade", "restrict", "set-null", "explode"]),
        }.get(key, texts)
    )
    return f"{key}={value}"


@st.composite
def field_token(draw: st.DrawFn) -> str:
    parts = [draw(names)]
    if draw(st.booleans()):
        parts.append(draw(type_part()))
    parts += draw(st.lists(modifier(), max_size=2))
    return ":".join(parts)


# -- the property ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project with a ``residents`` resource (for ``ref`` fields)."""
    root = tmp_path_factory.mktemp("fuzz") / "base"
    (root / "migrations/versions").mkdir(parents=True)
    (root / "migrations/env.py").write_text("# Alembic env\n")
    (root / "pyproject.toml").write_text(MINIMAL_PYPROJECT)
    result = scaffold("resource", "residents", "name:str=120", project=root)
    assert result.exit_code == 0, result.output
    return root


def constants(path: Path) -> set:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
    }


def check_outcome(
    base: Path, arguments: list[str], options: tuple[str, ...] = ()
) -> tuple[int, Path]:
    """Run ``scaffold resource OPTIONS -- ARGUMENTS`` on a copy of ``base``; assert the
    exit-0-or-2 contract; return the copy.

    The ``--`` keeps a fuzzed token starting with ``-`` an argument, as a user must write
    it (without it, Click reads an option).
    """
    root = Path(tempfile.mkdtemp(prefix="fuzz-")) / "project"
    shutil.copytree(base, root)
    before = tree(root)
    argv = ["resource", *options, "--approve", "--project", str(root), "--", *arguments]
    result = scaffold(*argv)
    output = result.output
    assert "Traceback" not in output, output
    assert result.exit_code in (0, 2), f"{argv!r} exited {result.exit_code}:\n{output}"
    if result.exit_code == 2:
        assert "Example:" in output, output
        assert output.count("error:") == 1, output
        assert tree(root) == before, f"{argv!r} was refused but changed the project"
        return 2, root
    for rel in tree(root):
        assert not rel.startswith(".."), rel
        if rel.endswith(".py"):
            source = (root / rel).read_text(encoding="utf-8")
            ast.parse(source, filename=rel)  # raises on invalid Python
    return 0, root


def assert_values_emitted_exactly(root: Path, table: str, tokens: list[str]) -> None:
    """Every str default and pattern is in the generated code as the exact literal typed."""
    schema = constants(root / f"app/schemas/{table}.py")
    model = constants(root / f"app/models/{table}.py")
    for token in tokens:
        field = parse_field(token)
        if field.pattern:
            assert field.pattern in schema, (token, field.pattern)
        if field.has_default and field.kind in ("str", "text", "enum"):
            assert field.default in schema, (token, field.default)
            assert field.default in model, (token, field.default)
        if field.has_default and field.kind in ("int", "bigint", "bool"):
            assert field.default in schema | {-c for c in schema if isinstance(c, int)}, token


@settings(FUZZ, max_examples=120)
@given(tokens=st.lists(field_token(), min_size=1, max_size=3))
def test_any_field_list_generates_valid_code_or_is_refused(
    fuzz_base: Path, tokens: list[str]
) -> None:
    code, root = check_outcome(fuzz_base, ["widgets", *tokens])
    event(f"exit {code}")
    try:
        if code == 0:
            assert_values_emitted_exactly(root, "widgets", tokens)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


@settings(FUZZ, max_examples=40)
@given(
    name=st.one_of(
        st.text(max_size=20),
        st.from_regex(r"[a-z][a-z_]{0,20}s", fullmatch=True),
        st.sampled_from(["con", "items", "bases", "../x", "a" * 64, "strings", "matches"]),
    ),
    singular=st.one_of(st.none(), identifiers, st.text(max_size=8)),
)
def test_any_resource_name_generates_valid_code_or_is_refused(
    fuzz_base: Path, name: str, singular: str | None
) -> None:
    options = () if singular is None else ("--singular", singular)
    code, root = check_outcome(fuzz_base, [name, "title:str=40"], options)
    event(f"exit {code}")
    shutil.rmtree(root.parent, ignore_errors=True)


def test_a_bool_field_generates_lint_clean_tests(mini_project: Path) -> None:
    result = scaffold("resource", "widgets", "active:bool", project=mini_project)
    assert result.exit_code == 0, result.output


# -- a sample of accepted specs passes its own generated tests -------------------------------------

SAMPLE_TABLES = ("gadgets", "gizmos", "widgets")


@st.composite
def valid_token(draw: st.DrawFn) -> str:
    """A field token built to be accepted (most of the time), with hostile string values."""
    name = draw(identifiers)
    kind = draw(
        st.sampled_from(["str", "text", "int", "bigint", "float", "decimal", "bool", "enum"])
    )
    token = f"{name}:{kind}"
    if kind == "enum":
        token += "=" + ",".join(draw(st.lists(identifiers, min_size=1, max_size=3, unique=True)))
    if kind in ("str", "text"):
        if draw(st.booleans()):
            token += ":pattern=" + draw(st.sampled_from(["^[A-Z]{2,3}$", "^[a-z ]+$", "x"]))
        else:
            token += ":default=" + draw(texts)
    if kind in ("int", "bigint") and draw(st.booleans()):
        token += f":min={draw(st.integers(-100, 0))}:max={draw(st.integers(1, 100))}"
    if draw(st.booleans()):
        token += ":optional"
    return token


@settings(FUZZ, max_examples=40)
@given(tokens=st.lists(valid_token(), min_size=1, max_size=4))
def test_hostile_values_in_valid_fields_are_emitted_as_exact_literals(
    fuzz_base: Path, tokens: list[str]
) -> None:
    code, root = check_outcome(fuzz_base, ["widgets", *tokens])
    event(f"exit {code}")
    try:
        if code == 0:
            assert_values_emitted_exactly(root, "widgets", tokens)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def features(tokens: list[str]) -> set[tuple[str, object]]:
    """What a field list exercises: its kinds, modifiers, string defaults and patterns."""
    out: set[tuple[str, object]] = set()
    for token in tokens:
        field = parse_field(token)
        out |= {("kind", field.kind), ("optional", field.optional)}
        if field.has_default and isinstance(field.default, str):
            out.add(("default", field.default))
        if field.pattern:
            out.add(("pattern", field.pattern))
        if field.min is not None or field.max is not None:
            out.add(("range", field.kind))
    return out


def accepted_samples(count: int) -> list[list[str]]:
    """``count`` valid field lists that together exercise the most (deterministic).

    Hypothesis draws candidates in a fixed order; the spec validator keeps the valid
    ones; a greedy pick then prefers lists adding kinds, defaults and patterns not yet
    covered, so the sample is varied rather than the first few (simplest) draws.
    """
    valid: list[list[str]] = []

    @settings(FUZZ, max_examples=100)
    @given(st.lists(valid_token(), min_size=3, max_size=5))
    def collect(tokens: list[str]) -> None:
        try:
            build_resource("gadgets", tokens)
        except InputError:
            return
        valid.append(tokens)

    collect()
    chosen: list[list[str]] = []
    covered: set[tuple[str, object]] = set()
    for _ in range(count):
        best = max(valid, key=lambda tokens: len(features(tokens) - covered))
        chosen.append(best)
        covered |= features(best)
        valid.remove(best)
    return chosen


def test_sample_collection_is_deterministic() -> None:
    assert accepted_samples(3) == accepted_samples(3)


@pytest.fixture(scope="module")
def sampled_project(pristine_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new project with three Hypothesis-sampled resources and a sensitive one."""
    project = tmp_path_factory.mktemp("fuzz-sample") / "myapp"
    shutil.copytree(pristine_project, project)
    for table, tokens in zip(SAMPLE_TABLES, accepted_samples(len(SAMPLE_TABLES)), strict=True):
        result = scaffold("resource", table, *tokens, "--approve", project=project)
        assert result.exit_code == 0, f"{tokens!r}:\n{result.output}"
        assert_values_emitted_exactly(project, table, tokens)
    accounts = (
        "resource",
        "accounts",
        "username:str=40:unique",
        "password:str=128",
        "age:int:min=0:max=150",
        "balance:decimal=10,2",
        "ratio:float",
        "settings:json:optional",
        "role:enum=user,admin:default=user",
        "gadget_id:ref=gadgets:optional",
        "--approve",
    )
    result = scaffold(*accounts, project=project)
    assert result.exit_code == 0, result.output
    return project


@pytest.mark.e2e
def test_a_sample_of_accepted_specs_passes_its_generated_tests(
    sampled_project: Path, tmp_path: Path
) -> None:
    env = db_env(f"sqlite+aiosqlite:///{tmp_path}/sample.db")
    tests = [f"tests/test_{table}.py" for table in (*SAMPLE_TABLES, "accounts")]
    result = run(sampled_project, "pytest", "-q", "-p", "no:cacheprovider", *tests, env=env)
    assert passed_count(result.stdout) >= 40, result.stdout[-2000:]
    run(sampled_project, "ruff", "check", ".")
    for step in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"], ["check"]):
        run(sampled_project, "alembic", *step, env=env)


@pytest.mark.e2e
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    sampled_project: Path, tmp_path: Path
) -> None:
    proc = run_schemathesis(sampled_project, tmp_path, max_examples=12)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    # Every operation of the four resources and the health check was exercised.
    assert passed_count(proc.stdout) >= 5 * (len(SAMPLE_TABLES) + 1) + 1, proc.stdout[-2000:]
