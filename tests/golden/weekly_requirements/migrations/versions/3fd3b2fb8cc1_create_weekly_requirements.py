"""create weekly_requirements

Revision ID: 3fd3b2fb8cc1
Revises: 6c2e0924477e
"""

import sqlalchemy as sa
from alembic import op

revision = "3fd3b2fb8cc1"
down_revision = "6c2e0924477e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_requirements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("resident_id", sa.BigInteger(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("min_hours", sa.Integer(), nullable=False),
        sa.Column("max_hours", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            sa.column("min_hours") >= 0, name=op.f("ck_weekly_requirements_min_hours_range")
        ),
        sa.CheckConstraint(
            sa.column("max_hours") <= 80, name=op.f("ck_weekly_requirements_max_hours_range")
        ),
        sa.CheckConstraint(
            sa.column("min_hours") <= sa.column("max_hours"),
            name=op.f("ck_weekly_requirements_min_hours_le_max_hours"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_weekly_requirements_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_requirements")),
        sa.UniqueConstraint(
            "resident_id", "week_start", name=op.f("uq_weekly_requirements_resident_id_week_start")
        ),
    )


def downgrade() -> None:
    op.drop_table("weekly_requirements")
