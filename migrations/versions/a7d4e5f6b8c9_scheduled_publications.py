"""scheduled publications: "publish run #12 at Mar 20, 10:00 AM", done by the every-minute job

Revision ID: a7d4e5f6b8c9
Revises: f6c3d4e5a7b8
Create Date: 2026-12-02 17:30:00

A coordinator may ask for a finished run to be published at a later time; the scheduling worker's
every-minute job publishes it then, or marks it failed with the reason. At most one publication per
season and round waits at a time (a partial unique index, as for the published runs).
"""

import sqlalchemy as sa
from alembic import op

revision = "a7d4e5f6b8c9"
down_revision = "f6c3d4e5a7b8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduled_publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("publish_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("unstable_ok", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('scheduled', 'published', 'cancelled', 'failed')",
            name=op.f("ck_scheduled_publication_status_valid"),
        ),
        sa.CheckConstraint("round IN (1, 2)", name=op.f("ck_scheduled_publication_round_valid")),
        sa.ForeignKeyConstraint(
            ["season_id"], ["season.id"], name=op.f("fk_scheduled_publication_season_id_season"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_run.id"], name=op.f("fk_scheduled_publication_run_id_match_run"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_scheduled_publication_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["user.id"],
            name=op.f("fk_scheduled_publication_cancelled_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_publication")),
    )
    op.create_index(op.f("ix_scheduled_publication_season_id"), "scheduled_publication", ["season_id"], unique=False)
    op.create_index(op.f("ix_scheduled_publication_run_id"), "scheduled_publication", ["run_id"], unique=False)
    op.create_index("ix_scheduled_publication_due", "scheduled_publication", ["status", "publish_at"], unique=False)
    op.create_index(
        "uq_scheduled_publication_waiting",
        "scheduled_publication",
        ["season_id", "round"],
        unique=True,
        sqlite_where=sa.text("status = 'scheduled'"),
        postgresql_where=sa.text("status = 'scheduled'"),
    )


def downgrade():
    op.drop_index("uq_scheduled_publication_waiting", table_name="scheduled_publication")
    op.drop_index("ix_scheduled_publication_due", table_name="scheduled_publication")
    op.drop_index(op.f("ix_scheduled_publication_run_id"), table_name="scheduled_publication")
    op.drop_index(op.f("ix_scheduled_publication_season_id"), table_name="scheduled_publication")
    op.drop_table("scheduled_publication")
