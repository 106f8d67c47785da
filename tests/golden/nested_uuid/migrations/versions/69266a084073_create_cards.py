"""create cards

Revision ID: 69266a084073
Revises: 233e121e1488
"""

import sqlalchemy as sa
from alembic import op

revision = "69266a084073"
down_revision = "233e121e1488"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=5), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            sa.column("status").in_(["todo", "doing", "done"]), name=op.f("ck_cards_status_enum")
        ),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name=op.f("fk_cards_board_id_boards")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
    )
    op.create_index(op.f("ix_cards_board_id"), "cards", ["board_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_cards_board_id"), table_name="cards")
    op.drop_table("cards")
