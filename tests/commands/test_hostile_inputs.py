"""Hostile CLI input: every rejection is exit 2, one message naming the bad token with a
working example, no traceback, and not one byte changed in the project (or outside it).

Each row is one hostile input: a name, a field token, a type, a default, a ``--check``
or ``--unique`` value, or a project state prepared before the run. Rows marked ``bug``
are known gaps outside ``scaffold.spec`` (strict xfail: fixing the bug makes them pass,
and then the mark must go).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.helpers import MINIMAL_PYPROJECT, scaffold, tree

Prep = Callable[[Path, Path], None]  # (project root, a folder outside the project)
WIDGETS = ("resource", "widgets")
NUMBERS = (*WIDGETS, "hours:int", "minutes:int", "name:str", "settings:json:optional")


@dataclass(frozen=True)
class Hostile:
    id: str
    argv: tuple[str, ...]
    token: str  # must appear in the message
    prep: Prep | None = None
    code: int = 2
    quick: bool = False  # unbounded input: must be refused within QUICK seconds
    bug: str | None = None  # known bug outside scaffold.spec: strict xfail


QUICK = 2.0


def field(*tokens: str, token: str, id: str, **kw) -> Hostile:
    return Hostile(id, (*WIDGETS, *tokens), token, **kw)


# -- project states ---------------------------------------------------------------------


def remove_env(root: Path, _outside: Path) -> None:
    (root / "migrations/env.py").unlink()


def env_is_a_folder(root: Path, _outside: Path) -> None:
    (root / "migrations/env.py").unlink()
    (root / "migrations/env.py").mkdir()


def second_head(root: Path, _outside: Path) -> None:
    (root / "migrations/versions/ffff0000_other_branch.py").write_text(
        'revision = "ffff0000"\ndown_revision = None\n'
    )


def conflict_markers(rel: str, around: str | None = None) -> Prep:
    """Wrap the line containing ``around`` (default: the whole file) in a git conflict."""

    def prep(root: Path, _outside: Path) -> None:
        path = root / rel
        text = path.read_text()
        if around is None:
            path.write_text(f"<<<<<<< HEAD\n{text}=======\n{text}>>>>>>> feature\n")
            return
        lines = text.splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if around in line)
        theirs = lines[at].replace("120", "80")
        lines[at : at + 1] = ["<<<<<<< HEAD\n", lines[at], "=======\n", theirs, ">>>>>>> b\n"]
        path.write_text("".join(lines))

    return prep


def write(rel: str, content: bytes) -> Prep:
    def prep(root: Path, _outside: Path) -> None:
        (root / rel).write_bytes(content)

    return prep


def scaffold_settings(extra: str) -> Prep:
    def prep(root: Path, _outside: Path) -> None:
        text = MINIMAL_PYPROJECT.replace("[tool.scaffold]\n", f"[tool.scaffold]\n{extra}\n")
        (root / "pyproject.toml").write_text(text)

    return prep


def symlink(rel: str, *, target: str = "", dangling: bool = False) -> Prep:
    """Make ``rel`` a symlink to a folder or file outside the project."""

    def prep(root: Path, outside: Path) -> None:
        link = root / rel
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        link.parent.mkdir(parents=True, exist_ok=True)
        destination = outside / target if target else outside
        if dangling:
            destination = outside / "missing.py"
        os.symlink(destination, link)

    return prep


CASES = [
    # -- resource names ------------------------------------------------------------------
    Hostile("resource-uppercase", (*WIDGETS[:1], "Widgets"), "Widgets"),
    Hostile("resource-keyword", ("resource", "class"), "class"),
    Hostile("resource-non-ascii", ("resource", "widgéts"), "widgéts"),
    Hostile("resource-64-chars", ("resource", "a" * 64), "a" * 60),
    Hostile("resource-1mb", ("resource", "x" * 1_000_000), "1000000", quick=True),
    Hostile("resource-dotdot", ("resource", "../evil"), "../evil"),
    Hostile("resource-absolute", ("resource", "/etc/passwd"), "/etc/passwd"),
    Hostile("resource-nul", ("resource", "widgets\x00"), "widgets\\x00"),
    Hostile("resource-windows-device", ("resource", "con"), "con"),
    Hostile("resource-no-singular", ("resource", "sheep"), "sheep"),
    Hostile("resource-alembic-version", ("resource", "alembic_version"), "alembic_version"),
    Hostile("resource-keyword-import", ("resource", "import", "name:str"), "import"),
    Hostile("resource-trailing-underscore", ("resource", "orders_"), "orders_"),
    Hostile("singular-uppercase", (*WIDGETS, "--singular", "Widget"), "Widget"),
    Hostile("singular-same-as-table", (*WIDGETS, "--singular", "widgets"), "widgets"),
    Hostile("parent-dotdot", (*WIDGETS, "--parent", "../x"), "../x"),
    Hostile("parent-unknown", (*WIDGETS, "--parent", "owners"), "owners"),
    Hostile("id-type", (*WIDGETS, "--id", "serial"), "serial"),
    Hostile("api-version-0", (*WIDGETS, "--api-version", "0"), "--api-version 0"),
    Hostile("api-version-100", (*WIDGETS, "--api-version", "100"), "--api-version 100"),
    Hostile("api-version-text", (*WIDGETS, "--api-version", "abc"), "abc"),
    Hostile("option-like-field", (*WIDGETS, "-x:int"), "-x"),
    # -- field names -----------------------------------------------------------------------
    field("id:int", token="'id'", id="field-id"),
    field("created_at", token="created_at", id="field-created-at"),
    field("model_config", token="model_config", id="field-pydantic-model-config"),
    field("model_dump:str", token="model_dump", id="field-pydantic-namespace"),
    field("xmin:int", token="xmin", id="field-pg-xmin"),
    field("l:int", token="'l'", id="field-ambiguous-l"),
    field("order_:int", token="order_", id="field-trailing-underscore"),
    field("ctid", token="ctid", id="field-pg-ctid"),
    field("min_hours:int", "minhours:int", token="minhours", id="field-collision-separator"),
    field("a_b1:int", "ab_1:int", token="ab_1", id="field-collision-moved-separator"),
    field("title", "title:text", token="title", id="field-repeated"),
    field("résumé:str", token="résumé", id="field-non-ascii"),
    field("ｔｉｔｌｅ", token="ｔｉｔｌｅ", id="field-fullwidth"),
    field("Title:str", token="Title", id="field-uppercase"),
    field("_private", token="_private", id="field-leading-underscore"),
    field("a;rm -rf ~", token="a;rm -rf ~", id="field-shell"),
    field("a" * 64 + ":str", token="a" * 40, id="field-64-chars"),
    field(*(f"f{i}:int" for i in range(101)), token="101", id="field-101-fields"),
    # -- types and type arguments ----------------------------------------------------------
    field("name:varchar", token="varchar", id="type-unknown"),
    field("name:str=0", token="name:str=0", id="type-str-length-0"),
    field("name:str=²", token="name:str=²", id="type-str-length-superscript"),
    field("name:str=99999999999", token="99999999999", id="type-str-length-huge"),
    field("price:decimal=10,11", token="10,11", id="type-decimal-scale-over-precision"),
    field("price:decimal=2000,2", token="2000,2", id="type-decimal-precision-huge"),
    field("hours:int=5", token="hours:int=5", id="type-int-with-argument"),
    field("status:enum=", token="status:enum=", id="type-enum-empty"),
    field("status:enum=a,a", token="status:enum=a,a", id="type-enum-repeated"),
    field("status:enum=a',b", token="a'", id="type-enum-quote"),
    field("status:enum=a b,c", token="a b", id="type-enum-space"),
    field("owner_id", token="owners", id="type-ref-inferred-missing"),
    field("owner_id:ref=../etc", token="../etc", id="type-ref-dotdot"),
    field("resident_id:ref=residents:ondelete=explode", token="explode", id="ondelete-unknown"),
    field("resident_id:ref=residents:ondelete=set-null", token="set-null", id="ondelete-required"),
    field("name:str:ondelete=cascade", token="ondelete", id="ondelete-not-ref"),
    field("settings:json:unique", token="settings:json:unique", id="json-unique"),
    field("name:str:optional=yes", token="optional", id="flag-with-value"),
    field("name:str:unique:unique", token="unique", id="modifier-twice"),
    field("name:str:bogus", token="bogus", id="modifier-unknown"),
    field("name::str", token="name::str", id="token-empty-part"),
    field(":str", token=":str", id="token-empty-name"),
    field("name:str:int", token="int", id="type-after-modifier"),
    field("hours:int:pattern=x", token="pattern", id="pattern-on-int"),
    field("active:bool:min=1", token="min", id="min-on-bool"),
    field("name:str\x00", token="\\x00", id="token-nul"),
    field("name:str:default=a\r\nimport os", token="\\r", id="token-crlf"),
    field("name:str:default=\udcff", token="\\udcff", id="token-not-utf8"),
    field("x:str:default=" + "y" * 2000, token="1000", id="token-too-long", quick=True),
    # -- default values and ranges -------------------------------------------------------------
    field("hours:int:default=1_0", token="1_0", id="default-int-underscore"),
    field("hours:int:default=9999999999", token="9999999999", id="default-int-overflow"),
    field("hours:int:min=١٢", token="١٢", id="min-arabic-digits"),
    field("ratio:float:default=nan", token="nan", id="default-float-nan"),
    field("ratio:float:default=1e400", token="1e400", id="default-float-overflow"),
    field("ratio:float:max=inf", token="inf", id="max-float-inf"),
    field("price:decimal=5,2:default=1e3", token="1e3", id="default-decimal-exponent-overflow"),
    field("price:decimal=5,2:default=0.001", token="0.001", id="default-decimal-too-precise"),
    field("price:decimal=5,2:min=1e9", token="1e9", id="min-decimal-outside-column"),
    field("price:decimal:default=NaN", token="NaN", id="default-decimal-nan"),
    field("hours:int:min=5:max=3", token="hours:int:min=5:max=3", id="min-over-max"),
    field("hours:int:min=0:default=-1", token="-1", id="default-below-min"),
    field("code:str=10:max=20", token="max=20", id="max-over-length"),
    field("code:str=3:default=toolong", token="toolong", id="default-too-long"),
    field("code:str:pattern=^[A-Z]+$:default=abc", token="abc", id="default-not-matching"),
    field(
        "code:str:pattern=^(a+)+$:default=" + "a" * 40 + "!",
        token="a!",
        id="default-redos-pattern",
        quick=True,
    ),
    field("code:str:pattern=[", token="[", id="pattern-invalid"),
    field("code:str:pattern=(?<=a)b", token="(?<=a)b", id="pattern-lookbehind"),
    field("code:str:pattern=" + "a" * 201, token="200", id="pattern-too-long"),
    field("password:str:default=hunter2", token="hunter2", id="default-sensitive"),
    field("email:str:default=a@b.c", token="a@b.c", id="default-email"),
    field("active:bool:default=maybe", token="maybe", id="default-bool"),
    field("status:enum=a,b:default=c", token="'c'", id="default-enum"),
    field("week_start:date:default=2024-02-30", token="2024-02-30", id="default-date"),
    field("starts:time:default=25:00", token="25:00", id="default-time"),
    field("due_at:datetime:default=2024-01-01T00:00:00", token="2024-01-01T00", id="default-naive"),
    field("external_id:uuid:default=xyz", token="xyz", id="default-uuid"),
    field("settings:json:default={}", token="{}", id="default-json"),
    # -- --unique and --check ------------------------------------------------------------------
    Hostile("unique-one-field", (*NUMBERS, "--unique", "hours"), "'hours'"),
    Hostile("unique-repeated", (*NUMBERS, "--unique", "hours,hours"), "hours,hours"),
    Hostile("unique-unknown", (*NUMBERS, "--unique", "hours,zzz"), "zzz"),
    Hostile("unique-sql", (*NUMBERS, "--unique", "hours,minutes;DROP TABLE x"), "DROP TABLE"),
    Hostile("unique-json", (*NUMBERS, "--unique", "hours,settings"), "settings"),
    Hostile("check-or", (*NUMBERS, "--check", "hours<=1 OR 1=1"), "1 OR 1=1"),
    Hostile("check-sql", (*NUMBERS, "--check", "hours<=1); DROP TABLE x; --"), "DROP TABLE"),
    Hostile("check-unknown-field", (*NUMBERS, "--check", "hours<=zzz"), "zzz"),
    Hostile("check-type-mismatch", (*NUMBERS, "--check", "hours<=name"), "name"),
    Hostile("check-operator", (*NUMBERS, "--check", "hours<>1"), ">1"),
    Hostile("check-double-equals", (*NUMBERS, "--check", "hours==1"), "=1"),
    Hostile("check-json", (*NUMBERS, "--check", "settings<=1"), "settings"),
    Hostile("check-float-literal", (*NUMBERS, "--check", "hours<=1e308"), "1e308"),
    Hostile("check-string-literal", (*NUMBERS, "--check", "hours<='x'"), "'x'"),
    Hostile("check-uppercase", (*NUMBERS, "--check", "Hours<=1"), "Hours<=1"),
    Hostile("check-100k", (*NUMBERS, "--check", "x" * 100_000), "xxxxxxxx", quick=True),
    Hostile(
        "check-quadratic-spaces",
        (*NUMBERS, "--check", "hours<=x" + " " * 24_000 + "y"),
        "--check",
        quick=True,
    ),
    # -- field commands -----------------------------------------------------------------------
    Hostile("field-add-system-column", ("field", "add", "residents", "xmin:int"), "xmin"),
    Hostile("field-add-unknown-resource", ("field", "add", "nothere", "x:int"), "nothere"),
    Hostile("field-rename-system-column", ("field", "rename", "residents", "name", "ctid"), "ctid"),
    # -- sentences (scaffold mission) -----------------------------------------------------------
    Hostile("mission-1mb", ("mission", "add " + "x" * 1_000_000 + " table"), "1000010", quick=True),
    Hostile("mission-repeated", ("mission", "add widgets table " * 10_000), "180000", quick=True),
    Hostile("mission-system-column-field", ("mission", "add widgets table with xmin int"), "xmin"),
    Hostile(
        "mission-system-column-enum", ("mission", "add a ctid enum low|high to residents"), "ctid"
    ),
    Hostile(
        "mission-path-traversal",
        ("mission", "add GET /api/v1/residents/{id}/../../etc endpoint"),
        "..",
    ),
    Hostile(
        "mission-201-fields",
        ("mission", "add widgets table with " + ", ".join(f"f{i} int" for i in range(201))),
        "201",
    ),
    Hostile(
        "mission-unparsable",
        ("mission", "make me a sandwich"),
        "me a sandwich",
    ),
    Hostile(
        "mission-injected-statement",
        ("mission", "add widgets table with name str; import os"),
        "import",
    ),
    Hostile("mission-nul", ("mission", "add widgets table\x00"), "\\u0000"),
    Hostile("mission-look-alike", ("mission", "add wіdgets table"), "\\u0456"),
    # -- project states ------------------------------------------------------------------------
    Hostile("state-no-env", (*WIDGETS, "name"), "migrations/env.py", prep=remove_env),
    Hostile("state-env-folder", (*WIDGETS, "name"), "migrations/env.py", prep=env_is_a_folder),
    Hostile("state-two-heads", (*WIDGETS, "name"), "ffff0000", prep=second_head),
    Hostile(
        "state-markers-manifest",
        (*WIDGETS, "name"),
        ".scaffold/manifest.toml",
        prep=conflict_markers(".scaffold/manifest.toml"),
    ),
    Hostile(
        "state-markers-schema-merged",
        ("resource", "residents", "name:str=200", "email:str:unique"),
        "app/schemas/residents.py",
        prep=conflict_markers("app/schemas/residents.py"),
    ),
    Hostile(
        "state-markers-schema-overlapping",
        ("resource", "residents", "name:str=200", "email:str:unique"),
        "app/schemas/residents.py",
        prep=conflict_markers("app/schemas/residents.py", around="max_length=120"),
    ),
    Hostile(
        "state-pyproject-invalid",
        (*WIDGETS, "name"),
        "pyproject.toml",
        prep=write("pyproject.toml", b"[tool.scaffold]\nx = \n"),
    ),
    Hostile(
        "state-manifest-not-utf8",
        (*WIDGETS, "name"),
        ".scaffold/manifest.toml",
        prep=write(".scaffold/manifest.toml", b"\xff\xfe[[["),
    ),
    Hostile(
        "state-manifest-wrong-shape",
        (*WIDGETS, "name"),
        ".scaffold/manifest.toml",
        prep=write(".scaffold/manifest.toml", b'resources = 3\nfiles = "x"\n'),
    ),
    Hostile(
        "state-manifest-entry-missing-keys",
        (*WIDGETS, "name"),
        ".scaffold/manifest.toml",
        prep=write(".scaffold/manifest.toml", b"[resources.residents]\nclass_name = 3\n"),
    ),
    Hostile(
        "state-symlinked-models-folder",
        (*WIDGETS, "name"),
        "app/models/widgets.py",
        prep=symlink("app/models"),
    ),
    Hostile(
        "state-symlinked-target-file",
        (*WIDGETS, "name"),
        "app/models/widgets.py",
        prep=symlink("app/models/widgets.py", target="keep.py"),
    ),
    Hostile(
        "state-dangling-symlink",
        (*WIDGETS, "name"),
        "app/models/widgets.py",
        prep=symlink("app/models/widgets.py", dangling=True),
    ),
    Hostile(
        "state-symlinked-scaffold-folder",
        (*WIDGETS, "name"),
        ".scaffold",
        prep=symlink(".scaffold"),
    ),
    Hostile(
        "state-symlinked-versions",
        (*WIDGETS, "name"),
        "migrations/versions",
        prep=symlink("migrations/versions"),
    ),
    Hostile(
        "state-layout-escapes",
        (*WIDGETS, "name"),
        "../outside",
        prep=scaffold_settings('package = "../outside"'),
    ),
    Hostile(
        "state-layout-injects",
        (*WIDGETS, "name"),
        "app;import os",
        prep=scaffold_settings('package = "app;import os"'),
    ),
    Hostile("project-missing", (*WIDGETS, "name", "--project", "{tmp}/nothere"), "nothere"),
    Hostile("project-is-a-file", (*WIDGETS, "name", "--project", "{outside}/keep.py"), "keep.py"),
    Hostile(
        "project-not-a-project", (*WIDGETS, "name", "--project", "{outside}"), "not a scaffold"
    ),
]


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project that already has a ``residents`` resource."""
    root = tmp_path_factory.mktemp("hostile") / "base"
    (root / "migrations/versions").mkdir(parents=True)
    (root / "migrations/env.py").write_text("# Alembic env\n")
    (root / "pyproject.toml").write_text(MINIMAL_PYPROJECT)
    result = scaffold("resource", "residents", "name:str=120", "email:str:unique", project=root)
    assert result.exit_code == 0, result.output
    return root


def test_there_are_at_least_60_hostile_inputs() -> None:
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else [],
        )
        for case in CASES
    ],
)
def test_hostile_input_is_refused_and_changes_nothing(
    case: Hostile, base_project: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(base_project, root, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.py").write_text("KEEP = 1\n")
    if case.prep:
        case.prep(root, outside)
    before, before_outside = tree(root), tree(outside)
    argv = [
        arg.replace("{tmp}", str(tmp_path)).replace("{outside}", str(outside)) for arg in case.argv
    ]

    started = time.perf_counter()
    result = scaffold(*argv, project=None if "--project" in argv else root)
    elapsed = time.perf_counter() - started

    output = result.output
    assert result.exit_code == case.code, output
    assert case.token in output, output
    assert "Example:" in output, output
    assert "Traceback" not in output, output
    assert output.count("error:") == 1, output
    assert tree(root) == before
    assert tree(outside) == before_outside
    if case.quick:
        assert elapsed < QUICK, f"took {elapsed:.1f}s"


ESCAPES = [
    case
    for case in CASES
    if case.id.startswith(("state-symlinked", "state-dangling", "state-layout"))
]


@pytest.mark.parametrize("case", ESCAPES, ids=[case.id for case in ESCAPES])
def test_no_path_leads_outside_the_project(
    case: Hostile, base_project: Path, tmp_path: Path
) -> None:
    """The security half of the rows above, enforced even while their message is xfail:
    a symlink or a layout setting pointing out of the project writes nothing anywhere."""
    root = tmp_path / "project"
    shutil.copytree(base_project, root, symlinks=True)
    outside = tmp_path / "outside"  # also what "../outside" resolves to from the project
    outside.mkdir()
    (outside / "keep.py").write_text("KEEP = 1\n")
    assert case.prep is not None
    case.prep(root, outside)
    before, before_outside = tree(root), tree(outside)
    result = scaffold(*case.argv, project=root)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert tree(outside) == before_outside
    assert tree(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "project"]


@pytest.mark.parametrize(
    ("argv", "example"),
    [
        (("resource", "class", "title:str"), "scaffold resource classes title:str"),
        (("resource", "Order_Lines", "qty:int"), "scaffold resource order_lines qty:int"),
        (("resource", "con", "name:str"), "scaffold resource cons name:str"),
        (("resource", "news", "headline:str"), "scaffold resource news headline:str --singular"),
        (("resource", "widgets", "xmin:int:optional"), "xmin_value:int:optional"),
    ],
)
def test_a_refusal_shows_an_example_built_from_the_users_own_input(
    argv: tuple[str, ...], example: str, base_project: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(base_project, root, symlinks=True)
    before = tree(root)
    result = scaffold(*argv, project=root)
    assert result.exit_code == 2, result.output
    assert f"Example: {example}" in result.output, result.output
    assert tree(root) == before
