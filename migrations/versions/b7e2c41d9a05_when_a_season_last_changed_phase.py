"""when a season last changed phase

A season remembers when its phase last moved (a coordinator's move or a publication), so pages can
say since when an action of the earlier phase is closed.

Revision ID: b7e2c41d9a05
Revises: 8e51c7a2d0f3
Create Date: 2026-12-02 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2c41d9a05"
down_revision = "8e51c7a2d0f3"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: rebuilding "cycle" on SQLite (with foreign keys on) would delete
# every row that cascades from it. SQLite has dropped columns with ALTER TABLE since 3.35.
def upgrade():
    op.add_column("cycle", sa.Column("phase_changed_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("cycle", "phase_changed_at")
