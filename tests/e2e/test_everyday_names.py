"""Everyday names work: tables and columns a real schema has, SQL key words and names
that clash in Python included, end to end on SQLite and PostgreSQL.

One project is generated once for the module (resources are the slow part) and copied
for the PostgreSQL run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.helpers import db_env, run, scaffold
from tests.support.projects import verify_generated_project

pytestmark = pytest.mark.e2e

# (table, extra arguments). Each one once made the generator refuse the name or write
# code that failed; several carry a field whose type makes the model import a class of
# the same name as the resource's (Date, Time, Text, Boolean, Numeric, Base, Index...).
TABLES: list[tuple[str, list[str]]] = [
    ("users", ["email:str:unique", "role:enum=admin,member:default=member"]),
    ("orders", ["user_id:ref=users", "status:enum=pending,paid:default=pending"]),
    ("groups", ["name:str=80"]),
    ("items", ["name:str=80", "price:decimal=10,2"]),
    ("sessions", ["user_id:ref=users:ondelete=cascade", "expires_at:datetime"]),
    ("values", ["amount:float"]),
    ("rows", ["position:int"]),
    ("tables", ["label:str=40"]),
    ("checks", ["passed:bool:default=false"]),
    ("limits", ["ceiling:int:min=0"]),
    ("queries", ["text:text"]),
    ("indexes", ["name:str=63:unique"]),
    ("references", ["url:str=2000"]),
    ("grants", ["group_id:ref=groups", "user_id:ref=users"]),
    ("windows", ["opens:time", "closes:time"]),
    ("people", ["name:str=120"]),
    ("children", ["person_id:ref=people", "born_on:date"]),
    ("data", ["value:json"]),
    ("media", ["path:str=255"]),
    ("analyses", ["result:text:optional"]),
    ("statuses", ["code:str=20:unique"]),
    ("events", ["start:datetime", "end:datetime:optional"]),
    ("selects", ["option:str=40"]),
    ("defaults", ["key:str=40:unique", "value:text:optional"]),
    ("columns", ["table_id:ref=tables", "type:str=40"]),
    ("constraints", ["column_id:ref=columns"]),
    ("dates", ["day:date"]),
    ("times", ["at:time"]),
    ("texts", ["body:text"]),
    ("strings", ["value:str=40"]),
    ("booleans", ["flag:bool"]),
    ("numerics", ["amount:decimal=8,3"]),
    ("decimals", ["amount:decimal=8,3"]),
    ("integers", ["number:int"]),
    ("uuids", ["uid:uuid:unique"]),
    ("pages", ["title:str=120"]),
    ("fields", ["label:str=40"]),
    ("paths", ["route:str=200"]),
    ("services", ["name:str=80"]),
    ("routers", ["prefix:str=80"]),
    ("requests", ["method:str=10"]),
    ("responses", ["code:int"]),
    ("payloads", ["body:json"]),
    ("filters", ["expression:text"]),
    ("classes", ["title:str=80"]),
    ("imports", ["source:str=200"]),
    ("bases", ["name:str=40", "--singular", "base_record"]),
    ("base_records", ["name:str=40", "--singular", "base"]),
    ("matches", ["score:int"]),
    ("cases", ["title:str=80"]),
    ("com1s", ["port:str=10"]),
    ("conflict_errors", ["detail:text"]),
    ("integrity_errors", ["detail:text"]),
    ("async_sessions", ["token_hint:str=40"]),
    # Named like modules of the template (tests/test_errors.py, app/schemas/base.py...).
    ("errors", ["message:text"]),
    ("migrations", ["name:str=80"]),
    ("schemas", ["name:str=80"]),
    ("securities", ["symbol:str=12", "--singular", "security"]),
    ("series", ["title:str=80", "--singular", "series_item"]),
    ("news", ["headline:str=200", "--singular", "news_item"]),
]

# One resource whose columns are named like the columns of real schemas.
COLUMNS = [
    "order:int:min=0",
    "user:str=40",
    "group:str=40:optional",
    "limit:int:index",
    "offset:int:optional",
    "default:str=40:optional",
    "start:datetime",
    "end:datetime:optional",
    "payload:json:optional",
    "items:int:optional",
    "total:decimal=10,2",
    "session:str=40:optional",
    "service:str=40:optional",
    "metadata:json:optional",
    "schema:str=40:optional",
    "query:str=80:optional:index",
    "select:bool:default=false",
    "check:str=40:optional",
    "table:str=40:optional",
    "column:str=40:optional",
    "from:str=40:index",
    "to:str=40:optional",
    "class:str=40:optional",
    "global:bool:default=false",
    "import:str=40:optional",
    "return:str=40:optional",
    "registry:str=40:optional",
    "json:text:optional",
    "dict:str=40:optional",
    "copy:str=40:optional",
    "validate:bool:default=true",
    "match:str=40:optional",
    "case:str=40:optional",
    "type:str=40",
    "sort:int:index",
    "filter:str=40:optional",
    "role:enum=admin,member,guest:default=member",
    "status:enum=draft,published:default=draft",
    "values:text:optional",
    "rows:int:optional",
    "key:str=40:unique",
    "index:int:optional",
    "primary:bool:default=false",
    "references:str=80:optional",
    "count:int:optional",
    "desc:text:optional",
    "window:str=40:optional",
    "str:str=40:optional",
    "int:int:optional",
    "dt:date:optional",
    "nul:str=10:optional",
    "user_id:ref=users:optional",
]
COLUMN_RESOURCE = ["resource", "entries", *COLUMNS, "--check", "order<=items"]
# Attribute, column and JSON key of the names Python spells differently.
MAPPED = {"metadata": "metadata_", "from": "from_", "class": "class_", "json": "json_"}


EXTRA_TESTS = '''"""Filters whose names are list parameters or Python keywords, through the real API."""

from httpx import AsyncClient

from tests.factories.entries import create_entry

ENTRIES = "/api/v1/entries"


async def test_limit_eq_filters_while_limit_still_paginates(client: AsyncClient) -> None:
    first = await create_entry(client, limit=7)
    await create_entry(client, limit=8)
    await create_entry(client, limit=7)
    response = await client.get(ENTRIES, params={"limit_eq": 7, "limit": 1})
    assert response.status_code == 200, response.text
    page = response.json()
    assert (page["total"], page["limit"]) == (2, 1)
    assert [item["id"] for item in page["items"]] == [first["id"]]


async def test_a_filter_named_like_a_keyword_takes_its_json_name(client: AsyncClient) -> None:
    here = await create_entry(client, **{"from": "here"})
    await create_entry(client, **{"from": "there"})
    response = await client.get(ENTRIES, params={"from": "here"})
    assert [item["id"] for item in response.json()["items"]] == [here["id"]]
    assert response.json()["items"][0]["from"] == "here"
'''


def test_every_template_module_in_a_resource_layer_is_avoided(template_src: Path) -> None:
    from scaffold.project.layout import TEMPLATE_MODULES

    project = template_src / "templates/project"
    for kind, folder, prefix in (
        ("schemas", "app/schemas", ""),
        ("services", "app/services", ""),
        ("tests", "tests", "test_"),
    ):
        names = {
            p.stem.removeprefix(prefix)
            for p in (project / folder).glob(f"{prefix}*.py*")
            if p.stem != "__init__"
        }
        assert names <= TEMPLATE_MODULES[kind], (kind, names - TEMPLATE_MODULES[kind])
    for folder in ("app/models", "app/api/v1", "tests/factories"):
        assert {p.name for p in (project / folder).iterdir()} == {"__init__.py"}


def test_the_lists_cover_what_the_issue_quotes() -> None:
    tables = {name for name, _ in TABLES}
    columns = {token.split(":")[0] for token in COLUMNS}
    assert len(tables) >= 40 and len(columns) >= 40
    assert {"users", "orders", "groups", "items", "sessions", "values", "rows", "tables"} <= tables
    assert {"checks", "limits", "queries", "indexes", "references", "grants", "windows"} <= tables
    quoted = "order user group limit offset default end payload items total session service"
    assert set(quoted.split()) <= columns
    assert {"metadata", "schema", "query", "select", "check", "table", "column"} <= columns


@pytest.fixture(scope="module")
def everyday_project(tmp_path_factory: pytest.TempPathFactory, pristine_project: Path) -> Path:
    root = tmp_path_factory.mktemp("everyday") / "app"
    shutil.copytree(pristine_project, root)
    for table, extra in TABLES:
        result = scaffold("resource", table, *extra, project=root)
        assert result.exit_code == 0, f"{table}: {result.output}"
    result = scaffold(*COLUMN_RESOURCE, project=root)
    assert result.exit_code == 0, result.output
    # Run with the generated suite: filters named like list parameters or Python keywords.
    (root / "tests/test_everyday_filters.py").write_text(EXTRA_TESTS)
    return root


def test_everyday_names_pass_their_own_tests_lint_and_migrations_on_sqlite(
    everyday_project: Path,
) -> None:
    verify_generated_project(everyday_project, min_tests=11 * (len(TABLES) + 1))


def test_mapped_names_keep_column_and_json_key(everyday_project: Path) -> None:
    model = (everyday_project / "app/models/entries.py").read_text()
    for name, attr in MAPPED.items():
        assert f"{attr}: Mapped[" in model and f'mapped_column("{name}"' in model
    assert "    order: Mapped[int] = mapped_column(Integer())" in model
    script = (
        "import json; from app.main import app; s = app.openapi()['components']['schemas'];"
        "print(json.dumps({k: sorted(s[k]['properties']) for k in "
        "('EntryCreate', 'EntryRead')}))"
    )
    props = json.loads(run(everyday_project, "python", "-c", script).stdout)
    for schema in ("EntryCreate", "EntryRead"):
        assert set(MAPPED) <= set(props[schema]), props[schema]
        assert not {attr for attr in MAPPED.values()} & set(props[schema])
        assert {"order", "user", "limit", "end", "payload"} <= set(props[schema])


def test_list_filters_on_page_parameter_names_are_name_eq(everyday_project: Path) -> None:
    script = (
        "import json; from app.main import app;"
        "ops = app.openapi()['paths']['/api/v1/entries']['get']['parameters'];"
        "print(json.dumps(sorted(p['name'] for p in ops)))"
    )
    params = json.loads(run(everyday_project, "python", "-c", script).stdout)
    # `include` embeds the user the entry references (?include=user_ref).
    assert params == sorted(
        ["limit", "offset", "include", "limit_eq", "sort_eq", "query", "from", "key", "user_id"]
    )


@pytest.mark.pg
def test_everyday_names_pass_their_own_tests_and_migrations_on_postgres(
    everyday_project: Path, tmp_path: Path, pg_url: str
) -> None:
    root = tmp_path / "app"
    shutil.copytree(everyday_project, root, ignore=shutil.ignore_patterns("*.db", ".pytest_cache"))
    verify_generated_project(
        root, env=db_env(pg_url), min_tests=11 * (len(TABLES) + 1), static=False
    )


def test_long_enum_values_stay_ruff_clean(project: Path) -> None:
    values = "NORMAL,FEDERAL_HOLIDAY,TRAINING_HOLIDAY,MINIMAL_MANNING,EO_CLOSURE,INAUGURATION_DAY"
    long_default = "a default long enough to need more than one line " * 3
    result = scaffold(
        "resource",
        "blocks",
        f"day_type:enum={values}:default=NORMAL",
        f"note:str=255:default={long_default.strip()}",
        "code:str=200:optional:pattern=^(?:[A-Z]{2}-[0-9]{4}|[a-z]{3}_[0-9]{6}|[A-Z][a-z]+ [0-9]+)$",
        project=project,
    )
    assert result.exit_code == 0, result.output
    run(project, "ruff", "check", ".")
    run(project, "ruff", "format", "--check", ".")
    run(project, "pytest", "-q", "-p", "no:cacheprovider", "tests/test_blocks.py")
