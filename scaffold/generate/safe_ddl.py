"""The PostgreSQL steps that change a table holding rows without blocking it (squawk's
rules): a foreign key or CHECK added ``NOT VALID`` and validated in a transaction of its
own, a column made NOT NULL through a validated ``CHECK (col IS NOT NULL)``.

Each function returns migration source lines for the PostgreSQL branch of a step;
``on_postgres`` joins them with the SQLite branch (a batch, as before). A migration
that commits part way (``NEXT_TRANSACTION``, ``CREATE INDEX CONCURRENTLY``) is not
atomic any more: every statement before its last transaction can run again after a
failure, so columns are added ``IF NOT EXISTS`` and a constraint is dropped ``IF
EXISTS`` right before it is added. That drop carries squawk's ignore comment in the
SQL itself (``-- squawk-ignore ban-drop-constraint``): it removes no guarantee, the
next statement puts the same one back.
"""

from __future__ import annotations

from scaffold.generate.values import literal
from scaffold.spec import naming

PG_IF = 'if op.get_context().dialect.name == "postgresql":'

# An empty autocommit block commits the migration's transaction and opens a new one.
NEXT_TRANSACTION = (
    "with op.get_context().autocommit_block():\n"
    "    pass  # commit: what follows runs in a transaction of its own"
)


def _body(lines: list[str]) -> str:
    return "\n".join("    " + line.replace("\n", "\n    ") for line in lines) or "    pass"


def on_postgres(pg: list[str], other: list[str]) -> str:
    """``pg`` on PostgreSQL, ``other`` elsewhere (SQLite), as one block."""
    text = f"{PG_IF}\n{_body(pg)}"
    return f"{text}\nelse:\n{_body(other)}" if other else text


def drop_if_exists(table: str, name: str) -> str:
    """Drop constraint ``name`` when a failed run left it (a rerun adds it again)."""
    sql = f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"'
    return f"op.execute({literal('-- squawk-ignore ban-drop-constraint' + chr(10) + sql)})"


def validate(table: str, name: str) -> str:
    sql = f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"'
    return f"op.execute({literal(sql)})"


def foreign_key(
    table: str, name: str, ref_table: str, column: str, ondelete: str | None
) -> list[str]:
    """A foreign key added ``NOT VALID`` (no scan under the lock), validated after a commit."""
    on = f", ondelete={literal(ondelete)}" if ondelete else ""
    return [
        drop_if_exists(table, name),
        f"op.create_foreign_key(op.f({literal(name)}), {literal(table)}, {literal(ref_table)}, "
        f'[{literal(column)}], ["id"]{on}, postgresql_not_valid=True)',
        NEXT_TRANSACTION,
        validate(table, name),
    ]


def check(table: str, name: str, condition: str) -> list[str]:
    """A CHECK added ``NOT VALID``, validated after a commit."""
    return [
        drop_if_exists(table, name),
        f"op.create_check_constraint(op.f({literal(name)}), {literal(table)}, {condition}, "
        "postgresql_not_valid=True)",
        NEXT_TRANSACTION,
        validate(table, name),
    ]


def not_null_name(table: str, column: str) -> str:
    return naming.ck(table, f"{column}_not_null")


def not_null_check(table: str, column: str) -> list[str]:
    """The first half of NOT NULL: ``CHECK (column IS NOT NULL) NOT VALID``."""
    name = not_null_name(table, column)
    condition = f"sa.column({literal(column)}).isnot(None)"
    return [
        drop_if_exists(table, name),
        f"op.create_check_constraint(op.f({literal(name)}), {literal(table)}, {condition}, "
        "postgresql_not_valid=True)",
    ]


def not_null_tail(table: str, columns: list[tuple[str, str]]) -> list[str]:
    """The second half, last in the migration (its final transaction): validate each
    check, ``SET NOT NULL`` (PostgreSQL skips the scan: the valid check proves it), drop
    the check. ``columns``: (name, existing SQLAlchemy type)."""
    pg = [NEXT_TRANSACTION]
    pg += [validate(table, not_null_name(table, c)) for c, _ in columns]
    for column, sa_type in columns:
        pg.append(
            f"op.alter_column({literal(table)}, {literal(column)}, existing_type={sa_type}, "
            "nullable=False)"
        )
        pg.append(drop_if_exists(table, not_null_name(table, column)))
    return pg
