"""Programs: the partnerships an installation hosts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Application, ApplicationStatus, HostCompany, Phase, Program, Role, Season, User
from ..errors import NotAllowed, ServiceError
from ..support import audit
from ..support.local_time import DEFAULT_ZONE, check_zone_name
from .queries import LIVE_PHASES


def all_programs() -> list[Program]:
    return list(db.session.scalars(db.select(Program).order_by(Program.name)))


def program_by_slug(slug: str) -> Program | None:
    return db.session.scalar(db.select(Program).where(Program.slug == slug.strip().lower()))


def taking_sign_ups() -> list[Program]:
    """The programs with a live season (applications opened, not closed): the general sign-up
    page offers only these."""
    return list(
        db.session.scalars(
            db.select(Program).where(Program.seasons.any(Season.phase.in_(LIVE_PHASES))).order_by(Program.name)
        )
    )


def create_program(
    actor: User, name: str, slug: str, region: str = "", contact_email: str = "", time_zone: str = DEFAULT_ZONE
) -> Program:
    slug = slug.strip().lower()
    time_zone = check_zone_name(time_zone)
    if db.session.scalar(db.select(Program.id).where(Program.slug == slug)) is not None:
        raise ServiceError(f"The short name {slug!r} is taken; choose another.", "slug")
    program = Program(
        name=name.strip(), slug=slug, region=region.strip(), contact_email=contact_email.strip(), time_zone=time_zone
    )
    db.session.add(program)
    try:
        db.session.flush()
        audit.record(actor, "program.created", program, program_id=program.id, name=program.name)
        db.session.commit()
    except IntegrityError as error:  # the same short name created twice at once
        db.session.rollback()
        raise ServiceError(f"The short name {slug!r} is taken; choose another.", "slug") from error
    return program


def set_time_zone(actor: User, program: Program, name: str) -> Program:
    """An admin, or the program's coordinator, sets the zone its people read and type times in."""
    if not (actor.role == Role.ADMIN or (actor.role == Role.COORDINATOR and actor.program_id == program.id)):
        raise NotAllowed("Only an administrator or the program's coordinators may change its time zone.")
    name = check_zone_name(name)
    if name != program.time_zone:
        audit.record(
            actor, "program.time_zone_changed", program, program_id=program.id, before=program.time_zone, after=name
        )
        program.time_zone = name
    db.session.commit()
    return program


@dataclass(frozen=True)
class ProgramSummary:
    program: Program
    seasons: int
    hosts: int
    people: int


def program_summaries() -> list[ProgramSummary]:
    """Every program with its counts of seasons, hosts and accounts (four queries)."""

    def counts(column, key):
        return dict(db.session.execute(db.select(key, func.count(column)).group_by(key)).all())

    seasons = counts(Season.id, Season.program_id)
    hosts = counts(HostCompany.id, HostCompany.program_id)
    people = counts(User.id, User.program_id)
    return [
        ProgramSummary(program, seasons.get(program.id, 0), hosts.get(program.id, 0), people.get(program.id, 0))
        for program in db.session.scalars(db.select(Program).order_by(Program.name))
    ]


def move_student(actor: User, student: User, target: Program) -> User:
    """An administrator moves a student who signed up in the wrong program to another one, audited
    in both. Coordinators each run one program, so they ask an administrator. Refused while the
    student takes part in a live season of the old program (an application or a live placement):
    those belong to that program's match."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only an administrator can move a student between programs.")
    if student.role != Role.STUDENT:
        raise ServiceError("Only student accounts move between programs.", "email")
    if student.program_id == target.id:
        raise ServiceError(f"{student.name} is already in {target.name}.", "program")
    busy = db.session.scalar(
        db.select(Season)
        .join(Application, Application.season_id == Season.id)
        .where(
            Application.student_id == student.id,
            Season.program_id == student.program_id,
            Season.phase.in_(LIVE_PHASES),
            Application.status != ApplicationStatus.WITHDRAWN,
        )
        .limit(1)
    )
    if busy is not None:
        raise ServiceError(
            f"{student.name} takes part in {busy.name} ({Phase(busy.phase).label}) of "
            f"{student.program.name}: withdraw that application, or wait until the season "
            "closes, before moving them.",
            "email",
        )
    old = student.program
    for program in (old, target):
        audit.record(
            actor,
            "student.moved_program",
            student,
            program_id=program.id,
            student=student.email,
            from_program=old.name,
            to_program=target.name,
        )
    student.program = target
    db.session.commit()
    return student


def student_by_email(program: Program, email: str) -> User:
    """The program's student with this email, else ServiceError on the email field."""
    student = db.session.scalar(db.select(User).where(User.email == email.strip().lower(), User.role == Role.STUDENT))
    if student is None or student.program_id != program.id:
        raise ServiceError(f"No student of {program.name} has that email.", "email")
    return student
