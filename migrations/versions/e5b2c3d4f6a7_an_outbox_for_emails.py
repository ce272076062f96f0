"""an outbox for emails: every message is a row, sent by background jobs

Revision ID: e5b2c3d4f6a7
Revises: d4a1b2c3e5f6
Create Date: 2026-12-02 14:30:00

Each email is written in the same transaction as the work it reports, with its text already
rendered, and background jobs send the pending ones (with retries) and mark them sent or failed.
"""

import sqlalchemy as sa
from alembic import op

revision = "e5b2c3d4f6a7"
down_revision = "d4a1b2c3e5f6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name=op.f("ck_outbox_email_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_outbox_email_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_email")),
    )
    op.create_index("ix_outbox_email_due", "outbox_email", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_outbox_email_program_id"), "outbox_email", ["program_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_outbox_email_program_id"), table_name="outbox_email")
    op.drop_index("ix_outbox_email_due", table_name="outbox_email")
    op.drop_table("outbox_email")
