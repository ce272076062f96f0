"""A notification keeps its translatable message and values: notification.phrase, phrase_args

Revision ID: b3d8e9f0a1c2
Revises: a9c6d7e8f0b1
Create Date: 2026-12-07 15:30:00

A student who switched to Spanish kept reading the notifications made while they read English; the
list now translates each notice when it is shown, and formats its dates in the reader's language.
Older rows keep their stored text (phrase is NULL).
"""

import sqlalchemy as sa
from alembic import op

revision = "b3d8e9f0a1c2"
down_revision = "a9c6d7e8f0b1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("notification", sa.Column("phrase", sa.Text(), nullable=True))
    op.add_column("notification", sa.Column("phrase_args", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("notification", "phrase_args")  # plain DROP COLUMN: a batch copy would rebuild its foreign keys
    op.drop_column("notification", "phrase")
