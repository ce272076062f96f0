"""CSV imports as background jobs: the validated upload kept on the server, with its progress

Revision ID: f2c9d0e1a3b4
Revises: e1b8c9d0f2a3
Create Date: 2026-12-03 13:00:00

A new table import_job: one row per previewed upload (its bytes, kind, season and coordinator),
confirmed into queued, then running, done or failed, with the rows done so far and the counts.
The confirmation form posts the row's signed id instead of the whole file.
"""

import sqlalchemy as sa
from alembic import op

revision = "f2c9d0e1a3b4"
down_revision = "e1b8c9d0f2a3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('previewed', 'queued', 'running', 'done', 'failed')", name=op.f("ck_import_job_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_import_job_program_id_program"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_import_job_actor_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["season_id"], ["season.id"], name=op.f("fk_import_job_season_id_season"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
        sa.UniqueConstraint("digest", name=op.f("uq_import_job_digest")),
    )
    with op.batch_alter_table("import_job") as batch_op:
        batch_op.create_index(batch_op.f("ix_import_job_program_id"), ["program_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_job_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index("ix_import_job_status", ["status", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("import_job") as batch_op:
        batch_op.drop_index("ix_import_job_status")
        batch_op.drop_index(batch_op.f("ix_import_job_actor_id"))
        batch_op.drop_index(batch_op.f("ix_import_job_program_id"))
    op.drop_table("import_job")
