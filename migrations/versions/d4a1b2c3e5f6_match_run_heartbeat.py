"""a match run's heartbeat

While a worker solves a run it writes the time into heartbeat_at every few seconds; a run still
"running" whose heartbeat is older than a minute lost its worker and is marked failed.

Revision ID: d4a1b2c3e5f6
Revises: c3f8a1d6e2b4
Create Date: 2026-12-02 14:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4a1b2c3e5f6"
down_revision = "c3f8a1d6e2b4"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode (as in b7e2c41d9a05): rebuilding match_run on SQLite would
# delete the rows that cascade from it.
def upgrade():
    op.add_column("match_run", sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("match_run", "heartbeat_at")
