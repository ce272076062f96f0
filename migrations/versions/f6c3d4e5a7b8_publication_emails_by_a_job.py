"""the emails of a publication are written by a job

Publishing a run now commits the offers alone and marks its emails due; a job writes them into the
outbox afterwards and records when (so a publication of 5,000 students returns at once, and its
emails are written exactly once even when the job is queued twice or lost).

Revision ID: f6c3d4e5a7b8
Revises: e5b2c3d4f6a7
Create Date: 2026-12-02 17:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f6c3d4e5a7b8"
down_revision = "e5b2c3d4f6a7"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode (as in d4a1b2c3e5f6): rebuilding match_run on SQLite would
# delete the rows that cascade from it.
def upgrade():
    op.add_column("match_run", sa.Column("emails_due_at", sa.DateTime(), nullable=True))
    op.add_column("match_run", sa.Column("emails_queued_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("match_run", "emails_queued_at")
    op.drop_column("match_run", "emails_due_at")
