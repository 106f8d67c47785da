"""SC603, unsafe DDL in migrations (scaffold/checks/_unsafe_ddl.py), on small sources."""

from __future__ import annotations

import ast
import textwrap

from scaffold.checks._unsafe_ddl import unsafe_ddl


def _codes(body: str) -> list[tuple[int, str]]:
    source = "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade() -> None:\n"
    source += textwrap.indent(textwrap.dedent(body), "    ")
    source += "\n\ndef downgrade() -> None:\n    op.create_index('ix_d', 'rooms', ['a'])\n"
    return [(f.line, f.message.split(":")[0]) for f in unsafe_ddl(ast.parse(source), "v/x.py")]


def test_plain_index_fk_and_not_null_column_on_an_existing_table_are_flagged() -> None:
    found = _codes(
        """
        op.create_index(op.f("ix_rooms_a"), "rooms", ["a"])
        with op.batch_alter_table("rooms") as batch_op:
            batch_op.create_foreign_key("fk", "sites", ["site_id"], ["id"])
            batch_op.add_column(sa.Column("b", sa.Integer(), nullable=False))
        op.execute("CREATE UNIQUE INDEX ix_c ON rooms (c)")
        op.execute('ALTER TABLE rooms ADD CONSTRAINT fk2 FOREIGN KEY (s) REFERENCES sites (id)')
        """
    )
    assert found == [
        (7, "index built without CONCURRENTLY on rooms"),
        (9, "foreign key added without NOT VALID on rooms"),
        (10, "column added NOT NULL without a server_default on rooms"),
        (11, "CREATE INDEX without CONCURRENTLY in op.execute"),
        (12, "FOREIGN KEY without NOT VALID in op.execute"),
    ]


def test_safe_forms_new_tables_and_the_non_postgres_branch_are_not_flagged() -> None:
    found = _codes(
        """
        op.create_table("sites", sa.Column("id", sa.Integer(), nullable=False))
        op.create_index(op.f("ix_sites_id"), "sites", ["id"])
        op.add_column("rooms", sa.Column("n", sa.Integer(), nullable=False, server_default="0"))
        if op.get_context().dialect.name == "postgresql":
            with op.get_context().autocommit_block():
                op.create_index("ix_a", "rooms", ["a"], postgresql_concurrently=True)
            op.create_foreign_key("fk", "rooms", "sites", ["s"], ["id"], postgresql_not_valid=True)
            op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_b ON rooms (b)")
        else:
            with op.batch_alter_table("rooms") as batch_op:
                batch_op.create_foreign_key("fk", "sites", ["s"], ["id"])
            op.create_index("ix_a", "rooms", ["a"])
        """
    )
    assert found == []


def test_a_branch_that_never_runs_on_postgres_is_skipped_and_one_that_may_is_read() -> None:
    found = _codes(
        """
        if op.get_context().dialect.name == "sqlite":
            op.create_index("ix_a", "rooms", ["a"])
        if not op.get_context().as_sql:
            op.create_index("ix_b", "rooms", ["b"])
        """
    )
    assert found == [(10, "index built without CONCURRENTLY on rooms")]
