"""one word for a season: the cycle table, its columns, indexes and constraints are renamed

Revision ID: c3f8a1d6e2b4
Revises: b7e2c41d9a05
Create Date: 2026-12-02 14:00:00

The code, the URLs and the pages say "season"; the schema now says it too. Rows, ids and links
are kept: tables and columns are renamed in place, never copied. PostgreSQL renames constraints,
indexes and the id sequence; SQLite (which cannot rename a constraint) has the names edited in
its schema text, the documented way, inside the same transaction.
"""

from alembic import op

revision = "c3f8a1d6e2b4"
down_revision = "b7e2c41d9a05"
branch_labels = None
depends_on = None

CHILDREN = ("application", "deadline_extension", "match_run", "placement", "position")
INDEXED = {f"ix_{table}_cycle_id": table for table in CHILDREN} | {"ix_cycle_program_id": "season"}
CONSTRAINTS = {
    "season": [
        "ck_cycle_applications_window",
        "ck_cycle_offers_after_publication",
        "ck_cycle_phase_valid",
        "ck_cycle_ranking_after_applications",
        "ck_cycle_year_sane",
        "fk_cycle_program_id_program",
        "pk_cycle",
        "uq_cycle_program_id_year",
    ],
    "application": ["fk_application_cycle_id_cycle", "uq_application_cycle_id_student_id"],
    "deadline_extension": ["fk_deadline_extension_cycle_id_cycle", "uq_deadline_extension_cycle_id_user_id_kind"],
    "match_run": ["fk_match_run_cycle_id_cycle"],
    "placement": ["fk_placement_cycle_id_cycle"],
    "position": ["fk_position_cycle_id_cycle", "uq_position_host_id_cycle_id_title"],
}
AUDIT_OBJECT = ("Cycle", "Season")
AUDIT_ACTIONS = ("cycle.", "season.")


def _new(name: str) -> str:
    return name.replace("cycle", "season")


def _rename(forward: bool) -> None:
    old_table, new_table = ("cycle", "season") if forward else ("season", "cycle")
    old_col, new_col = f"{old_table}_id", f"{new_table}_id"
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.execute(f"ALTER TABLE {old_table} RENAME TO {new_table}")
    for table in CHILDREN:
        op.execute(f'ALTER TABLE "{table}" RENAME COLUMN {old_col} TO {new_col}')
    for index, table in INDEXED.items():
        was, becomes = (index, _new(index)) if forward else (_new(index), index)
        table = new_table if table == "season" else table
        if postgres:
            op.execute(f"ALTER INDEX {was} RENAME TO {becomes}")
        else:
            op.execute(f"DROP INDEX {was}")
            op.execute(f'CREATE INDEX {becomes} ON "{table}" ({"program_id" if table == new_table else new_col})')
    pairs = [
        (new_table if table == "season" else table, *((c, _new(c)) if forward else (_new(c), c)))
        for table, names in CONSTRAINTS.items()
        for c in names
    ]
    if postgres:
        for table, was, becomes in pairs:
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT {was} TO {becomes}')
        op.execute(f"ALTER SEQUENCE {old_table}_id_seq RENAME TO {new_table}_id_seq")
    else:
        version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
        op.execute("PRAGMA writable_schema = ON")
        for _table, was, becomes in pairs:
            op.execute(
                f"UPDATE sqlite_master SET sql = replace(sql, '{was}', '{becomes}') "
                f"WHERE type = 'table' AND sql LIKE '%{was}%'"
            )
        op.execute(f"PRAGMA schema_version = {version + 1}")
        op.execute("PRAGMA writable_schema = OFF")
    old_type, new_type = AUDIT_OBJECT if forward else AUDIT_OBJECT[::-1]
    old_action, new_action = AUDIT_ACTIONS if forward else AUDIT_ACTIONS[::-1]
    op.execute(f"UPDATE audit_event SET object_type = '{new_type}' WHERE object_type = '{old_type}'")
    op.execute(
        f"UPDATE audit_event SET action = '{new_action}' || substr(action, {len(old_action) + 1}) "
        f"WHERE action LIKE '{old_action}%'"
    )


def upgrade():
    _rename(forward=True)


def downgrade():
    _rename(forward=False)
