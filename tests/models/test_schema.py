"""The migrations build the models' schema, and the database itself rejects bad rows."""

from __future__ import annotations

import json
import warnings
from datetime import date, timedelta
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, MetaData, Table, inspect
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import DataError, IntegrityError

from sprint.extensions import db
from sprint.models import (
    Application,
    AuditEvent,
    College,
    HostCompany,
    HostRank,
    MatchRun,
    Placement,
    Position,
    Program,
    Role,
    Season,
    StudentProfile,
    StudentRank,
    User,
    utcnow,
)


def _schema_differences() -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect an index on an expression (lower(name)); Alembic then leaves it out
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _check_constraints_in_models() -> dict[str, set[str]]:
    return {
        table.name: {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        for table in db.metadata.sorted_tables
    }


def _check_constraints_in_database() -> dict[str, set[str]]:
    """Alembic's comparison skips CHECK constraints, so compare their names here."""
    inspector = inspect(db.engine)
    return {name: {c["name"] for c in inspector.get_check_constraints(name)} for name in db.metadata.tables}


def test_migrations_build_the_schema_from_empty_and_agree_with_the_models(appctx):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")

    upgrade()
    assert _schema_differences() == []
    assert _check_constraints_in_database() == _check_constraints_in_models()

    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    upgrade()
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


ADDED_AFTER_THE_RENAME = {"expired_offers", "interview_cutoff_hours", "calendar_key"}  # b8e5f6a7c9d0, b4e1f2a3c5d6
ADDED_LATER = {"interview_cutoff_hours", "calendar_key"}  # b4e1f2a3c5d6


def _before_interviews(model) -> Table:
    """The model's table without the columns b4e1f2a3c5d6 (interview scheduling) added."""
    return Table(
        model.__tablename__, MetaData(), *(c._copy() for c in model.__table__.columns if c.name not in ADDED_LATER)
    )


def _before_the_season_rename(model) -> Table:
    """The model's table as the migrations before c3f8a1d6e2b4 built it: `cycle`, `cycle_id`, without
    the columns later migrations added."""
    columns = []
    for column in model.__table__.columns:
        if column.name in ADDED_AFTER_THE_RENAME:
            continue
        copy = column._copy()
        copy.name = copy.key = column.name.replace("season", "cycle")
        columns.append(copy)
    return Table(model.__tablename__.replace("season", "cycle"), MetaData(), *columns)


def _empty_database_at(revision: str) -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(revision=revision)


def test_the_season_rename_keeps_every_row_and_its_links_both_ways(appctx):
    _empty_database_at("b7e2c41d9a05")  # the last schema that said "cycle"
    with db.engine.begin() as connection:
        program = connection.execute(Program.__table__.insert().values(slug="m", name="M")).inserted_primary_key[0]
        season = connection.execute(
            _before_the_season_rename(Season)
            .insert()
            .values(program_id=program, year=2027, name="Summer 2027", phase="ranking")
        ).inserted_primary_key[0]
        host = connection.execute(
            HostCompany.__table__.insert().values(program_id=program, name="Lab Co")
        ).inserted_primary_key[0]
        position = connection.execute(
            _before_the_season_rename(Position)
            .insert()
            .values(
                host_id=host,
                cycle_id=season,
                title="Lab intern",
                hourly_pay=Decimal("20.00"),
                hours_per_week=30,
                start_date=date(2027, 6, 1),
                end_date=date(2027, 8, 1),
            )
        ).inserted_primary_key[0]
        student = connection.execute(
            _before_the_season_rename(User)
            .insert()
            .values(email="s@example.org", name="S", role=Role.STUDENT, program_id=program, password_hash="x")
        ).inserted_primary_key[0]
        connection.execute(_before_the_season_rename(Application).insert().values(cycle_id=season, student_id=student))
        connection.execute(
            AuditEvent.__table__.insert().values(
                program_id=program, action="cycle.phase_changed", object_type="Cycle", object_id=season
            )
        )

    upgrade()

    assert _schema_differences() == []
    moved = db.session.get(Season, season)
    assert (moved.name, moved.program_id) == ("Summer 2027", program)
    assert db.session.get(Position, position).season_id == season
    assert db.session.scalar(db.select(Application.season_id)) == season
    event = db.session.scalar(db.select(AuditEvent))
    assert (event.action, event.object_type, event.object_id) == ("season.phase_changed", "Season", season)
    db.session.add(Season(program_id=program, year=2028, name="Summer 2028"))
    db.session.commit()  # the id sequence moved with its table
    assert db.session.scalar(db.select(db.func.max(Season.id))) > season
    db.session.close()

    downgrade(revision="b7e2c41d9a05")

    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT cycle_id FROM position").scalar() == season
        assert connection.exec_driver_sql("SELECT action, object_type FROM audit_event").one() == (
            "cycle.phase_changed",
            "Cycle",
        )
        assert connection.exec_driver_sql("SELECT count(*) FROM cycle").scalar() == 2
    upgrade()


# placement as it was before the summer's columns (e1b8c9d0f2a3), for inserts at older revisions
OLD_PLACEMENT = sa_table(
    "placement",
    sa_column("id"),
    *(sa_column(name) for name in ("season_id", "student_id", "position_id", "round", "status", "offered_at")),
    *(sa_column(name) for name in ("outcome", "note")),
)
OLD_PLACEMENT_DEFAULTS = {
    "round": 1,
    "status": "offered",
    "offered_at": "2027-01-01 00:00:00",
    "outcome": "none",
    "note": "",
}


def test_the_expired_offers_migration_keeps_placements_and_widens_their_status_check(appctx):
    _empty_database_at("a7d4e5f6b8c9")  # before season.expired_offers and the "expired" status
    with db.engine.begin() as connection:
        program = connection.execute(Program.__table__.insert().values(slug="m", name="M")).inserted_primary_key[0]
        connection.exec_driver_sql(
            "INSERT INTO season (program_id, year, name, phase, created_at) "
            f"VALUES ({program}, 2027, 'Summer 2027', 'published', '2027-01-01 00:00:00')"
        )
        season = connection.exec_driver_sql("SELECT id FROM season").scalar()
        host = connection.execute(
            HostCompany.__table__.insert().values(program_id=program, name="Lab Co")
        ).inserted_primary_key[0]
        position = connection.execute(
            _before_interviews(Position)
            .insert()
            .values(
                host_id=host,
                season_id=season,
                title="Lab intern",
                hourly_pay=Decimal("20.00"),
                hours_per_week=30,
                start_date=date(2027, 6, 1),
                end_date=date(2027, 8, 1),
            )
        ).inserted_primary_key[0]
        students = [
            connection.execute(
                _before_interviews(User)
                .insert()
                .values(
                    email=f"s{n}@example.org", name=f"S{n}", role=Role.STUDENT, program_id=program, password_hash="x"
                )
            ).inserted_primary_key[0]
            for n in range(3)
        ]
        kept = connection.execute(
            OLD_PLACEMENT.insert()
            .values(season_id=season, student_id=students[0], position_id=position, **OLD_PLACEMENT_DEFAULTS)
            .returning(OLD_PLACEMENT.c.id)
        ).scalar()
        with pytest.raises(IntegrityError):  # the old check refuses the new status
            with connection.begin_nested():
                connection.execute(
                    OLD_PLACEMENT.insert().values(
                        season_id=season,
                        student_id=students[1],
                        position_id=position,
                        **{**OLD_PLACEMENT_DEFAULTS, "status": "expired"},
                    )
                )

    upgrade()

    assert _schema_differences() == []
    assert db.session.get(Season, season).expired_offers == "wait"  # nothing changes for existing seasons
    assert db.session.get(Placement, kept).status == "offered"
    db.session.add(Placement(season_id=season, student_id=students[1], position_id=position, status="expired"))
    db.session.commit()
    db.session.add(Placement(season_id=season, student_id=students[2], position_id=position, status="lost"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.close()

    downgrade(revision="a7d4e5f6b8c9")

    with db.engine.connect() as connection:
        statuses = connection.exec_driver_sql("SELECT student_id, status FROM placement ORDER BY id").all()
        assert statuses == [(students[0], "offered"), (students[1], "declined")]  # expired counted as declined
        assert "expired_offers" not in {column["name"] for column in inspect(connection).get_columns("season")}
    upgrade()


def test_the_explanations_migration_moves_each_persons_reasons_to_a_row_and_back(appctx):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(revision="259b3da745b9")  # the schema before run_explanation
    reasons = {
        "students": {"s1": [{"reason": "no_slots", "text": "No seat was left."}]},
        "positions": {"p2": [{"reason": "preferred", "text": "Took s3 first."}]},
    }
    with db.engine.begin() as connection:
        programs = sa_table(
            "program",
            sa_column("id"),
            sa_column("slug"),
            sa_column("name"),
            sa_column("region"),
            sa_column("contact_email"),
            sa_column("created_at"),
        )
        connection.execute(
            programs.insert().values(  # the columns of that revision only
                slug="m", name="M", region="", contact_email="", created_at=utcnow()
            )
        )
        program = connection.execute(db.text("SELECT id FROM program WHERE slug = 'm'")).scalar()
        season = connection.execute(
            _before_the_season_rename(Season).insert().values(program_id=program, year=2027, name="S", phase="ranking")
        ).inserted_primary_key[0]
        connection.execute(
            _before_the_season_rename(MatchRun)
            .insert()
            .values(cycle_id=season, mode="stable", status="done", result={"assignments": [], "explanations": reasons})
        )

    upgrade()

    with db.engine.connect() as connection:
        rows = dict(connection.execute(db.text("SELECT person, entries FROM run_explanation")).all())
        result = connection.execute(db.select(MatchRun.__table__.c.result)).scalar()
    rows = {person: entries if isinstance(entries, list) else json.loads(entries) for person, entries in rows.items()}
    assert rows == {"s1": reasons["students"]["s1"], "p2": reasons["positions"]["p2"]}
    assert result == {"assignments": []}

    downgrade(revision="259b3da745b9")

    with db.engine.connect() as connection:
        assert connection.execute(db.select(MatchRun.__table__.c.result)).scalar() == {
            "assignments": [],
            "explanations": reasons,
        }
    upgrade()


@pytest.fixture
def world(make):
    program = make.program()
    season = make.season(program)
    host = make.host(program)
    student = make.user(Role.STUDENT, program)
    return program, season, host, student


def _position(season, host, **overrides) -> Position:
    fields = dict(
        host_id=host.id,
        season_id=season.id,
        title="Lab intern",
        slots=1,
        hourly_pay=Decimal("20"),
        hours_per_week=40,
        start_date=date(2027, 6, 1),
        end_date=date(2027, 8, 1),
    )
    fields.update(overrides)
    return Position(**fields)


def _rejected(*rows) -> None:
    db.session.add_all(rows)
    with pytest.raises((IntegrityError, DataError)):  # PostgreSQL reports an over-long value as DataError
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "overrides",
    [
        {"hourly_pay": Decimal("0")},  # unpaid: the program places only paid internships
        {"hours_per_week": 0},
        {"hours_per_week": 80},
        {"slots": -1},
        {"end_date": date(2027, 5, 1)},  # ends before it starts
        {"work_mode": "space"},
        {"hourly_pay": None},
    ],
)
def test_positions_must_be_paid_and_sane(appctx, world, overrides):
    _, season, host, _ = world

    _rejected(_position(season, host, **overrides))


def test_a_student_ranks_each_position_once_and_each_rank_once(appctx, world):
    _, season, host, student = world
    first, second = _position(season, host), _position(season, host, title="Other")
    application = Application(season_id=season.id, student_id=student.id)
    db.session.add_all([first, second, application])
    db.session.commit()

    _rejected(
        StudentRank(application=application, position=first, rank=1),
        StudentRank(application=application, position=second, rank=1),
    )
    _rejected(StudentRank(application_id=application.id, position_id=first.id, rank=0))


def test_a_host_ranks_a_student_once_but_may_tie_ranks(appctx, world, make):
    program, season, host, student = world
    other = make.user(Role.STUDENT, program)
    position = _position(season, host)
    db.session.add(position)
    db.session.commit()

    db.session.add_all(
        [
            HostRank(position_id=position.id, student_id=student.id, rank=1),
            HostRank(position_id=position.id, student_id=other.id, rank=1),
        ]
    )
    db.session.commit()  # a tie is fine

    _rejected(HostRank(position_id=position.id, student_id=student.id, rank=2))


def test_a_student_holds_one_live_placement_per_season(appctx, world):
    _, season, host, student = world
    position = _position(season, host)
    db.session.add(position)
    db.session.commit()
    db.session.add(Placement(season_id=season.id, student_id=student.id, position_id=position.id, status="declined"))
    db.session.add(Placement(season_id=season.id, student_id=student.id, position_id=position.id))
    db.session.commit()  # a declined offer does not count

    _rejected(Placement(season_id=season.id, student_id=student.id, position_id=position.id, status="accepted"))


def test_one_published_run_per_season_and_round(appctx, world):
    _, season, _, _ = world
    db.session.add(MatchRun(season_id=season.id, published_at=utcnow()))
    db.session.add(MatchRun(season_id=season.id))  # unpublished runs are unlimited
    db.session.commit()

    _rejected(MatchRun(season_id=season.id, published_at=utcnow()))


def test_the_database_refuses_a_second_position_with_the_same_host_season_and_title(app, make, world):
    _, season, host, _ = world
    make.position(host, season, title="Lab intern")

    with pytest.raises(IntegrityError):
        make.position(host, season, title="Lab intern")


def test_users_have_a_known_role_and_a_program_unless_admin(appctx, world):
    program, _, _, _ = world

    _rejected(User(email="a@x.org", name="A", password_hash="x", role="wizard", program_id=program.id))
    _rejected(User(email="b@x.org", name="B", password_hash="x", role="student", program_id=None))
    db.session.add(User(email="c@x.org", name="C", password_hash="x", role="admin"))
    db.session.commit()


def test_emails_are_unique(appctx, world):
    _, _, _, student = world

    _rejected(User(email=student.email, name="Twin", password_hash="x", role="admin"))


def test_season_dates_must_be_in_order(appctx, world):
    program, _, _, _ = world
    now = utcnow()

    _rejected(
        Season(
            program_id=program.id,
            year=2030,
            name="Bad",
            applications_open_at=now,
            applications_close_at=now - timedelta(days=1),
        )
    )
    _rejected(Season(program_id=program.id, year=2027, name="Twice"))  # one season per year


def test_foreign_keys_are_enforced(appctx, world):
    _, _, _, student = world

    profile = db.session.scalar(db.select(StudentProfile).where(StudentProfile.user_id == student.id))
    profile.college_id = 999_999
    _rejected(profile)


def test_college_kind_and_state_are_checked(appctx):
    _rejected(College(name="Nowhere U", state="Connecticut"))
    _rejected(College(name="Nowhere U", state="CT", kind="castle"))
