"""The pickers' name search uses its index: ix_user_name_prefix on lower(name)

Revision ID: c4e9f0a1b2d3
Revises: b3d8e9f0a1c2
Create Date: 2026-12-08 00:45:00

`run_reports.pick` compares lower(name) with what was typed; the index on the name as written was
never chosen for it (PostgreSQL scanned every user). The new one is on lower(name), with
text_pattern_ops on PostgreSQL so that `LIKE 'mar%'` is an index range scan.
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e9f0a1b2d3"
down_revision = "b3d8e9f0a1c2"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_user_name_prefix", table_name="user")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_user_name_prefix", "user", [sa.text("lower(name) text_pattern_ops")])
    else:
        op.create_index("ix_user_name_prefix", "user", [sa.text("lower(name)")])


def downgrade():
    op.drop_index("ix_user_name_prefix", table_name="user")
    op.create_index("ix_user_name_prefix", "user", ["name"], postgresql_ops={"name": "text_pattern_ops"})
