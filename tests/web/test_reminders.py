"""Deadline reminders: who gets one, and only once a day."""

from __future__ import annotations

from datetime import timedelta

from sprint.extensions import db
from sprint.models import Application, Role, Season, utcnow


def test_reminders_go_to_uncertified_students_and_hosts_once_a_day(app, runner, make, outbox):
    program = make.program()
    season = make.season(program)
    host = make.host(program)
    member = make.member(host)
    make.position(host, season, title="QC intern")
    certified, pending = make.user(Role.STUDENT, program), make.user(Role.STUDENT, program)
    with app.app_context():
        row = db.session.get(Season, season.id)
        row.applications_close_at = utcnow() + timedelta(days=1)
        row.ranking_close_at = utcnow() + timedelta(days=2)
        db.session.add_all(
            [
                Application(
                    season_id=season.id, student_id=certified.id, status="submitted", ranks_certified_at=utcnow()
                ),
                Application(season_id=season.id, student_id=pending.id, status="submitted"),
            ]
        )
        db.session.commit()

    first = runner.invoke(args=["send-reminders"])
    second = runner.invoke(args=["send-reminders"])

    assert "Reminded 1 students and 1 host members in 1 season(s)." in first.output
    assert "Reminded 0 students and 0 host members in 0 season(s)." in second.output
    recipients = sorted(address for message in outbox for address in message.to)
    assert recipients == sorted([pending.email, member.email])
    assert "QC intern" in next(m for m in outbox if m.to == [member.email]).body


def test_no_reminders_when_the_deadline_is_far(app, runner, make, outbox):
    program = make.program()
    make.season(program)  # ranking closes in 20 days

    result = runner.invoke(args=["send-reminders"])

    assert "in 0 season(s)" in result.output and outbox == []
