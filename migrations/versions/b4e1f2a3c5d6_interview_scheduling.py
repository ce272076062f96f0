"""interview scheduling: slots per position, invitations that book one slot, .ics emails, calendar feeds

Revision ID: b4e1f2a3c5d6
Revises: a3d0e1f2b4c5
Create Date: 2026-12-03 16:00:00

New tables interview_slot and interview (unique slot_id: a slot holds one student). Plain ADD COLUMNs
(no table rebuild on SQLite): position.interview_cutoff_hours (24), user.calendar_key (1, the private
feed link's version) and outbox_email.attachment_name / attachment (one optional text attachment).
"""

import sqlalchemy as sa
from alembic import op

revision = "b4e1f2a3c5d6"
down_revision = "a3d0e1f2b4c5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "interview_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("interviewer", sa.String(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("format IN ('onsite', 'video', 'phone')", name=op.f("ck_interview_slot_format_valid")),
        sa.CheckConstraint("minutes BETWEEN 10 AND 240", name=op.f("ck_interview_slot_minutes_range")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_interview_slot_created_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["position_id"], ["position.id"], name=op.f("fk_interview_slot_position_id_position"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_slot")),
    )
    with op.batch_alter_table("interview_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_slot_position_id"), ["position_id"], unique=False)

    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('invited', 'booked', 'done', 'no_show', 'cancelled', 'declined')",
            name=op.f("ck_interview_status_valid"),
        ),
        sa.CheckConstraint(
            "(slot_id IS NULL) = (status IN ('invited', 'cancelled', 'declined'))",
            name=op.f("ck_interview_slot_matches_status"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["user.id"], name=op.f("fk_interview_invited_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["position_id"], ["position.id"], name=op.f("fk_interview_position_id_position"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["interview_slot.id"], name=op.f("fk_interview_slot_id_interview_slot"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["user.id"], name=op.f("fk_interview_student_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint("position_id", "student_id", name=op.f("uq_interview_position_id_student_id")),
        sa.UniqueConstraint("slot_id", name=op.f("uq_interview_slot_id")),
    )
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_position_id"), ["position_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interview_student_id"), ["student_id"], unique=False)

    op.add_column("position", sa.Column("interview_cutoff_hours", sa.Integer(), server_default="24", nullable=False))
    op.add_column("user", sa.Column("calendar_key", sa.Integer(), server_default="1", nullable=False))
    op.add_column("outbox_email", sa.Column("attachment_name", sa.String(length=120), nullable=True))
    op.add_column("outbox_email", sa.Column("attachment", sa.Text(), nullable=True))


def downgrade():
    # plain DROP COLUMNs (SQLite 3.35+): rebuilding position or user on SQLite would empty the
    # tables that cascade from them
    op.drop_column("outbox_email", "attachment")
    op.drop_column("outbox_email", "attachment_name")
    op.drop_column("user", "calendar_key")
    op.drop_column("position", "interview_cutoff_hours")
    op.drop_table("interview")
    op.drop_table("interview_slot")
