"""Fixtures for web tests: a small world with one student's whole season and the 'other' people."""

from __future__ import annotations

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    College,
    HostMember,
    HostRank,
    MatchRun,
    Phase,
    Placement,
    Position,
    PositionInterest,
    Role,
    Season,
    StudentRank,
    User,
    utcnow,
)
from sprint.services.market import profiles
from sprint.services.matching import match_runs, run_queue


@pytest.fixture
def world(app, make):
    """Program A with one student's whole season, plus the 'other' people of each kind."""
    program, other_program = make.program(name="SPRINT"), make.program(name="Other")
    season = make.season(program)
    make.season(other_program)
    host, other_host = make.host(program, name="Elm Bio"), make.host(program, name="Harbor Labs")
    position, spare = make.position(host, season, slots=2, title="Lab intern"), make.position(host, season)
    people = {
        "student": make.user(Role.STUDENT, program),
        "other_student": make.user(Role.STUDENT, program),
        "host": make.member(host),
        "other_host": make.member(other_host),
        "coordinator": make.user(Role.COORDINATOR, program),
        "other_coordinator": make.user(Role.COORDINATOR, other_program),
        "admin": make.user(Role.ADMIN),
    }
    spare_member = make.member(host, role="member")
    throwaway = make.user(Role.COORDINATOR, program)
    with app.app_context():
        college = College(name="Gateway CC", state="CT", kind="community")
        db.session.add(college)
        db.session.flush()
        liaison = User(
            email="liaison@example.org", name="Lia Son", role=Role.LIAISON, program_id=program.id, college_id=college.id
        )
        liaison.set_password("correct horse battery")
        db.session.add(liaison)
        student = db.session.get(User, people["student"].id)
        student.profile.college_id = college.id
        application = Application(
            season_id=season.id,
            student_id=student.id,
            status="submitted",
            submitted_at=utcnow(),
            ranks_certified_at=utcnow(),
        )
        application.interests = [PositionInterest(position_id=position.id, statement="Keen")]
        application.ranks = [StudentRank(position_id=position.id, rank=1)]
        db.session.add(application)
        db.session.add(HostRank(position_id=position.id, student_id=student.id, rank=1))
        db.session.get(Position, position.id).ranks_certified_at = utcnow()
        db.session.commit()
        profiles.save_resume(student, b"%PDF-1.4\n%%EOF\n", "cv.pdf")
        run = match_runs.create_run(None, db.session.get(Season, season.id), seed=1)
        run_queue.execute_run(run)
        second = match_runs.create_run(None, db.session.get(Season, season.id), seed=2)
        run_queue.execute_run(second)
        match_runs.publish_run(None, db.session.get(MatchRun, run.id))
        people = {actor: user.email for actor, user in people.items()}
        people["liaison"] = liaison.email
        placement = db.session.scalar(db.select(Placement).where(Placement.student_id == student.id))
        values = {
            "student_id": student.id,
            "position_id": position.id,
            "placement_id": placement.id,
            "interest_id": application.interests[0].id,
            "season_id": season.id,
            "run_id": run.id,
            "college_id": college.id,
            "host_id": host.id,
            "program_id": program.id,
            "membership_id": db.session.scalar(db.select(HostMember.id).where(HostMember.user_id == spare_member.id)),
            "user_id": throwaway.id,
            "token": "not-a-real-token",
            "key": f"s{student.id}",
            "compare": f"?a={run.id}&b={second.id}",
            "spare_position_id": spare.id,
            "other_host_id": other_host.id,
            "slug": program.slug,
        }
        db.session.expunge_all()
    return people, values


@pytest.fixture
def one_seat(app, make):
    """One position with one seat and two students who both ranked it; the host prefers Ana to Ben.

    The first round places Ana and leaves Ben unmatched, so whatever Ana does with her offer decides
    whether Ben can have the seat. Returns a namespace of the people (all can log in) and ids.
    """
    from types import SimpleNamespace

    program = make.program()
    season = make.season(program, phase=Phase.RANKING)
    host = make.host(program, name="Elm Bio")
    owner = make.member(host, email="owner@elm.example", name="Olive Owner")
    colleague = make.member(host, role="member", email="colleague@elm.example", name="Cal Colleague")
    position = make.position(host, season, slots=1, title="Lab intern")
    coordinator = make.user(Role.COORDINATOR, program, name="Cora Coordinator")
    ana = make.user(Role.STUDENT, program, name="Ana Student")
    ben = make.user(Role.STUDENT, program, name="Ben Student")
    with app.app_context():
        for rank, student in enumerate((ana, ben), 1):
            application = Application(
                season_id=season.id,
                student_id=student.id,
                status="submitted",
                submitted_at=utcnow(),
                ranks_certified_at=utcnow(),
            )
            application.interests = [PositionInterest(position_id=position.id, statement="Keen")]
            application.ranks = [StudentRank(position_id=position.id, rank=1)]
            db.session.add(application)
            db.session.add(HostRank(position_id=position.id, student_id=student.id, rank=rank))
        db.session.get(Position, position.id).ranks_certified_at = utcnow()
        db.session.commit()
        interest_id = db.session.scalar(
            db.select(PositionInterest.id).join(Application).where(Application.student_id == ana.id)
        )
    return SimpleNamespace(
        program=program,
        season=season,
        host=host,
        owner=owner,
        colleague=colleague,
        position=position,
        coordinator=coordinator,
        ana=ana,
        ben=ben,
        interest_id=interest_id,
    )
