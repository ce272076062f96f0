"""Seasons: creating (with copied positions), date order, phase moves and the progress counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    College,
    Phase,
    Position,
    PositionSkill,
    PositionStatus,
    Role,
    Season,
    Skill,
    StudentRank,
    User,
    utcnow,
)
from sprint.services.directory import progress
from sprint.services.errors import NotFound, ServiceError
from sprint.services.season import manage


def _dates(**overrides):
    dates = {
        "applications_open_at": datetime(2028, 2, 1),
        "applications_close_at": datetime(2028, 3, 1),
        "ranking_close_at": datetime(2028, 3, 15),
        "match_published_at": datetime(2028, 4, 1),
        "offer_deadline_at": datetime(2028, 4, 8),
    }
    return {**dates, **overrides}


@pytest.fixture
def coordinator(make):
    program = make.program()
    return make.user(Role.COORDINATOR, program), program


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applications_close_at", datetime(2028, 2, 1), "Applications close must be after applications open"),
        ("ranking_close_at", datetime(2028, 2, 28), "Ranking closes must be on or after applications close"),
        ("match_published_at", datetime(2028, 3, 14), "Match publication must be on or after ranking closes"),
        ("offer_deadline_at", datetime(2028, 4, 1), "Offer deadline must be after match publication"),
    ],
)
def test_dates_out_of_order_are_refused_naming_the_field(appctx, coordinator, field, value, message):
    actor = db.session.get(User, coordinator[0].id)

    with pytest.raises(ServiceError, match=message) as raised:
        manage.create_season(actor, 2028, "Summer 2028", _dates(**{field: value}))

    assert raised.value.field == field
    assert db.session.scalar(db.select(db.func.count(Season.id))) == 0


def test_equal_close_and_ranking_dates_are_allowed_and_missing_dates_are_fine(appctx, coordinator):
    actor = db.session.get(User, coordinator[0].id)

    season = manage.create_season(
        actor, 2028, "Summer 2028", _dates(ranking_close_at=datetime(2028, 3, 1), match_published_at=None)
    )

    assert season.phase == Phase.DRAFT and season.ranking_close_at == season.applications_close_at


def test_a_second_season_for_the_same_year_is_refused(appctx, coordinator, make):
    make.season(coordinator[1], 2028)
    actor = db.session.get(User, coordinator[0].id)

    with pytest.raises(ServiceError, match="already has a season for 2028"):
        manage.create_season(actor, 2028, "Again", _dates())


def test_creating_with_copy_brings_last_years_positions_as_drafts(appctx, coordinator, make):
    actor, program = coordinator
    last = make.season(program, 2027, Phase.CLOSED)
    host = make.host(program)
    kept = make.position(host, last, slots=3, title="Lab intern")
    make.position(host, last, title="Gone", status=PositionStatus.WITHDRAWN)
    skill = Skill(name="pipetting")
    db.session.add(skill)
    db.session.add(PositionSkill(position_id=kept.id, skill=skill, required=True))
    db.session.commit()

    season = manage.create_season(db.session.get(User, actor.id), 2028, "Summer 2028", _dates(), copy_positions=True)

    copies = list(db.session.scalars(db.select(Position).where(Position.season_id == season.id)))
    assert [(p.title, p.host_id, p.slots, p.status) for p in copies] == [("Lab intern", host.id, 3, "draft")]
    assert copies[0].start_date == date(2028, 6, 1) and copies[0].end_date == date(2028, 8, 14)
    assert copies[0].required_skills == ["pipetting"]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "season.created"))
    assert event.details["copied_positions"] == 1


def test_copy_without_a_previous_season_says_so(appctx, coordinator):
    with pytest.raises(ServiceError, match="no 2027 season to copy"):
        manage.create_season(
            db.session.get(User, coordinator[0].id), 2028, "Summer 2028", _dates(), copy_positions=True
        )
    assert db.session.scalar(db.select(db.func.count(Season.id))) == 0


def test_phases_move_one_step_forward_with_plain_words(appctx, coordinator, make):
    actor, program = coordinator
    season = db.session.get(Season, make.season(program, 2028, Phase.APPLICATIONS).id)

    moves = {move.target: move for move in manage.phase_moves(season)}

    assert set(moves) == {Phase.RANKING, Phase.DRAFT}
    assert "Students can no longer apply" in moves[Phase.RANKING].effects[0]
    assert "can rank" in moves[Phase.RANKING].effects[1]
    assert moves[Phase.DRAFT].backwards and "Going back" in moves[Phase.DRAFT].warning
    manage.move_phase(db.session.get(User, actor.id), season, Phase.RANKING)
    assert db.session.get(Season, season.id).phase == Phase.RANKING
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "season.phase_changed"))
    assert event.details == {"before": "applications", "after": "ranking"}


@pytest.mark.parametrize(
    ("phase", "target"),
    [
        (Phase.DRAFT, Phase.RANKING),
        (Phase.MATCHING, Phase.RANKING),
        (Phase.CLOSED, Phase.PUBLISHED),
        (Phase.PUBLISHED, Phase.MATCHING),
        (Phase.APPLICATIONS, Phase.MATCHING),
        (Phase.MATCHING, Phase.PUBLISHED),  # only publishing a run does that
    ],
)
def test_skipping_or_going_back_outside_the_allowed_steps_is_refused(appctx, coordinator, make, phase, target):
    actor, program = coordinator
    season = db.session.get(Season, make.season(program, 2028, phase).id)

    with pytest.raises(ServiceError, match="one step at a time"):
        manage.move_phase(db.session.get(User, actor.id), season, target)
    assert db.session.get(Season, season.id).phase == phase


def test_another_programs_season_is_not_reachable(appctx, coordinator, make):
    other = make.season(make.program(), 2028)

    with pytest.raises(NotFound):
        manage.season_for(db.session.get(User, coordinator[0].id), other.id)


def test_a_missing_season_is_not_found_like_another_programs(appctx, coordinator, make):
    own = make.season(coordinator[1], 2028)
    actor = db.session.get(User, coordinator[0].id)

    assert manage.season_for(actor, own.id).id == own.id
    with pytest.raises(NotFound):
        manage.season_for(actor, own.id + 1000)


def test_progress_counts_a_small_hand_built_season(appctx, coordinator, make):
    _actor, program = coordinator
    season = make.season(program, 2028, Phase.RANKING)
    ranked, lazy = make.host(program, name="Ranked Co"), make.host(program, name="Lazy Co", approved=False)
    p1 = make.position(ranked, season, slots=2, ranks_certified_at=utcnow())
    p2 = make.position(ranked, season, slots=1, ranks_certified_at=utcnow())
    p3 = make.position(lazy, season, slots=4)
    make.position(lazy, season, slots=9, status=PositionStatus.WITHDRAWN)
    students = [make.user(Role.STUDENT, program) for _ in range(4)]
    statuses = [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.STARTED,
        ApplicationStatus.WITHDRAWN,
    ]
    for student, status, ranks in zip(students, statuses, [[p1, p2, p3], [p1], [], [p1]], strict=True):
        application = Application(
            season_id=season.id, student_id=student.id, status=status, ranks_certified_at=utcnow() if ranks else None
        )
        application.ranks = [StudentRank(position_id=p.id, rank=i) for i, p in enumerate(ranks, 1)]
        db.session.add(application)
    db.session.add(College(name="Typed In College", state="CT", confirmed=False))
    db.session.commit()

    figures = progress.progress_of(db.session.get(Season, season.id))

    assert (figures.started, figures.submitted, figures.students_certified, figures.short_lists) == (1, 2, 2, 2)
    assert (figures.positions, figures.slots, figures.positions_certified, figures.drafts) == (3, 7, 2, 0)
    assert (figures.hosts_not_ranked, figures.hosts_unapproved, figures.colleges_to_confirm) == (1, 1, 1)
    assert {row["name"]: (row["positions"], row["slots"]) for row in figures.per_host} == {
        "Ranked Co": (2, 3),
        "Lazy Co": (1, 4),
    }


def test_the_progress_page_needs_the_same_number_of_queries_whatever_the_season_size(
    appctx, coordinator, make, count_queries
):
    program = coordinator[1]
    season = make.season(program, 2028)
    host = make.host(program)
    position = make.position(host, season)

    def add_students(n):
        for _ in range(n):
            student = make.user(Role.STUDENT, program)
            application = Application(season_id=season.id, student_id=student.id)
            application.ranks = [StudentRank(position_id=position.id, rank=1)]
            db.session.add(application)
        db.session.commit()

    add_students(1)
    with count_queries() as small:
        progress.progress_of(db.session.get(Season, season.id))
    add_students(9)
    for _ in range(9):  # ten times the students, positions and hosts
        make.position(make.host(program), season)

    with count_queries() as large:
        progress.progress_of(db.session.get(Season, season.id))

    assert len(small) == len(large)


def test_editing_dates_audits_the_changes_and_a_bad_order_changes_nothing(appctx, coordinator, make):
    actor, program = coordinator
    season = db.session.get(Season, make.season(program, 2028).id)
    old_close = season.applications_close_at

    manage.update_dates(db.session.get(User, actor.id), season, {**_dates(), "match_published_at": None})
    with pytest.raises(ServiceError, match="Offer deadline must be after match publication"):
        manage.update_dates(db.session.get(User, actor.id), season, _dates(offer_deadline_at=datetime(2028, 3, 1)))

    db.session.rollback()
    season = db.session.get(Season, season.id)
    assert season.applications_close_at == datetime(2028, 3, 1) and season.match_published_at is None
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "season.dates_changed"))
    assert event.details["changes"]["applications_close_at"] == [
        old_close.isoformat(timespec="minutes") + "+00:00",
        "2028-03-01T00:00+00:00",
    ]
