"""The run form's pickers search students by name or email prefix: two indexes on user

Revision ID: a3d0e1f2b4c5
Revises: f2c9d0e1a3b4
Create Date: 2026-12-03 14:00:00

name and email, each with text_pattern_ops on PostgreSQL, so that `LIKE 'Mar%'` is an index range
scan whatever the database's collation (SQLite ignores the operator class).
"""

from alembic import op

revision = "a3d0e1f2b4c5"
down_revision = "f2c9d0e1a3b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_user_name_prefix", "user", ["name"], postgresql_ops={"name": "text_pattern_ops"})
    op.create_index("ix_user_email_prefix", "user", ["email"], postgresql_ops={"email": "text_pattern_ops"})


def downgrade():
    op.drop_index("ix_user_email_prefix", table_name="user")
    op.drop_index("ix_user_name_prefix", table_name="user")
