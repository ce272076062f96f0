"""Deadline reminders, sent by `sprint send-reminders` from a daily scheduler (cron, systemd timer)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from ...extensions import db
from ...models import (
    Application, ApplicationStatus, AuditEvent, Cycle, HostCompany, HostMember, Phase, Position,
    PositionStatus, User, utcnow
)
from ..support import audit
from ..support.local_time import format_when, zone_of
from ..support.notify import send_email


@dataclass(frozen=True)
class ReminderCounts:
    cycles: int = 0
    students: int = 0
    host_members: int = 0


def send_deadline_reminders(within_days: int = 3, now: datetime | None = None) -> ReminderCounts:
    """Remind students with uncertified lists and hosts with uncertified positions, once a day per cycle."""
    now = now or utcnow()
    cycles = list(db.session.scalars(db.select(Cycle).where(
        Cycle.phase.in_((Phase.APPLICATIONS, Phase.RANKING)), Cycle.ranking_close_at > now,
        Cycle.ranking_close_at <= now + timedelta(days=within_days))))
    students = members = done = 0
    for cycle in cycles:
        if _sent_today(cycle, now):
            continue
        students += _remind_students(cycle)
        members += _remind_hosts(cycle)
        audit.record(None, "reminders.sent", cycle, program_id=cycle.program_id)
        done += 1
    db.session.commit()
    return ReminderCounts(done, students, members)


def _sent_today(cycle: Cycle, now: datetime) -> bool:
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return db.session.scalar(db.select(AuditEvent.id).where(
        AuditEvent.action == "reminders.sent", AuditEvent.object_type == "Cycle", AuditEvent.object_id == cycle.id,
        AuditEvent.created_at >= start).limit(1)) is not None


def _remind_students(cycle: Cycle) -> int:
    people = list(db.session.scalars(
        db.select(User).join(Application, Application.student_id == User.id)
        .where(Application.cycle_id == cycle.id, Application.status == ApplicationStatus.SUBMITTED,
               Application.ranks_certified_at.is_(None), User.active.is_(True))))
    by = format_when(cycle.ranking_close_at, zone_of(cycle.program))
    for student in people:
        send_email(student.email, f"Certify your rank list by {by}", "reminder_student",
                   student=student, cycle=cycle, program=cycle.program)
    return len(people)


def _remind_hosts(cycle: Cycle) -> int:
    rows = db.session.execute(
        db.select(User, Position.title).join(HostMember, HostMember.user_id == User.id)
        .join(HostCompany, HostCompany.id == HostMember.host_id)
        .join(Position, Position.host_id == HostCompany.id)
        .where(Position.cycle_id == cycle.id, Position.status == PositionStatus.OPEN,
               Position.ranks_certified_at.is_(None), User.active.is_(True)))
    titles: dict[User, list[str]] = defaultdict(list)
    for user, title in rows:
        titles[user].append(title)
    by = format_when(cycle.ranking_close_at, zone_of(cycle.program))
    for user, names in titles.items():
        send_email(user.email, f"Rank your candidates by {by}", "reminder_host",
                   member=user, cycle=cycle, titles=sorted(names), program=cycle.program)
    return len(titles)
