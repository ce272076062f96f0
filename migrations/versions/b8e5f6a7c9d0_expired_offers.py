"""expired offers: a placement status "expired" and each season's choice of what an unanswered offer becomes

Revision ID: b8e5f6a7c9d0
Revises: a7d4e5f6b8c9
Create Date: 2026-12-02 18:10:00

season.expired_offers is "wait" (the offer stays pending: nothing changes for existing seasons) or
"decline" (the every-five-minutes job marks an offer unanswered at its deadline "expired").
The placement status CHECK constraint gains "expired". Neither table is rebuilt on SQLite (as in
d4a1b2c3e5f6: rebuilding season would delete the rows that cascade from it): the column is a plain
ALTER TABLE, and the constraint's text is edited in the schema, the documented way, as c3f8a1d6e2b4
renames constraints; widening an IN list leaves every existing row valid. PostgreSQL drops and adds
the constraint. Going down, expired placements become declined first (what they counted as).
"""

import sqlalchemy as sa
from alembic import op

revision = "b8e5f6a7c9d0"
down_revision = "a7d4e5f6b8c9"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_placement_status_valid"
BEFORE = "status IN ('offered', 'accepted', 'declined', 'withdrawn', 'completed')"
AFTER = "status IN ('offered', 'accepted', 'declined', 'withdrawn', 'completed', 'expired')"


def _status_check(was: str, becomes: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE placement DROP CONSTRAINT {CONSTRAINT}")
        op.execute(f"ALTER TABLE placement ADD CONSTRAINT {CONSTRAINT} CHECK ({becomes})")
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    op.execute("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :was, :becomes) WHERE type = 'table' AND name = 'placement'"
        ),
        {"was": was, "becomes": becomes},
    )
    op.execute(f"PRAGMA schema_version = {version + 1}")
    op.execute("PRAGMA writable_schema = OFF")
    table = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'placement'").scalar()
    if becomes not in table:  # the constraint was not where it should be: stop rather than go on without it
        raise RuntimeError(f"placement's status check was not changed: {table}")


def upgrade():
    op.add_column("season", sa.Column("expired_offers", sa.String(length=10), server_default="wait", nullable=False))
    _status_check(BEFORE, AFTER)


def downgrade():
    op.execute("UPDATE placement SET status = 'declined' WHERE status = 'expired'")
    _status_check(AFTER, BEFORE)
    op.drop_column("season", "expired_offers")
