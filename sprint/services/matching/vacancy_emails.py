"""Vacancy rounds' emails, through the outbox like every other: "the round is open" (eligible students and
members of hosts with seats left) once its window opens, a reminder the day before it closes (students who
have not applied, hosts with applicants they have not ranked), and a host's invitation to a student.

The job runs every five minutes; each round's emails go out once, marked on the round in the same commit
as the outbox rows, so a failed commit sends none and the next run sends them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from huey import crontab

from ...extensions import db
from ...models import (
    HostMember,
    NotificationKind,
    Position,
    User,
    VacancyApplication,
    VacancyHostRank,
    VacancyInvitation,
    VacancyRound,
    VacancyStatus,
    utcnow,
)
from ..notifications.notify import notify, site_path
from ..support import audit, jobs
from ..support.concurrency import lock_row
from ..support.notify import send_email
from . import vacancy_rounds

REMIND_BEFORE = timedelta(hours=24)


@dataclass(frozen=True)
class RoundEmails:
    opened: int = 0
    reminded: int = 0


def send_round_emails(now: datetime | None = None) -> RoundEmails:
    """Send every open round's due emails: opened once its window opens, the reminder a day before it closes."""
    now = now or utcnow()
    opened = reminded = 0
    due = db.session.scalars(
        db.select(VacancyRound)
        .where(VacancyRound.status == VacancyStatus.OPEN, VacancyRound.opens_at <= now, VacancyRound.closes_at > now)
        .order_by(VacancyRound.id)
    )
    for round_id in [round_.id for round_ in due]:
        # One transaction per round: the emails and the mark commit together, and no round's lock is
        # held while the next round's people are written to.
        round_ = db.session.get(VacancyRound, round_id)
        lock_row(VacancyRound, round_.id, round_)  # two workers at once: the second sees the mark
        if round_.opened_emails_at is None:
            opened += _send(round_, _opened_emails(round_), now, "opened_emails_at", "vacancy_round.opened_emails")
        elif round_.reminder_sent_at is None and round_.closes_at - REMIND_BEFORE <= now:
            reminded += _send(round_, _reminders(round_), now, "reminder_sent_at", "vacancy_round.reminded")
        db.session.commit()
    return RoundEmails(opened, reminded)


JOBS = (jobs.Job("matching.vacancy_round_emails", send_round_emails, every=crontab(minute="*/5")),)


def _send(round_: VacancyRound, emails: list[dict], now: datetime, mark: str, action: str) -> int:
    for email in emails:
        if "person" in email:  # "the round is open": a notification, emailed as the person chose
            person, subject, template = email.pop("person"), email.pop("subject"), email.pop("template")
            link = site_path("vacancy_host.overview" if "member" in email else "vacancy_student.round_page")
            notify(person, NotificationKind.VACANCY_ROUND, subject, link, email_template=template, **email)
        else:
            send_email(**email)
    setattr(round_, mark, now)
    audit.record(None, action, round_, program_id=round_.season.program_id, at=now, emails=len(emails))
    return len(emails)


def _members_by_position(position_ids: list[int]) -> dict[User, list[str]]:
    titles: dict[User, list[str]] = defaultdict(list)
    if not position_ids:
        return titles
    rows = db.session.execute(
        db.select(User, Position.title)
        .join(HostMember, HostMember.user_id == User.id)
        .join(Position, Position.host_id == HostMember.host_id)
        .where(Position.id.in_(position_ids), User.active.is_(True))
        .order_by(User.id, Position.title)
    )
    for user, title in rows:
        titles[user].append(title)
    return titles


def _opened_emails(round_: VacancyRound) -> list[dict]:
    season = round_.season
    common = dict(season=season, round=round_, program=season.program)
    students = [
        dict(
            person=student,
            subject=_l("A vacancy round of %(season)s is open", season=season.name),
            template="vacancy_opened_student",
            student=student,
            **common,
        )
        for student in vacancy_rounds.eligible_students(round_)
        if student.active
    ]
    open_ids = [entry.position.id for entry in vacancy_rounds.open_positions(season)]
    hosts = [
        dict(
            person=member,
            subject=f"A vacancy round of {season.name} is open for your seats",
            template="vacancy_opened_host",
            member=member,
            titles=titles,
            **common,
        )
        for member, titles in _members_by_position(open_ids).items()
    ]
    return students + hosts


def _reminders(round_: VacancyRound) -> list[dict]:
    season = round_.season
    common = dict(season=season, round=round_, program=season.program)
    applied = set(
        db.session.scalars(db.select(VacancyApplication.student_id).where(VacancyApplication.round_id == round_.id))
    )
    students = [
        dict(
            to=student.email,
            subject=_l("The vacancy round of %(season)s closes soon", season=season.name),
            template="vacancy_reminder_student",
            locale=student.locale,
            student=student,
            **common,
        )
        for student in vacancy_rounds.eligible_students(round_)
        if student.active and student.id not in applied
    ]
    with_applicants = set(
        db.session.scalars(db.select(VacancyApplication.position_id).where(VacancyApplication.round_id == round_.id))
    )
    ranked = set(
        db.session.scalars(db.select(VacancyHostRank.position_id).where(VacancyHostRank.round_id == round_.id))
    )
    hosts = [
        dict(
            to=member.email,
            subject=f"Rank your applicants in the vacancy round of {season.name}",
            template="vacancy_reminder_host",
            member=member,
            titles=titles,
            **common,
        )
        for member, titles in _members_by_position(sorted(with_applicants - ranked)).items()
    ]
    return students + hosts


def invitation_email(invitation: VacancyInvitation, round_: VacancyRound, position: Position, student: User) -> None:
    """The student's email about a host's invitation (queued in the caller's transaction)."""
    season = round_.season
    send_email(
        student.email,
        _l("%(host)s invites you to apply to %(title)s", host=position.host.name, title=position.title),
        "vacancy_invitation",
        locale=student.locale,
        program=season.program,
        student=student,
        position=position,
        season=season,
        round=round_,
    )
