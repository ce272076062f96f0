"""A refused use case writes nothing: it checks before it writes, or rolls back what it wrote, so even a
commit right after (a later write in the same request, a CLI loop) saves nothing of it. Emails go out
only after the commit. And "not yours" is NotAllowed, never a plain ServiceError."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import Application, AuditEvent, College, Position, Role, User, utcnow
from sprint.services.errors import NotAllowed, ServiceError
from sprint.services.market import applications, positions, profiles, rankings
from sprint.services.season import reminders

TOO_MANY_SKILLS = ", ".join(f"skill {n}" for n in range(40))


@pytest.fixture
def world(appctx, make):
    """A student who applied to one position and ranked it, and the position's owner."""
    program = make.program()
    season = make.season(program)
    host = make.host(program)
    position = make.position(host, season, title="Lab intern")
    student, member = make.user(Role.STUDENT, program), make.member(host)
    db.session.add(College(name="Gateway CC", state="CT", kind="community", confirmed=True))
    db.session.commit()
    make.application(season, student, position)
    return db.session.get(User, student.id), db.session.get(User, member.id), db.session.get(Position, position.id)


def _position_form(position: Position, **changes) -> dict:
    return {**positions.form_data(position), **changes}


def test_a_refused_student_rank_list_keeps_its_version(world):
    student, _, position = world
    application = applications.application_for(student, position.season)

    with pytest.raises(ServiceError, match="only rank positions you applied to"):
        rankings.save_student_ranks(student, application, {position.id: "1", 999999: "2"}, "0")
    db.session.commit()

    assert db.session.get(Application, application.id).ranks_version == 0


def test_a_refused_host_rank_list_keeps_its_version(world):
    _, member, position = world

    with pytest.raises(ServiceError, match="only rank students who applied"):
        rankings.save_host_ranks(member, position, {999999: "1"}, "0")
    db.session.commit()

    assert db.session.get(Position, position.id).ranks_version == 0


def test_a_refused_position_edit_changes_no_field(world):
    _, member, position = world

    with pytest.raises(ServiceError, match="skills in all"):
        positions.update_position(
            member, position, _position_form(position, title="Renamed intern", required_skills=TOO_MANY_SKILLS)
        )
    db.session.commit()

    assert db.session.get(Position, position.id).title == "Lab intern"


def test_a_refused_profile_changes_no_field(world):
    student, _, _ = world
    college = db.session.scalar(db.select(College))

    with pytest.raises(ServiceError, match="skills"):
        profiles.update_profile(student, {"college": college.id, "major": "Chemistry", "skills": TOO_MANY_SKILLS})
    db.session.commit()

    assert db.session.get(User, student.id).profile.major != "Chemistry"


def test_withdrawing_someone_elses_application_is_not_allowed(make, world):
    student, _, position = world
    other = db.session.get(User, make.user(Role.STUDENT, student.program).id)
    interest = applications.application_for(student, position.season).interests[0]

    with pytest.raises(NotAllowed, match="not yours"):
        applications.withdraw_interest(other, interest)


def test_no_reminder_goes_out_when_its_record_cannot_be_committed(world, outbox, monkeypatch):
    _, _, position = world
    season = position.season
    season.applications_close_at = utcnow() + timedelta(days=1)
    season.ranking_close_at = utcnow() + timedelta(days=2)  # within the three days reminders look ahead
    db.session.commit()

    def fail():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(RuntimeError):
        reminders.send_deadline_reminders(within_days=3)
    monkeypatch.undo()
    db.session.rollback()

    assert (
        outbox == []
        and db.session.scalar(db.select(AuditEvent.id).where(AuditEvent.action == "reminders.sent")) is None
    )
    counts = reminders.send_deadline_reminders(within_days=3)
    assert (counts.seasons, counts.students, counts.host_members) == (1, 1, 1) and len(outbox) == 2
