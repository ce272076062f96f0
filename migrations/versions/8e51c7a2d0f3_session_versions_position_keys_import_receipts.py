"""session versions, position keys, import receipts

Every user gets a session version (part of each session and remember cookie; bumping it logs the
user out everywhere). A position is identified by its host, season and title: existing duplicates
get " (2)", " (3)"... added to their title before the unique constraint is made. Confirmed CSV
imports leave a receipt keyed by the digest of their signed preview, so a preview imports once.

Revision ID: 8e51c7a2d0f3
Revises: 6d1e2f3a4b5c
Create Date: 2026-12-02 02:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8e51c7a2d0f3"
down_revision = "6d1e2f3a4b5c"
branch_labels = None
depends_on = None

POSITIONS = sa.table(
    "position",
    sa.column("id", sa.Integer),
    sa.column("host_id", sa.Integer),
    sa.column("cycle_id", sa.Integer),
    sa.column("title", sa.String),
)


def _number_duplicate_titles(connection) -> None:
    seen: set[tuple[int, int, str]] = set()
    rows = connection.execute(
        sa.select(POSITIONS.c.id, POSITIONS.c.host_id, POSITIONS.c.cycle_id, POSITIONS.c.title).order_by(POSITIONS.c.id)
    ).all()
    taken = {(row.host_id, row.cycle_id, row.title) for row in rows}
    for row in rows:
        key = (row.host_id, row.cycle_id, row.title)
        if key not in seen:
            seen.add(key)
            continue
        n = 2
        while (row.host_id, row.cycle_id, f"{row.title[:150]} ({n})") in taken:
            n += 1
        title = f"{row.title[:150]} ({n})"
        taken.add((row.host_id, row.cycle_id, title))
        seen.add((row.host_id, row.cycle_id, title))
        connection.execute(POSITIONS.update().where(POSITIONS.c.id == row.id).values(title=title))


def upgrade():
    op.create_table(
        "import_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_import_receipt_actor_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_import_receipt_program_id_program"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_receipt")),
        sa.UniqueConstraint("digest", name=op.f("uq_import_receipt_digest")),
    )
    with op.batch_alter_table("import_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_receipt_program_id"), ["program_id"], unique=False)

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))

    _number_duplicate_titles(op.get_bind())
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_position_host_id_cycle_id_title"), ["host_id", "cycle_id", "title"]
        )


def downgrade():
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_position_host_id_cycle_id_title"), type_="unique")

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")

    with op.batch_alter_table("import_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_receipt_program_id"))

    op.drop_table("import_receipt")
