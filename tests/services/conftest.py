"""Fixtures for the market's service tests (tests/services/test_market_*.py)."""

from __future__ import annotations

from datetime import timedelta
from dataclasses import dataclass

import pytest

from sprint.extensions import db
from sprint.models import (
    College, Cycle, HostCompany, HostMember, HostMemberRole, Position, Program, Role, Skill, StudentProfile, User,
    utcnow
)


def ready_to_apply(profile: StudentProfile, college: College, skill: Skill) -> None:
    """Fill in everything `profiles.profile_missing` asks for before a student may apply."""
    profile.college, profile.major, profile.class_year = college, "Biology", 2028
    profile.skills = [skill]
    profile.resume_file, profile.resume_name, profile.resume_uploaded_at = "cv-test.pdf", "cv.pdf", utcnow()
    profile.work_authorized = profile.age_confirmed = True


DATES = ("applications_open_at", "applications_close_at", "ranking_close_at", "match_published_at",
         "offer_deadline_at")


@dataclass
class Market:
    program: Program
    cycle: Cycle
    host: HostCompany
    member: User
    stranger: User
    ana: User
    ben: User
    positions: dict[str, Position]
    elsewhere: Position

    def days_pass(self, days: int) -> None:
        """Move every date of the season `days` into the past, as if that many days went by (factory dates:
        applications close in 10 days, ranking in 20, the match is published in 25, offers are due in 32)."""
        for name in DATES:
            setattr(self.cycle, name, getattr(self.cycle, name) - timedelta(days=days))
        db.session.commit()


@pytest.fixture
def market(appctx, make) -> Market:
    """A season open for applications, as rows of the test's own session (the services can take them as they are).

    One approved host (Elm Bio, owner `member`) posts positions A, B and C (one seat each); another host of
    the program has its own member `stranger`; another program has a position of its own. Ana and Ben are
    students whose profiles are complete, so they may apply.
    """
    program, other_program = make.program(), make.program(name="Other")
    cycle, other_cycle = make.cycle(program), make.cycle(other_program)
    host, other_host = make.host(program, name="Elm Bio"), make.host(program, name="Harbor Labs")
    positions = {key: make.position(host, cycle, title=f"Position {key}") for key in "ABC"}
    elsewhere = make.position(make.host(other_program), other_cycle, title="Far away")
    member, stranger, ana, ben = (  # nobody logs in: no password hash, which takes a while
        User(email=f"{name.split()[0].lower()}@example.org", name=name, role=role, program_id=program.id,
             password_hash="!")
        for name, role in [("Olive Owner", Role.HOST), ("Sam Stranger", Role.HOST), ("Ana Student", Role.STUDENT),
                           ("Ben Student", Role.STUDENT)])
    member.membership = HostMember(host_id=host.id, role=HostMemberRole.OWNER)
    stranger.membership = HostMember(host_id=other_host.id, role=HostMemberRole.OWNER)
    college, skill = College(name="Gateway CC", state="CT"), Skill(name="pipetting")
    for student in (ana, ben):
        student.profile = StudentProfile()
        ready_to_apply(student.profile, college, skill)
    db.session.add_all([member, stranger, ana, ben])
    db.session.commit()
    return Market(
        program=db.session.get(Program, program.id), cycle=db.session.get(Cycle, cycle.id),
        host=db.session.get(HostCompany, host.id), member=member, stranger=stranger, ana=ana, ben=ben,
        positions={key: db.session.get(Position, position.id) for key, position in positions.items()},
        elsewhere=db.session.get(Position, elsewhere.id))
