"""Messages between a host's team and an applicant: threads, messages and each participant's read mark

Revision ID: c5f2a3b4d6e7
Revises: b4e1f2a3c5d6
Create Date: 2026-12-03 16:00:00

One thread per application to a position (position_interest), its plain-text messages (with the time
the batched email job handled each), and how far each participant has read each thread.
"""

import sqlalchemy as sa
from alembic import op

revision = "c5f2a3b4d6e7"
down_revision = "b4e1f2a3c5d6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interest_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user.id"], name=op.f("fk_message_thread_closed_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["interest_id"],
            ["position_interest.id"],
            name=op.f("fk_message_thread_interest_id_position_interest"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_message_thread_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_thread")),
    )
    op.create_index(op.f("ix_message_thread_interest_id"), "message_thread", ["interest_id"], unique=True)
    op.create_index(op.f("ix_message_thread_program_id"), "message_thread", ["program_id"], unique=False)
    op.create_index(op.f("ix_message_thread_last_message_at"), "message_thread", ["last_message_at"], unique=False)
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_host", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_message_author_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["message_thread.id"], name=op.f("fk_message_thread_id_message_thread"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    op.create_index(op.f("ix_message_thread_id"), "message", ["thread_id"], unique=False)
    op.create_index(op.f("ix_message_author_id"), "message", ["author_id"], unique=False)
    op.create_index(op.f("ix_message_created_at"), "message", ["created_at"], unique=False)
    op.create_index(op.f("ix_message_notified_at"), "message", ["notified_at"], unique=False)
    op.create_table(
        "thread_read",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_read_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_thread.id"],
            name=op.f("fk_thread_read_thread_id_message_thread"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_thread_read_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_thread_read")),
    )
    op.create_index(op.f("ix_thread_read_user_id"), "thread_read", ["user_id"], unique=False)


def downgrade():
    op.drop_table("thread_read")
    op.drop_table("message")
    op.drop_table("message_thread")
