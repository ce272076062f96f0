"""Each person's language: user.locale ("en" or "es"), empty until they pick one with the switch

Revision ID: e7b4c5d6f8a9
Revises: c5f2a3b4d6e7
Create Date: 2026-12-03 16:00:00

Pages follow the saved choice, else the browser's languages; emails to the person use it.
"""

import sqlalchemy as sa
from alembic import op

revision = "e7b4c5d6f8a9"
down_revision = "c5f2a3b4d6e7"
branch_labels = None
depends_on = None


def upgrade():  # plain ALTER TABLE on both databases: no copy of the user table (SQLite's batch mode
    # would drop and recreate it, and its foreign keys would take the rows that refer to it along)
    op.add_column("user", sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade():
    op.drop_column("user", "locale")
