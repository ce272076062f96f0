"""college liaisons, candidate reviews and deadline extensions

Revision ID: 259b3da745b9
Revises: 1a7d0d4f907f
Create Date: 2026-11-25 16:03:30.602690

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "259b3da745b9"
down_revision = "1a7d0d4f907f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "candidate_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("interviewed", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["host_company.id"], name=op.f("fk_candidate_review_host_id_host_company"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["user.id"], name=op.f("fk_candidate_review_student_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_candidate_review_updated_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_review")),
        sa.UniqueConstraint("host_id", "student_id", name=op.f("uq_candidate_review_host_id_student_id")),
    )
    with op.batch_alter_table("candidate_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_review_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidate_review_student_id"), ["student_id"], unique=False)

    op.create_table(
        "deadline_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('applications', 'ranking', 'offer')", name=op.f("ck_deadline_extension_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_deadline_extension_cycle_id_cycle"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["user.id"], name=op.f("fk_deadline_extension_granted_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_deadline_extension_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_extension")),
        sa.UniqueConstraint("cycle_id", "user_id", "kind", name=op.f("uq_deadline_extension_cycle_id_user_id_kind")),
    )
    with op.batch_alter_table("deadline_extension", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_extension_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_extension_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("college_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invitation_college_id_college"), "college", ["college_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_constraint(batch_op.f("ck_invitation_role_invitable"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_invitation_role_invitable"), "role IN ('host', 'coordinator', 'liaison')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_invitation_college_for_liaison"), "role != 'liaison' OR college_id IS NOT NULL"
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("college_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_user_college_id_college"), "college", ["college_id"], ["id"])
        batch_op.drop_constraint(batch_op.f("ck_user_role_valid"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_user_role_valid"), "role IN ('student', 'host', 'coordinator', 'liaison', 'admin')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_user_college_for_liaison"), "role != 'liaison' OR college_id IS NOT NULL"
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_college_for_liaison"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_user_role_valid"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_user_role_valid"), "role IN ('student', 'host', 'coordinator', 'admin')"
        )
        batch_op.drop_constraint(batch_op.f("fk_user_college_id_college"), type_="foreignkey")
        batch_op.drop_column("college_id")

    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_invitation_college_for_liaison"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_invitation_role_invitable"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_invitation_role_invitable"), "role IN ('host', 'coordinator')")
        batch_op.drop_constraint(batch_op.f("fk_invitation_college_id_college"), type_="foreignkey")
        batch_op.drop_column("college_id")

    with op.batch_alter_table("deadline_extension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_extension_user_id"))
        batch_op.drop_index(batch_op.f("ix_deadline_extension_cycle_id"))

    op.drop_table("deadline_extension")
    with op.batch_alter_table("candidate_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_review_student_id"))
        batch_op.drop_index(batch_op.f("ix_candidate_review_host_id"))

    op.drop_table("candidate_review")
