"""A published season in mid-summer for the summer's tests: one host's intern, another host, the
program's people of each kind, and helpers to build placements and surveys by hand."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from sprint.extensions import db
from sprint.models import College, MatchRun, Phase, Placement, PlacementStatus, Position, Role, Season, User, utcnow
from sprint.services.summer import windows


def build(make) -> SimpleNamespace:
    program, other_program = make.program(name="SPRINT"), make.program(name="Other")
    season = make.season(program, phase=Phase.PUBLISHED)
    host, other_host = make.host(program, name="Elm Bio"), make.host(program, name="Harbor Labs")
    position = make.position(host, season, slots=10, title="Lab intern")
    other_position = make.position(other_host, season, slots=10, title="Dock intern")
    people = SimpleNamespace(
        student=make.user(Role.STUDENT, program, name="Ana Student"),
        other_student=make.user(Role.STUDENT, program, name="Ben Student"),
        member=make.member(host, name="Olive Owner"),
        colleague=make.member(host, role="member", name="Cal Colleague"),
        other_member=make.member(other_host, name="Hal Harbor"),
        coordinator=make.user(Role.COORDINATOR, program, name="Cora Coordinator"),
        other_coordinator=make.user(Role.COORDINATOR, other_program),
    )
    college = College(name="Gateway CC", state="CT", kind="community", confirmed=True)
    db.session.add(college)
    db.session.flush()
    liaison = User(email="liaison@example.org", name="Lia Son", role=Role.LIAISON, program_id=program.id)
    liaison.college_id = college.id
    liaison.set_password("correct horse battery")
    db.session.add(liaison)
    db.session.add(MatchRun(season_id=season.id, status="done", published_at=utcnow() - timedelta(days=60)))
    db.session.commit()
    people.liaison = liaison
    world = SimpleNamespace(program=program, season=season, host=host, other_host=other_host, **vars(people))
    world.position = db.session.get(Position, position.id)
    world.other_position = db.session.get(Position, other_position.id)
    set_dates(world.position, start_days=-30, end_days=40)
    set_dates(world.other_position, start_days=-30, end_days=40)
    world.placement = place(world.student, world.position)
    world.other_placement = place(world.other_student, world.other_position)
    return world


def today_here() -> date:
    return windows.to_local(utcnow(), windows.zone_of(None)).date()


def set_dates(position: Position, start_days: int, end_days: int) -> None:
    today = today_here()
    position.start_date, position.end_date = today + timedelta(days=start_days), today + timedelta(days=end_days)
    db.session.commit()


def place(student: User, position: Position, status: str = PlacementStatus.ACCEPTED, **fields) -> Placement:
    placement = Placement(
        season_id=position.season_id,
        student_id=student.id,
        position_id=position.id,
        status=status,
        offered_at=utcnow() - timedelta(days=60),
        **fields,
    )
    db.session.add(placement)
    db.session.commit()
    return placement


def user(u: User) -> User:
    return db.session.get(User, u.id)


def season(world) -> Season:
    return db.session.get(Season, world.season.id)
