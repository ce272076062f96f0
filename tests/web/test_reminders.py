"""Deadline reminders: who gets one, and only once a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from sprint.extensions import db
from sprint.models import Application, Role, Season, utcnow
from sprint.services.season import reminders
from sprint.services.support import jobs


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


def test_the_hourly_job_reminds_once_a_local_day_from_9_am_across_the_daylight_saving_change(app, make, outbox):
    """The scheduler runs the job every hour; a program in New Haven hears from it once a day, at
    9 AM Eastern, whether that is 14:00 UTC (EST) or 13:00 UTC (EDT, from 14 March 2027), and not
    again at 23:30 ET although the UTC date has turned."""
    program = make.program()  # America/New_York
    season = make.season(program)
    student = make.user(Role.STUDENT, program)
    with app.app_context():
        row = db.session.get(Season, season.id)
        row.ranking_close_at = datetime(2027, 3, 15, 12, 0)  # within 3 days of each call
        db.session.add(Application(season_id=season.id, student_id=student.id, status="submitted"))
        db.session.commit()

        def students_reminded(utc_hour_minute: tuple[int, int, int, int]) -> int:
            month, day, hour, minute = utc_hour_minute
            now = datetime(2027, month, day, hour, minute)
            return reminders.send_deadline_reminders(now=now, from_hour=reminders.REMINDER_HOUR).students

        assert students_reminded((3, 12, 13, 30)) == 0  # 8:30 AM EST: too early
        assert students_reminded((3, 12, 14, 0)) == 1  # 9:00 AM EST
        assert students_reminded((3, 12, 20, 0)) == 0  # 3 PM: sent today already
        assert students_reminded((3, 13, 4, 30)) == 0  # 11:30 PM EST on the 12th: still the same local day
        assert students_reminded((3, 13, 14, 0)) == 1  # 9:00 AM EST on the 13th
        assert students_reminded((3, 14, 12, 30)) == 0  # 8:30 AM EDT on the 14th: too early
        assert students_reminded((3, 14, 13, 0)) == 1  # 9:00 AM EDT: an hour earlier in UTC
    assert [message.to for message in outbox] == [[student.email]] * 3
    task = jobs.jobs_of(app).tasks["season.send_reminders"].task_class()
    assert task.validate_datetime(datetime(2027, 3, 14, 13, 0)) and not task.validate_datetime(
        datetime(2027, 3, 14, 13, 30)
    )
