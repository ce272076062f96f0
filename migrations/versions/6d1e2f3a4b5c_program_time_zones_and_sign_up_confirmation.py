"""program time zones and sign-up confirmation

Each program gets the time zone its people read and type dates in (existing programs:
America/New_York, where every date so far was meant). Each account records when its email was
confirmed; existing accounts count as confirmed when they were created.

Revision ID: 6d1e2f3a4b5c
Revises: 4ccb394ee13f
Create Date: 2026-12-02 01:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6d1e2f3a4b5c"
down_revision = "4ccb394ee13f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="America/New_York")
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
    op.execute(sa.text('UPDATE "user" SET email_confirmed_at = created_at'))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35 and later have it): batch mode would copy and drop the program
    # table, and with foreign keys on, dropping it cascades to every season of the program.
    op.drop_column("user", "email_confirmed_at")
    op.drop_column("program", "time_zone")
