"""Fixtures for the market's service tests (tests/services/test_market_*.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import (
    College,
    HostCompany,
    HostMember,
    HostMemberRole,
    Position,
    Program,
    Role,
    Season,
    Skill,
    StudentProfile,
    User,
    utcnow,
)


def _person(program: Program, name: str, role: Role) -> User:
    """A user nobody logs in as: no password hash, which takes a while."""
    return User(
        email=f"{name.split()[0].lower()}@example.org", name=name, role=role, program_id=program.id, password_hash="!"
    )


def _student(program: Program, name: str, college: College, skill: Skill) -> User:
    """A student with everything `profiles.profile_missing` asks for before a student may apply."""
    student = _person(program, name, Role.STUDENT)
    student.profile = StudentProfile(
        college=college,
        major="Biology",
        class_year=2028,
        skills=[skill],
        resume_file="cv-test.pdf",
        resume_name="cv.pdf",
        resume_uploaded_at=utcnow(),
        work_authorized=True,
        age_confirmed=True,
    )
    db.session.add(student)
    return student


DATES = ("applications_open_at", "applications_close_at", "ranking_close_at", "match_published_at", "offer_deadline_at")


@dataclass
class Market:
    program: Program
    season: Season
    host: HostCompany
    member: User
    stranger: User
    ana: User
    ben: User
    positions: dict[str, Position]
    elsewhere: Position
    college: College
    skill: Skill

    def new_student(self, name: str) -> User:
        """One more student of the program, ready to apply."""
        student = _student(self.program, name, self.college, self.skill)
        db.session.commit()
        return student

    def days_pass(self, days: int) -> None:
        """Move every date of the season `days` into the past, as if that many days went by (factory dates:
        applications close in 10 days, ranking in 20, the match is published in 25, offers are due in 32)."""
        for name in DATES:
            setattr(self.season, name, getattr(self.season, name) - timedelta(days=days))
        db.session.commit()


@pytest.fixture
def market(appctx, make) -> Market:
    """A season open for applications, as rows of the test's own session (the services can take them as they are).

    One approved host (Elm Bio, owner `member`) posts positions A, B and C (one seat each); another host of
    the program has its own member `stranger`; another program has a position of its own. Ana and Ben are
    students whose profiles are complete, so they may apply.
    """
    program, other_program = make.program(), make.program(name="Other")
    season, other_season = make.season(program), make.season(other_program)
    host, other_host = make.host(program, name="Elm Bio"), make.host(program, name="Harbor Labs")
    positions = {key: make.position(host, season, title=f"Position {key}") for key in "ABC"}
    elsewhere = make.position(make.host(other_program), other_season, title="Far away")
    member, stranger = _person(program, "Olive Owner", Role.HOST), _person(program, "Sam Stranger", Role.HOST)
    member.membership = HostMember(host_id=host.id, role=HostMemberRole.OWNER)
    stranger.membership = HostMember(host_id=other_host.id, role=HostMemberRole.OWNER)
    college, skill = College(name="Gateway CC", state="CT"), Skill(name="pipetting")
    ana, ben = (_student(program, name, college, skill) for name in ("Ana Student", "Ben Student"))
    db.session.add_all([member, stranger])
    db.session.commit()
    return Market(
        program=db.session.get(Program, program.id),
        season=db.session.get(Season, season.id),
        host=db.session.get(HostCompany, host.id),
        member=member,
        stranger=stranger,
        ana=ana,
        ben=ben,
        positions={key: db.session.get(Position, position.id) for key, position in positions.items()},
        elsewhere=db.session.get(Position, elsewhere.id),
        college=college,
        skill=skill,
    )
