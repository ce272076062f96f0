"""the summer: a placement starts and completes or ends early; check-ins, evaluations and surveys

Revision ID: e1b8c9d0f2a3
Revises: d0a7b8c9e1f2
Create Date: 2026-12-03 13:00:00

placement gains the summer's dates (started_on, ended_on), hours_worked, why it ended early
(end_reason, end_detail) and who confirmed the start and the end. Its status check gains "started"
and "ended_early", and a started placement is live: the partial unique index "one live placement
per student and season" is rebuilt with it. As in b8e5f6a7c9d0, placement is not rebuilt on
SQLite (rebuilding it would empty the tables that cascade from it): the columns are plain ALTER
TABLE ADD COLUMN with their own named constraints, and the status check's text is edited in the
schema. New tables: check_in, intern_evaluation (+ evaluation_skill), intern_survey, summer_email.
Going down, started placements become accepted and ended-early ones completed (what they were before).
"""

import sqlalchemy as sa
from alembic import op

revision = "e1b8c9d0f2a3"
down_revision = "d0a7b8c9e1f2"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_placement_status_valid"
BEFORE = "status IN ('offered', 'accepted', 'declined', 'withdrawn', 'completed', 'expired')"
AFTER = "status IN ('offered', 'accepted', 'declined', 'withdrawn', 'completed', 'expired', 'started', 'ended_early')"
LIVE_BEFORE = "status IN ('offered', 'accepted', 'completed')"
LIVE_AFTER = "status IN ('offered', 'accepted', 'started', 'completed')"
HOURS_CHECK = "hours_worked IS NULL OR hours_worked >= 0"
COLUMNS = (
    ("started_on", "DATE", sa.Date()),
    ("ended_on", "DATE", sa.Date()),
    ("end_reason", "VARCHAR(20) DEFAULT '' NOT NULL", sa.String(length=20)),
    ("end_detail", "VARCHAR(300) DEFAULT '' NOT NULL", sa.String(length=300)),
)
CONFIRMERS = ("start_confirmed_by_id", "end_confirmed_by_id")


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


def _live_index(where: str) -> None:
    op.drop_index("uq_placement_active", table_name="placement")
    op.create_index(
        "uq_placement_active",
        "placement",
        ["season_id", "student_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def _add_placement_columns() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, kind in COLUMNS:
            default = {"server_default": ""} if isinstance(kind, sa.String) else {}
            op.add_column("placement", sa.Column(name, kind, nullable=not default, **default))
        op.add_column("placement", sa.Column("hours_worked", sa.Integer(), nullable=True))
        op.create_check_constraint(op.f("ck_placement_hours_worked_not_negative"), "placement", HOURS_CHECK)
        for name in CONFIRMERS:
            op.add_column("placement", sa.Column(name, sa.Integer(), nullable=True))
            op.create_foreign_key(
                op.f(f"fk_placement_{name}_user"), "placement", "user", [name], ["id"], ondelete="SET NULL"
            )
        return
    # SQLite: plain ADD COLUMNs, then their foreign keys appended to the table's text (the new columns
    # are all NULL, so no row can break them): SQLAlchemy reads table-level constraints by name only.
    for name, sql, _ in COLUMNS:
        op.execute(f"ALTER TABLE placement ADD COLUMN {name} {sql}")
    op.execute(
        "ALTER TABLE placement ADD COLUMN hours_worked INTEGER"
        f" CONSTRAINT ck_placement_hours_worked_not_negative CHECK ({HOURS_CHECK})"
    )
    for name in CONFIRMERS:
        op.execute(f"ALTER TABLE placement ADD COLUMN {name} INTEGER")
    bind = op.get_bind()
    table = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'placement'").scalar()
    table = table.rstrip()
    if not table.endswith(")"):
        raise RuntimeError(f"placement's schema does not end as expected: {table}")
    keys = "".join(
        f", CONSTRAINT fk_placement_{name}_user FOREIGN KEY({name}) REFERENCES user (id) ON DELETE SET NULL"
        for name in CONFIRMERS
    )
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    op.execute("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'placement'"),
        {"sql": table[:-1].rstrip() + keys + ")"},
    )
    op.execute(f"PRAGMA schema_version = {version + 1}")
    op.execute("PRAGMA writable_schema = OFF")


def _drop_sqlite_confirmer_keys() -> None:
    bind = op.get_bind()
    table = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'placement'").scalar()
    for name in CONFIRMERS:
        table = table.replace(
            f", CONSTRAINT fk_placement_{name}_user FOREIGN KEY({name}) REFERENCES user (id) ON DELETE SET NULL", ""
        )
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    op.execute("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'placement'"), {"sql": table}
    )
    op.execute(f"PRAGMA schema_version = {version + 1}")
    op.execute("PRAGMA writable_schema = OFF")


def _placement_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["placement.id"], name=op.f(f"fk_{table}_{column}_placement"), ondelete="CASCADE"
    )


def _user_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["user.id"], name=op.f(f"fk_{table}_{column}_user"), ondelete="SET NULL")


def _one_to_five(column: str, table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} BETWEEN 1 AND 5", name=op.f(f"ck_{table}_{column}_one_to_five"))


def upgrade():
    _add_placement_columns()
    _status_check(BEFORE, AFTER)
    _live_index(LIVE_AFTER)
    op.create_table(
        "check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("going", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("wants_call", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("side IN ('student', 'host')", name=op.f("ck_check_in_side_valid")),
        _one_to_five("going", "check_in"),
        _placement_fk("placement_id", "check_in"),
        _user_fk("author_id", "check_in"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_in")),
        sa.UniqueConstraint("placement_id", "side", name=op.f("uq_check_in_placement_id_side")),
    )
    op.create_index(op.f("ix_check_in_placement_id"), "check_in", ["placement_id"], unique=False)
    op.create_table(
        "intern_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("shared_with_student", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _one_to_five("rating", "intern_evaluation"),
        _placement_fk("placement_id", "intern_evaluation"),
        _user_fk("author_id", "intern_evaluation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intern_evaluation")),
        sa.UniqueConstraint("placement_id", name=op.f("uq_intern_evaluation_placement_id")),
    )
    op.create_table(
        "evaluation_skill",
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["intern_evaluation.id"],
            name=op.f("fk_evaluation_skill_evaluation_id_intern_evaluation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skill.id"], name=op.f("fk_evaluation_skill_skill_id_skill"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("evaluation_id", "skill_id", name=op.f("pk_evaluation_skill")),
    )
    scales = ("pay_benefits", "mentorship", "schedule", "safety", "learning")
    op.create_table(
        "intern_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        *(sa.Column(scale, sa.Integer(), nullable=False) for scale in scales),
        sa.Column("would_recommend", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *(_one_to_five(scale, "intern_survey") for scale in scales),
        _placement_fk("placement_id", "intern_survey"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intern_survey")),
        sa.UniqueConstraint("placement_id", name=op.f("uq_intern_survey_placement_id")),
    )
    op.create_table(
        "summer_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('confirm_start', 'end_forms')", name=op.f("ck_summer_email_kind_valid")),
        _placement_fk("placement_id", "summer_email"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summer_email")),
        sa.UniqueConstraint("placement_id", "kind", name=op.f("uq_summer_email_placement_id_kind")),
    )
    op.create_index(op.f("ix_summer_email_placement_id"), "summer_email", ["placement_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_summer_email_placement_id"), table_name="summer_email")
    op.drop_table("summer_email")
    op.drop_table("intern_survey")
    op.drop_table("evaluation_skill")
    op.drop_table("intern_evaluation")
    op.drop_index(op.f("ix_check_in_placement_id"), table_name="check_in")
    op.drop_table("check_in")
    op.execute("UPDATE placement SET status = 'accepted' WHERE status = 'started'")
    op.execute("UPDATE placement SET status = 'completed' WHERE status = 'ended_early'")
    _live_index(LIVE_BEFORE)
    _status_check(AFTER, BEFORE)
    if op.get_bind().dialect.name == "postgresql":
        for name in CONFIRMERS:
            op.drop_constraint(op.f(f"fk_placement_{name}_user"), "placement", type_="foreignkey")
        op.drop_constraint(op.f("ck_placement_hours_worked_not_negative"), "placement", type_="check")
    else:
        _drop_sqlite_confirmer_keys()
    # SQLite 3.35+ drops a column that no index or foreign key names; its column CHECK goes with it.
    for name in (*CONFIRMERS, "hours_worked", *(c[0] for c in reversed(COLUMNS))):
        op.execute(f"ALTER TABLE placement DROP COLUMN {name}")
