"""vacancy rounds: rounds 2, 3... with their own applications, host ranks and invitations; by hand is round 0

Revision ID: d0a7b8c9e1f2
Revises: c9f6a7b8d0e1
Create Date: 2026-12-03 13:00:00

Four new tables (vacancy_round, vacancy_application, vacancy_host_rank, vacancy_invitation) and
match_run.vacancy_round_id, the round a run matched. The round checks widen: a match run and a
scheduled publication may be of any round from 1, a placement of any round from 0, and a placement
made by hand moves from round 3 to round 0 (3 is now a vacancy round's number). As in b8e5f6a7c9d0,
no table is rebuilt on SQLite: the constraint's text is edited in the schema, and the new column is a
plain ADD COLUMN with its reference; PostgreSQL drops and adds the constraints.
"""

import sqlalchemy as sa
from alembic import op

revision = "d0a7b8c9e1f2"
down_revision = "c9f6a7b8d0e1"
branch_labels = None
depends_on = None

CHECKS = {  # table: (before, after)
    "match_run": ("round IN (1, 2)", "round >= 1"),
    "scheduled_publication": ("round IN (1, 2)", "round >= 1"),
    "placement": ("round IN (1, 2, 3)", "round >= 0"),
}

SQLITE_REFERENCE = (
    "vacancy_round_id INTEGER, CONSTRAINT fk_match_run_vacancy_round_id_vacancy_round "
    "FOREIGN KEY(vacancy_round_id) REFERENCES vacancy_round (id) ON DELETE SET NULL"
)


def _round_check(table: str, was: str, becomes: str) -> None:
    bind = op.get_bind()
    name = f"ck_{table}_round_valid"
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({becomes})")
        return
    _edit_schema(table, was, becomes)


def _edit_schema(table: str, was: str, becomes: str) -> None:
    """Replace `was` by `becomes` in a SQLite table's stored definition (the documented writable_schema way)."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    op.execute("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = replace(sql, :was, :becomes) WHERE type = 'table' AND name = :table"),
        {"was": was, "becomes": becomes, "table": table},
    )
    op.execute(f"PRAGMA schema_version = {version + 1}")
    op.execute("PRAGMA writable_schema = OFF")
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"), {"table": table}
    ).scalar()
    if becomes not in sql:  # the text was not where it should be: stop rather than go on without it
        raise RuntimeError(f"{table} was not changed: {sql}")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "vacancy_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime(), nullable=False),
        sa.Column("max_applications", sa.Integer(), nullable=False),
        sa.Column("include_declined", sa.Boolean(), nullable=False),
        sa.Column("offer_hours", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("opened_emails_at", sa.DateTime(), nullable=True),
        sa.Column("reminder_sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'published', 'cancelled')", name=op.f("ck_vacancy_round_status_valid")),
        sa.CheckConstraint("number >= 2", name=op.f("ck_vacancy_round_number_after_first")),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_vacancy_round_window_ordered")),
        sa.CheckConstraint(
            "max_applications >= 1 AND max_applications <= 20", name=op.f("ck_vacancy_round_max_applications_range")
        ),
        sa.CheckConstraint("offer_hours >= 1 AND offer_hours <= 720", name=op.f("ck_vacancy_round_offer_hours_range")),
        _fk("vacancy_round", "season_id", "season", "CASCADE"),
        _fk("vacancy_round", "created_by_id", "user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_round")),
        sa.UniqueConstraint("season_id", "number", name=op.f("uq_vacancy_round_season_id_number")),
    )
    op.create_index(op.f("ix_vacancy_round_season_id"), "vacancy_round", ["season_id"], unique=False)
    op.create_index(
        "uq_vacancy_round_open",
        "vacancy_round",
        ["season_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "vacancy_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_vacancy_application_rank_positive")),
        _fk("vacancy_application", "round_id", "vacancy_round", "CASCADE"),
        _fk("vacancy_application", "student_id", "user", "CASCADE"),
        _fk("vacancy_application", "position_id", "position", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_application")),
        sa.UniqueConstraint(
            "round_id",
            "student_id",
            "position_id",
            name=op.f("uq_vacancy_application_round_id_student_id_position_id"),
        ),
    )
    op.create_table(
        "vacancy_host_rank",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_vacancy_host_rank_rank_positive")),
        _fk("vacancy_host_rank", "round_id", "vacancy_round", "CASCADE"),
        _fk("vacancy_host_rank", "position_id", "position", "CASCADE"),
        _fk("vacancy_host_rank", "student_id", "user", "CASCADE"),
        _fk("vacancy_host_rank", "updated_by_id", "user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_host_rank")),
        sa.UniqueConstraint(
            "round_id", "position_id", "student_id", name=op.f("uq_vacancy_host_rank_round_id_position_id_student_id")
        ),
    )
    op.create_table(
        "vacancy_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("vacancy_invitation", "round_id", "vacancy_round", "CASCADE"),
        _fk("vacancy_invitation", "position_id", "position", "CASCADE"),
        _fk("vacancy_invitation", "student_id", "user", "CASCADE"),
        _fk("vacancy_invitation", "invited_by_id", "user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_invitation")),
        sa.UniqueConstraint(
            "round_id", "position_id", "student_id", name=op.f("uq_vacancy_invitation_round_id_position_id_student_id")
        ),
    )
    for table in ("vacancy_application", "vacancy_host_rank", "vacancy_invitation"):
        for column in ("round_id", "position_id", "student_id"):
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)
    for table in ("vacancy_application", "vacancy_host_rank"):
        op.create_index(f"ix_{table}_round_position", table, ["round_id", "position_id"], unique=False)

    fk = "fk_match_run_vacancy_round_id_vacancy_round"
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("match_run", sa.Column("vacancy_round_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, "match_run", "vacancy_round", ["vacancy_round_id"], ["id"], ondelete="SET NULL")
    else:  # SQLite adds the column with its reference in place, then the reference is written as a named
        # table constraint (the form SQLite's reflection reads back by name); no table rebuild
        inline = f"vacancy_round_id INTEGER CONSTRAINT {fk} REFERENCES vacancy_round (id) ON DELETE SET NULL"
        op.execute(f"ALTER TABLE match_run ADD COLUMN {inline}")
        _edit_schema("match_run", inline, SQLITE_REFERENCE)
    op.create_index(op.f("ix_match_run_vacancy_round_id"), "match_run", ["vacancy_round_id"], unique=False)

    for table, (was, becomes) in CHECKS.items():
        _round_check(table, was, becomes)
    op.execute("UPDATE placement SET round = 0 WHERE round = 3")  # placed by hand


def downgrade():
    op.execute("UPDATE placement SET round = 3 WHERE round = 0")
    # rounds after 2 cannot be told in the old schema: their runs and placements count as round 2
    op.execute("UPDATE placement SET round = 2 WHERE round > 3")
    op.execute("DELETE FROM scheduled_publication WHERE round > 2")
    op.execute("UPDATE match_run SET round = 2 WHERE round > 2")
    for table, (was, becomes) in CHECKS.items():
        _round_check(table, becomes, was)
    op.drop_index(op.f("ix_match_run_vacancy_round_id"), table_name="match_run")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_match_run_vacancy_round_id_vacancy_round", "match_run", type_="foreignkey")
        op.drop_column("match_run", "vacancy_round_id")
    else:  # SQLite drops no column a reference names: the reference goes first, then the plain column
        _edit_schema("match_run", SQLITE_REFERENCE, "vacancy_round_id INTEGER")
        op.execute("ALTER TABLE match_run DROP COLUMN vacancy_round_id")
    for table in ("vacancy_application", "vacancy_host_rank"):
        op.drop_index(f"ix_{table}_round_position", table_name=table)
    for table in ("vacancy_invitation", "vacancy_host_rank", "vacancy_application"):
        for column in ("student_id", "position_id", "round_id"):
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
    op.drop_index("uq_vacancy_round_open", table_name="vacancy_round")
    op.drop_index(op.f("ix_vacancy_round_season_id"), table_name="vacancy_round")
    op.drop_table("vacancy_round")
