"""student outcomes: what became of each intern (hired, return offer, back next summer...), recorded

Revision ID: c9f6a7b8d0e1
Revises: b8e5f6a7c9d0
Create Date: 2026-12-02 18:40:00

A new table student_outcome, one row per student, season of the internship and kind, written by a
coordinator's or a host's form, a CSV import, or derived ("returned next summer") from a later
season's placements. placement.outcome stays as it is (nothing reads it for the figures any more).
"""

import sqlalchemy as sa
from alembic import op

revision = "c9f6a7b8d0e1"
down_revision = "b8e5f6a7c9d0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "student_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("hourly_wage", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('hired_by_host', 'return_offer', 'returned_next_summer', 'hired_in_sector',"
            " 'continuing_education')",
            name=op.f("ck_student_outcome_kind_valid"),
        ),
        sa.CheckConstraint("source IN ('form', 'csv', 'derived')", name=op.f("ck_student_outcome_source_valid")),
        sa.CheckConstraint(
            "hourly_wage IS NULL OR hourly_wage >= 0", name=op.f("ck_student_outcome_hourly_wage_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_student_outcome_program_id_program"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["user.id"], name=op.f("fk_student_outcome_student_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["season_id"], ["season.id"], name=op.f("fk_student_outcome_season_id_season"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placement.id"],
            name=op.f("fk_student_outcome_placement_id_placement"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_student_outcome_recorded_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_outcome")),
        sa.UniqueConstraint(
            "student_id", "season_id", "kind", name=op.f("uq_student_outcome_student_id_season_id_kind")
        ),
    )
    for column in ("program_id", "student_id", "season_id", "placement_id"):
        op.create_index(op.f(f"ix_student_outcome_{column}"), "student_outcome", [column], unique=False)


def downgrade():
    for column in ("placement_id", "season_id", "student_id", "program_id"):
        op.drop_index(op.f(f"ix_student_outcome_{column}"), table_name="student_outcome")
    op.drop_table("student_outcome")
