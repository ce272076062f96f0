"""In-app notifications, email choices per kind, and coordinators' bulk messages: three tables

Revision ID: d6a3b4c5e7f8
Revises: e7b4c5d6f8a9
Create Date: 2026-12-03 16:00:00

notification holds what needs a person (read_at once read; emailed_at or digest_due for its email),
notification_preference each person's "now / digest / off" per kind (no row: now), and bulk_message a
coordinator's message to a segment, its token making a second post of the same form send nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "d6a3b4c5e7f8"
down_revision = "e7b4c5d6f8a9"
branch_labels = None
depends_on = None

KINDS = "'interview', 'message', 'deadline', 'not_certified', 'offer', 'offer_deadline', 'vacancy_round', 'bulk'"


def upgrade():
    op.create_table(
        "bulk_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("segment", sa.String(length=30), nullable=False),
        sa.Column("college_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["college_id"], ["college.id"], name=op.f("fk_bulk_message_college_id_college"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_bulk_message_program_id_program"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["season_id"], ["season.id"], name=op.f("fk_bulk_message_season_id_season"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["user.id"], name=op.f("fk_bulk_message_sender_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_message")),
        sa.UniqueConstraint("token", name=op.f("uq_bulk_message_token")),
    )
    op.create_index(op.f("ix_bulk_message_program_id"), "bulk_message", ["program_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("season_id", sa.Integer(), nullable=True),
        sa.Column("bulk_message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("once_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("emailed_at", sa.DateTime(), nullable=True),
        sa.Column("digest_due", sa.Boolean(), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_notification_kind_valid")),
        sa.ForeignKeyConstraint(
            ["bulk_message_id"],
            ["bulk_message.id"],
            name=op.f("fk_notification_bulk_message_id_bulk_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_notification_program_id_program"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["season_id"], ["season.id"], name=op.f("fk_notification_season_id_season"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("user_id", "once_key", name=op.f("uq_notification_user_id_once_key")),
    )
    op.create_index("ix_notification_user_created", "notification", ["user_id", "created_at"])
    op.create_index("ix_notification_digest_due", "notification", ["digest_due", "user_id"])
    op.create_index(op.f("ix_notification_program_id"), "notification", ["program_id"])
    op.create_index(op.f("ix_notification_bulk_message_id"), "notification", ["bulk_message_id"])
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.CheckConstraint("choice IN ('now', 'digest', 'off')", name=op.f("ck_notification_preference_choice_valid")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_preference_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_preference_user_id_kind")),
    )


def downgrade():
    op.drop_table("notification_preference")
    op.drop_index(op.f("ix_notification_bulk_message_id"), table_name="notification")
    op.drop_index(op.f("ix_notification_program_id"), table_name="notification")
    op.drop_index("ix_notification_digest_due", table_name="notification")
    op.drop_index("ix_notification_user_created", table_name="notification")
    op.drop_table("notification")
    op.drop_index(op.f("ix_bulk_message_program_id"), table_name="bulk_message")
    op.drop_table("bulk_message")
