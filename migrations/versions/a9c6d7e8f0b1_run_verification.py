"""The independent check of a run's result, kept on the run when it finishes: match_run.verification

Revision ID: a9c6d7e8f0b1
Revises: d6a3b4c5e7f8
Create Date: 2026-12-04 20:15:00

At 50,000 students checking a result again meant parsing the 12 MB snapshot inside the verify
page's request (about 2 s); the run's job now does it once, and the page reads what it found.
"""

import sqlalchemy as sa
from alembic import op

revision = "a9c6d7e8f0b1"
down_revision = "d6a3b4c5e7f8"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("match_run", sa.Column("verification", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("match_run", "verification")  # plain DROP COLUMN: a batch copy would rebuild its foreign keys
